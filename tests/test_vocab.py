"""kg.vocab.PK and ontology/parks.ttl declare the same terms; the ontology and shapes are sound."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest
from helpers import ONTOLOGY, ROOT
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as rns
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH

PARKS_TTL = ONTOLOGY / "parks.ttl"
SHAPES_TTL = ONTOLOGY / "shapes.ttl"
VOCAB_PY = ROOT / "kg" / "vocab.py"

DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def _load_vocab() -> ModuleType:
    """kg.vocab, or the same file loaded by path when the kg package cannot be imported."""
    try:
        import kg.vocab

        return kg.vocab
    except ImportError:
        spec = importlib.util.spec_from_file_location("_kg_vocab_under_test", VOCAB_PY)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


vocab = _load_vocab()
PK = vocab.PK
PK_NS = str(PK._NS)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(PARKS_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


def _declared(graph: Graph, *types: URIRef) -> set[URIRef]:
    return {
        s
        for t in types
        for s in graph.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(PK_NS)
    }


def test_vocab_ontology_parses(ontology: Graph) -> None:
    assert len(ontology) > 0
    header = URIRef("https://w3id.org/parks-kg/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(header, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert ontology.value(header, OWL.versionInfo) is not None


def test_vocab_terms_equal_ontology_declarations(ontology: Graph) -> None:
    declared = _declared(ontology, *DECLARATION_TYPES)
    in_dir = set(dir(PK))
    in_annotations = {PK._NS[name] for name in PK.__annotations__}
    assert in_dir == in_annotations
    assert sorted(declared - in_dir) == [], "declared in parks.ttl, missing from kg.vocab.PK"
    assert sorted(in_dir - declared) == [], "in kg.vocab.PK, not declared in parks.ttl"


def test_vocab_terms_have_zh_en_labels_and_comment(ontology: Graph) -> None:
    for term in sorted(_declared(ontology, *DECLARATION_TYPES)):
        labels = {
            label.language
            for label in ontology.objects(term, RDFS.label)
            if isinstance(label, Literal)
        }
        assert {"zh", "en"} <= labels, f"{term} needs rdfs:label @zh and @en"
        comments = [c for c in ontology.objects(term, RDFS.comment) if isinstance(c, Literal)]
        assert any(c.language == "en" and str(c).strip() for c in comments), (
            f"{term} needs an rdfs:comment @en"
        )


def test_vocab_properties_have_domain_and_range(ontology: Graph) -> None:
    properties = _declared(ontology, OWL.ObjectProperty, OWL.DatatypeProperty)
    assert properties
    for prop in sorted(properties):
        assert ontology.value(prop, RDFS.domain) is not None, f"{prop} has no rdfs:domain"
        assert ontology.value(prop, RDFS.range) is not None, f"{prop} has no rdfs:range"


def test_vocab_hosts_range_is_enterprise_or_project(ontology: Graph) -> None:
    rng = ontology.value(PK.hosts, RDFS.range)
    assert isinstance(rng, BNode)
    members = set(Collection(ontology, ontology.value(rng, OWL.unionOf)))
    assert members == {PK.Enterprise, PK.Project}
    assert (PK.partOf, RDF.type, OWL.TransitiveProperty) in ontology
    assert (PK.inDocument, RDFS.subPropertyOf, PROV.wasDerivedFrom) in ontology


def test_vocab_platform_kinds_are_platforms(ontology: Graph) -> None:
    kinds = set(ontology.subjects(RDFS.subClassOf, PK.Platform))
    assert kinds == {
        PK.Laboratory,
        PK.InnovationCenter,
        PK.Incubator,
        PK.ResearchInstitute,
        PK.Workstation,
        PK.PilotBase,
        PK.ResearchFacility,
    }


def test_vocab_standard_terms_exist(ontology: Graph) -> None:
    # Every IRI of a standard vocabulary used in parks.ttl must be a real term of it.
    closed = (rns.SDO, rns.ORG, PROV, rns.SKOS, DCTERMS, OWL, RDF, RDFS, rns.XSD)
    for term in sorted({t for triple in ontology for t in triple if isinstance(t, URIRef)}):
        for ns in closed:
            if str(term).startswith(str(ns)):
                assert term in ns, f"{term} is not a term of {ns}"


def test_vocab_shapes_target_declared_classes(ontology: Graph, shapes: Graph) -> None:
    classes = _declared(ontology, OWL.Class)
    targets = set(shapes.objects(None, SH.targetClass))
    assert targets, "shapes.ttl declares no sh:targetClass"
    assert sorted(targets - classes) == []
    for cls in (PK.Park, PK.Enterprise, PK.Platform, PK.Project, PK.Evidence, PK.Document):
        assert cls in targets, f"no shape targets {cls}"


def test_vocab_misspelt_term_raises() -> None:
    assert PK.Park == URIRef(PK_NS + "Park")
    with pytest.raises(AttributeError):
        PK.Parc  # noqa: B018


def test_vocab_prefixes() -> None:
    prefixes = vocab.PREFIXES
    assert set(prefixes) == {
        "pk", "id", "rdf", "rdfs", "owl", "xsd", "skos", "prov", "dcterms", "schema", "org",
    }  # fmt: skip
    assert str(prefixes["pk"]) == PK_NS
    assert str(prefixes["id"]) == "https://w3id.org/parks-kg/id/"
    assert str(prefixes["schema"]) == "https://schema.org/"
    assert str(prefixes["org"]) == "http://www.w3.org/ns/org#"
    assert str(vocab.ID) == "https://w3id.org/parks-kg/id/"
    assert str(vocab.SCHEMA) == "https://schema.org/"


EXAMPLE = """
@prefix pk: <https://w3id.org/parks-kg/ontology#> .
@base <https://w3id.org/parks-kg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<park/a> a pk:Park ; rdfs:label "西安高新区"@zh ; skos:altLabel "园区"@zh ;
    pk:hosts <enterprise/b> , <project/p> ; pk:built <platform/l> .
<enterprise/b> a pk:Enterprise ; rdfs:label "比亚迪"@zh .
<platform/l> a pk:Laboratory ; rdfs:label "赣锋锂电材料及应用实验室"@zh .
<project/p> a pk:Project ; rdfs:label "比亚迪新能源汽车项目"@zh ; pk:investor <enterprise/b> ;
    pk:investmentAmount "5360000000"^^xsd:decimal ; pk:amountText "约53.6亿元" ;
    pk:amountQualifier "approx" .
<mention/D/10-15> a pk:Mention ; pk:mentionOf <park/a> ; pk:inDocument <doc/D> ;
    pk:startOffset 10 ; pk:endOffset 15 ; pk:surfaceForm "西安高新区" .
<statement/s> a rdf:Statement ; rdf:subject <park/a> ; rdf:predicate pk:hosts ;
    rdf:object <enterprise/b> ; prov:wasDerivedFrom <evidence/D/0> .
<statement/t> a rdf:Statement ; rdf:subject <park/a> ; rdf:predicate pk:hosts ;
    rdf:object <project/p> ; prov:wasDerivedFrom <evidence/D/0> .
<statement/u> a rdf:Statement ; rdf:subject <park/a> ; rdf:predicate pk:built ;
    rdf:object <platform/l> ; prov:wasDerivedFrom <evidence/D/0> .
<statement/v> a rdf:Statement ; rdf:subject <project/p> ; rdf:predicate pk:investor ;
    rdf:object <enterprise/b> ; prov:wasDerivedFrom <evidence/D/0> .
<statement/w> a rdf:Statement ; rdf:subject <project/p> ; rdf:predicate pk:investmentAmount ;
    rdf:object "5360000000"^^xsd:decimal ; prov:wasDerivedFrom <evidence/D/0> .
<evidence/D/0> a pk:Evidence ; pk:inDocument <doc/D> ; pk:sentence "比亚迪落户西安高新区"@zh ;
    pk:startOffset 0 ; pk:endOffset 10 ; pk:rule "hosts.settle_in" .
<doc/D> a pk:Document ; dcterms:identifier "D" ; pk:fileName "D.txt" ;
    pk:sha256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" .
"""

BROKEN = {
    "hosts a platform": "<park/a> pk:hosts <platform/l> .",
    "second label": '<enterprise/b> rdfs:label "BYD"@en .',
    "plain-string label": '<platform/x> a pk:Platform ; rdfs:label "无语言标签" .',
    "negative amount": '<project/q> a pk:Project ; rdfs:label "q"@zh ; pk:investmentAmount -1.0 .',
    "two amounts": '<project/p> pk:investmentAmount "7100000000"^^xsd:decimal .',
    "unknown qualifier": '<project/p> pk:amountQualifier "about" .',
    "evidence without rule": "<evidence/D/1> a pk:Evidence ; pk:inDocument <doc/D> ;"
    ' pk:sentence "句子"@zh ; pk:startOffset 0 ; pk:endOffset 2 .',
    "start after end": "<mention/D/9-3> a pk:Mention ; pk:mentionOf <park/a> ;"
    ' pk:inDocument <doc/D> ; pk:startOffset 9 ; pk:endOffset 3 ; pk:surfaceForm "x" .',
    "short sha256": '<doc/E> a pk:Document ; pk:fileName "E.txt" ; pk:sha256 "abc" .',
    "fact without evidence": "<statement/x> a rdf:Statement ; rdf:subject <park/a> ;"
    " rdf:predicate pk:built ; rdf:object <platform/l> .",
    "fact never stated": '<park/a> pk:partOf <park/c> . <park/c> a pk:Park ; rdfs:label "c"@zh .',
}


def _validate(data: str, ontology: Graph, shapes: Graph) -> bool:
    pyshacl = pytest.importorskip("pyshacl")
    graph = Graph().parse(data=data, format="turtle")
    conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology)
    return bool(conforms)


def test_vocab_shapes_accept_the_rdf_model_example(ontology: Graph, shapes: Graph) -> None:
    assert _validate(EXAMPLE, ontology, shapes)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_vocab_shapes_reject_invalid_graphs(case: str, ontology: Graph, shapes: Graph) -> None:
    assert not _validate(EXAMPLE + BROKEN[case], ontology, shapes), case
