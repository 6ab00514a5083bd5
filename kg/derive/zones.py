"""Register zones for the graph: every zone of kg/data/zones.csv, and the parks that are one.

The register (docs/register.md) becomes the graph id:graph/derived/zones: one pk:Zone per row
(id:zone/<province>/<key>, kg.rdf.mapping.zone_iri) with its official and former names, level,
type, customs kind, province, approval month, approved area, leading industries and source
pages. A pk:Park node whose names resolve to a zone (kg.lang.zones: the name as written, its
derived short forms, namesakes told apart by the province the park is placed in) gets
pk:registerZone; a park that is pk:partOf such a park and is no register zone of its own keeps
its node and gets pk:partOfZone the zone. Like the regions, the graph is rebuilt whole from the
document graphs, so it depends only on the documents and the shipped tables.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.derive.links import table_rows
from kg.derive.union import Union
from kg.errors import LinkError
from kg.lang.places import Division, Gazetteer, gazetteer
from kg.lang.zones import Zone, ZoneIndex, zone_index, zones
from kg.rdf.mapping import region_iri, zone_iri
from kg.vocab import ID, PK, WD

ZONES_GRAPH = ID["graph/derived/zones"]  # (kg.derive.links writes it)
Triple = tuple[URIRef, URIRef, URIRef | Literal]
ZONE_LINK_FIELDS = ("name", "qid", "decision", "score", "reasons")
_QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True)
class ZoneLink:
    """A row of kg/data/zone_wikidata.csv: a person's decision on a register zone's item."""

    name: str
    qid: str
    decision: str  # "accept" or "reject"
    score: str = ""
    reasons: str = ""

    def row(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in ZONE_LINK_FIELDS}


def read_zone_links(text: str, source: str, register: Iterable[Zone] | None = None
                    ) -> list[ZoneLink]:
    """The reviewed zone links of a table in the form of kg/data/zone_wikidata.csv, validated:
    register names, QIDs, decisions, one accepted item per zone and one zone per item."""
    names = {z.name for z in (zones() if register is None else register)}
    rows = table_rows(text, source, ZONE_LINK_FIELDS[:3], ZONE_LINK_FIELDS)
    out: list[ZoneLink] = []
    accepted: dict[str, str] = {}
    owner: dict[str, str] = {}
    for n, row in enumerate(rows, start=2):
        link = ZoneLink(**{k: (row.get(k) or "").strip() for k in ZONE_LINK_FIELDS})
        if link.name not in names:
            raise LinkError(f"{source}:{n}: {link.name!r} is no zone of kg/data/zones.csv")
        if not _QID.match(link.qid):
            raise LinkError(f"{source}:{n}: {link.qid!r} is not a Wikidata item id like Q123")
        if link.decision not in ("accept", "reject"):
            raise LinkError(f"{source}:{n}: decision {link.decision!r} is not accept or reject")
        if link.decision == "accept":
            if accepted.setdefault(link.name, link.qid) != link.qid:
                raise LinkError(f"{source}:{n}: {link.name} already has {accepted[link.name]}")
            if owner.setdefault(link.qid, link.name) != link.name:
                raise LinkError(f"{source}:{n}: {link.qid} is already {owner[link.qid]}")
        out.append(link)
    return out


def zone_links_path() -> Path:
    """The shipped table of reviewed zone links (a file of the installed package)."""
    return Path(str(resources.files("kg") / "data" / "zone_wikidata.csv"))


@lru_cache(maxsize=1)
def zone_qids() -> dict[str, str]:
    """Register zone name → its accepted Wikidata QID, from the shipped table."""
    path = zone_links_path()
    links = read_zone_links(path.read_text(encoding="utf-8"), "kg/data/zone_wikidata.csv")
    return {z.name: z.qid for z in links if z.decision == "accept"}


@lru_cache(maxsize=1)
def source_urls() -> dict[str, str]:
    """kg/data/zone_sources.csv: source key → the page's url."""
    text = (resources.files("kg") / "data" / "zone_sources.csv").read_text(encoding="utf-8")
    return {r["key"]: r["url"] for r in csv.DictReader(text.splitlines())}


def register_triples(register: Iterable[Zone] | None = None,
                     qids: Mapping[str, str] | None = None,
                     gaz: Gazetteer | None = None) -> list[Triple]:
    """Every zone of the register as a pk:Zone node with its attributes and, where a person
    accepted one (kg/data/zone_wikidata.csv), its Wikidata item. The province is the IRI of
    its region (a pk:Region where parks lie in it) and its name (pk:provinceName)."""
    urls = source_urls()
    qids = zone_qids() if qids is None else qids
    by_code = (gaz or gazetteer()).by_code
    out: list[Triple] = []
    for z in zones() if register is None else register:
        iri = zone_iri(z.province, z.name)
        out += [(iri, RDF.type, PK.Zone), (iri, RDFS.label, Literal(z.name, lang="zh")),
                (iri, PK.zoneLevel, Literal(z.level)), (iri, PK.zoneType, Literal(z.type)),
                (iri, PK.zoneProvince, region_iri(z.province)),
                (iri, PK.provinceName, Literal(by_code[z.province].name, lang="zh"))]
        out += [(iri, SKOS.altLabel, Literal(f, lang="zh")) for f in z.former]
        if z.kind:
            out.append((iri, PK.customsKind, Literal(z.kind)))
        if z.approved:
            out.append((iri, PK.approvalDate, Literal(z.approved, datatype=XSD.gYearMonth)))
        if z.area_ha:
            out.append((iri, PK.approvedArea, Literal(Decimal(z.area_ha))))
        out += [(iri, PK.leadingIndustry, Literal(i, lang="zh")) for i in z.industries]
        out += [(iri, DCTERMS.source, URIRef(urls[k])) for k in z.sources if k in urls]
        if z.name in qids:
            out += [(iri, SKOS.exactMatch, WD[qids[z.name]]),
                    (iri, PK.wikidata, Literal(qids[z.name]))]
    return out


def park_zones(union: Union, located: Mapping[str, Division], gaz: Gazetteer,
               index: ZoneIndex | None = None) -> dict[str, Zone]:
    """The register zone of each Park node (by IRI) that names one.

    The label is tried first, then the aliases (which must not name another zone). A name
    that several zones share resolves by the province of the zones the other parks of its
    documents resolve to alone (南川工业园区 among 西宁's zones is 青海南川工业园区), else by the
    province the park is placed in.
    """
    index = index or zone_index()
    parks = sorted(s for s, _ in union.pairs(None, str(RDF.type), str(PK.Park)))
    labels: dict[str, set[str]] = {}
    alts: dict[str, set[str]] = {}
    for pred, table in ((RDFS.label, labels), (SKOS.altLabel, alts)):
        for s, o in union.pairs(None, str(pred), None):
            table.setdefault(s, set()).add(o)
    name_sets = {p: (sorted(labels.get(p, ())), sorted(alts.get(p, ()))) for p in parks}
    out = {p: z for p in parks if (z := _by_names(index, name_sets[p], None)) is not None}
    # the documents each park is mentioned in, and the provinces of the zones resolved there
    mentions = dict(union.pairs(None, str(PK.mentionOf), None))
    docs: dict[str, set[str]] = {}
    for m, doc in union.pairs(None, str(PK.inDocument), None):
        if m in mentions:
            docs.setdefault(mentions[m], set()).add(doc)
    provinces: dict[str, Counter[str]] = {}
    for park, zone in out.items():
        for doc in docs.get(park, ()):
            provinces.setdefault(doc, Counter())[zone.province] += 1
    for park in parks:
        if park in out:
            continue
        tops = {provinces[d].most_common(1)[0][0] for d in docs.get(park, ()) if d in provinces}
        d = located.get(park)
        if not tops and d is not None:
            tops = {gaz.chain(d.code)[0].code}
        found = {z for top in tops if (z := _by_names(index, name_sets[park], top))}
        if len(found) == 1:
            out[park] = found.pop()
    return out


def _by_names(index: ZoneIndex, names: tuple[list[str], list[str]], province: str | None
              ) -> Zone | None:
    """The zone the label names, else the one zone the aliases name (None: none, or two)."""
    for group in names:
        got = {z for z in (index.resolve(n, province) for n in group) if z is not None}
        if len(got) == 1:
            return got.pop()
        if got:
            return None  # its names are two zones: better none than a wrong one
    return None


def zone_triples(union: Union, located: Mapping[str, Division], gaz: Gazetteer,
                 index: ZoneIndex | None = None) -> tuple[list[Triple], dict[str, Zone]]:
    """The zones graph (register and park links) and the zone of each park that is one;
    nothing for a graph without parks (an empty store stays empty)."""
    if next(iter(union.pairs(None, str(RDF.type), str(PK.Park))), None) is None:
        return [], {}
    out = register_triples(gaz=gaz)
    found = park_zones(union, located, gaz, index)
    for park, zone in sorted(found.items()):
        out.append((URIRef(park), PK.registerZone, zone_iri(zone.province, zone.name)))
    parents: dict[str, set[str]] = {}
    for s, o in union.pairs(None, str(PK.partOf), None):
        parents.setdefault(s, set()).add(o)
    for park in sorted(parents):
        own = found.get(park)
        seen, todo, within = {park}, sorted(parents[park]), set()
        while todo:
            up = todo.pop(0)
            if up in seen:
                continue
            seen.add(up)
            if up in found and found[up] != own:
                within.add(found[up])
                continue
            todo.extend(sorted(parents.get(up, ())))
        if len(within) == 1:
            zone = within.pop()
            out.append((URIRef(park), PK.partOfZone, zone_iri(zone.province, zone.name)))
    return out, found
