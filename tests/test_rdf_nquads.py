"""The N-Quads writer gives, byte for byte, the quads of the rdflib path
(kg.rdf.mapping.to_graph)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract.records import DocRecord, Entity, Evidence, Relation
from kg.rdf.mapping import (
    doc_iri,
    entity_labels,
    iri_part,
    label_table,
    nquads_body,
    nquads_labels,
    to_graph,
    to_nquads,
)

ROOT = Path(__file__).resolve().parents[1]


def _canonical(nquads: bytes) -> list[str]:
    """Sorted lines of pyoxigraph's serialisation: what the store receives."""
    quads = ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
    return sorted(ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS).decode().splitlines())


def _rdflib_lines(records: list[DocRecord], labels=None) -> list[str]:  # type: ignore[no-untyped-def]
    data = to_graph(records, labels=labels).serialize(format="nquads").encode("utf-8")
    return _canonical(data)


@pytest.fixture(scope="module")
def corpus_records(nlp) -> list[DocRecord]:  # type: ignore[no-untyped-def]
    from kg.build.pipeline import read_documents
    from kg.extract.extractor import extract

    docs = list(read_documents([ROOT / "seeds", ROOT / "tests" / "gold" / "extra"], pytest.fail))
    return list(extract(docs, nlp))


def test_rdf_nquads_equal_rdflib_path_byte_for_byte_on_seeds_and_gold(corpus_records) -> None:  # type: ignore[no-untyped-def]
    direct = to_nquads(corpus_records).encode("utf-8")
    lines = direct.decode().splitlines()
    assert len(lines) == len(set(lines)), "each quad once"
    assert sorted(lines) == _rdflib_lines(corpus_records)
    assert _canonical(direct) == sorted(lines), "already in pyoxigraph's canonical form"


def test_rdf_nquads_body_plus_labels_with_corpus_labels(corpus_records) -> None:  # type: ignore[no-untyped-def]
    labels = entity_labels(corpus_records)
    table = label_table(corpus_records)
    some = corpus_records[::3]  # a few documents under labels chosen across all of them
    direct = "".join(nquads_body(r) + nquads_labels(r, table) for r in some)
    assert sorted(direct.splitlines()) == _rdflib_lines(some, labels)


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
def test_rdf_nquads_equal_rdflib_path_for_awkward_strings(recs: list[DocRecord]) -> None:
    direct = to_nquads(recs)
    assert sorted(direct.splitlines()) == _rdflib_lines(recs)


def test_rdf_iri_part_escapes_only_what_an_iri_cannot_hold() -> None:
    assert iri_part("004_50c721a1e63a8171") == "004_50c721a1e63a8171"
    assert iri_part("高新区-报道") == "高新区-报道"
    assert iri_part('a b<x>"%') == "a%20b%3Cx%3E%22%25"
    assert str(doc_iri("a b")).endswith("/doc/a%20b")
    ox.NamedNode(str(doc_iri("\udcff{}|^`\\\x00")))  # valid: pyoxigraph takes it
