"""The register of development zones (kg/data/zones.csv) and the names texts write them with.

A zone's other names are derived, not listed: kg/patterns/zones.toml says which suffix a text
may write in place of the register's one (高新技术产业开发区 → 高新区, 国家高新区) and the part
before it may lose the places it starts with (上海张江高新技术产业开发区 → 张江高新区). A mention
resolves to a zone when it is one of these names of exactly one zone (or of one zone in the
province given), after the brackets and leading words the register does not carry are dropped.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kg.errors import RuleError
from kg.lang.places import Division, Gazetteer, gazetteer
from kg.lang.rules import load_suffixes

_BRACKETS = re.compile(r"[(（][^()（）]*[)）]$")
# 园区(qū): a reading in brackets, no part of the name
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
MIN_STEM = 2  # characters a name keeps before its suffix (高新区 alone names no zone)


@dataclass(frozen=True)
class Zone:
    """One row of the register: a development zone with its level, type and attributes."""

    name: str
    former: tuple[str, ...]
    level: str
    type: str
    kind: str
    province: str
    division: str
    approved: str
    area_ha: str
    industries: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ZoneRules:
    """zones.toml: (suffix, the forms it is written with), longest suffix first, and the words
    a mention may carry in front of a zone's name."""

    short: tuple[tuple[str, tuple[str, ...]], ...]
    drop_leading: tuple[str, ...]


@lru_cache(maxsize=1)
def zone_rules() -> ZoneRules:
    """The short-form rules shipped in kg/patterns/zones.toml."""
    where = "kg/patterns/zones.toml"
    text = (resources.files("kg") / "patterns" / "zones.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{where}: not valid TOML ({exc})") from None
    short = []
    for n, obj in enumerate(data.get("short", []), 1):
        suffix, forms = obj.get("suffix"), obj.get("forms")
        if not isinstance(suffix, str) or not suffix or not isinstance(forms, list) \
                or not all(isinstance(f, str) and f for f in forms):
            raise RuleError(f"{where} [[short]] #{n}: needs a suffix and a list of forms")
        short.append((suffix, tuple(forms)))
    drop = data.get("mentions", {}).get("drop_leading", [])
    if not isinstance(drop, list) or not all(isinstance(w, str) and w for w in drop):
        raise RuleError(f"{where} [mentions] drop_leading: must be a list of words")
    return ZoneRules(tuple(sorted(short, key=lambda s: -len(s[0]))), tuple(drop))


def read_zones(text: str) -> tuple[Zone, ...]:
    """The zones of a register in the CSV form of kg/data/zones.csv."""
    def split(value: str, sep: str) -> tuple[str, ...]:
        return tuple(v for v in value.split(sep) if v)
    return tuple(Zone(r["name"], split(r["former"], "|"), r["level"], r["type"], r["kind"],
                      r["province"], r["division"], r["approved"], r["area_ha"],
                      split(r["industries"], "、"), split(r["sources"], " "))
                 for r in csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def zones() -> tuple[Zone, ...]:
    """The register shipped in the package."""
    return read_zones((resources.files("kg") / "data" / "zones.csv").read_text(encoding="utf-8"))


def _leading_places(text: str, places: Gazetteer) -> Iterator[tuple[int, Division]]:
    """The place prefixes `text` starts with, shortest first, as (end, division): 江苏省苏州… →
    (3, 江苏省), (5, 苏州市)."""
    pos, parent = 0, None
    while pos < len(text):
        step = None
        for size in range(min(12, len(text) - pos), 1, -1):
            cands = [d for d in places.named(text[pos : pos + size])
                     if parent is None or places.within(d, parent)]
            if cands:
                step = (cands[0], size)
                break
        if step is None:
            return
        parent, pos = step[0], pos + step[1]
        yield pos, parent


@lru_cache(maxsize=1)
def _park_suffixes() -> tuple[str, ...]:
    """The Park suffixes of kg/patterns/entities/suffixes.toml, longest first."""
    park = load_suffixes()["Park"]
    return tuple(sorted({*park.strong, *park.weak}, key=len, reverse=True))


def _split(name: str, rules: ZoneRules) -> tuple[str, str, tuple[str, ...]]:
    """(stem, suffix, forms) of a register name: a zones.toml suffix with its forms, else a Park
    suffix with none; suffix '' when the name ends in neither."""
    for suffix, forms in rules.short:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix, forms
    for suffix in _park_suffixes():
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix, ()
    return name, "", ()


def short_forms(name: str, rules: ZoneRules | None = None, places: Gazetteer | None = None,
                *, drop_places: bool = True) -> set[str]:
    """Every name a text may write the register name `name` with, `name` included; with
    `drop_places` False only those that keep the places the name starts with."""
    rules, places = rules or zone_rules(), places or gazetteer()
    out = {name}
    for base in dict.fromkeys((name, _BRACKETS.sub("", name))):  # …（含…园） is written without
        stem, suffix, forms = _split(base, rules)
        if not suffix:
            out.add(base)
            continue
        stems = {stem}
        for n, place in _leading_places(stem, places):
            if drop_places:
                stems.add(stem[n:])
            if place.short and n == len(place.name) and stem.startswith(place.name):
                stems.add(place.short + stem[n:])  # 深圳市高新… is written 深圳高新区
        out |= {s + f for s in stems if len(s) >= MIN_STEM for f in (suffix, *forms)}
    return out


class ZoneIndex:
    """Register zones by every name texts write them with. Exact register names win over short
    forms that keep the name's places, which win over those that drop them (长春经开区 is
    长春经济技术开发区, not 湖南益阳长春经济开发区)."""

    def __init__(self, register: Iterable[Zone], rules: ZoneRules | None = None,
                 places: Gazetteer | None = None) -> None:
        self.rules, self.places = rules or zone_rules(), places or gazetteer()
        self.tables: tuple[dict[str, list[Zone]], ...] = ({}, {}, {})
        exact, kept, dropped = self.tables
        for zone in register:
            for name in (zone.name, *zone.former):
                exact.setdefault(name, []).append(zone)
                for table, drop in ((kept, False), (dropped, True)):
                    for form in short_forms(name, self.rules, self.places, drop_places=drop):
                        bucket = table.setdefault(form, [])
                        if zone not in bucket:
                            bucket.append(zone)

    def _lookup(self, name: str, province: str | None) -> Zone | None:
        for table in self.tables:
            found = table.get(name, [])
            if province and len(found) > 1:
                found = [z for z in found if z.province == province]
            if len(found) == 1:
                return found[0]
            if found:
                return None  # several zones share the name: not resolved
        return None

    def candidates(self, mention: str) -> list[str]:
        """The forms of a mention to look up, in order: as written, without a trailing bracket,
        then without the leading words (also in brackets) and places the register may not
        carry."""
        text = _PINYIN.sub("", mention.replace(" ", "").replace("（", "(").replace("）", ")"))
        out = [text]
        bare = _BRACKETS.sub("", text)
        if bare != text and len(bare) >= MIN_STEM + 2:
            out.append(bare)
        for form in list(out):
            for word in self.rules.drop_leading:
                if form.startswith(word):
                    out.append(form[len(word):])
                if f"({word})" in form:  # 西宁(国家级)经济技术开发区
                    out.append(form.replace(f"({word})", ""))
        for form in list(out):
            for n, place in _leading_places(form, self.places):
                if len(form) - n >= MIN_STEM + 2:
                    out.append(form[n:])
                # a place written in full is written short in names (襄阳市高新区 → 襄阳高新区)
                if place.short and form.startswith(place.name) and n == len(place.name):
                    out.append(place.short + form[n:])
        return list(dict.fromkeys(out))

    def resolve(self, mention: str, province: str | None = None) -> Zone | None:
        """The register zone a Park mention names, or None when it names none or several;
        `province` (a division code) decides between zones of one name in several provinces."""
        for form in self.candidates(mention):
            zone = self._lookup(form, province)
            if zone is not None:
                return zone
        return None


    def resolve_all(self, mentions: Iterable[Iterable[str]]) -> list[Zone | None]:
        """The zones of one document's Park entities, each given by its names (name, aliases):
        the province of the zones resolved alone decides between namesakes of the others
        (南川工业园区 among 西宁's zones is 青海南川工业园区, not 重庆南川工业园区)."""
        names = [list(m) for m in mentions]
        first = [next((z for z in map(self.resolve, ns) if z), None) for ns in names]
        provinces = Counter(z.province for z in first if z)
        if not provinces:
            return first
        top = provinces.most_common(1)[0][0]
        return [z or next((z2 for z2 in (self.resolve(n, top) for n in ns) if z2), None)
                for z, ns in zip(first, names, strict=True)]


@lru_cache(maxsize=1)
def zone_index() -> ZoneIndex:
    """The index of the shipped register."""
    return ZoneIndex(zones())
