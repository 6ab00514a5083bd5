"""Extraction records: the JSONL contract between extraction, evaluation and RDF (no spaCy here).

The shape is docs/extraction-format.md: one DocRecord per source document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.lang.times import precision_of
from kg.vocab import ENTITY_TYPES, RELATIONS

__all__ = ["ENTITY_TYPES", "INDICATOR_UNITS", "PRECISIONS", "RELATIONS", "Article", "DocRecord",
           "Entity", "Evidence", "FactTime", "Observation", "Relation", "TimeValue",
           "precision_of"]

# How exact a time value is (docs/extraction-format.md, "Time values"), coarsest last.
PRECISIONS = ("day", "month", "quarter", "half", "year", "range")
# The units an observation's value may carry.
INDICATOR_UNITS = ("CNY", "USD", "percent", "count")


@dataclass(frozen=True)
class Evidence:
    """Where a fact comes from: the sentence, its character offsets in the document, the rule."""

    sentence: str
    start: int
    end: int
    rule: str

    def to_json(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "start": self.start, "end": self.end, "rule": self.rule}


@dataclass(frozen=True)
class TimeValue:
    """A time as a text gives it: an ISO-like value, its precision and the words as written.

    value forms by precision: day 2024-06-15, month 2024-06, quarter 2024-Q1, half 2024-H1,
    year 2023, range 2021/2025 (both ends inclusive, each itself any of the other forms).
    """

    value: str
    precision: str
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "precision": self.precision, "text": self.text}

    @staticmethod
    def from_json(obj: dict[str, Any] | None) -> TimeValue | None:
        """The TimeValue of a {"value", "precision", "text"} object; None for null."""
        if not obj or obj.get("value") is None:
            return None
        value = str(obj["value"])
        return TimeValue(value, obj.get("precision") or precision_of(value), obj.get("text") or "")


@dataclass
class Article:
    """One article of a document: its title line, publication date and where both were read.

    start/end are the article's character offsets in the document; `source` says how the date
    was found (dateline, source_line, date_line, meta, side_file); `evidence` quotes the words.
    """

    title: str | None
    published: str | None = None
    precision: str | None = None
    text: str | None = None
    start: int = 0
    end: int = 0
    source: str = ""
    evidence: Evidence | None = None

    def time(self) -> TimeValue | None:
        """The publication date as a TimeValue (None when no date was found)."""
        if self.published is None:
            return None
        return TimeValue(self.published, self.precision or precision_of(self.published),
                         self.text or "")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "published": self.published,
                               "precision": self.precision, "text": self.text}
        if self.end:
            out["start"], out["end"] = self.start, self.end
        if self.source:
            out["source"] = self.source
        if self.evidence:
            out["evidence"] = self.evidence.to_json()
        return out


@dataclass
class Observation:
    """A figure the text states for a park: indicator, value with unit, period, change.

    value is yuan/dollars, a percent number or a count (None when only a change is given);
    growth_pct a relative change in percent (negative for 下降); `text` the clause as written.
    """

    park: str
    indicator: str
    value: float | int | None
    unit: str
    period: TimeValue | None = None
    growth_pct: float | int | None = None
    text: str = ""
    value_text: str = ""
    evidence: Evidence | None = None

    def key(self) -> tuple[Any, ...]:
        return (self.park, self.indicator, self.unit, self.period and self.period.value,
                self.value, self.growth_pct)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "park": self.park, "indicator": self.indicator, "value": self.value,
            "unit": self.unit, "period": self.period.value if self.period else None,
            "growth_pct": self.growth_pct, "text": self.text}
        if self.period:
            out["period_precision"] = self.period.precision
            out["period_text"] = self.period.text
        if self.value_text:
            out["value_text"] = self.value_text
        if self.evidence:
            out["evidence"] = self.evidence.to_json()
        return out

    @staticmethod
    def from_json(obj: dict[str, Any]) -> Observation:
        """An Observation from its JSON form (gold lines carry no evidence)."""
        period = obj.get("period")
        time = None
        if period is not None:
            time = TimeValue(str(period), obj.get("period_precision") or precision_of(str(period)),
                             obj.get("period_text") or "")
        value = obj.get("value")
        growth = obj.get("growth_pct")
        return Observation(
            park=obj["park"], indicator=obj["indicator"],
            value=value if value is None or isinstance(value, int) else float(value),
            unit=obj.get("unit") or "", period=time,
            growth_pct=growth if growth is None or isinstance(growth, int) else float(growth),
            text=obj.get("text") or "",
            value_text=obj.get("value_text") or "", evidence=_one_evidence(obj.get("evidence")))


@dataclass(frozen=True)
class FactTime:
    """The time of one relation fact, keyed as the gold keys it (invests: tail = amount_text)."""

    head: str
    relation: str
    tail: str | None
    time: TimeValue

    def to_json(self) -> dict[str, Any]:
        return {"head": self.head, "relation": self.relation, "tail": self.tail,
                "time": self.time.to_json()}


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
    time: TimeValue | None = None  # when the fact happened, as its sentence says (issue 16)
    # an investment in another currency: its amount in that currency's unit and its ISO 4217
    # code, instead of amount_cny (extraction-format.md, Relations)
    amount: int | None = None
    currency: str | None = None

    def key(self) -> tuple[Any, ...]:
        if self.currency is not None:
            return (self.head, self.relation, self.tail, (self.amount, self.currency))
        return (self.head, self.relation, self.tail, self.amount_cny)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"head": self.head, "relation": self.relation}
        if self.relation == "invests":
            if self.currency is not None:
                out["amount"], out["currency"] = self.amount, self.currency
            else:
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
        if self.time is not None:
            out["time"] = self.time.to_json()
        return out

    def fact_time(self) -> FactTime | None:
        """This relation's time keyed like the gold's `times` (invests: tail = amount_text)."""
        if self.time is None:
            return None
        tail = self.amount_text if self.relation == "invests" else self.tail
        return FactTime(self.head, self.relation, tail, self.time)


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
    articles: list[Article] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    times: list[FactTime] = field(default_factory=list)  # gold lines key times apart

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "doc_id": self.doc_id,
            "entities": [e.to_json() for e in self.entities],
            "relations": [r.to_json() for r in self.relations],
        }
        if self.articles:
            out["articles"] = [a.to_json() for a in self.articles]
        if self.times:
            out["times"] = [t.to_json() for t in self.times]
        if self.observations:
            out["observations"] = [o.to_json() for o in self.observations]
        return out

    def fact_times(self) -> list[FactTime]:
        """Every fact time of the record: those on its relations and those keyed apart."""
        on_relations = [t for r in self.relations if (t := r.fact_time()) is not None]
        return on_relations + list(self.times)

    def dumps(self) -> str:
        """One JSON line, UTF-8 text kept readable."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


def _one_evidence(obj: dict[str, Any] | None) -> Evidence | None:
    if not obj:
        return None
    return Evidence(obj["sentence"], int(obj["start"]), int(obj["end"]), obj.get("rule", ""))


def _evidence(obj: dict[str, Any] | None) -> list[Evidence]:
    one = _one_evidence(obj)
    return [one] if one else []


def _article(obj: dict[str, Any]) -> Article:
    published = obj.get("published")
    return Article(
        title=obj.get("title"), published=None if published is None else str(published),
        precision=obj.get("precision") or (precision_of(str(published)) if published else None),
        text=obj.get("text"), start=int(obj.get("start", 0)), end=int(obj.get("end", 0)),
        source=obj.get("source", ""), evidence=_one_evidence(obj.get("evidence")))


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
                time=TimeValue.from_json(r.get("time")),
                amount=r.get("amount"),
                currency=r.get("currency"),
            )
        )
    times = [FactTime(t["head"], t["relation"], t.get("tail"), time)
             for t in obj.get("times", []) if (time := TimeValue.from_json(t.get("time")))]
    return DocRecord(doc_id=obj["doc_id"], entities=ents, relations=rels,
                     articles=[_article(a) for a in obj.get("articles", [])],
                     observations=[Observation.from_json(o) for o in obj.get("observations", [])],
                     times=times)


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
