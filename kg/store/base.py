"""What every store backend shares: the Store protocol, one write (`Changes`), rows, and the
reads the build makes (stored documents, labels, quad counts)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kg.errors import StoreError
from kg.rdf.graphs import BUILD_GRAPH, GRAPH_PREFIX, STATS_NS

_PREFIXES = f"""PREFIX pk: <https://w3id.org/parks-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX kgs: <{STATS_NS}>
"""


def _ox() -> Any:
    import pyoxigraph  # heavy: pyoxigraph loads only when a store or term needs it

    return pyoxigraph


@dataclass
class Changes:
    """One write: graphs to drop, graphs to (re)place (N-Quads or N-Triples text: the key names
    the graph), and the build fingerprint."""

    remove: set[str] = field(default_factory=set)
    add: Mapping[str, bytes] = field(default_factory=dict)  # a dict, or a kg.store.spool.Spool
    fingerprint: str | None = None
    reset: bool = False  # start from an empty store (kg build --rebuild)
    # graphs computed from the new document graphs where they are (an embedded store hands
    # its pyoxigraph database): the derived graphs' N-Quads by graph IRI, replacing the old
    derive: Callable[[Any], Mapping[str, bytes]] | None = None

    def __bool__(self) -> bool:
        return bool(self.remove or self.add or self.reset)


Rows = tuple[list[str], list[list[Any]]]


class Store(Protocol):
    """What every backend offers; rows hold pyoxigraph terms (None where unbound)."""

    location: str

    def select(self, sparql: str) -> Rows | bool:
        """Run a SELECT (rows) or ASK (bool) query on the merged graph."""
        ...

    def write(self, changes: Changes, *, before_commit: Callable[[Any], None] | None = None
              ) -> None:
        """Apply `changes` and recompute the stats graph; `before_commit(view)` sees the result
        (its `quads()`) before it replaces the old graph, and can still cancel it by raising."""
        ...

    def quads(self, *, merged: bool) -> Iterator[Any]:
        """Stream the merged graph's triples (merged) or the document and stats quads."""
        ...

    def fingerprint(self) -> str | None:
        """The fingerprint the stored graph was built with, if any."""
        ...

    def close(self) -> None:
        """Release files, locks and connections."""
        ...


def stored_documents(store: Store) -> dict[str, str]:
    """doc_id → sha256 of every document in the store."""
    _, rows = _rows(store.select(_PREFIXES + """SELECT ?id ?sha WHERE {
        ?d a pk:Document ; dcterms:identifier ?id ; pk:sha256 ?sha }"""))
    return {r[0].value: r[1].value for r in rows}


def stored_labels(store: Store) -> dict[str, set[str]]:
    """Entity IRI → the rdfs:label values stored for it (one, unless a build was cut short)."""
    _, rows = _rows(store.select(_PREFIXES + "SELECT ?e ?l WHERE { ?e rdfs:label ?l }"))
    out: dict[str, set[str]] = {}
    for e, label in rows:
        out.setdefault(e.value, set()).add(label.value)
    return out


def count_quads(store: Store) -> int:
    """Number of quads in the document and stats graphs."""
    return sum(1 for _ in store.quads(merged=False))


def count_graph_quads(store: Any) -> int:
    """Quads in the document and derived graphs (the total `kg build` reports), counted by the
    store's engine in one query: streaming every quad into Python took seconds on a no-op build.

    `store` is a Store or the view a write hands to `before_commit` (anything with `select`).
    """
    _, rows = _rows(store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"))
    return sum(int(n.value) for g, n in rows
               if g is not None and g.value.startswith(GRAPH_PREFIX))


def _rows(result: Rows | bool) -> Rows:
    if isinstance(result, bool):
        raise StoreError("expected rows from a SELECT query, got a boolean")
    return result


def _fingerprint_quad(value: str) -> Any:
    ox = _ox()
    return ox.Quad(ox.NamedNode(BUILD_GRAPH), ox.NamedNode(STATS_NS + "fingerprint"),
                   ox.Literal(value), ox.NamedNode(BUILD_GRAPH))


def _parse_nquads(data: bytes) -> list[Any]:
    ox = _ox()
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))

