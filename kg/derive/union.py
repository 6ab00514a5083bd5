"""The union of a dataset's document graphs, read one triple pattern at a time.

The derived graphs (kg.derive.regions, kg.derive.links) need a few predicates of the whole graph
and, for a
few parks, the sentences behind their facts. Both readers here answer `pairs(s, p, o)` with
(subject, object) values as plain strings, so those rules are written once and run on an
rdflib Dataset (`kg link`, tests) or on a pyoxigraph store (the build) without copying the
graph into rdflib. A triple held by several graphs comes once per graph: callers collect sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from rdflib import URIRef

from kg.rdf.graphs import DERIVED_PREFIX, GRAPH_PREFIX

__all__ = ["DERIVED_PREFIX", "GRAPH_PREFIX", "DatasetUnion", "StoreUnion", "Union"]


class Union(Protocol):
    """Triples of several graphs, matched by pattern; unbound positions are None."""

    def pairs(self, s: str | None, p: str, o: str | None) -> Iterator[tuple[str, str]]:
        """(subject, object) of every triple matching (s, p, o); IRIs given as strings."""
        ...


class DatasetUnion:
    """Every graph of an rdflib Dataset (its default graph too) but those named in `skip`."""

    def __init__(self, ds: Any, skip: Iterable[Any] = ()) -> None:

        self.ds = ds
        self.skip = {URIRef(str(g)) for g in skip}

    def pairs(self, s: str | None, p: str, o: str | None) -> Iterator[tuple[str, str]]:

        pattern = (None if s is None else URIRef(s), URIRef(p), None if o is None else URIRef(o),
                   None)
        for s_, _, o_, g in self.ds.quads(pattern):
            if getattr(g, "identifier", g) not in self.skip:
                yield str(s_), str(o_)


class StoreUnion:
    """The document graphs of a pyoxigraph Store: named graphs id:graph/… but the derived ones.

    The default graph (their merge, with the stats), the stats, build and derived graphs are
    not read, so the answer does not depend on derived graphs left from an earlier build.
    """

    def __init__(self, db: Any) -> None:
        import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

        self.db = db
        self._named = ox.NamedNode

    def pairs(self, s: str | None, p: str, o: str | None) -> Iterator[tuple[str, str]]:
        node = self._named
        for q in self.db.quads_for_pattern(None if s is None else node(s), node(p),
                                           None if o is None else node(o), None):
            g = q.graph_name.value if isinstance(q.graph_name, node) else ""
            if g.startswith(GRAPH_PREFIX) and not g.startswith(DERIVED_PREFIX):
                yield q.subject.value, q.object.value
