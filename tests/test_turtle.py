"""kg.store.turtle: kg.ttl streamed from a store equals the rdflib whole-graph Turtle of the
builds."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.store import STATS_GRAPH, STATS_NS, open_store
from kg.store.turtle import merged_triples, write_turtle
from kg.vocab import PREFIXES


@pytest.fixture(params=["seeds", "extra"])
def built(request):  # type: ignore[no-untyped-def]
    """A real build (kg.build.pipeline.build) of the seeds and of the extra check texts."""
    return request.getfixturevalue(f"{request.param}_build")


def _whole_graph(store) -> Graph:  # type: ignore[no-untyped-def]
    """What the old kg.ttl writer held: every named graph but the stats graph, merged in rdflib."""
    triples = [q.triple for q in store.quads(merged=False) if q.graph_name.value != STATS_GRAPH]
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return g


def _by_value(g: Graph) -> set[tuple[object, ...]]:
    """The triples with each xsd:decimal literal as its value: rdflib's Turtle writer turns
    "5360000000"^^xsd:decimal into 5360000000.0, the same number under another lexical form."""
    return {(s, p, Decimal(str(o)) if isinstance(o, Literal) and o.datatype == XSD.decimal
             else o) for s, p, o in g}


def test_turtle_is_isomorphic_to_the_whole_graph(built, tmp_path: Path) -> None:
    store = open_store(built.store_path)
    path = tmp_path / "kg.ttl"
    n = write_turtle(store, path)
    ours = Graph().parse(path, format="turtle")
    old = _whole_graph(store)
    assert n == len(ours) == len(old) > 1000
    assert isomorphic(ours, old)
    # the build's kg.ttl, written by rdflib: the same triples, decimals aside
    today = Graph().parse(built.ttl, format="turtle")
    assert _by_value(ours) == _by_value(today)
    assert any(o.datatype == XSD.decimal for o in ours.objects() if isinstance(o, Literal))
    text = path.read_text(encoding="utf-8")
    for prefix in ("pk", "id", "rdfs", "skos", "prov", "dcterms"):
        assert f"@prefix {prefix}: <{PREFIXES[prefix]}> ." in text
    assert STATS_NS not in text


def test_turtle_same_bytes_from_a_store_a_pyoxigraph_store_and_a_file(seeds_build) -> None:
    store = open_store(seeds_build.store_path)
    a, b = io.BytesIO(), io.BytesIO()
    write_turtle(store, a)
    write_turtle(ox.Store.read_only(str(seeds_build.store_path)), b)
    assert a.getvalue() == b.getvalue()
    assert a.getvalue().count(b"\n") < sum(1 for _ in merged_triples(store))  # subjects grouped


def test_turtle_keeps_a_triple_of_the_documents_and_drops_the_stats() -> None:
    db = ox.Store()
    s, p = ox.NamedNode("https://w3id.org/parks-kg/id/park/x"), ox.NamedNode(STATS_NS + "n")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for g in (ox.NamedNode(STATS_GRAPH), ox.DefaultGraph()):
        db.add(ox.Quad(s, p, ox.Literal("1"), g))
    for g in (ox.NamedNode("https://w3id.org/parks-kg/id/graph/d"), ox.DefaultGraph()):
        db.add(ox.Quad(s, label, ox.Literal("西安高新区", language="zh"), g))
    out = io.BytesIO()
    assert write_turtle(db, out) == 1
    got = Graph().parse(data=out.getvalue(), format="turtle")
    assert set(got) == {(URIRef(s.value), URIRef(label.value), Literal("西安高新区", lang="zh"))}
