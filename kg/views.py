"""Views of the knowledge graph: RDF → networkx → one offline HTML page, or GraphML/GEXF/CSV.

`to_networkx` reads the RDF that `kg build` emits (docs/rdf-model.md) in a few bulk passes and
returns one node per entity and one edge per relation triple, each carrying its evidence;
`store_networkx` builds the same graph from a store by SPARQL, without an rdflib copy of it.
`select` cuts a focus, class or degree view out of it; `render` draws one (graph or store).
`write_html` draws a graph with pyvis into a single self-contained file: vis-network and the
page's own script are inlined, every external reference pyvis adds is removed, corpus text
travels as JSON and reaches the page only as text. `export_graph` writes GraphML, GEXF or a
folder of CSV files for Gephi, igraph, R and pandas. networkx, numpy and pyvis are imported
inside the functions that need them.
"""

from __future__ import annotations

import csv
import html
import json
import math
import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rdflib import OWL, RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.analysis import CLASSES, RELATIONS, park_totals, yi
from kg.errors import InputError, KgError, StoreError
from kg.vocab import PK, PREFIXES

if TYPE_CHECKING:
    import networkx as nx
    from rdflib.term import Node

__all__ = [
    "EXPORT_FORMATS",
    "export_graph",
    "find_nodes",
    "load",
    "read_graph",
    "render",
    "select",
    "store_networkx",
    "to_networkx",
    "write_export",
    "write_html",
]

# Subclasses of pk:Platform: an instance typed only with one of them is still a Platform.
PLATFORM_KINDS = (
    "Laboratory",
    "InnovationCenter",
    "Incubator",
    "ResearchInstitute",
    "Workstation",
    "PilotBase",
    "ResearchFacility",
)

# Class → (Chinese name, vis-network shape, fill colour, border colour). Shapes and colours
# are both distinct, so the classes stay apart in print and for colour-blind readers.
STYLES: dict[str, tuple[str, str, str, str]] = {
    "Park": ("园区", "box", "#81c784", "#2e7d32"),
    "Enterprise": ("企业", "dot", "#64b5f6", "#1565c0"),
    "Platform": ("创新平台", "diamond", "#ffb74d", "#e65100"),
    "Project": ("项目", "triangle", "#ce93d8", "#6a1b9a"),
    "Region": ("行政区域", "hexagon", "#b0bec5", "#37474f"),
}
OTHER_STYLE = ("其他", "ellipse", "#e0e0e0", "#616161")
FONT_FACE = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif'
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"

PHYSICS_MAX_NODES = 300  # above this, positions come from Python and physics is off
EXACT_LAYOUT_MAX_NODES = 1000  # above this, the layout samples repulsion partners
MIN_EDGE_PIXELS = 60.0  # median edge length of a computed layout, at least

EXPORT_FORMATS = ("graphml", "gexf", "csv")
NODE_COLUMNS = (
    "id",
    "label",
    "class",
    "kind",
    "aliases",
    "wikidata",
    "amount_yuan",
    "amount_text",
    "mentions",
    "degree",
    "evidence_count",
    "documents",
)
EDGE_COLUMNS = (
    "source",
    "target",
    "relation",
    "source_label",
    "target_label",
    "evidence_count",
    "documents",
    "sentence",
)
LIST_SEPARATOR = "|"  # joins aliases and document ids in one CSV, GraphML or GEXF cell

RDF_FILE_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".n3": "n3",
    ".rdf": "xml",
    ".owl": "xml",
}

_QID = re.compile(r"^(?:https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)$")
_EXTERNAL_TAG = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>\s*</script\s*>"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""",
    re.IGNORECASE,
)
_EXTERNAL_REF = re.compile(
    r"""<[a-z][^<>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>\s*")


# ---------------------------------------------------------------------------- RDF → networkx


def read_graph(source: Path | str) -> Graph:
    """Read the knowledge graph from a store directory (`out/store`) or an RDF file (`kg.ttl`).

    A store's named graphs are merged into one rdflib Graph. Raises StoreError when there is
    neither, InputError when a file cannot be parsed.
    """
    source = Path(source)
    if source.is_dir():
        return _store_graph(source)
    if not source.exists():
        raise StoreError(
            f"{source}: no graph store or RDF file here; run `kg build` first or pass --store"
        )
    fmt = RDF_FILE_FORMATS.get(source.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(RDF_FILE_FORMATS))
        raise InputError(f"{source}: not a store directory nor an RDF file ({known})")
    graph: Graph = Dataset() if fmt in ("nquads", "trig") else Graph()
    try:
        graph.parse(source, format=fmt)
    except Exception as exc:  # rdflib's parsers raise many kinds of error
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"{source}: cannot read as {fmt} ({first})") from None
    return graph


def load(source: Path | str) -> nx.MultiDiGraph:
    """The entity graph of a store directory or RDF file: `to_networkx(read_graph(source))`."""
    return to_networkx(read_graph(source))


def _store_graph(path: Path) -> Graph:
    """Copy every quad of an Oxigraph store into one rdflib Graph (the union of its graphs)."""
    import pyoxigraph as ox

    from kg.store import open_store

    store = open_store(path)
    terms: dict[Any, Node] = {}

    def term(t: Any) -> Node:
        found = terms.get(t)
        if found is None:
            if isinstance(t, ox.NamedNode):
                found = URIRef(t.value)
            elif isinstance(t, ox.BlankNode):
                found = BNode(t.value)
            elif t.language:
                found = Literal(t.value, lang=t.language)
            else:
                found = Literal(t.value, datatype=URIRef(t.datatype.value))
            terms[t] = found
        return found

    graph = Graph()
    add = graph.add
    for quad in store:
        if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
            continue  # RDF-star terms are not part of our model
        add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return graph


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """Turn the RDF of docs/rdf-model.md into a MultiDiGraph of entities and relations.

    Node ids are entity IRIs; nodes carry label, type, aliases, amount (the largest),
    amounts, amount_text, wikidata, mentions and evidence; edges (key = relation) carry
    relation and evidence. The Wikidata ID comes from pk:wikidata, skos:exactMatch or
    owl:sameAs. `g.graph["documents"]` maps document ids to their title and file name. A
    Dataset is read across all its named graphs. Relation triples whose ends are not typed
    entities are skipped.
    """
    return _entity_graph(_rdflib_parts(graph))


def store_networkx(view: Any) -> nx.MultiDiGraph:
    """`to_networkx` of a store's merged graph, read by a few SPARQL queries.

    `view` has kg.store's `select(sparql)` (a Store, or the view a write passes to its
    `before_commit`), or is a pyoxigraph Store, whose answers are then streamed. Only what the
    entity graph shows comes out of the store: types, names, amounts, Wikidata IDs, relations,
    documents, mention counts (counted there) and the evidence of reified facts. Memory grows
    with the entities, facts and evidence drawn (and, through `select`, with its answer).
    """
    return _entity_graph(_store_parts(view))


@dataclass
class _Parts:
    """What the entity graph is made of, whichever reader gathered it. Entities are keyed by
    IRI; evidence by any key, mapped to (order, sentence, doc id, rule)."""

    types: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    values: dict[URIRef, dict[str, set[Node]]] = field(default_factory=dict)
    mentions: dict[str, int] = field(default_factory=dict)
    evidence: dict[Any, tuple[Any, str, str, str]] = field(default_factory=dict)
    node_evidence: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))
    fact_evidence: dict[tuple[str, str, str], set[Any]] = field(
        default_factory=lambda: defaultdict(set))
    facts: set[tuple[str, str, str]] = field(default_factory=set)  # (subject, relation, object)
    documents: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_type(self, node: str, name: str) -> None:
        """Take one class of a node: its first of CLASSES, Platform for a kind of platform."""
        if name in PLATFORM_KINDS:
            if self.types.setdefault(node, "Platform") == "Platform":
                self.kinds[node] = min(self.kinds.get(node, name), name)
        else:
            self.types.setdefault(node, name)

    def add_evidence(self, ev: Any, subj: str | None, pred: str | None, obj: str | None
                     ) -> None:
        """Record that evidence `ev` supports the reified fact (subj, pred, obj)."""
        for end in (subj, obj):
            if end in self.types:
                self.node_evidence[end].add(ev)
        if subj is not None and pred is not None and obj is not None:
            self.fact_evidence[(subj, pred, obj)].add(ev)


# the node attributes read from one predicate each (wikidata from three)
_VALUE_PREDICATES = (RDFS.label, SKOS.altLabel, PK.investmentAmount, PK.amountText,
                     PK.wikidata, SKOS.exactMatch, OWL.sameAs)


def _entity_graph(parts: _Parts) -> nx.MultiDiGraph:
    """The MultiDiGraph of `to_networkx` from its parts (the one place nodes and edges are made)."""
    import networkx as nx

    values = parts.values

    def of(predicate: URIRef, node: str) -> set[Node]:
        return values.get(predicate, {}).get(node, set())

    g = nx.MultiDiGraph(documents=dict(sorted(parts.documents.items())))
    for node in sorted(parts.types):
        yuan = sorted({v for v in map(_yuan, of(PK.investmentAmount, node)) if v is not None})
        wikidata = {q for p in (PK.wikidata, SKOS.exactMatch, OWL.sameAs)
                    for q in map(_qid, of(p, node)) if q}
        attrs: dict[str, Any] = {
            "label": _pick_label(of(RDFS.label, node), of(SKOS.altLabel, node), node),
            "type": parts.types[node],
            "aliases": sorted({str(v) for v in of(SKOS.altLabel, node)}),
            "amount": yuan[-1] if yuan else None,
            "amounts": yuan[::-1],
            "amount_text": min((str(v) for v in of(PK.amountText, node)), default=None),
            "wikidata": min(wikidata, default=None, key=lambda q: (len(q), q)),
            "mentions": parts.mentions.get(node, 0),
            "evidence": _evidence_list(parts.node_evidence.get(node, ()), parts.evidence),
        }
        if node in parts.kinds:
            attrs["kind"] = parts.kinds[node]
        g.add_node(node, **attrs)
    for s, name, o in sorted(parts.facts):
        found = parts.fact_evidence.get((s, str(PK[name]), o), ())
        g.add_edge(s, o, key=name, relation=name,
                   evidence=_evidence_list(found, parts.evidence))
    return g


def _rdflib_parts(graph: Graph) -> _Parts:
    """The parts of the entity graph read from an rdflib Graph or Dataset in bulk passes."""
    parts = _Parts()
    for name in (*CLASSES, *PLATFORM_KINDS):
        for s, _, _ in _triples(graph, None, RDF.type, PK[name]):
            if isinstance(s, URIRef):
                parts.add_type(str(s), name)
    types = parts.types
    for predicate in _VALUE_PREDICATES:
        found: dict[str, set[Node]] = defaultdict(set)
        for s, _, o in _triples(graph, None, predicate, None):
            if isinstance(s, URIRef) and str(s) in types:
                found[str(s)].add(o)
        parts.values[predicate] = found
    mentions: dict[str, set[Node]] = defaultdict(set)
    for s, _, o in _triples(graph, None, PK.mentionOf, None):
        if isinstance(o, URIRef) and str(o) in types:
            mentions[str(o)].add(s)
    parts.mentions = {node: len(found) for node, found in mentions.items()}

    evidence = _evidence(graph)
    parts.evidence = evidence
    ends = {p: {s: o for s, _, o in _triples(graph, None, p, None)}
            for p in (RDF.subject, RDF.predicate, RDF.object)}

    def key(term: Node | None) -> str | None:
        return None if term is None else str(term)

    for stmt, _, ev in _triples(graph, None, PROV.wasDerivedFrom, None):
        if ev in evidence:
            parts.add_evidence(ev, *(key(ends[p].get(stmt))
                                     for p in (RDF.subject, RDF.predicate, RDF.object)))
    for name in RELATIONS:
        for s, _, o in _triples(graph, None, PK[name], None):
            if isinstance(s, URIRef) and isinstance(o, URIRef) and str(s) in types \
                    and str(o) in types:
                parts.facts.add((str(s), name, str(o)))
    parts.documents = _documents(graph)
    return parts


_STORE_PREFIXES = "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in PREFIXES.items())
_STORE_TYPES = f"""SELECT ?s ?c WHERE {{
  VALUES ?c {{ {" ".join(f"pk:{c}" for c in (*CLASSES, *PLATFORM_KINDS))} }}
  ?s a ?c FILTER (isIRI(?s)) }}"""
_STORE_VALUES = f"""SELECT ?s ?p ?o WHERE {{
  VALUES ?p {{ {" ".join(f"<{p}>" for p in _VALUE_PREDICATES)} }}
  ?s ?p ?o FILTER (isIRI(?s)) }}"""
_STORE_RELATIONS = f"""SELECT ?s ?p ?o WHERE {{
  VALUES ?p {{ {" ".join(f"pk:{r}" for r in RELATIONS)} }}
  ?s ?p ?o FILTER (isIRI(?s) && isIRI(?o)) }}"""
# the merged graph is a set, so COUNT(?m) counts distinct mentions
_STORE_MENTIONS = "SELECT ?e (COUNT(?m) AS ?n) WHERE { ?m pk:mentionOf ?e } GROUP BY ?e"
_STORE_DOCUMENTS = """SELECT ?d ?id ?title ?file WHERE { ?d a pk:Document
  OPTIONAL { ?d dcterms:identifier ?id } OPTIONAL { ?d dcterms:title ?title }
  OPTIONAL { ?d pk:fileName ?file } }"""
# Evidence comes in one answer, a row per (statement, evidence): the statements' ends and the
# documents' ids are read apart (one row per statement, per document), so these rows stay narrow.
_STORE_STATEMENTS = """SELECT ?st ?s ?p ?o WHERE {
  { SELECT DISTINCT ?st WHERE { ?st prov:wasDerivedFrom ?ev . ?ev a pk:Evidence } }
  OPTIONAL { ?st rdf:subject ?s } OPTIONAL { ?st rdf:predicate ?p }
  OPTIONAL { ?st rdf:object ?o } }"""
_STORE_IDENTIFIERS = "SELECT ?doc ?id WHERE { ?doc dcterms:identifier ?id }"
_STORE_EVIDENCE = """SELECT ?ev ?st ?doc ?sentence ?rule WHERE {
  ?ev a pk:Evidence . ?st prov:wasDerivedFrom ?ev . OPTIONAL { ?ev pk:inDocument ?doc }
  OPTIONAL { ?ev pk:sentence ?sentence } OPTIONAL { ?ev pk:rule ?rule } }"""


def _store_rows(view: Any, sparql: str) -> Iterable[list[Any]]:
    """The rows of a SELECT on the merged graph: streamed from a pyoxigraph Store, else
    `view.select`'s rows."""
    text = _STORE_PREFIXES + sparql
    if hasattr(view, "quads_for_pattern"):  # a pyoxigraph Store
        solutions = view.query(text)
        width = len(solutions.variables)
        return ([sol[i] for i in range(width)] for sol in solutions)
    result = view.select(text)
    if isinstance(result, bool):
        raise StoreError("expected rows from a SELECT query, got a boolean")
    return result[1]


def _store_parts(view: Any) -> _Parts:
    """The parts of the entity graph read from a store by SPARQL (see `store_networkx`)."""
    from kg.store import to_rdflib

    parts = _Parts()
    local = len(str(PK))
    by_class: dict[str, list[str]] = defaultdict(list)
    for s, c in _store_rows(view, _STORE_TYPES):
        by_class[c.value[local:]].append(s.value)
    for name in (*CLASSES, *PLATFORM_KINDS):
        for s in sorted(by_class.get(name, ())):
            parts.add_type(s, name)
    types = parts.types
    parts.values = {p: defaultdict(set) for p in _VALUE_PREDICATES}
    for s, p, o in _store_rows(view, _STORE_VALUES):
        if s.value in types:
            parts.values[URIRef(p.value)][s.value].add(to_rdflib(o))
    for e, n in _store_rows(view, _STORE_MENTIONS):
        if e.value in types:
            parts.mentions[e.value] = int(n.value)
    relation = {str(PK[r]): r for r in RELATIONS}
    for s, p, o in _store_rows(view, _STORE_RELATIONS):
        if s.value in types and o.value in types:
            parts.facts.add((s.value, relation[p.value], o.value))
    for d, doc_id, title, file in _store_rows(view, _STORE_DOCUMENTS):
        key = doc_id.value if doc_id is not None and doc_id.value else \
            d.value.rsplit("/doc/", 1)[-1]
        parts.documents.setdefault(key, {"title": title.value if title is not None else "",
                                         "file": file.value if file is not None else ""})
    statements = {st.value: tuple(None if t is None else t.value for t in (s, p, o))
                  for st, s, p, o in _store_rows(view, _STORE_STATEMENTS)}
    doc_ids: dict[str, str] = {}
    for doc, doc_id in _store_rows(view, _STORE_IDENTIFIERS):
        doc_ids[doc.value] = doc_ids.get(doc.value) or doc_id.value
    names: dict[str, str] = {}  # one copy of each document id and rule

    def text(term: Any) -> str:
        return "" if term is None else names.setdefault(term.value, term.value)

    def doc_key(doc: Any) -> str:
        if doc is None:
            return ""
        key = doc_ids.get(doc.value) or doc.value.rsplit("/doc/", 1)[-1]
        return names.setdefault(key, key)

    for ev, st, doc, sentence, rule in _store_rows(view, _STORE_EVIDENCE):
        key = ev.value
        if key not in parts.evidence:
            tail = key.rsplit("/", 1)[-1]
            where = doc_key(doc)
            order = (where, int(tail) if tail.isdigit() else -1, key)
            parts.evidence[key] = (order, "" if sentence is None else sentence.value, where,
                                   text(rule))
        parts.add_evidence(key, *statements.get(st.value, (None, None, None)))
    return parts


def _triples(graph: Graph, s: Node | None, p: Node | None, o: Node | None) -> Iterator[tuple]:
    """Yield matching triples, from every named graph when `graph` is a Dataset.

    Needed because Dataset.triples() sees only the default graph unless default_union is set.
    """
    if getattr(graph, "context_aware", False):
        # The store's union of all contexts: Dataset.quads() costs about 10 µs a triple more.
        for triple, _ in graph.store.triples((s, p, o), None):
            yield triple
    else:
        yield from graph.triples((s, p, o))


def _qid(value: Node) -> str | None:
    """The Wikidata Q-identifier in "Q42", wd:Q42 or a wikidata.org page IRI; else None."""
    match = _QID.match(str(value).strip())
    return match.group(1) if match else None


def _documents(graph: Graph) -> dict[str, dict[str, str]]:
    """Map each pk:Document's id to its title and file name (empty strings when unknown)."""
    docs = [s for s, _, _ in _triples(graph, None, RDF.type, PK.Document)]
    found: dict[str, dict[str, str]] = {}
    for doc in docs:
        doc_id = next((str(o) for _, _, o in _triples(graph, doc, DCTERMS.identifier, None)), "")
        title = next((str(o) for _, _, o in _triples(graph, doc, DCTERMS.title, None)), "")
        file = next((str(o) for _, _, o in _triples(graph, doc, PK.fileName, None)), "")
        found[doc_id or str(doc).rsplit("/doc/", 1)[-1]] = {"title": title, "file": file}
    return dict(sorted(found.items()))


def _evidence(graph: Graph) -> dict[Node, tuple[int, str, str, str]]:
    """Map each pk:Evidence node to (rank, sentence, doc id, rule) with one pass per property.

    The rank orders evidence by document id, then by the evidence number in its IRI.
    """
    fields: dict[Node, list[str]] = {
        s: ["", "", ""] for s, _, _ in _triples(graph, None, RDF.type, PK.Evidence)
    }
    for s, _, o in _triples(graph, None, PK.sentence, None):
        if s in fields:
            fields[s][0] = str(o)
    for s, _, o in _triples(graph, None, PK.rule, None):
        if s in fields:
            fields[s][2] = str(o)
    docs: dict[Node, Node] = {}
    for s, _, o in _triples(graph, None, PK.inDocument, None):
        if s in fields:
            docs[s] = o
    needed = set(docs.values())
    doc_ids = {
        s: str(o) for s, _, o in _triples(graph, None, DCTERMS.identifier, None) if s in needed
    }
    for ev, doc in docs.items():
        fields[ev][1] = doc_ids.get(doc) or str(doc).rsplit("/doc/", 1)[-1]

    def order(ev: Node) -> tuple[str, int, str]:
        tail = str(ev).rsplit("/", 1)[-1]
        return (fields[ev][1], int(tail) if tail.isdigit() else -1, str(ev))

    ranked = sorted(fields, key=order)
    return {ev: (rank, *fields[ev]) for rank, ev in enumerate(ranked)}


def _evidence_list(
    nodes: Iterable[Node], evidence: dict[Node, tuple[int, str, str, str]]
) -> list[dict[str, str]]:
    """Return evidence records {sentence, doc, rule} in document order, without duplicates."""
    found = sorted(evidence[ev] for ev in set(nodes))
    return [{"sentence": sentence, "doc": doc, "rule": rule} for _, sentence, doc, rule in found]


def _pick_label(labels: set[Node] | None, aliases: set[Node] | None, node: Node) -> str:
    """Choose one display name: a Chinese rdfs:label first, then any label, alias or IRI tail."""
    if labels:
        zh = [
            str(v) for v in labels if isinstance(v, Literal) and (v.language or "").startswith("zh")
        ]
        return min(zh or [str(v) for v in labels])
    if aliases:
        return min(str(v) for v in aliases)
    return str(node).rstrip("/").rsplit("/", 1)[-1]


def _yuan(value: Node) -> int | None:
    """Read an xsd:decimal amount of yuan as an int; None when it is not a number."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() else None


# ---------------------------------------------------------------------------- views


def _norm(text: str) -> str:
    """Compare names without case, width or spaces: "ＢＹＤ 公司" matches "byd公司"."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def find_nodes(g: nx.MultiDiGraph, name: str) -> list[str]:
    """The entities NAME designates: by IRI, exact name or alias, or one unique name part.

    Every entity whose name or alias equals NAME (ignoring case, width and spaces) is returned;
    failing that, the one entity whose name or alias contains it. Raises KgError naming the
    candidates when NAME is ambiguous, and what to try when nothing matches.
    """
    if name in g:
        return [name]
    wanted = _norm(name)
    if not wanted:
        raise KgError("--focus needs a name, an alias or an IRI")
    exact: list[str] = []
    partial: list[str] = []
    for node, data in g.nodes(data=True):
        names = [_norm(str(data.get("label") or ""))] + [_norm(a) for a in data.get("aliases", ())]
        if wanted in names:
            exact.append(node)
        elif any(wanted in n for n in names):
            partial.append(node)
    if exact:
        return sorted(exact)
    if len(partial) == 1:
        return partial
    if partial:
        shown = "、".join(
            f"{g.nodes[n].get('label')} ({g.nodes[n].get('type')})" for n in sorted(partial)[:8]
        )
        more = f" and {len(partial) - 8} more" if len(partial) > 8 else ""
        raise KgError(
            f"{name!r} is part of {len(partial)} names: {shown}{more}; give the full name"
        )
    raise KgError(f"no entity is named {name!r}; list names with `kg query entities-by-type`")


def _class_names(types: Iterable[str]) -> set[str]:
    """Map user-written class names (any case) to the ontology's; KgError on unknown ones."""
    known = {c.lower(): c for c in CLASSES}
    chosen = set()
    for t in types:
        t = t.strip()
        if not t:
            continue
        if t.lower() not in known:
            raise KgError(f"unknown class {t!r} in --types; choose from {', '.join(CLASSES)}")
        chosen.add(known[t.lower()])
    return chosen


def select(
    g: nx.MultiDiGraph,
    *,
    focus: str | None = None,
    hops: int = 1,
    types: Iterable[str] | None = None,
    min_degree: int = 0,
) -> nx.MultiDiGraph:
    """Cut a view out of `g`: an ego network, some classes, the well-connected entities.

    - focus, hops: the entities within `hops` relations (either direction) of the entities that
      `find_nodes(focus)` returns; hops are counted in the whole graph.
    - types: keep only entities of these classes ("Park", "enterprise", …).
    - min_degree: keep only entities with at least that many relations in the whole graph.

    The focus entities always stay. The result is a copy; `result.graph["focus"]` lists the
    focus entities and `result.graph["view"]` says in words what was selected.
    """
    import networkx as nx

    if hops < 0 or min_degree < 0:
        raise KgError("--hops and --min-degree must be 0 or more")
    centres = find_nodes(g, focus) if focus is not None else []
    keep = set(g)
    words = []
    if centres:
        undirected = g.to_undirected(as_view=True)
        keep = set()
        for centre in centres:
            keep |= set(nx.single_source_shortest_path_length(undirected, centre, cutoff=hops))
        words.append(f"focus {focus} ({hops} hop{'s' if hops != 1 else ''})")
    if types is not None:
        classes = _class_names(types)
        if classes:
            keep = {n for n in keep if g.nodes[n].get("type") in classes}
            words.append("types " + ",".join(c for c in CLASSES if c in classes))
    if min_degree:
        keep = {n for n in keep if g.degree(n) >= min_degree}
        words.append(f"min degree {min_degree}")
    keep.update(centres)
    view = g.subgraph(keep).copy()
    view.graph["focus"] = centres
    view.graph["view"] = ", ".join(words)
    return view


# ---------------------------------------------------------------------------- networkx → HTML


def render(
    graph: Graph | Any,
    path: Path,
    *,
    title: str = "parks-kg",
    focus: str | None = None,
    hops: int = 1,
    types: Iterable[str] | None = None,
    min_degree: int = 0,
) -> nx.MultiDiGraph:
    """Draw an RDF graph, or the view `select` cuts from it, to one offline HTML page.

    `graph` is an rdflib Graph or a store (see `store_networkx`: its merged graph is read
    without copying it to rdflib; the page is the same). Park totals (hosted enterprises,
    platforms, projects, investment) are counted in the whole graph before the view is cut.
    Returns the networkx graph that was drawn.
    """
    g = to_networkx(graph) if isinstance(graph, Graph) else store_networkx(graph)
    for park, totals in park_totals(g).items():
        g.nodes[park]["totals"] = totals
    view = select(g, focus=focus, hops=hops, types=types, min_degree=min_degree)
    write_html(view, path, title=title)
    return view


def write_html(g: nx.MultiDiGraph, path: Path, *, title: str = "parks-kg") -> None:
    """Write `g` as ONE self-contained pyvis HTML page that draws with no network at all.

    Up to PHYSICS_MAX_NODES nodes the page lays itself out with physics; above, positions are
    computed here and physics is off, so big graphs draw at once and pan and zoom smoothly. The
    page has a legend, a search box (name or alias), a details panel on click and tooltips.
    The file is written to a temporary sibling and renamed, so `path` is never half-written.
    """
    try:
        from pyvis.network import Network
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "HTML views need pyvis, a dependency of parks-kg: pip install 'pyvis>=0.3.2,<0.4'"
        ) from exc

    path = Path(path)
    n = g.number_of_nodes()
    large = n > PHYSICS_MAX_NODES
    # Python's layout is final for large graphs and the starting point of physics for small
    # ones: barnesHut from random positions leaves lopsided stars, from these it only polishes.
    positions = _layout(g, scale=max(math.sqrt(n), 1.0) * 100.0)

    net = Network(height="calc(100vh - 46px)", width="100%", directed=True, cdn_resources="in_line")
    net.options = _vis_options(large)  # set_options() would strip the spaces in FONT_FACE
    # Keep Chinese readable (and the file smaller); tojson still escapes < > & '.
    net.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    ids = {node: i for i, node in enumerate(g.nodes)}
    # Filled directly: Network.add_node/add_edge scan lists on every call (quadratic). Styles
    # come from the class's group, so a node carries only its id, label and position.
    for node, data in g.nodes(data=True):
        kind = str(data.get("type", ""))
        item: dict[str, Any] = {
            "id": ids[node],
            "label": str(data.get("label") or node),  # drawn on the canvas as text, not HTML
            "group": kind if kind in STYLES else "Other",
        }
        if node in positions:
            item["x"], item["y"] = positions[node]
        net.nodes.append(item)
        net.node_ids.append(ids[node])
        net.node_map[ids[node]] = item
    for number, (source, target, data) in enumerate(g.edges(data=True)):
        net.edges.append(
            {
                "id": number,
                "from": ids[source],
                "to": ids[target],
                "label": str(data.get("relation", "")),
            }
        )

    summary = f"{n} 实体 entities · {g.number_of_edges()} 关系 relations"
    if g.graph.get("view"):
        summary += f" · {g.graph['view']}"
    summary += " · 预计算布局 fixed layout" if large else ""
    page = _finish_page(net.generate_html(), g, title, summary, _page_data(g, ids))
    _write_atomically(path, page)


def _vis_options(large: bool) -> dict[str, Any]:
    """vis-network options: class groups, barnesHut physics when small, fixed positions else."""
    groups: dict[str, Any] = {}
    for kind, (_, shape, fill, border) in [*STYLES.items(), ("Other", OTHER_STYLE)]:
        group: dict[str, Any] = {
            "shape": shape,
            "color": {
                "background": fill,
                "border": border,
                "highlight": {"background": fill, "border": "#000000"},
                "hover": {"background": fill, "border": "#000000"},
            },
        }
        if shape not in ("box", "ellipse"):
            group["size"] = 12
        if kind == "Park":  # park names stay legible in an overview
            group["font"] = {"size": 30, "face": FONT_FACE}
            group["scaling"] = {"label": {"drawThreshold": 6}}
            group["margin"] = 8
        groups[kind] = group
    options: dict[str, Any] = {
        "groups": groups,
        # Labels smaller than 8 px on screen are not drawn (parks: 6 px): an overview shows the
        # park names, the others appear when zoomed in.
        "nodes": {
            "font": {"face": FONT_FACE, "size": 14},
            "borderWidth": 1.5,
            "scaling": {"label": {"drawThreshold": 8}},
        },
        "edges": {
            "font": {"face": FONT_FACE, "size": 10, "align": "middle", "color": "#757575"},
            "color": {"color": "#9e9e9e", "highlight": "#212121", "hover": "#424242"},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False if large else {"enabled": True, "type": "continuous"},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
        },
        "layout": {"improvedLayout": False},
    }
    if large:
        options["physics"] = {"enabled": False}
    else:
        options["physics"] = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -1500,
                "centralGravity": 0.6,
                "springLength": 90,
                "springConstant": 0.05,
                "damping": 0.3,
                "avoidOverlap": 0.4,
            },
            "minVelocity": 1.5,
            "stabilization": {
                "enabled": True,
                "iterations": 150,
                "updateInterval": 25,
                "fit": True,
            },
        }
    return options


def _amount_lines(data: dict[str, Any]) -> list[str]:
    """The investment amounts of an entity in 亿元 and yuan, the first with the words used."""
    amounts = list(data.get("amounts") or ([data["amount"]] if data.get("amount") else []))
    text = data.get("amount_text")
    lines = [f"{yi(a)} ({a:,} 元)" for a in amounts]
    if text:
        if lines:
            lines[0] += f" — 原文 {text}"
        else:
            lines.append(f"原文 {text}")
    return lines


def _page_data(g: nx.MultiDiGraph, ids: dict[str, int]) -> dict[str, Any]:
    """Everything the page's script shows beyond the drawing, indexed like the vis DataSets.

    Evidence sentences are stored once in `sentences` ([doc index, sentence, rule]) and
    referred to by number from nodes and edges; `docs` holds [doc id, title, file name].
    """
    documents: dict[str, dict[str, str]] = dict(g.graph.get("documents") or {})
    doc_index: dict[str, int] = {}
    docs: list[list[str]] = []
    sentence_index: dict[tuple[int, str, str], int] = {}
    sentences: list[list[Any]] = []

    def refs(evidence: Iterable[dict[str, str]]) -> list[int]:
        found = []
        for ev in evidence:
            doc = str(ev.get("doc", ""))
            if doc not in doc_index:
                doc_index[doc] = len(docs)
                meta = documents.get(doc, {})
                docs.append([doc, meta.get("title", ""), meta.get("file", "")])
            key = (doc_index[doc], str(ev.get("sentence", "")), str(ev.get("rule", "")))
            if key not in sentence_index:
                sentence_index[key] = len(sentences)
                sentences.append(list(key))
            found.append(sentence_index[key])
        return list(dict.fromkeys(found))  # one sentence may support several facts

    nodes: list[dict[str, Any]] = []
    for node, data in g.nodes(data=True):
        item: dict[str, Any] = {"iri": node, "type": str(data.get("type", ""))}
        if data.get("kind"):
            item["kind"] = str(data["kind"])
        if data.get("aliases"):
            item["aliases"] = [str(a) for a in data["aliases"]]
        if data.get("wikidata") and _qid(data["wikidata"]):
            item["wikidata"] = _qid(data["wikidata"])
        if _amount_lines(data):
            item["amounts"] = _amount_lines(data)
        if data.get("totals"):
            item["totals"] = data["totals"]
        if data.get("mentions"):
            item["mentions"] = int(data["mentions"])
        if data.get("evidence"):
            item["evidence"] = refs(data["evidence"])
        nodes.append(item)
    edges = [
        {"relation": str(data.get("relation", "")), "evidence": refs(data.get("evidence") or [])}
        for _, _, data in g.edges(data=True)
    ]
    return {
        "classes": {kind: [zh, shape, fill] for kind, (zh, shape, fill, _) in STYLES.items()},
        "wikidataBase": WIKIDATA_PAGE,
        "focus": [ids[c] for c in g.graph.get("focus", ()) if c in ids],
        "nodes": nodes,
        "edges": edges,
        "sentences": sentences,
        "docs": docs,
    }


def _script_json(data: object) -> str:
    """JSON that is safe inside a <script> element: <, > and & become \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _legend_html(g: nx.MultiDiGraph) -> str:
    """A small fixed box listing class → colour and shape, with the number of nodes of each."""
    counts: dict[str, int] = defaultdict(int)
    for _, kind in g.nodes(data="type"):
        counts[str(kind)] += 1
    rows = []
    for kind, (zh, shape, fill, border) in STYLES.items():
        rows.append(
            f'<div class="kg-row">{_glyph(shape, fill, border)}'
            f"<span>{kind} {zh} <small>({shape}, {counts.get(kind, 0)})</small></span></div>"
        )
    return (
        '<div id="kg-legend"><div class="kg-legend-title">图例 Legend</div>'
        + "".join(rows)
        + '<div class="kg-row kg-note">→ 边标签 = 关系 relation</div></div>'
    )


def _glyph(shape: str, fill: str, border: str) -> str:
    """An inline SVG of a vis-network shape, so the legend needs no font or image."""
    style = f'fill="{fill}" stroke="{border}" stroke-width="1.5"'
    body = {
        "box": f'<rect x="1.5" y="3.5" width="15" height="11" rx="2" {style}/>',
        "dot": f'<circle cx="9" cy="9" r="7" {style}/>',
        "diamond": f'<polygon points="9,1.5 16.5,9 9,16.5 1.5,9" {style}/>',
        "triangle": f'<polygon points="9,1.5 16.5,15.5 1.5,15.5" {style}/>',
        "hexagon": f'<polygon points="5,2 13,2 17,9 13,16 5,16 1,9" {style}/>',
    }.get(shape, f'<ellipse cx="9" cy="9" rx="8" ry="5.5" {style}/>')
    return f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">{body}</svg>'


def _asset(name: str) -> str:
    """The text of a file shipped in kg/assets/."""
    return (resources.files("kg") / "assets" / name).read_text(encoding="utf-8")


_NETWORK_CALL = "network = new vis.Network(container, data, options);"
_COMMENTED_ASSETS = re.compile(r"<!--(?:(?!-->).)*?node_modules(?:(?!-->).)*-->\s*", re.DOTALL)


def _finish_page(
    page: str, g: nx.MultiDiGraph, title: str, summary: str, data: dict[str, Any]
) -> str:
    """Turn pyvis's page into ours: no CDN tags; our header, legend, panel, data and script.

    Raises RuntimeError if the pyvis template no longer looks as expected.
    """
    page = _EXTERNAL_TAG.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    page = _COMMENTED_ASSETS.sub("", page)
    if page.count(_NETWORK_CALL) != 1:
        raise RuntimeError("unexpected pyvis template: vis.Network is not created exactly once")
    page = page.replace(
        _NETWORK_CALL, _NETWORK_CALL + "\n                  kgInit(network, nodes, edges);"
    )
    head_end = page.rfind("</head>")
    body_start = page.find("<body>", head_end)
    if head_end < 0 or body_start < 0:
        raise RuntimeError("unexpected pyvis template: </head> or <body> not found")
    escaped_title = html.escape(title)
    head = (
        f"<title>{escaped_title}</title>\n"
        f"<style>\n{_asset('view.css').replace('FONT', FONT_FACE)}</style>\n"
        f'<script type="text/javascript">\n{_asset("view.js")}</script>\n'
    )
    body = (
        '\n<div id="kg-header">'
        f'<span id="kg-title">{escaped_title}</span>'
        f'<span id="kg-summary">{html.escape(summary)}</span>'
        '<div id="kg-search-box"><input id="kg-search" type="search" autocomplete="off"'
        ' placeholder="搜索名称或别名 Search name or alias" aria-label="search">'
        '<ul id="kg-results" hidden></ul></div></div>\n'
        f"{_legend_html(g)}\n"
        '<aside id="kg-panel" hidden><button id="kg-panel-close" type="button"'
        ' aria-label="close">×</button><div id="kg-panel-body"></div></aside>\n'
        '<div id="kg-tip" hidden></div>\n'
        f'<script type="application/json" id="kg-data">{_script_json(data)}</script>\n'
    )
    body_start += len("<body>")
    page = page[:head_end] + head + page[head_end:body_start] + body + page[body_start:]
    if not page.lstrip().lower().startswith("<!doctype"):
        page = "<!DOCTYPE html>\n" + page
    leftover = _EXTERNAL_REF.search(page)
    if leftover:
        raise RuntimeError(
            f"external reference left in the page: {page[leftover.start() :][:80]!r}"
        )
    return page


def _write_atomically(path: Path, text: str) -> None:
    """Write UTF-8 text to a temporary file beside `path`, then rename it onto `path`."""
    _write_file(path, lambda out: out.write(text.encode("utf-8")))


def _write_file(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Call `write` on a temporary file beside `path`, then rename it onto `path`.

    Parent folders are created; `path` is never seen half-written.
    """
    path = Path(path)
    if path.is_dir():
        raise KgError(f"{path}: is a directory; give a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------- exports


def export_graph(graph: Graph, fmt: str, path: Path) -> nx.MultiDiGraph:
    """Write an RDF graph's entities and relations as GraphML, GEXF or CSV for other tools.

    fmt is one of EXPORT_FORMATS. For "csv", `path` is a folder that receives nodes.csv and
    edges.csv (columns NODE_COLUMNS and EDGE_COLUMNS). Returns the networkx graph written.
    """
    g = to_networkx(graph)
    write_export(g, fmt, path)
    return g


def write_export(g: nx.MultiDiGraph, fmt: str, path: Path) -> None:
    """Write a graph from `to_networkx` (or `select`) as GraphML, GEXF or a CSV folder.

    Each node has the NODE_COLUMNS attributes, each edge the EDGE_COLUMNS ones; lists are
    joined with "|" and unknown values are left out (empty cells in CSV). Files are written to
    temporary names and renamed.
    """
    import networkx as nx

    path = Path(path)
    if fmt == "csv":
        _write_csv(g, path)
    elif fmt == "graphml":
        flat = _flat_graph(g)
        _write_file(path, lambda out: nx.write_graphml(flat, out, encoding="utf-8"))
    elif fmt == "gexf":
        flat = _flat_graph(g, colours=True)
        _write_file(path, lambda out: nx.write_gexf(flat, out, encoding="utf-8"))
    else:
        raise KgError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")


def node_rows(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per entity with the NODE_COLUMNS; None where a value is unknown."""
    rows = []
    for node, data in g.nodes(data=True):
        evidence = list(data.get("evidence") or [])
        rows.append(
            {
                "id": node,
                "label": str(data.get("label") or node),
                "class": str(data.get("type") or ""),
                "kind": data.get("kind"),
                "aliases": LIST_SEPARATOR.join(data.get("aliases") or ()) or None,
                "wikidata": _qid(data["wikidata"]) if data.get("wikidata") else None,
                "amount_yuan": data.get("amount"),
                "amount_text": data.get("amount_text"),
                "mentions": int(data.get("mentions") or 0),
                "degree": int(g.degree(node)),
                "evidence_count": len(evidence),
                "documents": _documents_cell(evidence),
            }
        )
    return rows


def edge_rows(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per relation with the EDGE_COLUMNS; `sentence` is the first evidence sentence."""
    rows = []
    for source, target, data in g.edges(data=True):
        evidence = list(data.get("evidence") or [])
        rows.append(
            {
                "source": source,
                "target": target,
                "relation": str(data.get("relation", "")),
                "source_label": str(g.nodes[source].get("label") or source),
                "target_label": str(g.nodes[target].get("label") or target),
                "evidence_count": len(evidence),
                "documents": _documents_cell(evidence),
                "sentence": evidence[0].get("sentence") if evidence else None,
            }
        )
    return rows


def _documents_cell(evidence: Iterable[dict[str, str]]) -> str | None:
    """The distinct document ids of some evidence, sorted and joined."""
    docs = sorted({str(ev.get("doc")) for ev in evidence if ev.get("doc")})
    return LIST_SEPARATOR.join(docs) or None


def _flat_graph(g: nx.MultiDiGraph, *, colours: bool = False) -> nx.MultiDiGraph:
    """A copy whose attributes are all strings or numbers, as GraphML and GEXF need.

    Edge keys become unique ids (e0, e1, …); with `colours`, nodes get GEXF viz colours.
    """
    import networkx as nx

    flat = nx.MultiDiGraph()
    for row in node_rows(g):
        attrs = {k: v for k, v in row.items() if k != "id" and v is not None and v != ""}
        if colours:
            fill = STYLES.get(row["class"], OTHER_STYLE)[2]
            r, gr, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
            attrs["viz"] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0}}
        flat.add_node(row["id"], **attrs)
    for number, row in enumerate(edge_rows(g)):
        attrs = {
            k: v
            for k, v in row.items()
            if k not in ("source", "target") and v is not None and v != ""
        }
        flat.add_edge(row["source"], row["target"], key=f"e{number}", **attrs)
    return flat


def _write_csv(g: nx.MultiDiGraph, folder: Path) -> None:
    """Write folder/nodes.csv and folder/edges.csv (UTF-8, header row); both or neither."""
    if folder.exists() and not folder.is_dir():
        raise KgError(f"{folder}: exists and is not a folder; CSV export writes a folder")
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, columns, rows in (
            ("nodes.csv", NODE_COLUMNS, node_rows(g)),
            ("edges.csv", EDGE_COLUMNS, edge_rows(g)),
        ):
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            staged.append((name, Path(tmp)))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                writer = csv.DictWriter(out, fieldnames=list(columns))
                writer.writeheader()
                writer.writerows(
                    {k: ("" if v is None else v) for k, v in row.items()} for row in rows
                )
            os.chmod(tmp, 0o644)
        for name, tmp in staged:
            os.replace(tmp, folder / name)
    finally:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------------------- layout


def _layout(
    g: nx.MultiDiGraph, *, scale: float, iterations: int = 50
) -> dict[str, tuple[float, float]]:
    """Force-directed positions in pixels, spread over about `scale` pixels across.

    Fruchterman-Reingold in numpy: exact repulsion up to 1000 nodes, 64 random repulsion partners
    per node above (0.1 s instead of 3 s at 3000 nodes, with similar edge lengths and overlap).
    networkx.spring_layout is not used because from 500 nodes on it needs scipy.
    """
    import numpy as np

    nodes = list(g.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in g.edges() if u != v}
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    src, dst = edges[:, 0], edges[:, 1]

    rng = np.random.default_rng(0)
    x, y = rng.random(n), rng.random(n)
    k2 = 1.0 / n  # square of the ideal edge length in the unit square
    k = math.sqrt(k2)
    min_d2 = 1e-4 * k2
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    exact = n <= EXACT_LAYOUT_MAX_NODES
    samples = 64
    block = max(1, 1_000_000 // n)  # rows per chunk of the n × n distance matrix
    for _ in range(iterations):
        if exact:
            fx, fy = np.empty(n), np.empty(n)
            for start in range(0, n, block):
                rows = slice(start, start + block)
                dx = x[rows, None] - x[None, :]
                dy = y[rows, None] - y[None, :]
                inv = _repulsion(dx, dy, k2, min_d2)
                fx[rows] = np.einsum("ij,ij->i", dx, inv)
                fy[rows] = np.einsum("ij,ij->i", dy, inv)
        else:
            partners = rng.integers(0, n, size=(n, samples))
            dx = x[:, None] - x[partners]
            dy = y[:, None] - y[partners]
            inv = _repulsion(dx, dy, k2, min_d2) * ((n - 1) / samples)
            fx = np.einsum("ij,ij->i", dx, inv)
            fy = np.einsum("ij,ij->i", dy, inv)
        if len(src):
            dx, dy = x[src] - x[dst], y[src] - y[dst]
            stretch = np.hypot(dx, dy) / k
            px, py = dx * stretch, dy * stretch
            fx += np.bincount(dst, px, n) - np.bincount(src, px, n)
            fy += np.bincount(dst, py, n) - np.bincount(src, py, n)
        fx -= (x - x.mean()) * (2.0 * k)  # mild gravity keeps the components together
        fy -= (y - y.mean()) * (2.0 * k)
        length = np.maximum(np.hypot(fx, fy), 1e-12)
        step = np.minimum(length, temperature) / length
        x += fx * step
        y += fy * step
        temperature -= cooling

    x -= x.mean()
    y -= y.mean()
    factor = (scale / 2.0) / (max(float(np.abs(x).max()), float(np.abs(y).max())) or 1.0)
    if len(src):  # spread further when clusters would still overlap at that scale
        edge = float(np.median(np.hypot(x[src] - x[dst], y[src] - y[dst])))
        factor = max(factor, MIN_EDGE_PIXELS / edge) if edge > 0 else factor
    return {
        node: (round(float(px) * factor, 1), round(float(py) * factor, 1))
        for node, px, py in zip(nodes, x, y, strict=True)
    }


def _repulsion(dx: Any, dy: Any, k2: float, min_d2: float) -> Any:
    """Fruchterman-Reingold repulsion k²/d along (dx, dy), as the factor k²/d² for each pair."""
    import numpy as np

    d2 = dx * dx
    d2 += dy * dy
    np.maximum(d2, min_d2, out=d2)
    return np.divide(k2, d2, out=d2)
