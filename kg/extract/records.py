"""Extraction records: the JSONL contract between extraction, evaluation and RDF (no spaCy here).

The shape is docs/extraction-format.md: one DocRecord per source document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.vocab import ENTITY_TYPES, RELATIONS

__all__ = ["ENTITY_TYPES", "RELATIONS", "DocRecord", "Entity", "Evidence", "Relation"]


@dataclass(frozen=True)
class Evidence:
    """Where a fact comes from: the sentence, its character offsets in the document, the rule."""

    sentence: str
    start: int
    end: int
    rule: str

    def to_json(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "start": self.start, "end": self.end, "rule": self.rule}


@dataclass
class Entity:
    """One real thing in one document: its longest name, every other form used, its mentions."""

    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    rule: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "aliases": self.aliases}
        if self.mentions:
            out["mentions"] = [list(m) for m in self.mentions]
        if self.rule:
            out["rule"] = self.rule
        return out


@dataclass
class Relation:
    """A relation between two entities of one document (or a project and an amount)."""

    head: str
    relation: str
    tail: str | None = None
    amount_cny: int | None = None
    amount_text: str | None = None
    qualifier: str | None = None
    evidence: list[Evidence] = field(default_factory=list)

    def key(self) -> tuple[Any, ...]:
        return (self.head, self.relation, self.tail, self.amount_cny)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"head": self.head, "relation": self.relation}
        if self.relation == "invests":
            out["amount_cny"] = self.amount_cny
            out["amount_text"] = self.amount_text
            if self.qualifier:
                out["qualifier"] = self.qualifier
        else:
            out["tail"] = self.tail
        if self.evidence:
            out["evidence"] = self.evidence[0].to_json()
            if len(self.evidence) > 1:
                out["more_evidence"] = [e.to_json() for e in self.evidence[1:]]
        return out


@dataclass
class DocRecord:
    """Everything extracted from one source document."""

    doc_id: str
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    title: str = ""
    path: str = ""
    sha256: str = ""
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "entities": [e.to_json() for e in self.entities],
            "relations": [r.to_json() for r in self.relations],
        }

    def dumps(self) -> str:
        """One JSON line, UTF-8 text kept readable."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


def _evidence(obj: dict[str, Any] | None) -> list[Evidence]:
    if not obj:
        return []
    return [Evidence(obj["sentence"], int(obj["start"]), int(obj["end"]), obj.get("rule", ""))]


def from_json(obj: dict[str, Any]) -> DocRecord:
    """Build a DocRecord from one parsed JSON line (gold files carry no evidence or mentions)."""
    ents = [
        Entity(
            name=e["name"],
            type=e["type"],
            aliases=list(e.get("aliases", [])),
            mentions=[tuple(m) for m in e.get("mentions", [])],
            rule=e.get("rule", ""),
        )
        for e in obj.get("entities", [])
    ]
    rels = []
    for r in obj.get("relations", []):
        ev = _evidence(r.get("evidence"))
        for more in r.get("more_evidence", []):
            ev += _evidence(more)
        rels.append(
            Relation(
                head=r["head"],
                relation=r["relation"],
                tail=r.get("tail"),
                amount_cny=r.get("amount_cny"),
                amount_text=r.get("amount_text"),
                qualifier=r.get("qualifier"),
                evidence=ev,
            )
        )
    return DocRecord(doc_id=obj["doc_id"], entities=ents, relations=rels)


def read_jsonl(lines: Iterable[str], *, source: str = "<jsonl>") -> Iterator[DocRecord]:
    """Parse JSONL lines into DocRecords; a bad line raises ValueError naming source and line."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise TypeError(f"a JSON {type(obj).__name__}, expected an object")
            yield from_json(obj)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{source}:{n}: not an extraction record ({exc})") from None
