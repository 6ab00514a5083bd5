"""Load and validate the pattern data files under kg/patterns/ into typed rule objects.

Every error names the file and the rule, so a bad edit to a data file fails at load time.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from kg.errors import RuleError
from kg.vocab import ENTITY_TYPES, RELATIONS

ORDERS = (
    "head-trigger-tail",
    "tail-trigger-head",
    "trigger-head-tail",
    "trigger-tail-head",
    "head-tail",
    "tail-head",
    "head-list",
    "section-topic",
    "name-prefix",
)


@dataclass(frozen=True)
class SuffixRule:
    """How names of one entity type end and how far left they may reach."""

    type: str
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    max_len: int
    min_prefix: int
    stop_after: tuple[str, ...]
    allow_pos: frozenset[str]
    allow_words: frozenset[str]
    absorb_after: frozenset[str] = frozenset()
    examples: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class Boundaries:
    """Word lists that decide where a name starts (see boundaries.toml)."""

    stop_pos: frozenset[str]
    name_words: frozenset[str]
    stop_words: frozenset[str]
    generic_words: frozenset[str]
    designation_words: frozenset[str]
    class_words: frozenset[str]
    institutions: tuple[str, ...] = ()
    quantifiers: tuple[str, ...] = ()
    copulas: tuple[str, ...] = ()
    designation_suffixes: frozenset[str] = frozenset()
    crossing_words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RelationRule:
    """One relation rule: entity types at each end, the word order, triggers and a gap limit."""

    id: str
    relation: str
    head: tuple[str, ...]
    tail: tuple[str, ...]
    order: str
    triggers: tuple[str, ...]
    max_gap: int
    blockers: tuple[str, ...] = ()
    not_followed_by: tuple[str, ...] = ()
    examples: tuple[dict[str, str], ...] = ()
    counterexamples: tuple[str, ...] = ()
    sentence_blockers: tuple[str, ...] = ()
    trigger_re: re.Pattern[str] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AnaphorRule:
    """Words that point back at an entity of a type (该高新区, 园区, 该公司…)."""

    type: str
    words: tuple[str, ...]
    topic: bool


@dataclass(frozen=True)
class ListRule:
    """A list head noun (企业, 项目…) that types the short names listed before it."""

    type: str
    heads: tuple[str, ...]


@dataclass(frozen=True)
class Gazetteer:
    """Known names in spaCy's pattern shape: label, surface pattern, identity id."""

    label: str
    pattern: str
    id: str


@dataclass(frozen=True)
class ContextRule:
    """A name without a suffix, recognised by the words just before or after it."""

    id: str
    type: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    max_len: int
    examples: tuple[dict[str, str], ...] = ()
    before_pattern: re.Pattern[str] | None = field(default=None, compare=False)
    retype: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """Everything under kg/patterns/, validated."""

    suffixes: dict[str, SuffixRule]
    boundaries: Boundaries
    relations: tuple[RelationRule, ...]
    anaphora: tuple[AnaphorRule, ...]
    lists: tuple[ListRule, ...]
    amounts: dict[str, Any]
    gazetteer: tuple[Gazetteer, ...] = ()
    boilerplate: re.Pattern[str] | None = None
    contexts: tuple[ContextRule, ...] = ()
    boilerplate_lines: tuple[re.Pattern[str], ...] = ()  # `boilerplate`, one per expression


def _read_toml(rel: str) -> dict[str, Any]:
    ref = resources.files("kg") / "patterns" / rel
    try:
        return tomllib.loads(ref.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleError(f"kg/patterns/{rel}: missing pattern file") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"kg/patterns/{rel}: not valid TOML ({exc})") from None


def _check_keys(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(obj) - allowed
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")


def _strs(obj: dict[str, Any], key: str, where: str, *, required: bool = False) -> tuple[str, ...]:
    val = obj.get(key, [])
    if required and not val:
        raise RuleError(f"{where}: '{key}' must be a non-empty list of strings")
    if not isinstance(val, list) or not all(isinstance(v, str) and v for v in val):
        raise RuleError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(val)


def _types(obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    vals = _strs(obj, key, where, required=True)
    for v in vals:
        if v.split(":")[0] not in ENTITY_TYPES:
            raise RuleError(f"{where}: '{key}' names unknown entity type {v!r}")
    return vals


def load_suffixes() -> dict[str, SuffixRule]:
    """Read entities/suffixes.toml: one table per entity type."""
    data = _read_toml("entities/suffixes.toml")
    out: dict[str, SuffixRule] = {}
    keys = {"max_len", "min_prefix", "stop_after", "allow_pos", "allow_words", "strong", "weak",
            "absorb_after", "examples"}
    for typ, obj in data.items():
        where = f"kg/patterns/entities/suffixes.toml [{typ}]"
        if typ not in ENTITY_TYPES:
            raise RuleError(f"{where}: unknown entity type")
        _check_keys(obj, keys, where)
        out[typ] = SuffixRule(
            type=typ,
            strong=_strs(obj, "strong", where, required=True),
            weak=_strs(obj, "weak", where),
            max_len=int(obj.get("max_len", 20)),
            min_prefix=int(obj.get("min_prefix", 2)),
            stop_after=_types(obj, "stop_after", where),
            allow_pos=frozenset(_strs(obj, "allow_pos", where)),
            allow_words=frozenset(_strs(obj, "allow_words", where)),
            absorb_after=frozenset(_strs(obj, "absorb_after", where)),
            examples=tuple(obj.get("examples", [])),
        )
    return out


def load_boundaries() -> Boundaries:
    """Read entities/boundaries.toml."""
    data = _read_toml("entities/boundaries.toml")
    where = "kg/patterns/entities/boundaries.toml"
    _check_keys(data, {"stop_pos", "name_words", "stop_words", "generic_words",
                       "designation_words", "class_words", "institutions", "quantifiers",
                       "copulas", "designation_suffixes", "crossing_words"}, where)
    return Boundaries(
        stop_pos=frozenset(_strs(data, "stop_pos", where)),
        name_words=frozenset(_strs(data, "name_words", where)),
        stop_words=frozenset(_strs(data, "stop_words", where)),
        generic_words=frozenset(_strs(data, "generic_words", where)),
        designation_words=frozenset(_strs(data, "designation_words", where)),
        class_words=frozenset(_strs(data, "class_words", where)),
        institutions=_strs(data, "institutions", where),
        quantifiers=_strs(data, "quantifiers", where),
        copulas=_strs(data, "copulas", where),
        designation_suffixes=frozenset(_strs(data, "designation_suffixes", where)),
        crossing_words=frozenset(_strs(data, "crossing_words", where)),
    )


def load_relations() -> tuple[RelationRule, ...]:
    """Read relations/<relation>.toml for every relation; rule ids must be unique."""
    rules: list[RelationRule] = []
    seen: set[str] = set()
    for rel in RELATIONS:
        data = _read_toml(f"relations/{rel}.toml")
        fwhere = f"kg/patterns/relations/{rel}.toml"
        _check_keys(data, {"relation", "head", "tail", "rule"}, fwhere)
        if data.get("relation") != rel:
            raise RuleError(f"{fwhere}: 'relation' must be {rel!r}")
        head = _types(data, "head", fwhere)
        tail = _types(data, "tail", fwhere) if rel != "invests" else ("Amount",)
        for obj in data.get("rule", []):
            rid = obj.get("id", "")
            where = f"{fwhere} rule {rid or '?'}"
            _check_keys(obj, {"id", "order", "triggers", "max_gap", "blockers", "not_followed_by",
                              "examples", "counterexamples", "head", "tail",
                              "sentence_blockers"}, where)
            if not re.fullmatch(rf"{re.escape(rel)}\.[a-z0-9_]+", rid):
                raise RuleError(f"{where}: id must look like '{rel}.some_name'")
            if rid in seen:
                raise RuleError(f"{where}: duplicate rule id")
            seen.add(rid)
            order = obj.get("order", "")
            if order not in ORDERS:
                raise RuleError(f"{where}: order must be one of {', '.join(ORDERS)}")
            triggers = _strs(obj, "triggers", where)
            if "trigger" in order and not triggers:
                raise RuleError(f"{where}: order {order} needs triggers")
            rules.append(
                RelationRule(
                    id=rid,
                    relation=rel,
                    head=_types(obj, "head", where) if "head" in obj else head,
                    tail=(_types(obj, "tail", where) if "tail" in obj else tail),
                    order=order,
                    triggers=triggers,
                    max_gap=int(obj.get("max_gap", 12)),
                    blockers=_strs(obj, "blockers", where),
                    not_followed_by=_strs(obj, "not_followed_by", where),
                    examples=tuple(obj.get("examples", [])),
                    counterexamples=_strs(obj, "counterexamples", where),
                    sentence_blockers=_strs(obj, "sentence_blockers", where),
                    trigger_re=(
                        re.compile("|".join(map(re.escape, sorted(triggers, key=len,
                                                                  reverse=True))))
                        if triggers else None
                    ),
                )
            )
    return tuple(rules)


def load_anaphora() -> tuple[tuple[AnaphorRule, ...], tuple[ListRule, ...]]:
    """Read entities/anaphora.toml: anaphor words per type and list head nouns."""
    data = _read_toml("entities/anaphora.toml")
    ana, lists = [], []
    for typ, obj in data.items():
        where = f"kg/patterns/entities/anaphora.toml [{typ}]"
        if typ not in ENTITY_TYPES:
            raise RuleError(f"{where}: unknown entity type")
        _check_keys(obj, {"anaphors", "topic", "list_heads"}, where)
        ana.append(AnaphorRule(typ, _strs(obj, "anaphors", where), bool(obj.get("topic"))))
        lists.append(ListRule(typ, _strs(obj, "list_heads", where)))
    return tuple(ana), tuple(lists)


def load_amounts() -> dict[str, Any]:
    """Read amounts.toml: units, numerals and qualifiers for money amounts."""
    data = _read_toml("amounts.toml")
    where = "kg/patterns/amounts.toml"
    _check_keys(data, {"units", "digits", "multipliers", "qualifiers", "investment_triggers",
                       "not_investment"}, where)
    return data


def load_gazetteer() -> tuple[Gazetteer, ...]:
    """Read entities/*.jsonl: one {label, pattern, id} object per line (spaCy's SpanRuler shape)."""
    out = []
    folder = resources.files("kg") / "patterns" / "entities"
    for ref in sorted(folder.iterdir(), key=lambda r: r.name):
        if not ref.name.endswith(".jsonl"):
            continue
        for n, line in enumerate(ref.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"kg/patterns/entities/{ref.name}:{n}"
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise RuleError(f"{where}: not JSON ({exc})") from None
            if not isinstance(obj, dict):
                raise RuleError(f"{where}: expected an object with label, pattern, id")
            _check_keys(obj, {"label", "pattern", "id"}, where)
            if obj.get("label") not in ENTITY_TYPES:
                raise RuleError(f"{where}: unknown label {obj.get('label')!r}")
            if not isinstance(obj.get("pattern"), str) or not obj["pattern"].strip():
                raise RuleError(f"{where}: 'pattern' must be a non-empty string")
            out.append(Gazetteer(obj["label"], obj["pattern"], str(obj.get("id") or
                                                                   obj["pattern"])))
    return tuple(out)


def load_contexts() -> tuple[ContextRule, ...]:
    """Read entities/contexts.toml: names recognised by the words around them."""
    data = _read_toml("entities/contexts.toml")
    fwhere = "kg/patterns/entities/contexts.toml"
    _check_keys(data, {"context"}, fwhere)
    out = []
    for obj in data.get("context", []):
        where = f"{fwhere} {obj.get('id', '?')}"
        _check_keys(obj, {"id", "type", "before", "after", "before_pattern", "retype",
                          "max_len", "examples"}, where)
        if obj.get("type") not in ENTITY_TYPES:
            raise RuleError(f"{where}: unknown entity type {obj.get('type')!r}")
        before, after = _strs(obj, "before", where), _strs(obj, "after", where)
        pattern = None
        if "before_pattern" in obj:
            try:
                pattern = re.compile(str(obj["before_pattern"]))
            except re.error as exc:
                raise RuleError(f"{where}: bad before_pattern ({exc})") from None
        if sum(map(bool, (before, after, pattern))) != 1:
            raise RuleError(f"{where}: give exactly one of 'before', 'after', 'before_pattern'")
        retype = _strs(obj, "retype", where)
        if set(retype) - set(ENTITY_TYPES):
            raise RuleError(f"{where}: unknown entity type in retype {list(retype)!r}")
        out.append(ContextRule(obj["id"], obj["type"], before, after,
                               int(obj.get("max_len", 10)), tuple(obj.get("examples", [])),
                               pattern, retype))
    return tuple(out)


def load_boilerplate_lines() -> tuple[re.Pattern[str], ...]:
    """Read boilerplate.toml: the regular expressions of page-furniture lines."""
    data = _read_toml("boilerplate.toml")
    where = "kg/patterns/boilerplate.toml"
    _check_keys(data, {"line_patterns"}, where)
    pats = _strs(data, "line_patterns", where, required=True)
    out = []
    for p in pats:
        try:
            out.append(re.compile(p))
        except re.error as exc:
            raise RuleError(f"{where}: bad regular expression {p!r} ({exc})") from None
    return tuple(out)


def _joined(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))


def load_boilerplate() -> re.Pattern[str]:
    """Read boilerplate.toml: regular expressions of page-furniture lines, joined into one."""
    return _joined(load_boilerplate_lines())


@lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    """All pattern files, parsed and validated once per process."""
    ana, lists = load_anaphora()
    boilerplate = load_boilerplate_lines()
    return RuleSet(
        suffixes=load_suffixes(),
        boundaries=load_boundaries(),
        relations=load_relations(),
        anaphora=ana,
        lists=lists,
        amounts=load_amounts(),
        gazetteer=load_gazetteer(),
        boilerplate=_joined(boilerplate),
        contexts=load_contexts(),
        boilerplate_lines=boilerplate,
    )
