"""Records → RDF: stable IRIs and Turtle, declared vocabulary, one node per thing, provenance."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.build.pipeline import union_graph
from kg.extract.records import DocRecord, Entity, Evidence, Relation
from kg.rdf.mapping import entity_iri, to_graph

PK = Namespace("https://w3id.org/parks-kg/ontology#")
ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology" / "parks.ttl"
STANDARD = (str(RDF), str(RDFS), str(OWL), str(SKOS), str(PROV), str(DCTERMS),
            "https://schema.org/", "http://www.w3.org/ns/org#",
            # OWL-Time, Data Cube and SDMX-RDF: dates, fact times and park observations
            "http://www.w3.org/2006/time#", "http://purl.org/linked-data/cube#",
            "http://purl.org/linked-data/sdmx/2009/")


@pytest.fixture(scope="module")
def seed_records(nlp, seeds_dir):
    from kg.corpus import read_document
    from kg.extract.extractor import extract

    docs = [read_document(p) for p in sorted(seeds_dir.glob("*.txt"))]
    return list(extract(docs, nlp))


@pytest.fixture(scope="module")
def seed_graph(seed_records) -> Graph:
    return union_graph(to_graph(seed_records))


def test_rdf_every_emitted_term_is_declared(seed_graph):
    onto = Graph().parse(ONTOLOGY)
    declared = {s for s in onto.subjects() if str(s).startswith(str(PK))}
    used_preds = set(seed_graph.predicates())
    used_classes = set(seed_graph.objects(None, RDF.type))
    for term in used_preds | used_classes:
        if str(term).startswith(str(PK)):
            assert term in declared, f"{term} is not declared in ontology/parks.ttl"
        else:
            assert str(term).startswith(STANDARD), f"{term} is neither pk: nor standard"


def test_rdf_same_input_same_turtle(seed_records):
    a = union_graph(to_graph(seed_records)).serialize(format="turtle")
    b = union_graph(to_graph(list(reversed(seed_records)))).serialize(format="turtle")
    assert a == b


def test_rdf_every_relation_has_evidence(seed_graph):
    relations = [PK.hosts, PK.built, PK.investor, PK.partOf, PK.investmentAmount]
    n = 0
    for pred in relations:
        for s, o in seed_graph.subject_objects(pred):
            n += 1
            stmts = [st for st in seed_graph.subjects(RDF.subject, s)
                     if (st, RDF.predicate, pred) in seed_graph
                     and (st, RDF.object, o) in seed_graph]
            assert stmts, (s, pred, o)
            evs = [ev for st in stmts for ev in seed_graph.objects(st, PROV.wasDerivedFrom)]
            assert evs
            for ev in evs:
                assert (ev, RDF.type, PK.Evidence) in seed_graph
                for p in (PK.sentence, PK.startOffset, PK.endOffset, PK.rule, PK.inDocument):
                    assert seed_graph.value(ev, p) is not None, (ev, p)
    assert n > 0


def test_rdf_document_nodes(seed_graph, seeds_dir):
    import hashlib

    for path in sorted(seeds_dir.glob("*.txt")):
        doc = next(seed_graph.subjects(DCTERMS.identifier, Literal(path.stem)))
        assert (doc, RDF.type, PK.Document) in seed_graph
        assert str(seed_graph.value(doc, PK.fileName)) == path.name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert str(seed_graph.value(doc, PK.sha256)) == digest
        assert seed_graph.value(doc, DCTERMS.title) is not None


def _rec(doc_id: str, park: str, firm: str) -> DocRecord:
    ev = Evidence(f"{firm}落户{park}。", 0, 10, "hosts.settle_in")
    return DocRecord(doc_id, [Entity(park, "Park"), Entity(firm, "Enterprise")],
                     [Relation(park, "hosts", firm, evidence=[ev])], path=f"{doc_id}.txt")


def test_rdf_park_forms_meet_in_one_node():
    recs = [_rec("a", "西安高新区", "甲公司"), _rec("b", "西安高新技术产业开发区", "乙公司"),
            _rec("c", "西安国家高新区", "丙公司"), _rec("d", "陕西西安高新区", "丁公司")]
    g = union_graph(to_graph(recs))
    parks = set(g.subjects(RDF.type, PK.Park))
    assert len(parks) == 1
    (park,) = parks
    assert len(set(g.objects(park, PK.hosts))) == 4
    assert g.value(park, RDFS.label) == Literal("西安高新技术产业开发区", lang="zh")
    assert Literal("西安高新区", lang="zh") in set(g.objects(park, SKOS.altLabel))
    assert entity_iri("西安高新区", "Park") == park


def test_rdf_one_named_graph_per_document():
    ds = to_graph([_rec("a", "西安高新区", "甲公司"), _rec("b", "常州高新区", "乙公司")])
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert {"https://w3id.org/parks-kg/id/graph/a", "https://w3id.org/parks-kg/id/graph/b"} <= names


def test_rdf_investment_is_a_decimal_in_yuan():
    rec = DocRecord("x", [Entity("西南氢能装备研发制造基地项目", "Project")],
                    [Relation("西南氢能装备研发制造基地项目", "invests", amount_cny=3_100_000_000,
                              amount_text="31亿元", evidence=[Evidence("s", 0, 1, "invests.a")])])
    g = union_graph(to_graph([rec]))
    (amount,) = g.objects(None, PK.investmentAmount)
    assert str(amount.datatype).endswith("#decimal") and int(amount.toPython()) == 3_100_000_000

