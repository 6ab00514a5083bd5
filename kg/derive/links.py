"""Wikidata IDs for the graph: the shipped table, the user's decisions, and the build hook.

`add_links(ds)` runs in every build right after the records become RDF. It places parks in
their regions (kg.derive.regions) and then gives nodes their Wikidata item, in this order:

1. the user table (`wikidata-links.csv` in the working directory, or $KG_LINKS): decisions a
   person accepted or rejected with `kg link --accept`, and links the online linker made at a
   score above its threshold (`kg link --online`);
2. the shipped table kg/data/wikidata.csv (label, aliases, QID, kind), whose every row was
   checked by hand; a row matches a node by canonical name or alias and only a node of a type
   its kind allows (a place QID never lands on a park), and a node that two rows claim, or
   whose QID the user rejected, stays unlinked.

A link is `skos:exactMatch wd:Q…` plus `pk:wikidata "Q…"`, in the named graph
id:graph/derived/wikidata; regions go to id:graph/derived/regions. Both are rebuilt whole
from the other graphs on every call, so the result depends only on the documents and tables.
`derived_nquads(db)` computes the same two graphs from the document graphs of a pyoxigraph
store, reading only what the rules need; both run one set of rules, `derive`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Dataset, Literal, URIRef
from rdflib.namespace import SKOS

from kg.derive.union import DatasetUnion, StoreUnion, Union
from kg.errors import LinkError
from kg.files import atomic_write
from kg.rdf.terms import to_ox
from kg.vocab import ID, PK, WD

REGIONS_GRAPH = ID["graph/derived/regions"]
LINKS_GRAPH = ID["graph/derived/wikidata"]
ZONES_GRAPH = ID["graph/derived/zones"]
DERIVED_GRAPHS = (REGIONS_GRAPH, LINKS_GRAPH, ZONES_GRAPH)
TABLE_FIELDS = ("label", "aliases", "qid", "kind", "label_en")
USER_FIELDS = ("type", "name", "qid", "decision", "score", "reasons", "node")
REVIEW_FIELDS = ("decision", "type", "name", "qid", "wikidata_label", "wikidata_description",
                 "score", "reasons", "node")
# which node types a row of each kind may link; park-class rows are classes, never nodes
KINDS: dict[str, tuple[str, ...]] = {
    "place": ("Region",),
    "park": ("Park",),
    "enterprise": ("Enterprise",),
    "organisation": ("Enterprise", "Platform"),  # universities, academies, ministries, exchanges
    "park-class": (),
}
TYPES = ("Park", "Enterprise", "Platform", "Project", "Region")
_PLATFORM_KINDS = ("Laboratory", "InnovationCenter", "Incubator", "ResearchInstitute",
                   "Workstation", "PilotBase", "ResearchFacility")
CLASS_TYPES: dict[URIRef, str] = {PK[t]: t for t in TYPES} | {
    PK[k]: "Platform" for k in _PLATFORM_KINDS}
QID = re.compile(r"^Q[1-9][0-9]*$")
Triple = tuple[URIRef, URIRef, URIRef | Literal]  # a triple of a derived graph
DEFAULT_USER_TABLE = "wikidata-links.csv"


# --- the shipped table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A row of kg/data/wikidata.csv: an item with its Chinese names and what kind it is."""

    label: str
    aliases: tuple[str, ...]
    qid: str
    kind: str
    label_en: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


def _split(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.split("|") if a.strip())


def table_rows(text: str, source: str, required: Iterable[str],
               fields: Sequence[str]) -> csv.DictReader:
    """The rows of a CSV table; a LinkError naming `source` when a `required` column is
    missing (the message lists the table's `fields`)."""
    rows = csv.DictReader(io.StringIO(text))
    missing = set(required) - set(rows.fieldnames or ())
    if missing:
        raise LinkError(f"{source}: missing column(s) {', '.join(sorted(missing))} "
                        f"(expected {','.join(fields)})")
    return rows


def read_table_text(path: Path, what: str) -> str:
    """A table file's text; a LinkError naming the file when it cannot be read as UTF-8."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise LinkError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise LinkError(f"{path}: the {what} is not UTF-8") from None


def read_table(text: str, source: str) -> list[Entry]:
    """Parse a table of verified links, failing on the first bad row with its line number."""
    rows = table_rows(text, source, TABLE_FIELDS[:4], TABLE_FIELDS)
    out: list[Entry] = []
    seen: dict[tuple[str, str], str] = {}
    for n, row in enumerate(rows, start=2):
        label, qid, kind = ((row.get(k) or "").strip() for k in ("label", "qid", "kind"))
        if not label:
            raise LinkError(f"{source}:{n}: empty label")
        if not QID.match(qid):
            raise LinkError(f"{source}:{n}: {qid!r} is not a Wikidata item id like Q123")
        if kind not in KINDS:
            raise LinkError(f"{source}:{n}: kind {kind!r} is not one of {', '.join(KINDS)}")
        entry = Entry(label, _split(row.get("aliases") or ""), qid, kind,
                      (row.get("label_en") or "").strip())
        for name in entry.names:
            other = seen.setdefault((name, kind), qid)
            if other != qid:
                raise LinkError(f"{source}:{n}: {name} is already {other} ({kind}); a name of "
                                "one kind names one item")
        out.append(entry)
    return out


@lru_cache(maxsize=1)
def shipped_table() -> tuple[Entry, ...]:
    """kg/data/wikidata.csv, the verified links shipped with the package."""
    text = (resources.files("kg") / "data" / "wikidata.csv").read_text(encoding="utf-8")
    return tuple(read_table(text, "kg/data/wikidata.csv"))


def china_qid(table: Iterable[Entry] | None = None) -> str | None:
    """The QID the table gives 中华人民共和国 (for the linker's country check)."""
    for e in table if table is not None else shipped_table():
        if e.kind == "place" and "中华人民共和国" in e.names:
            return e.qid
    return None


# --- the user's decisions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A row of the user table: a node (type, name, IRI), a QID and what was decided.

    `decision` is "accept" (a person accepted it), "auto" (the online linker scored it above
    its threshold) or "reject" (a person said it is not this node's item).
    """

    type: str
    name: str
    qid: str
    decision: str
    score: str = ""
    reasons: str = ""
    node: str = ""

    def row(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in USER_FIELDS}


def user_table_path() -> Path:
    """$KG_LINKS, else wikidata-links.csv in the working directory."""
    return Path(os.environ.get("KG_LINKS") or DEFAULT_USER_TABLE)


def _csv_rows(path: Path, what: str, hint: str) -> csv.DictReader:
    """A CSV file's rows, or a LinkError naming the file when it cannot be read as one of ours."""
    rows = csv.DictReader(io.StringIO(read_table_text(path, what)))
    missing = {"type", "name", "qid", "decision"} - set(rows.fieldnames or ())
    if missing:
        raise LinkError(f"{path}: missing column(s) {', '.join(sorted(missing))}{hint}")
    return rows


def read_decisions(path: Path) -> list[Decision]:
    """The user table at `path` ([] when there is none), validated row by row."""
    if not path.exists():
        return []
    rows = _csv_rows(path, "user link table", f" (expected {','.join(USER_FIELDS)})")
    out = []
    for n, row in enumerate(rows, start=2):
        d = Decision(**{k: (row.get(k) or "").strip() for k in USER_FIELDS})
        if d.type not in TYPES:
            raise LinkError(f"{path}:{n}: type {d.type!r} is not one of {', '.join(TYPES)}")
        if not QID.match(d.qid):
            raise LinkError(f"{path}:{n}: {d.qid!r} is not a Wikidata item id like Q123")
        if d.decision not in ("accept", "auto", "reject"):
            raise LinkError(f"{path}:{n}: decision {d.decision!r} is not accept, auto or reject")
        out.append(d)
    return out


def write_csv(path: Path, fields: Iterable[str], rows: Iterable[dict[str, str]]) -> None:
    """Write rows as UTF-8 CSV through a temporary file and a rename (all or nothing)."""

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(fields), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    try:
        atomic_write(path, buf.getvalue().encode("utf-8"))
    except OSError as exc:
        raise LinkError(f"{path}: cannot write ({exc.strerror or exc})") from None


# --- nodes and matching --------------------------------------------------------------------------


@dataclass
class Node:
    """A node that can have a Wikidata item: its IRI, type, names and what is known around it.

    `places` are the labels and QIDs (when linked) of the regions the node lies in: every
    region of a park, every ancestor of a region. `code` is a region's division code.
    """

    iri: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    qid: str | None = None
    code: str | None = None
    places: tuple[tuple[str, str | None], ...] = ()
    qids: list[str] = field(default_factory=list)  # every pk:wikidata value (should be one)


def _canon(name: str, type_: str) -> str:
    # start-up: a no-op build loads links for its fingerprint, not canon
    from kg.lang.canon import canonical_key

    return canonical_key(name, type_)


def _unique_region_name(name: str) -> bool:
    # start-up: a no-op build loads links for its fingerprint, not the gazetteer
    from kg.derive.regions import gazetteer

    return len([d for d in gazetteer().named(name) if d.name == name]) == 1


class _TableIndex:
    """The rows of a table by node type and canonical name, for matching many nodes."""

    def __init__(self, table: Iterable[Entry]) -> None:
        self.table = list(table)
        self._by_type: dict[str, dict[str, set[str]]] = {}

    def qids(self, name: str, type_: str) -> set[str]:
        """The QIDs of rows that fit `type_` and carry `name` (canonical form)."""
        if type_ not in self._by_type:
            index: dict[str, set[str]] = {}
            for e in self.table:
                if type_ in KINDS[e.kind]:
                    for n in e.names:
                        key = n if type_ == "Region" else _canon(n, type_)
                        index.setdefault(key, set()).add(e.qid)
            self._by_type[type_] = index
        key = name if type_ == "Region" else _canon(name, type_)
        return self._by_type[type_].get(key, set())


def match_offline(node: Node, table: Iterable[Entry] | _TableIndex) -> tuple[str | None, str]:
    """The QID the shipped table gives a node, and why (or None and why not).

    A region matches by its full name (西安市) when no other division has that name; other
    nodes by canonical name, then by their aliases. Only rows whose kind fits the node's type
    count, and a node two rows claim stays unlinked.
    """
    index = table if isinstance(table, _TableIndex) else _TableIndex(table)
    if node.type == "Region" and not _unique_region_name(node.label):
        return None, f"{node.label} names several divisions"
    qids, how = index.qids(node.label, node.type), "label"
    if not qids and node.type != "Region":
        qids = set().union(*(index.qids(a, node.type) for a in node.aliases))
        how = "alias"
    if not qids:
        return None, "not in the table"
    if len(qids) > 1:
        return None, f"ambiguous: {' / '.join(sorted(qids))}"
    return next(iter(qids)), f"table ({how})"


def decide(nodes: Iterable[Node], table: Iterable[Entry], decisions: Iterable[Decision]
           ) -> dict[str, tuple[str, str]]:
    """IRI → (QID, source) for every node that gets a link; user decisions first."""
    index = _TableIndex(table)
    kinds = {e.qid: e.kind for e in index.table}
    by_iri: dict[str, list[Decision]] = {}
    by_name: dict[tuple[str, str], list[Decision]] = {}
    for d in decisions:
        if d.node:
            by_iri.setdefault(d.node, []).append(d)
        if d.type != "Region":  # region names repeat (朝阳区); regions match by IRI only
            by_name.setdefault((d.type, _canon(d.name, d.type)), []).append(d)
    out: dict[str, tuple[str, str]] = {}
    for node in nodes:
        mine = by_iri.get(node.iri) or by_name.get((node.type, _canon(node.label, node.type)), [])
        rejected = {d.qid for d in mine if d.decision == "reject"}
        accepted = [d for d in mine if d.decision in ("accept", "auto")
                    and d.qid not in rejected
                    and node.type in KINDS.get(kinds.get(d.qid, ""), TYPES)]
        if len({d.qid for d in accepted}) == 1:
            out[node.iri] = (accepted[0].qid, f"user ({accepted[0].decision})")
            continue
        if accepted:
            continue  # two accepted QIDs for one node: better none than a wrong one
        qid, why = match_offline(node, index)
        if qid is not None and qid not in rejected:
            out[node.iri] = (qid, why)
    return out


def dataset_nodes(ds: Dataset, *, skip: Iterable[URIRef] = ()) -> list[Node]:
    """The typed nodes of a Dataset (all named graphs but `skip`) with labels and aliases."""

    return union_nodes(DatasetUnion(ds, skip))


def union_nodes(union: Union, extra: Iterable[tuple[Any, Any, Any]] = ()) -> list[Node]:
    """The typed, labelled nodes of a union of graphs and of the `extra` triples, by IRI.

    A node typed twice takes the first type of TYPES, labelled twice the least label.
    """
    rdf_type, label, alt = str(RDF.type), str(RDFS.label), str(SKOS.altLabel)
    extra = [(str(s), str(p), str(o)) for s, p, o in extra]

    def pairs(p: str, o: str | None) -> Iterator[tuple[str, str]]:
        yield from union.pairs(None, p, o)
        yield from ((s_, o_) for s_, p_, o_ in extra if p_ == p and o in (None, o_))

    types: dict[str, str] = {}
    for cls, t in sorted(CLASS_TYPES.items(), key=lambda kv: TYPES.index(kv[1])):
        for s, _ in pairs(rdf_type, str(cls)):
            types.setdefault(s, t)
    labels: dict[str, str] = {}
    alts: dict[str, set[str]] = {}
    for pred in (label, alt):
        for s, o in pairs(pred, None):
            if s not in types:
                continue
            if pred == alt:
                alts.setdefault(s, set()).add(o)
            elif s not in labels or o < labels[s]:
                labels[s] = o
    return [Node(iri, t, labels[iri], tuple(sorted(alts.get(iri, ()))))
            for iri, t in sorted(types.items()) if labels.get(iri)]


@dataclass
class LinkStats:
    """What add_links did: parks placed, and nodes and links per type."""

    parks_placed: int = 0
    nodes: dict[str, int] = field(default_factory=dict)
    linked: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)


def add_links(ds: Dataset, *, user_table: Path | None = None,
              table: Iterable[Entry] | None = None) -> LinkStats:
    """Add regions and Wikidata links to a built Dataset (the build's hook); what it did.

    The graphs id:graph/derived/regions and id:graph/derived/wikidata are replaced whole.
    """

    for graph in DERIVED_GRAPHS:
        ds.remove_graph(ds.graph(graph))
    regions, links, stats, zones = derive(DatasetUnion(ds, DERIVED_GRAPHS),
                                          user_table=user_table, table=table)
    ds.bind("wd", WD)
    for name, triples in ((REGIONS_GRAPH, regions), (LINKS_GRAPH, links), (ZONES_GRAPH, zones)):
        g = ds.graph(name)
        for triple in triples:
            g.add(triple)
    return stats


def derived_nquads(db: Any, *, user_table: Path | None = None,
                   table: Iterable[Entry] | None = None) -> dict[str, bytes]:
    """N-Quads of the derived graphs computed from the document graphs of a pyoxigraph Store.

    The same graphs `add_links` adds to a Dataset of those documents, by graph IRI (a graph
    left empty is left out), sorted by line. Reads the store by pattern
    (kg.derive.union.StoreUnion):
    types, names and pk:partOf of the entities, and the sentences of the parks their names do
    not place, so memory grows with the entities, not with the corpus.
    """
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    regions, links, _, zones = derive(StoreUnion(db), user_table=user_table, table=table)
    out: dict[str, bytes] = {}
    for name, triples in ((REGIONS_GRAPH, regions), (LINKS_GRAPH, links), (ZONES_GRAPH, zones)):
        if triples:
            g = ox.NamedNode(str(name))
            data = ox.serialize([ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)
                                 for s, p, o in triples], format=ox.RdfFormat.N_QUADS)
            out[str(name)] = b"".join(sorted(set(data.splitlines(keepends=True))))
    return out


def derive(union: Union, *, user_table: Path | None = None,
           table: Iterable[Entry] | None = None
           ) -> tuple[list[Triple], list[Triple], LinkStats, list[Triple]]:
    """The rules of the derived graphs, once: (regions triples, links triples, what was done,
    zones triples: the register and the parks that are its zones, kg.derive.zones).

    Parks are placed from the union of the document graphs (kg.derive.regions.place_parks); every
    typed
    node of the documents and of the new regions graph then gets its Wikidata item, if any.
    """
    # start-up: a no-op build loads links for its fingerprint, not the gazetteer
    from kg.derive.regions import gazetteer, place_parks, region_triples
    from kg.derive.zones import zone_qids, zone_triples

    gaz = gazetteer()
    stats = LinkStats()
    located = place_parks(union, gaz=gaz)
    stats.parks_placed = len(located)
    regions = region_triples(located, gaz)
    zones, park_zones = zone_triples(union, located, gaz)
    nodes = union_nodes(union, regions)
    decisions = read_decisions(user_table if user_table is not None else user_table_path())
    chosen = decide(nodes, shipped_table() if table is None else table, decisions)
    zone_qid = zone_qids()
    for node in nodes:  # a park that is a register zone: the zone's reviewed item, if any
        zone = park_zones.get(node.iri)
        if node.iri not in chosen and zone is not None and zone.name in zone_qid:
            chosen[node.iri] = (zone_qid[zone.name], "register zone")
    links: list[Triple] = []
    for node in nodes:
        stats.nodes[node.type] = stats.nodes.get(node.type, 0) + 1
        if node.iri in chosen:
            qid, source = chosen[node.iri]
            links.append((URIRef(node.iri), SKOS.exactMatch, WD[qid]))
            links.append((URIRef(node.iri), PK.wikidata, Literal(qid)))
            stats.linked[node.type] = stats.linked.get(node.type, 0) + 1
            key = source.split(" ")[0]
            stats.sources[key] = stats.sources.get(key, 0) + 1
    return regions, links, stats, zones


# --- reading a built store -----------------------------------------------------------------------

_NODES_QUERY = """
PREFIX pk: <https://w3id.org/parks-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?node ?class ?label ?alt ?qid ?code WHERE {
  ?node a ?class ; rdfs:label ?label .
  FILTER (STRSTARTS(STR(?class), STR(pk:)))
  OPTIONAL { ?node skos:altLabel ?alt }
  OPTIONAL { ?node pk:wikidata ?qid }
  OPTIONAL { ?node pk:divisionCode ?code }
}"""

_PLACES_QUERY = """
PREFIX pk: <https://w3id.org/parks-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?node ?region ?label ?qid WHERE {
  { ?node pk:locatedIn ?region } UNION { ?node schema:containedInPlace+ ?region }
  ?region a pk:Region ; rdfs:label ?label ; pk:divisionCode ?code .
  OPTIONAL { ?region pk:wikidata ?qid }
} ORDER BY ?node DESC(?code)"""


def store_nodes(store: Any) -> list[Node]:
    """The nodes of a built store (kg.store.open_store), with their places and QIDs."""
    nodes: dict[str, Node] = {}
    for sol in store.query(_NODES_QUERY, use_default_graph_as_union=True):
        t = CLASS_TYPES.get(URIRef(sol["class"].value))
        if t is None:
            continue
        iri = sol["node"].value
        node = nodes.setdefault(iri, Node(iri, t, sol["label"].value))
        if sol["alt"] is not None and sol["alt"].value not in node.aliases:
            node.aliases = tuple(sorted({*node.aliases, sol["alt"].value}))
        if sol["qid"] is not None and sol["qid"].value not in node.qids:
            node.qids.append(sol["qid"].value)
            node.qid = min(node.qids)
        if sol["code"] is not None:
            node.code = sol["code"].value
    for sol in store.query(_PLACES_QUERY, use_default_graph_as_union=True):
        node = nodes.get(sol["node"].value)
        if node is not None:
            place = (sol["label"].value, sol["qid"].value if sol["qid"] is not None else None)
            if place not in node.places:
                node.places = (*node.places, place)
    return sorted(nodes.values(), key=lambda n: (TYPES.index(n.type), n.label, n.iri))


def coverage(nodes: Iterable[Node], types: Iterable[str] = TYPES) -> list[list[Any]]:
    """Rows of (type, nodes, linked, share) for the given types."""
    rows = []
    nodes = list(nodes)
    for t in types:
        mine = [n for n in nodes if n.type == t]
        linked = sum(1 for n in mine if n.qid)
        share = f"{linked / len(mine):.1%}" if mine else "-"
        rows.append([t, len(mine), linked, share])
    return rows


# --- review and accept ---------------------------------------------------------------------------


def read_review(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a review file, with their line numbers."""
    rows = _csv_rows(path, "review file",
                     "; is it a file written by `kg link --online --review`?")
    return [(n, {k: (v or "").strip() for k, v in row.items() if k})
            for n, row in enumerate(rows, start=2)]


@dataclass
class AcceptResult:
    """What `accept` recorded in the user table."""

    accepted: int = 0
    rejected: int = 0
    undecided: int = 0


def accept(review: Path, user_table: Path, *, table: Iterable[Entry] | None = None
           ) -> AcceptResult:
    """Record the accept/reject decisions of a review file in the user table (all or nothing).

    A decision replaces an earlier one for the same node and QID; accepting a QID for a node
    replaces the QID accepted for it before. A QID the shipped table gives another kind of
    thing (a place for a park) cannot be accepted.
    """
    kinds = {e.qid: (e.kind, e.label) for e in (shipped_table() if table is None else table)}
    result = AcceptResult()
    new: list[Decision] = []
    accepted_at: dict[tuple[str, str], int] = {}
    for n, row in read_review(review):
        word = row.get("decision", "").lower()
        if not word:
            result.undecided += 1
            continue
        if word not in ("accept", "reject"):
            raise LinkError(f"{review}:{n}: decision {row['decision']!r} is not accept, reject "
                            "or empty")
        t, name, qid = row.get("type", ""), row.get("name", ""), row.get("qid", "")
        if t not in TYPES:
            raise LinkError(f"{review}:{n}: type {t!r} is not one of {', '.join(TYPES)}")
        if not QID.match(qid):
            raise LinkError(f"{review}:{n}: {qid!r} is not a Wikidata item id like Q123")
        if word == "accept":
            kind, label = kinds.get(qid, ("", ""))
            if kind and t not in KINDS[kind]:
                raise LinkError(f"{review}:{n}: {qid} is {label} ({kind}) in "
                                f"kg/data/wikidata.csv; it cannot link a {t}")
            key = (t, row.get("node") or name)
            if key in accepted_at:
                raise LinkError(f"{review}:{n}: a second accepted QID for {name} ({t}); "
                                f"line {accepted_at[key]} accepts one already")
            accepted_at[key] = n
            result.accepted += 1
        else:
            result.rejected += 1
        new.append(Decision(t, name, qid, word, row.get("score", ""), row.get("reasons", ""),
                            row.get("node", "")))
    merged = merge_decisions(read_decisions(user_table), new)
    write_csv(user_table, USER_FIELDS, (d.row() for d in merged))
    return result


def merge_decisions(old: Iterable[Decision], new: Iterable[Decision]) -> list[Decision]:
    """`old` updated by `new`: same node and QID replaced, a new accept replaces old accepts."""
    new = list(new)

    def node_key(d: Decision) -> tuple[str, str]:
        return (d.type, d.node or d.name)

    taken = {(node_key(d), d.qid) for d in new}
    renamed = {node_key(d) for d in new if d.decision in ("accept", "auto")}
    kept = [d for d in old if (node_key(d), d.qid) not in taken
            and not (d.decision in ("accept", "auto") and node_key(d) in renamed)]
    return sorted([*kept, *new], key=lambda d: (d.type, d.name, d.qid))
