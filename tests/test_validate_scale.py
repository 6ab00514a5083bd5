"""kg validate at scale: the shapes checked in the store (kg.rdf.storeshapes) report exactly what
pyshacl over the whole graph reports (kg.rdf.shapes.validate), on the seeds and on graphs
broken on purpose, one break of every kind of constraint the shapes use."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, SKOS

from kg.cli import cli
from kg.rdf.shapes import format_violations, validate
from kg.rdf.storeshapes import as_minus, validate_graph, validate_store
from kg.store import export, open_store, write_store
from kg.vocab import ID, PK

pytest.importorskip("pyshacl")


def _first(g: Graph, cls: URIRef, skip: int = 0) -> URIRef:
    return sorted((s for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef)), key=str)[skip]


def _broken(seeds: Graph) -> Graph:
    """The seeds' graph with at least one violation of each constraint kind of the shapes."""
    g = Graph()
    for t in seeds:
        g.add(t)
    park, other = _first(g, PK.Park), _first(g, PK.Park, 1)
    firm, firm2 = _first(g, PK.Enterprise), _first(g, PK.Enterprise, 1)
    platform = _first(g, PK.Platform)
    project = _first(g, PK.Project)
    evidence, evidence2 = _first(g, PK.Evidence), _first(g, PK.Evidence, 1)
    mention, mention2 = _first(g, PK.Mention), _first(g, PK.Mention, 1)
    doc = _first(g, PK.Document)
    statement = _first(g, RDF.Statement)
    g.add((park, PK.hosts, platform))  # sh:or of classes; and no evidence (SPARQL)
    g.add((park, PK.built, firm))  # sh:class
    g.add((firm, PK.hosts, firm2))  # node-level sh:class (only a park hosts)
    g.add((firm, RDFS.label, Literal("第二个名字", lang="zh")))  # maxCount
    g.remove((firm2, RDFS.label, None))  # minCount
    g.add((firm2, SKOS.altLabel, Literal("plain alias")))  # datatype rdf:langString
    g.add((project, PK.investmentAmount, Literal(Decimal("-3"), datatype=XSD.decimal)))
    g.add((project, PK.investmentAmount, Literal("很多")))  # datatype, minInclusive
    g.add((project, PK.amountQualifier, Literal("about")))  # sh:in
    g.add((project, PK.amountText, Literal("三亿", lang="zh")))  # datatype xsd:string
    g.add((evidence, PK.rule, Literal("not a rule id")))  # pattern, maxCount
    g.add((evidence, PK.confidence, Literal(Decimal("1.5"), datatype=XSD.decimal)))  # max
    g.set((evidence2, PK.startOffset, Literal(900, datatype=XSD.integer)))  # lessThan
    g.remove((mention, PK.surfaceForm, None))  # minCount
    g.add((mention2, PK.surfaceForm, Literal("")))  # minLength
    g.add((mention2, PK.mentionOf, Literal("a name, not a node")))  # nodeKind, maxCount
    g.add((mention2, PK.inDocument, park))  # class pk:Document
    g.set((doc, PK.sha256, Literal("ABC")))  # pattern
    g.remove((statement, PROV.wasDerivedFrom, None))  # minCount on a statement
    g.add((statement, RDF.subject, Literal("x")))  # nodeKind, maxCount
    region = ID["region/999999"]
    g.add((region, RDF.type, PK.Region))
    g.add((region, RDFS.label, Literal("某市", lang="zh")))
    g.add((region, PK.divisionCode, Literal("12")))  # pattern
    g.add((region, PK.regionLevel, Literal("city")))  # sh:in
    g.add((region, URIRef("https://schema.org/containedInPlace"), park))  # class
    g.add((other, PK.locatedIn, firm))  # class pk:Region, no evidence needed
    g.add((other, PK.wikidata, Literal("X12")))  # pattern
    return g


@pytest.fixture(scope="module")
def broken(seeds_ttl_graph) -> Graph:  # type: ignore[no-untyped-def]
    return _broken(seeds_ttl_graph)


def _store(tmp_path, graph: Graph):  # type: ignore[no-untyped-def]
    """A kg store holding `graph` as one document graph (stats computed by the write path)."""
    ds = Dataset()
    doc = ds.graph(URIRef(str(ID) + "doc/broken"))
    for t in graph:
        doc.add(t)
    write_store(ds.serialize(format="nquads").encode("utf-8"), tmp_path / "store")
    return open_store(tmp_path / "store")


def test_seeds_store_same_report_as_pyshacl(seeds_store, seeds_ttl_graph) -> None:  # type: ignore[no-untyped-def]
    fast = validate_store(seeds_store.database())
    slow = validate(seeds_ttl_graph)
    assert fast.conforms and slow.conforms
    assert format_violations(fast) == format_violations(slow) == ""


def test_broken_graph_same_violations_as_pyshacl(broken: Graph) -> None:
    slow = validate(broken)
    fast = validate_graph(broken)
    assert len(slow.violations) >= 30  # every break above was found…
    assert format_violations(fast) == format_violations(slow)  # …and the same way
    assert [v for v in fast.violations] == [v for v in slow.violations]
    assert fast.triples == slow.triples
    kinds = {v.component for v in slow.violations}
    assert {"Class", "Or", "MinCount", "MaxCount", "Datatype", "MinInclusive", "In",
            "Pattern", "NodeKind", "MinLength", "LessThan", "SPARQL"} <= kinds, kinds


def test_broken_store_same_report_as_pyshacl_of_its_copy(tmp_path, broken: Graph) -> None:  # type: ignore[no-untyped-def]
    store = _store(tmp_path, broken)
    try:
        buf = io.BytesIO()
        export(store, "nq", buf)
        copy = Dataset()
        copy.parse(data=buf.getvalue().decode("utf-8"), format="nquads")
        slow = validate(copy)  # what `kg validate` did: pyshacl over every quad
        steps: list[str] = []
        fast = validate_store(store.database(), progress=steps.append, batch=7)
    finally:
        store.close()
    assert format_violations(fast) == format_violations(slow)
    assert fast.summary("s") == slow.summary("s")
    assert any(s.startswith("validated ") for s in steps)  # the flagged nodes, 7 at a time


def test_cli_validate_store_reports_the_broken_store(tmp_path, broken: Graph) -> None:  # type: ignore[no-untyped-def]
    _store(tmp_path, broken).close()
    result = CliRunner().invoke(cli, ["validate", "--store", str(tmp_path / "store")])
    assert result.exit_code == 1
    assert "pk:built must point at a pk:Platform" in result.stdout
    assert result.stderr.startswith(f"{tmp_path / 'store'}: ")
    assert "violation(s) on" in result.stderr


def test_as_minus_rewrites_only_where_it_means_the_same() -> None:
    shipped = ("SELECT ?this WHERE { ?this ?p ?v . FILTER NOT EXISTS { ?s <a> ?this ; "
               "<b> ?v } }")
    assert as_minus(shipped) == "SELECT ?this WHERE { ?this ?p ?v . MINUS { ?s <a> ?this ; " \
                                "<b> ?v } }"
    # an OPTIONAL may leave a shared variable unbound; a filter inside reads outer values;
    # no shared variable: MINUS would remove nothing. Each is left as written.
    for kept in ("SELECT ?this WHERE { ?this ?p ?v OPTIONAL { ?this <c> ?w } "
                 "FILTER NOT EXISTS { ?s <a> ?w } }",
                 "SELECT ?this WHERE { ?this ?p ?v . FILTER NOT EXISTS { ?s <a> ?x "
                 "FILTER (?x > ?v) } }",
                 "SELECT ?this WHERE { ?this ?p ?v . FILTER NOT EXISTS { ?s <a> ?x } }"):
        assert as_minus(kept) == kept


def test_cli_reports_steps_of_long_work_on_stderr(tmp_path, broken: Graph, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import kg.cli

    _store(tmp_path, broken).close()
    store = str(tmp_path / "store")
    quiet = CliRunner().invoke(cli, ["validate", "--store", store])
    assert "kg: validate:" not in quiet.stderr  # a quick run says nothing more than before
    monkeypatch.setattr(kg.cli, "PROGRESS_AFTER", 0.0)  # every step counts as long work
    loud = CliRunner().invoke(cli, ["validate", "--store", store])
    steps = [ln for ln in loud.stderr.splitlines() if ln.startswith("kg: validate: ")]
    assert steps and steps[-1].startswith("kg: validate: checked ")
    assert loud.stdout == quiet.stdout and loud.exit_code == quiet.exit_code == 1
    park = sorted(s for s in broken.subjects(RDF.type, PK.Park))[0]
    view = CliRunner().invoke(cli, ["viz", "--store", store, "--focus", str(park),
                                    "-o", str(tmp_path / "v.html")])
    assert view.exit_code == 0, view.output
    assert "kg: viz: read " in view.stderr and "kg: viz: drew " in view.stderr


def test_shapes_beyond_the_translation_fall_back_to_pyshacl(tmp_path, broken: Graph) -> None:  # type: ignore[no-untyped-def]
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix pk: <https://w3id.org/parks-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<#Hosted> a sh:NodeShape ; sh:targetObjectsOf pk:hosts ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .
<#Named> a sh:NodeShape ; sh:targetClass pk:Park ;
    sh:property [ sh:path ( pk:hosts rdfs:label ) ; sh:maxCount 0 ] .
""", encoding="utf-8")
    steps: list[str] = []
    import pyoxigraph as ox

    from kg.rdf.terms import to_ox

    db = ox.Store()
    db.extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in broken])
    fast = validate_store(db, shapes=shapes, progress=steps.append)
    slow = validate(broken, shapes=shapes)
    assert any("full copy" in s for s in steps)
    assert slow.violations and format_violations(fast) == format_violations(slow)
