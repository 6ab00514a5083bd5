"""rdflib in memory as a store (`--store memory`): small jobs and tests; nothing goes to disk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from rdflib import Dataset, Literal, URIRef, Variable

from kg.errors import QueryError
from kg.rdf.graphs import BUILD_GRAPH, STATS_GRAPH, STATS_NS
from kg.rdf.terms import to_ox, to_rdflib
from kg.store.base import Changes, Rows, _ox, count_quads
from kg.store.stats import _stats_updates, rank_triples


class MemoryStore:
    """rdflib in memory, for small jobs and tests: nothing is kept after the process ends.

    A write is all-or-nothing: it changes a copy of the dataset and keeps it only on success.
    """

    location = "memory"

    def __init__(self) -> None:

        self.ds = Dataset()

    def __len__(self) -> int:
        return count_quads(self)

    # rdflib binds parameters itself (initBindings): kg.queries passes them instead of text
    binds_parameters = True

    def select(self, sparql: str, *, bindings: dict[str, Any] | None = None) -> Rows | bool:
        """Run a query on the merged graph, `bindings` (variable name → pyoxigraph term) bound
        by rdflib as initial bindings."""
        return _rdflib_select(self.ds, sparql, bindings)

    def fingerprint(self) -> str | None:

        g = self.ds.graph(URIRef(BUILD_GRAPH))
        for o in g.objects(URIRef(BUILD_GRAPH), URIRef(STATS_NS + "fingerprint")):
            return str(o)
        return None

    def quads(self, *, merged: bool) -> Iterator[Any]:
        ox = _ox()
        if merged:
            for s, p, o in _default(self.ds).triples((None, None, None)):
                yield ox.Triple(to_ox(s), to_ox(p), to_ox(o))
            return
        names = sorted(str(c.identifier) for c in _graphs_of(self.ds)
                       if str(c.identifier) not in (BUILD_GRAPH,)
                       and c.identifier != _default(self.ds).identifier)

        for name in names:
            g = ox.NamedNode(name)
            for s, p, o in self.ds.graph(URIRef(name)).triples((None, None, None)):
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)

    def write(self, changes: Changes, *, before_commit: Callable[[Any], None] | None = None
              ) -> None:

        ds = Dataset()
        if not changes.reset:
            for q in self.ds.quads((None, None, None, None)):
                ds.add(q)
        for g in sorted(changes.remove | set(changes.add)) + [STATS_GRAPH]:
            ds.update(f"""DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }}
                FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER (?h != <{g}>) }} }}""")
            ds.remove_graph(URIRef(g))
        for g, data in sorted(changes.add.items()):
            part = Dataset()
            part.parse(data=data, format="nquads")
            for s, p, o, _ in part.quads((None, None, None, None)):
                ds.graph(URIRef(g)).add((s, p, o))
                _default(ds).add((s, p, o))
        for update in _stats_updates(None):
            ds.update(update)
        for t in ds.graph(URIRef(STATS_GRAPH)).triples((None, None, None)):
            _default(ds).add(t)
        for t in rank_triples(lambda q: _rdflib_select(ds, q)):
            triple = (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
            ds.graph(URIRef(STATS_GRAPH)).add(triple)
            _default(ds).add(triple)
        if changes.fingerprint is not None:

            bg = ds.graph(URIRef(BUILD_GRAPH))
            bg.remove((None, None, None))
            bg.add((URIRef(BUILD_GRAPH), URIRef(STATS_NS + "fingerprint"),
                    Literal(changes.fingerprint)))
        old, self.ds = self.ds, ds
        if before_commit is not None:
            try:
                before_commit(self)
            except BaseException:
                self.ds = old
                raise

    def close(self) -> None:
        pass


def _rdflib_select(ds: Any, sparql: str, bindings: dict[str, Any] | None = None
                   ) -> Rows | bool:
    # heavy: pyparsing comes with rdflib's SPARQL engine, only for in-memory queries
    from pyparsing import ParseException

    init = {Variable(k): to_rdflib(v) for k, v in (bindings or {}).items()}
    try:
        result = ds.query(sparql, initBindings=init) if init else ds.query(sparql)
    except ParseException as exc:
        raise QueryError(f"syntax error at line {exc.lineno}, column {exc.col}: "
                         f"{exc.msg}") from None
    except Exception as exc:  # rdflib raises many kinds for bad queries
        raise QueryError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from None
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type != "SELECT":
        raise QueryError("only SELECT and ASK queries can be shown as rows")
    names = [str(v) for v in result.vars or []]
    return names, [[to_ox(t) for t in row] for row in result]


def _default(ds: Any) -> Any:
    """A Dataset's default graph (rdflib ≥ 7.1 calls it default_graph)."""
    return ds.default_graph if hasattr(type(ds), "default_graph") else ds.default_context


def _graphs_of(ds: Any) -> Iterator[Any]:
    """A Dataset's graphs (rdflib ≥ 7.1 calls them graphs())."""
    return ds.graphs() if hasattr(ds, "graphs") else ds.contexts()

