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

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import OWL, RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.errors import InputError, KgError, StoreError
from kg.store import open_store
from kg.views.analysis import CLASSES, RELATIONS
from kg.vocab import PK, PREFIXES, SDMX_ATTRIBUTE, SDMX_DIMENSION, SDMX_MEASURE, TIME

if TYPE_CHECKING:
    import networkx as nx
    from rdflib.term import Node

__all__ = ["find_nodes", "load", "pick_focus", "read_graph", "select", "store_networkx",
           "to_networkx"]

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


def load(source: Path | str, *, evidence: bool = True) -> nx.MultiDiGraph:
    """The entity graph of a store directory or RDF file: `to_networkx(read_graph(source))`.

    A store is read by SPARQL, streamed (`store_networkx`), never copied into rdflib; with
    `evidence=False` without mentions, documents and evidence (enough for `kg stats`).
    """
    source = Path(source)
    if not source.is_dir():
        return to_networkx(read_graph(source))
    store = open_store(source)
    try:
        return store_networkx(store.database(), evidence=evidence)
    finally:
        store.close()


def _store_graph(path: Path) -> Graph:
    """Copy every quad of an Oxigraph store into one rdflib Graph (the union of its graphs)."""
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

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
    relation and evidence, a dated one also its times (as shown) and spans (first and last
    day of each time, ISO dates). The Wikidata ID comes from pk:wikidata, skos:exactMatch or
    owl:sameAs. `g.graph["documents"]` maps document ids to their title and file name. A
    Dataset is read across all its named graphs. Relation triples whose ends are not typed
    entities are skipped.
    """
    return _entity_graph(_rdflib_parts(graph))


def store_networkx(view: Any, *, evidence: bool = True) -> nx.MultiDiGraph:
    """`to_networkx` of a store's merged graph, read by a few SPARQL queries.

    `view` has kg.store's `select(sparql)` (a Store, or the view a write passes to its
    `before_commit`), or is a pyoxigraph Store, whose answers are then streamed. Only what the
    entity graph shows comes out of the store: types, names, amounts, Wikidata IDs, relations,
    documents, mention counts (counted there) and the evidence of reified facts. Memory grows
    with the entities, facts and evidence drawn (and, through `select`, with its answer).
    With `evidence=False` only entities, their values and relations are read (no mention
    counts, documents or evidence): what `kg stats` needs, in a fraction of the time.
    """
    return _entity_graph(_store_parts(view, evidence=evidence))


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
    # issue 16: the article of each evidence key (title, publication date), the times of facts
    # (by fact, or by entity for an investment amount) and the figures of each park
    articles: dict[Any, tuple[str, str]] = field(default_factory=dict)
    fact_times: dict[tuple[str, str, str], set[str]] = field(
        default_factory=lambda: defaultdict(set))
    # issue 17: the first and last day each time of a fact covers (ISO dates), for filters
    fact_spans: dict[tuple[str, str, str], set[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(set))
    node_times: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    observations: dict[str, set[tuple[Any, ...]]] = field(
        default_factory=lambda: defaultdict(set))

    def add_time(self, subj: str | None, pred: str | None, obj: str | None, when: str,
                 start: Any = None, end: Any = None) -> None:
        """Record the time `when` (as shown) of the reified fact (subj, pred, obj) and, when
        the graph gives both, the first and last day it covers (pk:startDate, pk:endDate)."""
        if subj is None or pred is None or obj is None:
            return
        if pred == str(PK.investmentAmount):
            if subj in self.types:
                self.node_times[subj].add(when)
        elif pred.startswith(_PK):
            self.fact_times[(subj, pred[len(_PK):], obj)].add(when)
            span = _span(start, end)
            if span is not None:
                self.fact_spans[(subj, pred[len(_PK):], obj)].add(span)

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
    import networkx as nx  # heavy: networkx loads only for graph views and analysis

    values = parts.values
    none: frozenset[Node] = frozenset()
    # the predicates' values looked up once, not per node (each PK.x builds an IRI)
    amounts_of, texts_of, labels_of, aliases_of = (
        values.get(p, {}) for p in (PK.investmentAmount, PK.amountText, RDFS.label,
                                    SKOS.altLabel))
    wikidata_of = [values.get(p, {}) for p in (PK.wikidata, SKOS.exactMatch, OWL.sameAs)]

    g = nx.MultiDiGraph(documents=dict(sorted(parts.documents.items())))
    for node in sorted(parts.types):
        yuan = sorted({v for v in map(_yuan, amounts_of.get(node, none)) if v is not None})
        wikidata = {q for found in wikidata_of for q in map(_qid, found.get(node, none)) if q}
        aliases = aliases_of.get(node, none)
        attrs: dict[str, Any] = {
            "label": _pick_label(labels_of.get(node, none), aliases, node),
            "type": parts.types[node],
            "aliases": sorted({str(v) for v in aliases}),
            "amount": yuan[-1] if yuan else None,
            "amounts": yuan[::-1],
            "amount_text": min((str(v) for v in texts_of.get(node, none)), default=None),
            "wikidata": min(wikidata, default=None, key=lambda q: (len(q), q)),
            "mentions": parts.mentions.get(node, 0),
            "evidence": _evidence_list(parts.node_evidence[node], parts.evidence,
                                       parts.articles) if node in parts.node_evidence else [],
        }
        if node in parts.kinds:
            attrs["kind"] = parts.kinds[node]
        if parts.node_times.get(node):
            attrs["times"] = sorted(parts.node_times[node])
        if parts.observations.get(node):
            attrs["indicators"] = [_indicator_row(row) for row in sorted(
                parts.observations[node], key=lambda r: tuple("" if v is None else str(v)
                                                              for v in r))]
        g.add_node(node, **attrs)
    iris = {name: str(PK[name]) for name in {name for _, name, _ in parts.facts}}
    edges = []
    for s, name, o in sorted(parts.facts):
        found = parts.fact_evidence.get((s, iris[name], o), ())
        attrs = {"relation": name, "evidence": _evidence_list(found, parts.evidence,
                                                              parts.articles) if found else []}
        if parts.fact_times.get((s, name, o)):
            attrs["times"] = sorted(parts.fact_times[(s, name, o)])
        if parts.fact_spans.get((s, name, o)):
            attrs["spans"] = sorted(parts.fact_spans[(s, name, o)])
        edges.append((s, o, name, attrs))
    g.add_edges_from(edges)
    return g


def _indicator_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """One figure of a park as the views keep it: indicator id, period, value, unit, growth in
    percent and the clause (value and growth as numbers, None when the text gives none)."""
    indicator, start, period, value, unit, growth, clause = row
    return {"indicator": indicator, "period": period, "value": _decimal(value), "unit": unit,
            "growth_pct": _decimal(growth), "text": clause or ""}


def _decimal(value: Any) -> float | int | None:
    """A number read from a literal's text: an int when whole, else a float; None otherwise."""
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else float(number)


_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _span(start: Any, end: Any) -> tuple[str, str] | None:
    """(first day, last day) of a time as ISO dates, from its pk:startDate and pk:endDate;
    None unless both are dates and the first is not after the last."""
    if start is None or end is None:
        return None
    first = _ISO_DAY.match(str(getattr(start, "value", start)).strip())
    last = _ISO_DAY.match(str(getattr(end, "value", end)).strip())
    if first is None or last is None or first.group(0) > last.group(0):
        return None
    return first.group(0), last.group(0)


def _time_words(value: Any, precision: Any, text: Any) -> str:
    """A time as the page shows it: its value, and the words it was read from."""
    words = f" ({text})" if text is not None and str(text) else ""
    return f"{value}{words}" if precision is None else f"{value} [{precision}]{words}"


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
    _rdflib_time_parts(graph, parts, ends)
    return parts


def _rdflib_time_parts(graph: Graph, parts: _Parts, ends: dict[Node, dict[Node, Node]]
                       ) -> None:
    """Read the articles of evidence, the times of facts and the figures of parks (issue 16)."""
    def first(s: Node, p: Node) -> Node | None:
        return next((o for _, _, o in _triples(graph, s, p, None)), None)

    for ev, _, article in _triples(graph, None, PK.inArticle, None):
        if ev in parts.evidence:
            title, date = first(article, DCTERMS.title), first(article, DCTERMS.date)
            parts.articles[ev] = ("" if title is None else str(title),
                                  "" if date is None else str(date))
    for st, _, t in _triples(graph, None, TIME.hasTime, None):
        when = _time_words(first(t, PK.timeValue), first(t, PK.precision), first(t, PK.timeText))
        parts.add_time(*(None if ends[p].get(st) is None else str(ends[p][st])
                         for p in (RDF.subject, RDF.predicate, RDF.object)), when,
                       first(t, PK.startDate), first(t, PK.endDate))
    for obs, _, park in _triples(graph, None, SDMX_DIMENSION.refArea, None):
        if str(park) not in parts.types:
            continue
        period = first(obs, SDMX_DIMENSION.refPeriod)
        code, unit = first(obs, PK.indicator), first(obs, SDMX_ATTRIBUTE.unitMeasure)
        parts.observations[str(park)].add((
            _code(code), None if period is None else str(first(period, PK.startDate)),
            None if period is None else str(first(period, PK.timeValue)),
            first(obs, SDMX_MEASURE.obsValue) and str(first(obs, SDMX_MEASURE.obsValue)),
            _code(unit), first(obs, PK.growthPercent) and str(first(obs, PK.growthPercent)),
            first(obs, PK.clause) and str(first(obs, PK.clause))))


def _code(node: Any) -> str:
    """The id of a code list concept (gdp of …/code/indicator/gdp); "" for none."""
    return "" if node is None else str(getattr(node, "value", node)).rstrip("/").rsplit("/", 1)[-1]


_PK = str(PK)
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
_STORE_EVIDENCE = """SELECT ?ev ?st ?doc ?sentence ?rule WHERE {
  ?ev a pk:Evidence . ?st prov:wasDerivedFrom ?ev . OPTIONAL { ?ev pk:inDocument ?doc }
  OPTIONAL { ?ev pk:sentence ?sentence } OPTIONAL { ?ev pk:rule ?rule } }"""


class _Text(str):
    """A value of the store as the entity graph reads it: its text (a literal's lexical form,
    an IRI) and `language` (its tag or None). Lighter than an rdflib term, whose literals
    parse their lexical form: a whole store's values (27,000 at 1M triples) took 0.25 s."""

    language: str | None

    @classmethod
    def of(cls, term: Any) -> _Text:
        """The text and language of a pyoxigraph term."""
        text = cls(term.value)
        text.language = getattr(term, "language", None)
        return text


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


def _store_has(view: Any, pattern: str) -> bool:
    """Whether the merged graph has a match of the triple pattern (read with a LIMIT 1)."""
    return any(True for _ in _store_rows(view, f"SELECT * WHERE {{ {pattern} }} LIMIT 1"))


def _iris(nodes: Iterable[str]) -> str:
    """IRIs as SPARQL terms for a VALUES block (escaped by pyoxigraph, never pasted raw)."""
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    return " ".join(str(ox.NamedNode(n)) for n in sorted(nodes))


def _store_queries(within: set[str] | None) -> dict[str, str]:
    """The SELECTs of `_store_parts`, restricted to the entities `within` when given."""
    if within is None:
        return {"types": _STORE_TYPES, "values": _STORE_VALUES, "mentions": _STORE_MENTIONS,
                "relations": _STORE_RELATIONS, "statements": _STORE_STATEMENTS,
                "evidence": _STORE_EVIDENCE}
    iris = _iris(within)
    # Each query starts from the VALUES block and follows the entities' own triples: Oxigraph
    # then reads a few thousand rows, where a second VALUES or a class test first made it
    # scan every triple of a kind (1.3 to 34 s each on a 1M-triple store).
    # only the predicates read below come back to Python (a third of the rows are stats)
    read = " ".join(f"<{p}>" for p in (*_VALUE_PREDICATES, *(PK[r] for r in RELATIONS)))
    about = (f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {iris} }} ?s ?p ?o "
             f"FILTER (?p IN ({', '.join(read.split())})) }}")
    return {
        "types": f"SELECT ?s ?c WHERE {{ VALUES ?s {{ {iris} }} ?s a ?c }}",
        "values": about,
        "mentions": "SELECT ?e (COUNT(?m) AS ?n) WHERE { VALUES ?e { " + iris
                    + " } ?m pk:mentionOf ?e } GROUP BY ?e",
        "relations": about,
        "iris": iris,  # the VALUES block itself, for the evidence of `_store_cut_evidence`
    }


def _store_parts(view: Any, within: set[str] | None = None, *, evidence: bool = True
                 ) -> _Parts:
    """The parts of the entity graph read from a store by SPARQL (see `store_networkx`);
    only those of the entities `within` (and the facts and evidence among them) when given;
    without mentions, documents and evidence when `evidence` is False."""

    queries = _store_queries(within)
    parts = _Parts()
    local = len(str(PK))
    by_class: dict[str, list[str]] = defaultdict(list)
    for s, c in _store_rows(view, queries["types"]):
        if c.value.startswith(_PK):
            by_class[c.value[local:]].append(s.value)
    for name in (*CLASSES, *PLATFORM_KINDS):
        for s in sorted(by_class.get(name, ())):
            parts.add_type(s, name)
    types = parts.types
    parts.values = {p: defaultdict(set) for p in _VALUE_PREDICATES}
    triples: Iterable[list[Any]] = _store_rows(view, queries["values"])
    if within is not None:  # one answer for values and relations: read it once
        triples = list(triples)
    wanted = {str(p) for p in _VALUE_PREDICATES}
    for s, p, o in triples:
        if p.value in wanted and s.value in types:
            parts.values[URIRef(p.value)][s.value].add(_Text.of(o))
    for e, n in _store_rows(view, queries["mentions"]) if evidence else ():
        if e.value in types:
            parts.mentions[e.value] = int(n.value)
    relation = {str(PK[r]): r for r in RELATIONS}
    for s, p, o in triples if within is not None else _store_rows(view, queries["relations"]):
        if p.value in relation and s.value in types and o.value in types:
            parts.facts.add((s.value, relation[p.value], o.value))
    if not evidence:
        return parts
    doc_ids: dict[str, str] = {}  # document IRI → its identifier, for the evidence
    for d, doc_id, title, file in _store_rows(view, _STORE_DOCUMENTS):
        if doc_id is not None:
            doc_ids[d.value] = doc_ids.get(d.value) or doc_id.value
        key = doc_id.value if doc_id is not None and doc_id.value else \
            d.value.rsplit("/doc/", 1)[-1]
        parts.documents.setdefault(key, {"title": title.value if title is not None else "",
                                         "file": file.value if file is not None else ""})
    if within is not None:
        _store_cut_evidence(view, parts, within, queries["iris"], doc_ids)
        return parts
    statements = {st.value: tuple(None if t is None else t.value for t in (s, p, o))
                  for st, s, p, o in _store_rows(view, queries["statements"])}
    add = _evidence_adder(parts, doc_ids)
    for ev, st, doc, sentence, rule in _store_rows(view, queries["evidence"]):
        add(ev, doc, sentence, rule, *statements.get(st.value, (None, None, None)))
    _store_time_parts(view, parts, statements)
    return parts


def _evidence_adder(parts: _Parts, doc_ids: dict[str, str]) -> Callable[..., None]:
    """A function that records one evidence row (evidence, document, sentence, rule, and the
    subject, predicate and object of the statement it supports) in `parts`; `doc_ids` maps
    document IRIs to their identifiers."""
    names: dict[str, str] = {}  # one copy of each document id and rule

    def text(term: Any) -> str:
        return "" if term is None else names.setdefault(term.value, term.value)

    def doc_key(doc: Any) -> str:
        if doc is None:
            return ""
        key = doc_ids.get(doc.value) or doc.value.rsplit("/doc/", 1)[-1]
        return names.setdefault(key, key)

    def add(ev: Any, doc: Any, sentence: Any, rule: Any, subj: str | None, pred: str | None,
            obj: str | None) -> None:
        key = ev.value
        if key not in parts.evidence:
            tail = key.rsplit("/", 1)[-1]
            where = doc_key(doc)
            order = (where, int(tail) if tail.isdigit() else -1, key)
            parts.evidence[key] = (order, "" if sentence is None else sentence.value, where,
                                   text(rule))
        parts.add_evidence(key, subj, pred, obj)

    return add


# The evidence of the statements about some entities (VALUES ?s or ?o), with the title and
# date of its article, in one answer: the statement's own IRI is not asked for (every term
# that comes back is one more read of Oxigraph's string table).
_CUT_EVIDENCE = """SELECT ?s ?p ?o ?ev ?doc ?sentence ?rule ?title ?date WHERE { VALUES_BLOCK
  STATEMENT FILTER (isIRI(?st)) ?st prov:wasDerivedFrom ?ev .
  ?ev pk:inDocument ?doc ; pk:sentence ?sentence . OPTIONAL { ?ev pk:rule ?rule }
  OPTIONAL { ?ev pk:inArticle ?a OPTIONAL { ?a dcterms:title ?title }
             OPTIONAL { ?a dcterms:date ?date } } }"""
_CUT_TIMES = """SELECT ?s ?p ?o ?value ?precision ?text ?start ?end WHERE { VALUES_BLOCK
  STATEMENT FILTER (isIRI(?st)) ?t pk:timeValue ?value
  OPTIONAL { ?t pk:precision ?precision } OPTIONAL { ?t pk:timeText ?text }
  OPTIONAL { ?t pk:startDate ?start } OPTIONAL { ?t pk:endDate ?end } }"""
_BY_SUBJECT = "?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ."


def _store_cut_evidence(view: Any, parts: _Parts, within: set[str], iris: str,
                        doc_ids: dict[str, str]) -> None:
    """Read the evidence, articles and times of the statements about the entities `within`
    (`iris`: them as a VALUES block) and the figures of the parks among them.

    Each row is a few reads of the store, so none is asked twice: the statements are taken
    by their subject, then those by their object whose subject lies outside `within` (in a
    focus view most of the latter are the view's own relations, already read). `doc_ids`
    maps document IRIs to their identifiers.
    """
    add = _evidence_adder(parts, doc_ids)

    def text(term: Any) -> str | None:
        return None if term is None else term.value

    def rows(query: str, values: str, statement: str) -> Iterable[list[Any]]:
        return _store_rows(view, query.replace("VALUES_BLOCK", values)
                           .replace("STATEMENT", statement))

    by_object = [st.value for st, s in _store_rows(view, f"""SELECT ?st ?s WHERE {{
      VALUES ?o {{ {iris} }} ?st rdf:object ?o ; rdf:subject ?s FILTER (isIRI(?st)) }}""")
                 if s.value not in within]
    sides = [(f"VALUES ?s {{ {iris} }}", _BY_SUBJECT)]
    if by_object:
        sides.append((f"VALUES ?st {{ {_iris(by_object)} }}", _BY_SUBJECT))
    for values, statement in sides:
        for s, p, o, ev, doc, sentence, rule, title, date in rows(_CUT_EVIDENCE, values,
                                                                    statement):
            add(ev, doc, sentence, rule, s.value, p.value, o.value)
            if title is not None or date is not None:
                parts.articles[ev.value] = (text(title) or "", text(date) or "")
    timed = f"<{TIME.hasTime}> ?t ."
    # a store without dated facts is not asked about each statement's time (a read each:
    # 0.2 s for the 21,000 statements of a view of the 1M-triple benchmark store)
    sides = [] if not _store_has(view, f"?st {timed}") else [
        (f"VALUES ?s {{ {iris} }}", f"?st rdf:subject ?s ; {timed} "
                                    "?st rdf:predicate ?p ; rdf:object ?o ."),
        (f"VALUES ?o {{ {iris} }}", f"?st rdf:object ?o ; {timed} "
                                    "?st rdf:subject ?s ; rdf:predicate ?p .")]
    for values, statement in sides:
        for s, p, o, value, precision, words, start, end in rows(_CUT_TIMES, values, statement):
            parts.add_time(s.value, p.value, o.value,
                           _time_words(value.value, text(precision), text(words)),
                           text(start), text(end))
    _store_observations(view, parts, [n for n in within if parts.types.get(n) == "Park"])


# issue 16: where evidence lies (article title and date), the times of facts, park figures
_STORE_ARTICLES = """SELECT ?ev ?title ?date WHERE { VALUES_EV ?ev pk:inArticle ?a .
  OPTIONAL { ?a dcterms:title ?title } OPTIONAL { ?a dcterms:date ?date } }"""
_STORE_TIMES = f"""SELECT ?st ?value ?precision ?text ?start ?end WHERE {{ VALUES_ST
  ?st <{TIME.hasTime}> ?t . ?t pk:timeValue ?value
  OPTIONAL {{ ?t pk:precision ?precision }} OPTIONAL {{ ?t pk:timeText ?text }}
  OPTIONAL {{ ?t pk:startDate ?start }} OPTIONAL {{ ?t pk:endDate ?end }} }}"""
_STORE_OBSERVATIONS = f"""SELECT ?park ?code ?start ?period ?value ?unit ?growth ?clause
  WHERE {{ VALUES_PARK ?obs <{SDMX_DIMENSION.refArea}> ?park ; pk:indicator ?code .
  OPTIONAL {{ ?obs <{SDMX_ATTRIBUTE.unitMeasure}> ?unit }}
  OPTIONAL {{ ?obs <{SDMX_DIMENSION.refPeriod}> ?t . ?t pk:timeValue ?period
             OPTIONAL {{ ?t pk:startDate ?start }} }}
  OPTIONAL {{ ?obs <{SDMX_MEASURE.obsValue}> ?value }}
  OPTIONAL {{ ?obs pk:growthPercent ?growth }} OPTIONAL {{ ?obs pk:clause ?clause }} }}"""


def _store_time_parts(view: Any, parts: _Parts, statements: dict[str, tuple[Any, ...]]
                      ) -> None:
    """Read from a whole store what `_rdflib_time_parts` reads from a graph."""
    def text(term: Any) -> str | None:
        return None if term is None else term.value

    query = _STORE_ARTICLES.replace("VALUES_EV", "")
    for ev, title, date in _store_rows(view, query):
        if ev.value in parts.evidence:
            parts.articles[ev.value] = (text(title) or "", text(date) or "")
    for st, value, precision, words, start, end in _store_rows(
            view, _STORE_TIMES.replace("VALUES_ST", "")):
        ends = statements.get(st.value)
        if ends is not None:
            parts.add_time(*ends, _time_words(value.value, text(precision), text(words)),
                           text(start), text(end))
    _store_observations(view, parts, None)


def _store_observations(view: Any, parts: _Parts, parks: list[str] | None) -> None:
    """Read the figures (observations) of the parks `parks`, or of every park when None."""
    def text(term: Any) -> str | None:
        return None if term is None else term.value

    if parks is not None and not parks:
        return
    values = "" if parks is None else f"VALUES ?park {{ {_iris(parks)} }}"
    query = _STORE_OBSERVATIONS.replace("VALUES_PARK", values)
    for park, code, start, period, value, unit, growth, clause in _store_rows(view, query):
        if park.value in parts.types:
            parts.observations[park.value].add(
                (_code(code), text(start), text(period), text(value), _code(unit),
                 text(growth), text(clause)))


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
    nodes: Iterable[Node], evidence: dict[Node, tuple[int, str, str, str]],
    articles: dict[Any, tuple[str, str]] | None = None,
) -> list[dict[str, str]]:
    """Return evidence records {sentence, doc, rule} in document order, without duplicates;
    with `article` (its title) and `published` (its date) where the graph places the
    sentence in a dated or titled article."""
    articles = articles or {}
    found = sorted((*evidence[ev], ev) for ev in set(nodes))
    out = []
    for _, sentence, doc, rule, ev in found:
        item = {"sentence": sentence, "doc": doc, "rule": rule}
        title, published = articles.get(ev, ("", ""))
        if title:
            item["article"] = title
        if published:
            item["published"] = published
        out.append(item)
    return out


def _pick_label(labels: set[Node] | None, aliases: set[Node] | None, node: Node) -> str:
    """Choose one display name: a Chinese rdfs:label first, then any label, alias or IRI tail."""
    if labels:
        zh = [str(v) for v in labels if (getattr(v, "language", None) or "").startswith("zh")]
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

    An ambiguous NAME prefers parks (see `pick_focus`). Raises KgError naming the candidates
    when NAME is ambiguous among other entities, and what to try when nothing matches.
    """
    return pick_focus(g, name)[0]


def pick_focus(g: nx.MultiDiGraph, name: str, *, degree: Callable[[str], int] | None = None
               ) -> tuple[list[str], str]:
    """The entities NAME designates and, when it was ambiguous, a note saying what was picked.

    Every entity whose name or alias equals NAME (ignoring case, width and spaces) matches
    exactly; failing that, entities whose name or alias contains it match in part. Parks come
    first, since a view is most often asked of a park: the exact parks, else the parks that
    match in part (the best-connected one when several do). Without a park: the exact
    matches, else the one partial match. Raises KgError otherwise. `degree` counts a node's
    relations (default: its degree in `g`).
    """
    if name in g:
        return [name], ""
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
    exact.sort()
    count = degree or g.degree
    partial.sort(key=lambda n: (-count(n), n))

    def park(n: str) -> bool:
        return g.nodes[n].get("type") == "Park"

    def shown(nodes: list[str]) -> str:
        text = "、".join(f"{g.nodes[n].get('label')} ({g.nodes[n].get('type')})"
                        for n in nodes[:8])
        return text + (f" and {len(nodes) - 8} more" if len(nodes) > 8 else "")

    picked = [n for n in exact if park(n)] or [n for n in partial if park(n)][:1]
    if picked:
        others = [n for n in exact + partial if n not in picked]
        note = f"{name} → {shown(picked)}; also matches {shown(others)}" if others else ""
        return picked, note
    if exact:
        return exact, ""
    if len(partial) == 1:
        return partial, ""
    if partial:
        raise KgError(
            f"{name!r} is part of {len(partial)} names: {shown(sorted(partial))}; "
            "give the full name"
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
    entities: Iterable[str] | None = None,
) -> nx.MultiDiGraph:
    """Cut a view out of `g`: an ego network, some classes, the well-connected entities.

    - focus, hops: the entities within `hops` relations (either direction) of the entities that
      `find_nodes(focus)` returns; hops are counted in the whole graph.
    - entities: IRIs to start from (the entities a stored query returned), each with its
      `hops` neighbourhood when hops > 0; IRIs not in `g` are ignored.
    - types: keep only entities of these classes ("Park", "enterprise", …).
    - min_degree: keep only entities with at least that many relations in the view itself
      (repeated until stable, as a k-core: no entity is left with fewer, focus excepted).

    The focus entities always stay. The result is a copy; `result.graph["focus"]` lists the
    focus entities, `result.graph["view"]` says in words what was selected and
    `result.graph["picked"]` what an ambiguous focus chose (else "").
    """
    import networkx as nx  # heavy: networkx loads only for graph views and analysis

    if hops < 0 or min_degree < 0:
        raise KgError("--hops and --min-degree must be 0 or more")
    centres, picked = pick_focus(g, focus) if focus is not None else ([], "")
    keep = set(g)
    words = []
    starts = list(centres)
    if entities is not None:
        chosen = sorted({e for e in entities if e in g})
        starts += chosen
        words.append(f"{len(chosen)} entities")
    if starts or entities is not None:
        undirected = g.to_undirected(as_view=True)
        keep = set()
        for start in starts:
            keep |= set(nx.single_source_shortest_path_length(undirected, start, cutoff=hops))
        if centres:
            words.insert(0, f"focus {focus} ({hops} hop{'s' if hops != 1 else ''})")
    if types is not None:
        classes = _class_names(types)
        if classes:
            keep = {n for n in keep if g.nodes[n].get("type") in classes}
            words.append("types " + ",".join(c for c in CLASSES if c in classes))
    if min_degree:  # counted in the view itself, until every entity left has that many
        while True:
            cut = g.subgraph(keep)
            kept = {n for n in keep if cut.degree(n) >= min_degree or n in centres}
            if len(kept) == len(keep):
                break
            keep = kept
        words.append(f"min degree {min_degree}")
    keep.update(centres)
    view = g.subgraph(keep).copy()
    view.graph["focus"] = centres
    view.graph["view"] = ", ".join(words)
    view.graph["picked"] = picked
    return view


# ---------------------------------------------------------------------------- networkx → HTML




























# ---------------------------------------------------------------------------- exports
















# ---------------------------------------------------------------------------- layout




