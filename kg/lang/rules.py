"""Load and validate the pattern data files under kg/patterns/ into typed rule objects.

Every error names the file and the rule, so a bad edit to a data file fails at load time. A
word that carries a role in two places (a Park suffix that is also a Platform anaphor, a unit
word of two currencies) must carry the same meaning in both. `load_rules(folder)` reads another
patterns folder of the same shape, so a new suffix, trigger or currency needs no Python.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
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
    short_forms: tuple[tuple[str, str], ...] = ()  # (long suffix, the short one it is written as)
    place_named: frozenset[str] = frozenset()
    not_endings: tuple[str, ...] = ()  # a name ending so is none of this type (…基础设施)
    # (suffix, the form it meets): in one document one park (烟台经济技术开发区 = 烟台开发区)
    same_park_forms: tuple[tuple[str, str], ...] = ()


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
    # words around a firm that give it another role than being placed (see hosts.toml)
    firm_role_after: tuple[str, ...] = ()
    # words that, opening a sentence, make a place its subject (该县…; see hosts.toml)
    place_subjects: tuple[str, ...] = ()
    # words in a firm's clause that place it even when its name is from elsewhere (引进, 落户)
    placing_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnaphorRule:
    """Words that point back at an entity of a type (该高新区, 园区, 该公司…)."""

    type: str
    words: tuple[str, ...]
    topic: bool


@dataclass(frozen=True)
class AnaphorWords:
    """What the anaphor rules share across types (see entities/anaphora.toml)."""

    demonstratives: tuple[str, ...]
    generic_before: tuple[str, ...]
    kinds: dict[str, tuple[str, ...]]  # 该<kind> → the name endings it may point back at (derived)

    def endings(self, kind: str) -> tuple[str, ...]:
        """The park name endings 该`kind` may point back at (高新区: 高新技术产业开发区…)."""
        return self.kinds.get(kind, (kind,))


@dataclass(frozen=True)
class Currency:
    """A unit of money: how many of the currency's units it is worth, and the ISO 4217 code."""

    multiplier: int
    code: str


@dataclass(frozen=True)
class AmountRules:
    """amounts.toml, validated: units derived from currencies × magnitudes, numerals, qualifiers."""

    units: dict[str, Currency]
    digits: dict[str, int]
    multipliers: dict[str, int]
    before: dict[str, str]
    after: dict[str, str]
    after_unit: tuple[str, ...]
    not_investment_words: tuple[str, ...]
    not_investment_patterns: tuple[re.Pattern[str], ...]
    bare_after: tuple[str, ...] = ()  # words after which a bare magnitude is yuan (投资14亿)
    bare_units: dict[str, Currency] = field(default_factory=dict)  # 亿 → the unit of 亿元
    bare_next: str = ""  # what may follow a bare magnitude (，。的…)
    # patterns in the rest of the clause after an amount that give it to a list of projects
    not_investment_after: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Words:
    """words.toml: the function words and phrase patterns of the rule engines, by role."""

    leading_chars: frozenset[str]
    trailing_chars: frozenset[str]
    conjunctions: tuple[str, ...]
    disjunctions: tuple[str, ...]
    etc: str
    etc_words: frozenset[str]
    colon_openers: tuple[str, ...]
    count_pattern: re.Pattern[str]
    count_alone_pattern: re.Pattern[str]
    modifier_chars: str
    modifier_verbs: frozenset[str]
    count_before_pattern: re.Pattern[str]
    count_after_pattern: re.Pattern[str]
    link_verbs: tuple[str, ...]
    predicate_ends: tuple[str, ...]
    institute_suffixes: tuple[str, ...]
    count_in_name_pattern: re.Pattern[str]
    slogan_pattern: re.Pattern[str]
    counting_pattern: re.Pattern[str]
    date_chars: str
    not_places: frozenset[str]
    national_prefixes: tuple[str, ...]
    phrase_ends: tuple[str, ...]
    firm_trade_words: tuple[str, ...]
    part_joints: tuple[str, ...]
    district_endings: str
    lead_words: frozenset[str]
    role_words: tuple[str, ...]
    dashes: tuple[str, ...]
    industry_endings: tuple[str, ...]
    alias_leads: tuple[str, ...]
    alias_words: tuple[str, ...]
    connectives: tuple[str, ...]
    sited: tuple[str, ...]
    sited_end: str
    locatives: tuple[str, ...]
    build_verbs: tuple[str, ...]
    build_leads: tuple[str, ...]
    list_follow: tuple[str, ...]
    lead_blockers: str
    zoned_parks: tuple[str, ...] = ()
    zone_parts: tuple[str, ...] = ()

    @property
    def single_conjunctions(self) -> str:
        """The one-character conjunctions (和及与): regex character classes use them."""
        return "".join(w for w in self.conjunctions if len(w) == 1)


@dataclass(frozen=True)
class Places:
    """places.toml: province-level names and the endings of such names."""

    provinces: tuple[str, ...]
    endings: tuple[str, ...]


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
    amounts: AmountRules
    words: Words
    anaphor_words: AnaphorWords
    places: Places
    gazetteer: tuple[Gazetteer, ...] = ()
    boilerplate: re.Pattern[str] | None = None
    contexts: tuple[ContextRule, ...] = ()
    boilerplate_lines: tuple[re.Pattern[str], ...] = ()  # `boilerplate`, one per expression


Root = Path | Traversable | None  # a patterns folder; None: the one shipped in kg/patterns


def _folder(root: Root) -> Path | Traversable:
    return resources.files("kg") / "patterns" if root is None else root


def _label(rel: str, root: Root) -> str:
    """How errors name a pattern file: kg/patterns/<rel>, or its path in another folder."""
    return f"kg/patterns/{rel}" if root is None else f"{root}/{rel}"


def _read_toml(rel: str, root: Root = None) -> dict[str, Any]:
    ref = _folder(root) / rel
    try:
        return tomllib.loads(ref.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleError(f"{_label(rel, root)}: missing pattern file") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{_label(rel, root)}: not valid TOML ({exc})") from None


def _regex(pattern: object, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise RuleError(f"{where}: must be a non-empty regular expression")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RuleError(f"{where}: bad regular expression {pattern!r} ({exc})") from None


class _Roles:
    """Words that carry a meaning (an entity type, a currency, a qualifier value) and where.

    A word given two different meanings of one kind is an error naming both files: the engines
    would otherwise let one of them win silently.
    """

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], tuple[str, str, str]] = {}

    def claim(self, kind: str, word: str, value: str, role: str, where: str) -> None:
        """Record that `word` means `value` (of `kind`) as a `role` in `where`."""
        prev = self.seen.setdefault((kind, word), (value, role, where))
        if prev[0] != value:
            raise RuleError(f"{where}: {word!r} is {_a(value)} {role} here but {_a(prev[0])} "
                            f"{prev[1]} in {prev[2]}; give each word one {kind}")


def _a(word: str) -> str:
    """`word` with its indefinite article (an Enterprise, a Park)."""
    return f"{'an' if word[:1] in 'AEIOU' and not word.isupper() else 'a'} {word}"  # (a USD)


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


@lru_cache(maxsize=8)
def load_suffixes(root: Root = None) -> dict[str, SuffixRule]:
    """Read entities/suffixes.toml: one table per entity type."""
    rel = "entities/suffixes.toml"
    data = _read_toml(rel, root)
    out: dict[str, SuffixRule] = {}
    keys = {"max_len", "min_prefix", "stop_after", "allow_pos", "allow_words", "strong", "weak",
            "absorb_after", "examples", "short_forms", "place_named", "not_endings",
            "same_park_forms"}
    roles = _Roles()
    for typ, obj in data.items():
        where = f"{_label(rel, root)} [{typ}]"
        if typ not in ENTITY_TYPES:
            raise RuleError(f"{where}: unknown entity type")
        _check_keys(obj, keys, where)
        strong, weak = _strs(obj, "strong", where, required=True), _strs(obj, "weak", where)
        for strength, words in (("strong", strong), ("weak", weak)):
            for w in words:
                roles.claim("type", w, typ, "suffix", where)
                roles.claim("strength", w, strength, "suffix", where)
        forms = obj.get("short_forms", {})
        if not isinstance(forms, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in forms.items()):
            raise RuleError(f"{where}: 'short_forms' must be a table of suffix = suffix")
        for long, short in forms.items():
            if long not in strong + weak or short not in strong + weak:
                raise RuleError(f"{where}: short_forms {long!r} = {short!r}: both must be "
                                f"suffixes of {typ}")
        same = obj.get("same_park_forms", {})
        if not isinstance(same, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in same.items()):
            raise RuleError(f"{where}: 'same_park_forms' must be a table of suffix = form")
        place_named = _strs(obj, "place_named", where)
        if set(place_named) - set(strong + weak):
            raise RuleError(f"{where}: place_named holds words that are no suffix of {typ}")
        out[typ] = SuffixRule(
            type=typ,
            strong=strong,
            weak=weak,
            max_len=int(obj.get("max_len", 20)),
            min_prefix=int(obj.get("min_prefix", 2)),
            stop_after=_types(obj, "stop_after", where),
            allow_pos=frozenset(_strs(obj, "allow_pos", where)),
            allow_words=frozenset(_strs(obj, "allow_words", where)),
            absorb_after=frozenset(_strs(obj, "absorb_after", where)),
            examples=tuple(obj.get("examples", [])),
            short_forms=tuple(forms.items()),
            place_named=frozenset(place_named),
            not_endings=_strs(obj, "not_endings", where),
            same_park_forms=tuple(sorted(same.items(), key=lambda kv: -len(kv[0]))),
        )
    return out


def load_boundaries(root: Root = None) -> Boundaries:
    """Read entities/boundaries.toml."""
    data = _read_toml("entities/boundaries.toml", root)
    where = _label("entities/boundaries.toml", root)
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


def load_relations(root: Root = None) -> tuple[RelationRule, ...]:
    """Read relations/<relation>.toml for every relation; rule ids must be unique."""
    rules: list[RelationRule] = []
    seen: set[str] = set()
    for rel in RELATIONS:
        data = _read_toml(f"relations/{rel}.toml", root)
        fwhere = _label(f"relations/{rel}.toml", root)
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
                              "sentence_blockers", "firm_role_after", "place_subjects",
                              "placing_words"},
                        where)
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
                    firm_role_after=_strs(obj, "firm_role_after", where),
                    place_subjects=_strs(obj, "place_subjects", where),
                    placing_words=_strs(obj, "placing_words", where),
                    trigger_re=(
                        re.compile("|".join(map(re.escape, sorted(triggers, key=len,
                                                                  reverse=True))))
                        if triggers else None
                    ),
                )
            )
    return tuple(rules)


def load_anaphora(root: Root = None, suffixes: dict[str, SuffixRule] | None = None
                  ) -> tuple[tuple[AnaphorRule, ...], tuple[ListRule, ...], AnaphorWords]:
    """Read entities/anaphora.toml: anaphor words per type, list head nouns, park kinds.

    The kinds 该高新区 may point back at are derived: the kind itself, the long suffixes that
    shorten to it (suffixes.toml short_forms) and the `kinds` the file adds.
    """
    rel = "entities/anaphora.toml"
    data = _read_toml(rel, root)
    suffixes = suffixes if suffixes is not None else load_suffixes(root)
    fwhere = _label(rel, root)
    general = {"demonstratives", "generic_before"}
    ana, lists = [], []
    kinds: dict[str, tuple[str, ...]] = {}
    park = suffixes.get("Park")
    park_suffixes = set(park.strong + park.weak) if park else set()
    for typ, obj in data.items():
        if typ in general:
            continue
        where = f"{fwhere} [{typ}]"
        if typ not in ENTITY_TYPES or not isinstance(obj, dict):
            raise RuleError(f"{where}: unknown entity type")
        _check_keys(obj, {"anaphors", "topic", "list_heads", "kinds"}, where)
        ana.append(AnaphorRule(typ, _strs(obj, "anaphors", where), bool(obj.get("topic"))))
        lists.append(ListRule(typ, _strs(obj, "list_heads", where)))
        extra = obj.get("kinds", {})
        if extra and typ != "Park":
            raise RuleError(f"{where}: only Park anaphors have kinds")
        for kind, ends in extra.items():
            ends = _strs(extra, kind, f"{where} kinds")
            if {kind, *ends} - park_suffixes:
                raise RuleError(f"{where}: kinds {kind!r}: every word must be a Park suffix")
            kinds[kind] = ends
    short_of = park.short_forms if park else ()
    derived = {}
    for kind in {*kinds, *(short for _, short in short_of)}:
        derived[kind] = (kind, *(long for long, short in short_of if short == kind),
                         *kinds.get(kind, ()))
    words = AnaphorWords(
        demonstratives=_strs(data, "demonstratives", fwhere),
        generic_before=_strs(data, "generic_before", fwhere),
        kinds=derived,
    )
    return tuple(ana), tuple(lists), words


def _check_types(suffixes: dict[str, SuffixRule], anaphora: tuple[AnaphorRule, ...],
                 lists: tuple[ListRule, ...], root: Root) -> None:
    """A suffix, an anaphor and a list head that are one word must name one entity type."""
    roles = _Roles()
    where_s, where_a = _label("entities/suffixes.toml", root), _label("entities/anaphora.toml",
                                                                          root)
    for typ, rule in suffixes.items():
        for w in rule.strong + rule.weak:
            roles.claim("entity type", w, typ, "suffix", f"{where_s} [{typ}]")
    for a in anaphora:
        for w in a.words:
            roles.claim("entity type", w, a.type, "anaphor", f"{where_a} [{a.type}]")
    for lst in lists:
        for w in lst.heads:
            roles.claim("entity type", w, lst.type, "list head", f"{where_a} [{lst.type}]")


def _int_table(data: dict[str, Any], key: str, where: str) -> dict[str, int]:
    table = data.get(key)
    if not isinstance(table, dict) or not table or not all(
            isinstance(k, str) and k and isinstance(v, int) for k, v in table.items()):
        raise RuleError(f"{where}: '{key}' must be a table of word = whole number")
    return table


def load_amounts(root: Root = None) -> AmountRules:
    """Read amounts.toml: currencies and magnitudes (→ units), numerals and qualifiers."""
    data = _read_toml("amounts.toml", root)
    where = _label("amounts.toml", root)
    _check_keys(data, {"digits", "multipliers", "magnitudes", "currencies", "qualifiers",
                       "not_investment", "bare_magnitudes"}, where)
    digits = _int_table(data, "digits", where)
    mults = _int_table(data, "multipliers", where)
    roles = _Roles()
    magnitudes: dict[str, int] = {}
    for mag in _strs(data, "magnitudes", where):
        if any(ch not in mults for ch in mag):
            raise RuleError(f"{where}: magnitude {mag!r} is not made of multipliers")
        value = 1
        for ch in mag:
            value *= mults[ch]
        magnitudes[mag] = value
    currencies = data.get("currencies")
    if not isinstance(currencies, dict) or not currencies:
        raise RuleError(f"{where}: 'currencies' must be a table of ISO code = [words]")
    units: dict[str, Currency] = {}
    for code in currencies:
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise RuleError(f"{where} [currencies]: {code!r} is no ISO 4217 code (three capitals)")
        for word in _strs(currencies, code, f"{where} [currencies]", required=True):
            roles.claim("currency", word, code, "currency word", f"{where} [currencies]")
            for mag, value in (("", 1), *magnitudes.items()):
                roles.claim("currency", mag + word, code, "unit", f"{where} [currencies]")
                units[mag + word] = Currency(value, code)
    quals = data.get("qualifiers", {})
    _check_keys(quals, {"before", "after", "after_unit"}, f"{where} [qualifiers]")
    tables = {}
    for side in ("before", "after"):
        table = quals.get(side, {})
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise RuleError(f"{where} [qualifiers.{side}]: must be a table of word = value")
        for word, value in table.items():
            roles.claim("qualifier value", word, repr(value), "qualifier",
                        f"{where} [qualifiers.{side}]")
        tables[side] = table
    after_unit = _strs(quals, "after_unit", f"{where} [qualifiers]")
    if set(after_unit) - set(tables["after"]):
        raise RuleError(f"{where} [qualifiers]: after_unit words must be 'after' qualifiers")
    bare = data.get("bare_magnitudes", {})
    bwhere = f"{where} [bare_magnitudes]"
    _check_keys(bare, {"currency", "after", "next_chars"}, bwhere)
    bare_units: dict[str, Currency] = {}
    if bare:
        code = bare.get("currency", "")
        if code not in currencies:
            raise RuleError(f"{bwhere}: currency {code!r} is not one of [currencies]")
        bare_units = {mag: Currency(value, code) for mag, value in magnitudes.items()}
    nonv = data.get("not_investment", {})
    nwhere = f"{where} [not_investment]"
    _check_keys(nonv, {"patterns", "words", "after_patterns"}, nwhere)
    return AmountRules(
        units=units,
        digits=digits,
        multipliers=mults,
        before=tables["before"],
        after=tables["after"],
        after_unit=after_unit,
        not_investment_words=_strs(nonv, "words", nwhere),
        not_investment_patterns=tuple(_regex(p, f"{nwhere} patterns")
                                      for p in _strs(nonv, "patterns", nwhere)),
        not_investment_after=tuple(_regex(p, f"{nwhere} after_patterns")
                                   for p in _strs(nonv, "after_patterns", nwhere)),
        bare_after=_strs(bare, "after", bwhere),
        bare_next=str(bare.get("next_chars", "")),
        bare_units=bare_units,
    )


# words.toml: section → key → kind of value ("chars": a string of characters, "word": one
# word, "words": a list of words, "pattern": a regular expression)
_WORD_KEYS: dict[str, dict[str, str]] = {
    "segmentation": {"leading_chars": "chars", "trailing_chars": "chars"},
    "lists": {"conjunctions": "words", "disjunctions": "words", "etc": "word",
              "etc_words": "words", "colon_openers": "words", "count_pattern": "pattern",
              "count_alone_pattern": "pattern", "modifier_chars": "chars",
              "modifier_verbs": "words"},
    "kinds": {"count_before_pattern": "pattern", "count_after_pattern": "pattern",
              "link_verbs": "words", "predicate_ends": "words", "institute_suffixes": "words"},
    "names": {"count_in_name_pattern": "pattern", "slogan_pattern": "pattern",
              "counting_pattern": "pattern", "date_chars": "chars", "not_places": "words",
              "national_prefixes": "words", "phrase_ends": "words", "firm_trade_words": "words",
              "part_joints": "words", "district_endings": "chars", "lead_words": "words",
              "role_words": "words",
              "dashes": "words", "industry_endings": "words",
              "zoned_parks": "words", "zone_parts": "words"},
    "aliases": {"leads": "words", "words": "words"},
    "sentences": {"connectives": "words", "sited": "words", "sited_end": "word",
                  "locatives": "words",
                  "build_verbs": "words", "build_leads": "words", "list_follow": "words",
                  "lead_blockers": "chars"},
}


@lru_cache(maxsize=8)
def load_words(root: Root = None) -> Words:
    """Read words.toml: function words and phrase patterns by role, each checked for its kind."""
    data = _read_toml("words.toml", root)
    fwhere = _label("words.toml", root)
    _check_keys(data, set(_WORD_KEYS), fwhere)
    values: dict[str, Any] = {}
    for section, keys in _WORD_KEYS.items():
        obj = data.get(section, {})
        swhere = f"{fwhere} [{section}]"
        _check_keys(obj, set(keys), swhere)
        for key, kind in keys.items():
            name = f"alias_{key}" if section == "aliases" else key
            where = f"{swhere} {key}"
            if key not in obj:
                raise RuleError(f"{where}: missing")
            val = obj[key]
            if kind == "pattern":
                values[name] = _regex(val, where)
                if values[name].groups:  # (the engines embed these in patterns of their own)
                    raise RuleError(f"{where}: use (?:…), not a capturing group")
            elif kind in ("chars", "word"):
                if not isinstance(val, str) or not val:
                    raise RuleError(f"{where}: must be a non-empty string")
                values[name] = frozenset(val) if name.endswith("_chars") and section == \
                    "segmentation" else val
            else:
                words = _strs(obj, key, swhere, required=True)
                values[name] = frozenset(words) if name in ("etc_words", "modifier_verbs",
                                                            "not_places", "lead_words") else words
    if len(values["etc"]) != 1:
        raise RuleError(f"{fwhere} [lists] etc: must be one character (list patterns exclude it)")
    return Words(**values)


@lru_cache(maxsize=8)
def load_places(root: Root = None) -> Places:
    """Read places.toml: province-level names and their endings (省, 自治区…)."""
    data = _read_toml("places.toml", root)
    where = _label("places.toml", root)
    _check_keys(data, {"provinces", "endings"}, where)
    return Places(_strs(data, "provinces", where, required=True),
                  _strs(data, "endings", where, required=True))


def load_gazetteer(root: Root = None) -> tuple[Gazetteer, ...]:
    """Read entities/*.jsonl: one {label, pattern, id} object per line (spaCy's SpanRuler shape)."""
    out = []
    folder = _folder(root) / "entities"
    for ref in sorted(folder.iterdir(), key=lambda r: r.name):
        if not ref.name.endswith(".jsonl"):
            continue
        for n, line in enumerate(ref.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{_label('entities/' + ref.name, root)}:{n}"
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


def load_contexts(root: Root = None) -> tuple[ContextRule, ...]:
    """Read entities/contexts.toml: names recognised by the words around them."""
    data = _read_toml("entities/contexts.toml", root)
    fwhere = _label("entities/contexts.toml", root)
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


def load_boilerplate_lines(root: Root = None) -> tuple[re.Pattern[str], ...]:
    """Read boilerplate.toml: the regular expressions of page-furniture lines."""
    data = _read_toml("boilerplate.toml", root)
    where = _label("boilerplate.toml", root)
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


def load_boilerplate(root: Root = None) -> re.Pattern[str]:
    """Read boilerplate.toml: regular expressions of page-furniture lines, joined into one."""
    return _joined(load_boilerplate_lines(root))


@lru_cache(maxsize=8)
def load_rules(root: Root = None) -> RuleSet:
    """All pattern files, parsed and validated once per process.

    `root`: another patterns folder of the same shape (a copy of kg/patterns with edits), read
    instead of the shipped one.
    """
    suffixes = load_suffixes(root)
    ana, lists, anaphor_words = load_anaphora(root, suffixes)
    _check_types(suffixes, ana, lists, root)
    boilerplate = load_boilerplate_lines(root)
    return RuleSet(
        suffixes=suffixes,
        boundaries=load_boundaries(root),
        relations=load_relations(root),
        anaphora=ana,
        lists=lists,
        amounts=load_amounts(root),
        words=load_words(root),
        anaphor_words=anaphor_words,
        places=load_places(root),
        gazetteer=load_gazetteer(root),
        boilerplate=_joined(boilerplate),
        contexts=load_contexts(root),
        boilerplate_lines=boilerplate,
    )


@lru_cache(maxsize=1)
def rule_confidence() -> dict[str, str]:
    """Rule id → its precision on the real-news development set, as a decimal literal's text
    (kg/data/rule-precision.csv, measured by scripts/rule_precision.py); {} without the file."""
    table = resources.files("kg") / "data" / "rule-precision.csv"
    if not table.is_file():
        return {}
    rows = csv.DictReader(io.StringIO(table.read_text(encoding="utf-8")))
    return {row["rule"]: row["confidence"] for row in rows}
