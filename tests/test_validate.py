"""kg validate: the seeds' graph conforms to ontology/shapes.ttl; broken graphs are reported."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Graph, Literal
from rdflib import namespace as ns
from rdflib.namespace import PROV

from kg.cli import cli
from kg.rdf.shapes import Validation, ValidationError, format_violations, union, validate
from kg.vocab import ID, PK

pytest.importorskip("pyshacl")


def _compact(node: object) -> str:
    return "id:" + str(node)[len(str(ID)):]


def _sorted(graph: Graph, cls: object) -> list:
    return sorted(graph.subjects(RDF.type, cls), key=str)


def test_validate_cli_seeds_store_conforms(seeds_build):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["validate", "--store", str(seeds_build.store_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"{seeds_build.store_path}: conforms (")
    assert result.stderr.rstrip().endswith("triples)")


def test_validate_store_literals_typed_as_string_are_plain() -> None:
    # a store hands back "approx"^^xsd:string; RDF 1.1 says it is the plain literal "approx"
    g = Graph()
    g.add((ID["project/p"], PK.amountQualifier, Literal("approx", datatype=ns.XSD.string)))
    assert set(union(g).objects()) == {Literal("approx")}


@pytest.fixture(scope="module")
def broken(seeds_ttl_graph):  # type: ignore[no-untyped-def]
    """The seeds' graph broken on purpose, one break of each kind; what to expect of each."""
    g = Graph()
    for triple in seeds_ttl_graph:
        g.add(triple)
    parks = [p for p in _sorted(g, PK.Park) if g.value(p, RDFS.label) is not None]
    firms = [e for e in _sorted(g, PK.Enterprise) if g.value(e, RDFS.label) is not None]
    evidence = _sorted(g, PK.Evidence)[0]
    assert len(parks) >= 2 and len(firms) >= 3
    park, firm_a, firm_b, unnamed = parks[0], firms[0], firms[1], firms[2]
    # an extracted hosts fact between other nodes, to take its evidence away
    statement = next(st for st in _sorted(g, RDF.Statement)
                     if g.value(st, RDF.predicate) == PK.hosts
                     and not {g.value(st, RDF.subject), g.value(st, RDF.object)}
                     & {park, firm_a, firm_b, unnamed})
    head, tail = g.value(statement, RDF.subject), g.value(statement, RDF.object)
    expected = []

    def stated(s, p, o, n):  # type: ignore[no-untyped-def]
        """Add a fact with its rdf:Statement and evidence, so that only its ends are wrong."""
        g.add((s, p, o))
        st = ID[f"statement/broken-{n}"]
        for triple in ((st, RDF.type, RDF.Statement), (st, RDF.subject, s),
                       (st, RDF.predicate, p), (st, RDF.object, o),
                       (st, PROV.wasDerivedFrom, evidence)):
            g.add(triple)

    # 1. missing label
    g.remove((unnamed, RDFS.label, None))
    expected.append((_compact(unnamed), "rdfs:label", "", "exactly one rdfs:label"))
    # 2. wrong relation ends: a park built an enterprise (object); an enterprise hosts
    # another (subject: only parks host)
    stated(park, PK.built, firm_a, 1)
    expected.append((_compact(park), "pk:built", str(g.value(firm_a, RDFS.label)),
                     "pk:built must point at a pk:Platform"))
    stated(firm_b, PK.hosts, firm_a, 2)
    expected.append((_compact(firm_b), "", "", "only a pk:Park hosts"))
    # 3. a negative amount and an amount that is not an xsd:decimal
    for n, (amount, shown) in enumerate([(Literal("-5", datatype=ns.XSD.decimal),
                                          '"-5"^^xsd:decimal'),
                                         (Literal("31亿元"), '"31亿元"')]):
        project = ID[f"project/broken-{n}"]
        g.add((project, RDF.type, PK.Project))
        g.add((project, RDFS.label, Literal(f"坏项目{n}", lang="zh")))
        stated(project, PK.investmentAmount, amount, 3 + n)
        expected.append((_compact(project), "pk:investmentAmount", shown,
                         "non-negative xsd:decimal"))
    # 4. facts without evidence: a statement that lost its evidence, a fact never stated
    g.remove((statement, PROV.wasDerivedFrom, None))
    expected.append((_compact(statement), "prov:wasDerivedFrom", "",
                     "every reified fact has prov:wasDerivedFrom"))
    expected.append((_compact(head), "pk:hosts", str(g.value(tail, RDFS.label)),
                     "fact without evidence"))
    g.add((park, PK.partOf, parks[-1]))
    expected.append((_compact(park), "pk:partOf", str(g.value(parks[-1], RDFS.label)),
                     "fact without evidence"))
    return g, expected


@pytest.fixture(scope="module")
def broken_report(broken) -> Validation:  # type: ignore[no-untyped-def]
    return validate(broken[0])


def test_validate_reports_each_kind_of_violation_and_nothing_else(broken, broken_report):  # type: ignore[no-untyped-def]
    _, expected = broken
    found = [(v.focus, v.path, v.value, v.message) for v in broken_report.violations]
    for focus, path, value, words in expected:
        hits = [f for f in found if f[0] == focus and f[1] == path and f[2] == value
                and words in f[3]]
        assert len(hits) == 1, (focus, path, value, words, found)
    assert len(found) == len(expected), found
    assert not broken_report.conforms
    assert broken_report.count("Violation") == len(expected)


def test_validate_format_names_node_label_class_path_and_message(broken, broken_report):  # type: ignore[no-untyped-def]
    g, _ = broken
    text = format_violations(broken_report)
    park = next(v for v in broken_report.violations if v.path == "pk:built")
    label = g.value(ID[park.focus[3:]], RDFS.label)
    firm = park.value
    assert f"{park.focus}  {label} (Park)\n" in text
    assert f"  pk:built → {firm}: pk:built must point at a pk:Platform\n" in text
    assert "  (the node itself): only a pk:Park hosts" in text
    assert '  pk:investmentAmount → "-5"^^xsd:decimal: pk:investmentAmount is at most one ' \
           "non-negative xsd:decimal number of yuan\n" in text
    # the statement that lost its evidence is named by its fact, in words
    statement = next(v for v in broken_report.violations if v.path == "prov:wasDerivedFrom")
    assert statement.focus_label.startswith("statement: ")
    assert " pk:hosts " in statement.focus_label


SMALL = """
@prefix pk: <https://w3id.org/parks-kg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@base <https://w3id.org/parks-kg/id/> .
<park/a> a pk:Park ; rdfs:label "西安高新区"@zh ; pk:built <enterprise/b> .
<enterprise/b> a pk:Enterprise ; rdfs:label "比亚迪"@zh .
<statement/s> a rdf:Statement ; rdf:subject <park/a> ; rdf:predicate pk:built ;
    rdf:object <enterprise/b> ; prov:wasDerivedFrom <evidence/D/0> .
<evidence/D/0> a pk:Evidence ; pk:inDocument <doc/D> ; pk:sentence "西安高新区建设比亚迪"@zh ;
    pk:startOffset 0 ; pk:endOffset 10 ; pk:rule "built.park_builds" .
<doc/D> a pk:Document ; pk:fileName "D.txt" ;
    pk:sha256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" .
"""


def test_validate_cli_file_prints_violations_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(SMALL, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ("id:park/a  西安高新区 (Park)\n"
                             "  pk:built → 比亚迪: pk:built must point at a pk:Platform\n")
    assert result.stderr == f"{path}: 1 violation(s) on 1 node(s) (19 triples)\n"


def test_validate_cli_errors_are_one_line(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["validate", "--store", str(tmp_path / "none")])
    assert missing.exit_code == 1
    assert missing.stderr == (f"Error: {tmp_path / 'none'}: no graph store or RDF file here; "
                              "run `kg build` first or pass --store\n")
    both = CliRunner().invoke(cli, ["validate", "a.ttl", "--store", "out/store"])
    assert both.exit_code == 2
    assert "give either FILE or --store, not both" in both.stderr
    garbage = tmp_path / "garbage.ttl"
    garbage.write_text("this is not turtle", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["validate", str(garbage)])
    assert bad.exit_code == 1
    assert bad.stderr.startswith(f"Error: {garbage}: cannot read as turtle (")
    assert len(bad.stderr.splitlines()) == 1


def test_validate_without_pyshacl_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyshacl", None)  # import pyshacl now raises ImportError
    with pytest.raises(ValidationError, match="kg validate needs pyshacl: pip install pyshacl"):
        validate(Graph())


def test_validate_broken_shapes_are_an_error_not_a_pass(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix pk: <https://w3id.org/parks-kg/ontology#> .
<#S> a sh:NodeShape ; sh:targetClass pk:Park ;
    sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } $this a ?t }" ] .
""", encoding="utf-8")
    with pytest.raises(ValidationError, match="cannot run the SHACL shapes"):
        validate(Graph().parse(data=SMALL, format="turtle"), shapes=shapes)
