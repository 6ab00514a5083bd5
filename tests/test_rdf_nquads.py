"""The one RDF mapping (kg.rdf.mapping.to_nquads): each quad once, in pyoxigraph's canonical
form, graphs of a few documents equal to a whole build's, and any string carried intact into
both the stores (pyoxigraph) and rdflib (to_graph)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDFS, Literal
from rdflib.namespace import DCTERMS

from kg.extract.records import DocRecord, Entity, Evidence, Relation
from kg.rdf.mapping import (
    doc_iri,
    entity_iri,
    entity_iri_text,
    graph_iri,
    iri_part,
    label_table,
    nquads_body,
    nquads_labels,
    to_graph,
    to_nquads,
)
from kg.vocab import PK

ROOT = Path(__file__).resolve().parents[1]


def _canonical(nquads: bytes) -> list[str]:
    """Sorted lines of pyoxigraph's serialisation: what the store receives."""
    quads = ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
    return sorted(ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS).decode().splitlines())


@pytest.fixture(scope="module")
def corpus_records(nlp) -> list[DocRecord]:  # type: ignore[no-untyped-def]
    from kg.build.pipeline import read_documents
    from kg.extract.extractor import extract

    docs = list(read_documents([ROOT / "seeds", ROOT / "tests" / "gold" / "extra"], pytest.fail))
    return list(extract(docs, nlp))


def test_rdf_nquads_each_quad_once_in_canonical_form(corpus_records) -> None:  # type: ignore[no-untyped-def]
    direct = to_nquads(corpus_records).encode("utf-8")
    lines = direct.decode().splitlines()
    assert len(lines) == len(set(lines)), "each quad once"
    assert _canonical(direct) == sorted(lines), "already in pyoxigraph's canonical form"
    assert len(list(to_graph(corpus_records).quads((None, None, None, None)))) == len(lines)


def test_rdf_nquads_body_plus_labels_with_corpus_labels(corpus_records) -> None:  # type: ignore[no-untyped-def]
    table = label_table(corpus_records)
    some = corpus_records[::3]  # a few documents under labels chosen across all of them
    direct = "".join(nquads_body(r) + nquads_labels(r, table) for r in some)
    graphs = {f"<{graph_iri(r.doc_id)}>" for r in some}
    whole = [line for line in to_nquads(corpus_records).splitlines()
             if line.rsplit(" ", 2)[-2] in graphs]
    assert sorted(direct.splitlines()) == sorted(whole)


NASTY = st.text(alphabet=st.sampled_from(
    list("高新区公司项目 \"'\\<>{}[]|^`%#?&\n\r\t\b\f\x00\x01\x1f\x7f\u2028\ufeffé😀abc01")),
    max_size=12)


@st.composite
def records(draw) -> DocRecord:  # type: ignore[no-untyped-def]
    text = draw(NASTY) * 3
    names = draw(st.lists(NASTY.filter(bool), min_size=1, max_size=4))
    ents = [Entity(n, draw(st.sampled_from(["Park", "Enterprise", "Platform", "Project"])),
                   draw(st.lists(NASTY, max_size=2)),
                   draw(st.lists(st.tuples(st.integers(0, 5), st.integers(5, 9)), max_size=2)))
            for n in names]
    ev = Evidence(draw(NASTY), 0, 3, draw(NASTY))
    rels = [Relation(draw(st.sampled_from(names)), draw(st.sampled_from(
        ["hosts", "built", "investor", "partOf", "other"])), draw(st.sampled_from(names)),
        evidence=[ev, ev]),
        Relation(names[0], "invests", amount_cny=draw(st.integers(0, 10**14)),
                 amount_text=draw(NASTY), qualifier=draw(NASTY) or None, evidence=[ev])]
    return DocRecord(draw(NASTY.filter(bool)), ents, rels, title=draw(NASTY),
                     path=draw(NASTY), sha256=draw(NASTY), text=text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records(), min_size=1, max_size=3, unique_by=lambda r: r.doc_id))
def test_rdf_nquads_carry_awkward_strings_intact(recs: list[DocRecord]) -> None:
    direct = to_nquads(recs)
    lines = direct.split("\n")[:-1]  # (not splitlines: a literal may hold U+2028)
    quads = list(ox.parse(direct.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(lines) == len(set(lines))
    graph = to_graph(recs)
    labels = label_table(recs)
    for rec in recs:
        g = graph.graph(graph_iri(rec.doc_id))
        assert (doc_iri(rec.doc_id), DCTERMS.identifier, Literal(rec.doc_id)) in g
        for e in rec.entities:
            label = Literal(labels[entity_iri_text(e.name, e.type)], lang="zh")
            assert (entity_iri(e.name, e.type), RDFS.label, label) in g
        for r in rec.relations:
            for ev in r.evidence if r.relation in ("hosts", "built", "invests") else ():
                assert any(o == Literal(ev.sentence, lang="zh")
                           for o in g.objects(None, PK.sentence))


def test_rdf_iri_part_escapes_only_what_an_iri_cannot_hold() -> None:
    assert iri_part("004_50c721a1e63a8171") == "004_50c721a1e63a8171"
    assert iri_part("高新区-报道") == "高新区-报道"
    assert iri_part('a b<x>"%') == "a%20b%3Cx%3E%22%25"
    assert str(doc_iri("a b")).endswith("/doc/a%20b")
    ox.NamedNode(str(doc_iri("\udcff{}|^`\\\x00")))  # valid: pyoxigraph takes it
