"""Issue 16 in RDF: articles and their dates, fact times (OWL-Time) and park observations
(W3C Data Cube), mapped from records built from the seeds' sentences, checked by the shapes."""

from __future__ import annotations

import dataclasses

import pytest
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from time_records import records, torch_record, xian_record

from kg.extract.records import DocRecord, Observation, TimeValue
from kg.rdf.mapping import doc_iri, entity_iri, to_graph, to_nquads
from kg.rdf.shapes import union, validate
from kg.rdf.times import span
from kg.vocab import ID, INDICATOR, PK, QB, SDMX_DIMENSION, SDMX_MEASURE, TIME, UNIT


def _plain(rec: DocRecord) -> DocRecord:
    """The record without the issue-16 fields."""
    relations = [dataclasses.replace(r, time=None) for r in rec.relations]
    return dataclasses.replace(rec, relations=relations, articles=[], observations=[], times=[])


@pytest.mark.parametrize("value", ["2024-06-15", "2024-06", "2024-Q2", "2024-H1", "2023",
                                   "2021/2025", "2024-01/2024-06"])
def test_time_rdf_span_covers_the_value(value: str) -> None:
    s = span(value)
    assert s is not None and s.start <= s.end
    first = value.split("/")[0]
    assert s.start.isoformat().startswith(first[:4])


def test_time_rdf_span_days_of_each_precision() -> None:
    assert (span("2024-Q2").start.isoformat(), span("2024-Q2").end.isoformat()) == \
        ("2024-04-01", "2024-06-30")
    assert span("2024-H2").end.isoformat() == "2024-12-31"
    assert span("2024-02").end.isoformat() == "2024-02-29"  # a leap year
    assert span("2021/2025").start.isoformat() == "2021-01-01"
    assert span("2021/2025").end.isoformat() == "2025-12-31"
    for bad in ("2024-13", "2024-Q5", "去年", "2025/2021", ""):
        assert span(bad) is None


def test_time_rdf_new_fields_only_add_quads() -> None:
    # what a record without dates and observations gives is kept whole, quad for quad
    for rec in records():
        plain = set(to_nquads([_plain(rec)]).splitlines())
        full = set(to_nquads([rec]).splitlines())
        assert plain < full


def test_time_rdf_article_is_dated_and_holds_its_evidence() -> None:
    g = union(to_graph([torch_record()]))
    article = ID[f"article/{torch_record().doc_id}/0"]
    assert (article, RDF.type, PK.Article) in g
    assert (article, DCTERMS.isPartOf, doc_iri(torch_record().doc_id)) in g
    assert g.value(article, DCTERMS.date) == Literal("2022-11-30", datatype=XSD.date)
    assert str(g.value(article, PK.precision)) == "day"
    assert str(g.value(article, PK.timeText)) == "2022年11月30日"
    evidence = set(g.subjects(RDF.type, PK.Evidence))
    assert evidence and all(g.value(ev, PK.inArticle) == article for ev in evidence)


def test_time_rdf_fact_time_on_the_reified_statement() -> None:
    g = union(to_graph([torch_record()]))
    park = entity_iri("黄石大冶湖高新区", "Park")
    statements = [st for st in g.subjects(RDF.subject, park) if g.value(st, TIME.hasTime)]
    assert len(statements) == 1
    t = g.value(statements[0], TIME.hasTime)
    assert (t, RDF.type, TIME.Instant) in g
    assert g.value(t, TIME.inXSDgYear) == Literal("2021", datatype=XSD.gYear)
    assert (str(g.value(t, PK.startDate)), str(g.value(t, PK.endDate))) == \
        ("2021-01-01", "2021-12-31")
    assert str(g.value(t, PK.timeText)) == "2021年"
    # a range is an interval between two instants
    ranged = [g.value(st, TIME.hasTime) for st in g.subjects(RDF.subject,
              entity_iri("阜新高新区", "Park")) if g.value(st, TIME.hasTime)]
    assert len(ranged) == 1 and (ranged[0], RDF.type, TIME.ProperInterval) in g
    begin, end = g.value(ranged[0], TIME.hasBeginning), g.value(ranged[0], TIME.hasEnd)
    assert g.value(begin, TIME.inXSDgYear) == Literal("2021", datatype=XSD.gYear)
    assert g.value(end, TIME.inXSDgYear) == Literal("2022", datatype=XSD.gYear)


def test_time_rdf_instants_are_placed_with_owl_time_terms() -> None:
    rec = xian_record()
    rec.observations[0].period = TimeValue("2023-06-15", "day", "6月15日")
    rec.observations[1].period = TimeValue("2023-06", "month", "6月")
    g = union(to_graph([rec]))
    places = {p for t in g.subjects(RDF.type, TIME.Instant) for p in g.predicates(t, None)
              if str(p).startswith(str(TIME)) and p != RDF.type}
    assert places == {TIME.inXSDDate, TIME.inXSDgYearMonth}
    day = next(g.subjects(TIME.inXSDDate, None))
    assert g.value(day, TIME.inXSDDate) == Literal("2023-06-15", datatype=XSD.date)
    # every time:, qb: and sdmx term the mapping writes is one of those vocabularies
    from rdflib.namespace import QB as RDFLIB_QB
    from rdflib.namespace import TIME as RDFLIB_TIME

    for triple in union(to_graph(records())):
        for term in triple:
            if str(term).startswith(str(RDFLIB_TIME)):
                assert term in RDFLIB_TIME, term
            if str(term).startswith(str(RDFLIB_QB)):
                assert term in RDFLIB_QB, term


def test_time_rdf_observation_is_a_data_cube_observation() -> None:
    g = union(to_graph([xian_record()]))
    park = entity_iri("西安高新区", "Park")
    observations = sorted(g.subjects(SDMX_DIMENSION.refArea, park))
    assert len(observations) == 2  # 「从2020年的2410亿元增至2023年的3333亿元」: two figures
    by_year = {}
    for obs in observations:
        assert (obs, RDF.type, QB.Observation) in g
        assert g.value(obs, QB.dataSet) == URIRef("https://w3id.org/parks-kg/code/park-indicators")
        assert g.value(obs, PK.indicator) == INDICATOR.gdp
        assert g.value(obs, URIRef("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure")
                       ) == UNIT.CNY
        period = g.value(obs, SDMX_DIMENSION.refPeriod)
        by_year[str(g.value(period, PK.timeValue))] = g.value(obs, SDMX_MEASURE.obsValue)
        ev = g.value(obs, PROV.wasDerivedFrom)
        assert (ev, RDF.type, PK.Evidence) in g
        assert "3333亿元" in str(g.value(ev, PK.sentence))
        assert str(g.value(ev, PK.rule)) == "observation.from_to"
    assert by_year == {"2020": Literal("241000000000", datatype=XSD.decimal),
                       "2023": Literal("333300000000", datatype=XSD.decimal)}


def test_time_rdf_observation_of_an_alias_and_growth() -> None:
    g = union(to_graph([torch_record()]))
    changchun = entity_iri("长春净月高新区", "Park")  # the record names it 净月高新区
    assert len(list(g.subjects(SDMX_DIMENSION.refArea, changchun))) == 1
    fuxin = [o for o in g.subjects(SDMX_DIMENSION.refArea, entity_iri("阜新高新区", "Park"))
             if g.value(o, PK.indicator) == INDICATOR.gdp]
    assert g.value(fuxin[0], PK.growthPercent) == Literal("48.69", datatype=XSD.decimal)
    assert str(g.value(fuxin[0], PK.valueText)) == "75.92亿元"


def test_time_rdf_graph_conforms_to_the_shapes() -> None:
    report = validate(to_graph(records()))
    assert report.conforms, [v.message for v in report.violations]


def test_time_rdf_shapes_catch_a_bad_observation_and_time() -> None:
    rec = xian_record()
    ev = rec.observations[0].evidence
    rec.observations += [Observation("西安高新区", "happiness", None, "parsec",
                                     TimeValue("2023", "decade", "2023年"), None, "x", "", ev)]
    report = validate(to_graph([rec]))
    messages = {v.message for v in report.violations}
    assert not report.conforms
    assert "pk:indicator is a concept of the code list code:indicator (ontology/parks.ttl)" \
        in messages
    assert any("code:unit" in m for m in messages)
    assert any("sdmx-measure:obsValue or a pk:growthPercent" in m for m in messages)
    assert any("pk:precision is one of" in m for m in messages)


def test_time_rdf_observation_of_an_unknown_park_is_left_out() -> None:
    rec = xian_record()
    rec.observations = [dataclasses.replace(o, park="西安市") for o in rec.observations]
    assert "observation/" not in to_nquads([rec])


def test_time_rdf_shapes_list_the_ontologys_code_lists() -> None:
    # the shapes name the concepts of code:indicator and code:unit (so that any SHACL engine
    # checks them without the ontology graph): the same sets as ontology/parks.ttl declares
    from rdflib import Graph
    from rdflib.collection import Collection
    from rdflib.namespace import SH, SKOS

    from kg.rdf.ontology import ontology_file

    parks = Graph().parse(ontology_file("parks.ttl"))
    shapes = Graph().parse(ontology_file("shapes.ttl"))
    unit_measure = URIRef("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure")
    for path, scheme in ((PK.indicator, "indicator"), (unit_measure, "unit")):
        declared = set(parks.subjects(SKOS.inScheme,
                                      URIRef(f"https://w3id.org/parks-kg/code/{scheme}")))
        listed = [set(Collection(shapes, shapes.value(prop, SH["in"])))
                  for prop in shapes.subjects(SH.path, path) if shapes.value(prop, SH["in"])]
        assert listed == [declared], scheme
        assert len(declared) == {"indicator": 21, "unit": 4}[scheme]


def test_time_rdf_any_shacl_engine_needs_no_ontology_for_the_codes() -> None:
    import pyshacl
    from rdflib import Graph

    from kg.rdf.ontology import ontology_file

    shapes = Graph().parse(ontology_file("shapes.ttl"))
    ok, _, text = pyshacl.validate(union(to_graph(records())), shacl_graph=shapes,
                                   inference="none")
    assert ok, text
