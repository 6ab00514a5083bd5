"""Register zones in the graph (issue 19 item 2, kg.derive.zones): every zone of the register a
pk:Zone with its attributes, the seeds' parks that are register zones linked to them, sub-parks
to the zone they lie in, namesakes told apart by the other zones of their document, and SHACL
that refuses a zone with a wrong level or type."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, XSD, Literal, URIRef

from kg.corpus import Document
from kg.derive.links import ZONES_GRAPH, add_links
from kg.extract.extractor import extract_one
from kg.lang.zones import zones
from kg.rdf.mapping import entity_iri, region_iri, to_graph, zone_iri
from kg.rdf.shapes import validate
from kg.vocab import PK


def _zone_of(g, park_name: str) -> str | None:
    for z in g.objects(entity_iri(park_name, "Park"), PK.registerZone):
        return str(next(g.objects(z, RDFS.label)))
    return None


@pytest.fixture(scope="module")
def seeds_ds(nlp, seed_texts):
    recs = [extract_one(Document(d, f"{d}.txt", t, "0" * 64, "utf-8", ""), nlp)
            for d, t in sorted(seed_texts.items())]
    ds = to_graph(recs)
    add_links(ds, user_table=Path("/nonexistent/links.csv"))
    return ds


def test_zone_graph_holds_every_register_zone_with_its_attributes(seeds_ds) -> None:
    g = seeds_ds.graph(ZONES_GRAPH)
    register = zones()
    assert len(set(g.subjects(RDF.type, PK.Zone))) == len(register)
    jinqiao = zone_iri("310000", "上海金桥经济技术开发区")  # a row with every attribute
    assert (jinqiao, PK.zoneLevel, Literal("national")) in g
    assert (jinqiao, PK.zoneType, Literal("经济技术开发区")) in g
    assert (jinqiao, PK.zoneProvince, region_iri("310000")) in g
    assert (jinqiao, PK.provinceName, Literal("上海市", lang="zh")) in g
    assert (jinqiao, PK.approvalDate, Literal("2001-09", datatype=XSD.gYearMonth)) in g
    assert set(g.objects(jinqiao, PK.leadingIndustry)) == {
        Literal("新能源汽车", lang="zh"), Literal("机器人", lang="zh")}
    assert float(next(g.objects(jinqiao, PK.approvedArea))) == 2738
    assert any(str(u).startswith("http") for u in g.objects(jinqiao, URIRef(
        "http://purl.org/dc/terms/source")))
    # one IRI per zone: the names are unique, so are the IRIs
    assert len({zone_iri(z.province, z.name) for z in register}) == len(register)


def test_zone_graph_links_the_seeds_parks_to_their_zones(seeds_ds) -> None:
    g = seeds_ds.graph(ZONES_GRAPH)
    assert _zone_of(g, "杭州高新区") == "杭州高新技术产业开发区"
    assert _zone_of(g, "杭州高新区(滨江)") == "杭州高新技术产业开发区"  # its bracket is a place
    assert _zone_of(g, "福建省厦门火炬高新区") == "厦门火炬高技术产业开发区"
    assert _zone_of(g, "南昌未来科学城") is None  # a science city: no register zone
    # a sub-park keeps its node and lies in the zone of the park it is part of
    nanchang = zone_iri("360000", "南昌高新技术产业开发区")
    assert (entity_iri("泰豪软件园", "Park"), PK.partOfZone, nanchang) in g
    assert _zone_of(g, "泰豪软件园") is None


def test_zone_graph_namesake_resolves_by_its_documents_other_zones(nlp) -> None:
    # 南川工业园区: a zone of 青海 (西宁) and one of 重庆; beside 西宁's zone it is 青海's
    text = "西宁经济技术开发区管委会表示，南川工业园区今年新引进项目12个。"
    rec = extract_one(Document("t", "t.txt", text, "0" * 64, "utf-8", ""), nlp)
    names = {e.name for e in rec.entities if e.type == "Park"}
    assert {"西宁经济技术开发区", "南川工业园区"} <= names
    ds = to_graph([rec])
    add_links(ds, user_table=Path("/nonexistent/links.csv"))
    g = ds.graph(ZONES_GRAPH)
    assert _zone_of(g, "南川工业园区") == "青海南川工业园区"


def test_zone_graph_conforms_and_a_wrong_zone_does_not(seeds_ds) -> None:
    report = validate(seeds_ds)
    assert report.conforms, report.violations[:3]
    g = seeds_ds.graph(ZONES_GRAPH)
    z = zone_iri("330000", "杭州高新技术产业开发区")
    before = set(g.triples((z, None, None)))
    g.remove((z, PK.zoneLevel, None))
    g.add((z, PK.zoneLevel, Literal("city")))
    g.add((z, PK.approvalDate, Literal("1991-03", datatype=XSD.gYearMonth)))
    g.add((z, PK.approvalDate, Literal("1992-03", datatype=XSD.gYearMonth)))
    try:
        report = validate(seeds_ds)
        bad = {(v.path, v.message) for v in report.violations}
        assert ("pk:zoneLevel", "pk:zoneLevel is one of national, provincial") in bad
        assert ("pk:approvalDate", "pk:approvalDate is at most one xsd:gYearMonth") in bad
    finally:
        g.remove((z, None, None))
        for triple in before:
            g.add(triple)
