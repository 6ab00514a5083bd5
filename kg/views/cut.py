"""Views cut in the store: a focus, hops, classes and degree view asked of the store by SPARQL,
so that the whole graph is never loaded (a 1-hop view of a park of a 1M-triple store reads a
few thousand rows, not the million triples that `store_networkx` reads).

`store_view` finds the focus by its names (a park preferred when the name is ambiguous, as in
`kg.views.graph.pick_focus`), walks the relations hop by hop with VALUES queries, then reads
only the entities reached, their facts and evidence (`_store_parts` restricted to them). The
same cut serves the entities a stored query returned (`entities=`): kg.queries runs the query,
the caller passes the IRIs it found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kg.errors import KgError
from kg.views.analysis import CLASSES, RELATIONS
from kg.views.graph import (
    PLATFORM_KINDS,
    _class_names,
    _entity_graph,
    _iris,
    _norm,
    _store_parts,
    _store_rows,
    pick_focus,
)
from kg.vocab import PK

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["store_view"]

_RELATION_VALUES = " ".join(f"pk:{r}" for r in RELATIONS)
# Entities whose name or alias contains the (lower-cased) text; their names, aliases and class.
_CANDIDATES = """SELECT ?s ?name ?alias ?c WHERE {
  { SELECT DISTINCT ?s WHERE { ?s rdfs:label|skos:altLabel ?x
      FILTER (isIRI(?s) && CONTAINS(LCASE(STR(?x)), LCASE(STR(NEEDLE)))) } }
  ?s a ?c . OPTIONAL { ?s rdfs:label ?name } OPTIONAL { ?s skos:altLabel ?alias } }"""
# The same for the entities named exactly so (an index lookup, not a scan of every name).
_EXACT = """SELECT ?s ?name ?alias ?c WHERE {
  { SELECT DISTINCT ?s WHERE { VALUES ?x { NAMES } ?s rdfs:label|skos:altLabel ?x } }
  ?s a ?c . OPTIONAL { ?s rdfs:label ?name } OPTIONAL { ?s skos:altLabel ?alias } }"""
_DEGREE = """SELECT ?s (COUNT(*) AS ?n) WHERE { VALUES ?s { IRIS } VALUES ?p { RELS }
  { ?s ?p ?o } UNION { ?o ?p ?s } } GROUP BY ?s"""
_STEP = """SELECT ?s ?o WHERE { VALUES ?x { IRIS } VALUES ?p { RELS }
  { ?x ?p ?o BIND (?x AS ?s) FILTER (isIRI(?o)) } UNION { ?s ?p ?x BIND (?x AS ?o) } }"""


def _candidates(store: Any, name: str) -> nx.MultiDiGraph:
    """The entities whose name or alias contains `name`, as a graph of nodes only, each with
    its label, aliases, type and `degree` (its relations in the store)."""
    import networkx as nx  # heavy: networkx loads only for graph views and analysis
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    text = name.strip()
    needle = str(ox.Literal(text))
    exact = _EXACT.replace("NAMES", " ".join(
        str(t) for t in (ox.Literal(text), ox.Literal(text, language="zh"))))
    found: dict[str, dict[str, Any]] = {}
    local = len(str(PK))
    rows = list(_store_rows(store, exact))
    parks = {s.value for s, _, _, c in rows if c.value == str(PK.Park)}
    if not parks:  # an exact park wins at once; else look for names that contain it
        rows += list(_store_rows(store, _CANDIDATES.replace("NEEDLE", needle)))
    for s, label, alias, c in rows:
        item = found.setdefault(s.value, {"labels": set(), "aliases": set(), "type": None})
        if label is not None:
            item["labels"].add(label.value)
        if alias is not None:
            item["aliases"].add(alias.value)
        kind = c.value[local:] if c.value.startswith(str(PK)) else ""
        kind = "Platform" if kind in PLATFORM_KINDS else kind
        if kind in CLASSES and item["type"] is None:
            item["type"] = kind
    g = nx.MultiDiGraph()
    for iri, item in found.items():
        if item["type"] is None:
            continue
        g.add_node(iri, label=min(item["labels"] or item["aliases"] or {iri}),
                   aliases=sorted(item["aliases"]), type=item["type"], degree=0)
    if len(g):
        query = _DEGREE.replace("IRIS", _iris(g)).replace("RELS", _RELATION_VALUES)
        for s, n in _store_rows(store, query):
            g.nodes[s.value]["degree"] = int(n.value)
    return g


def store_view(
    store: Any,
    *,
    focus: str | None = None,
    hops: int = 1,
    types: Iterable[str] | None = None,
    min_degree: int = 0,
    entities: Iterable[str] | None = None,
) -> nx.MultiDiGraph:
    """The view `kg.views.select` would cut, asked of the store without loading the graph.

    - focus, hops: the entities within `hops` relations of the focus (its name, an alias or
      an IRI; an ambiguous name prefers a park and `graph["picked"]` says what was picked);
    - entities: IRIs to draw (e.g. the entities a stored query returned), with `hops` of
      their neighbours when hops > 0 is given along with them;
    - types, min_degree: as in `select`; the degree counts the relations of the view.

    `store` has kg.store's `select(sparql)` or is a pyoxigraph Store. The result has the
    attributes of `to_networkx` and `graph["focus"]`, `graph["view"]`, `graph["picked"]`.
    """
    if hops < 0 or min_degree < 0:
        raise KgError("--hops and --min-degree must be 0 or more")
    if focus is None and entities is None:
        raise KgError("a view cut in the store needs a focus or entities")
    words: list[str] = []
    picked = ""
    centres: list[str] = []
    if focus is not None:
        if not _norm(focus):
            raise KgError("--focus needs a name, an alias or an IRI")
        found = _candidates(store, focus)
        if focus.strip() in found or not len(found):
            centres = [focus.strip()] if _is_entity(store, focus.strip()) else []
            if not centres:
                raise KgError(f"no entity is named {focus!r}; "
                              "list names with `kg query entities-by-type`")
        else:
            centres, picked = pick_focus(found, focus,
                                         degree=lambda n: found.nodes[n]["degree"])
        words.append(f"focus {focus} ({hops} hop{'s' if hops != 1 else ''})")
    start = set(centres) | set(entities or ())
    if entities is not None:
        words.append(f"{len(set(entities))} entities")
    keep = set(start)
    frontier = set(start)
    for _ in range(hops):
        if not frontier:
            break
        query = _STEP.replace("IRIS", _iris(frontier)).replace("RELS", _RELATION_VALUES)
        reached = {t.value for row in _store_rows(store, query) for t in row}
        frontier = reached - keep
        keep |= reached
    g = _entity_graph(_store_parts(store, keep))
    if types is not None:
        classes = _class_names(types)
        if classes:
            g.remove_nodes_from([n for n, t in list(g.nodes(data="type"))
                                 if t not in classes and n not in centres])
            words.append("types " + ",".join(c for c in CLASSES if c in classes))
    if min_degree:
        while True:
            low = [n for n in g if g.degree(n) < min_degree and n not in centres]
            if not low:
                break
            g.remove_nodes_from(low)
        words.append(f"min degree {min_degree}")
    g.graph["focus"] = [c for c in centres if c in g]
    g.graph["view"] = ", ".join(words)
    g.graph["picked"] = picked
    return g


def _is_entity(store: Any, iri: str) -> bool:
    """Whether `iri` is a typed entity of the store."""
    if not iri.startswith(("http://", "https://", "urn:")):
        return False
    rows = _store_rows(store, "SELECT ?c WHERE { VALUES ?s { " + _iris([iri]) + " } ?s a ?c }")
    names = {str(PK[c]) for c in (*CLASSES, *PLATFORM_KINDS)}
    return any(c.value in names for (c,) in rows)
