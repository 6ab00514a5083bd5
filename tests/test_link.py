"""kg.derive.links: the verified table, type-aware matching, user decisions, the build hook, `kg
link`."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from kg.cli import cli
from kg.derive.links import (
    DERIVED_GRAPHS,
    LINKS_GRAPH,
    REGIONS_GRAPH,
    Decision,
    Node,
    accept,
    add_links,
    decide,
    match_offline,
    read_decisions,
    read_table,
    shipped_table,
)
from kg.errors import LinkError
from kg.rdf.mapping import region_iri
from kg.vocab import ID, PK, WD

# The verified facts of issue 5, each confirmed in a public Wikidata-derived source. The shipped
# table must hold exactly these: a QID added from memory fails here (a wrong QID is worse than
# none); add one only with its source, here and in kg/data/wikidata.csv together.
VERIFIED = {
    ("中华人民共和国", "Q148", "place"), ("江西省", "Q57052", "place"),
    ("福建省", "Q41705", "place"), ("河南省", "Q43684", "place"), ("广东省", "Q15175", "place"),
    ("陕西省", "Q47974", "place"), ("浙江省", "Q16967", "place"), ("湖南省", "Q45761", "place"),
    ("山东省", "Q43407", "place"), ("吉林省", "Q45208", "place"), ("江苏省", "Q16963", "place"),
    ("四川省", "Q19770", "place"), ("辽宁省", "Q43934", "place"), ("湖北省", "Q46862", "place"),
    ("内蒙古自治区", "Q41079", "place"), ("宁夏回族自治区", "Q57448", "place"),
    ("重庆市", "Q11725", "place"), ("上海市", "Q8686", "place"), ("南昌市", "Q171943", "place"),
    ("厦门市", "Q68744", "place"), ("焦作市", "Q404429", "place"), ("珠海市", "Q59095", "place"),
    ("西安市", "Q5826", "place"), ("杭州市", "Q4970", "place"), ("益阳市", "Q416669", "place"),
    ("济南市", "Q170247", "place"), ("长春市", "Q92161", "place"), ("包头市", "Q569907", "place"),
    ("常州市", "Q57970", "place"), ("新余市", "Q362959", "place"), ("内江市", "Q426756", "place"),
    ("佛山市", "Q34412", "place"), ("阜新市", "Q34750", "place"), ("通化市", "Q92324", "place"),
    ("安阳市", "Q324293", "place"), ("黄石市", "Q71204", "place"), ("成都市", "Q30002", "place"),
    ("江门市", "Q59132", "place"), ("随州市", "Q71401", "place"), ("沈阳市", "Q11720", "place"),
    ("抚顺市", "Q75026", "place"), ("银川市", "Q211243", "place"), ("北京市", "Q956", "place"),
    ("深圳市", "Q15174", "place"), ("武汉市", "Q11746", "place"), ("苏州市", "Q42622", "place"),
    ("吉林市", "Q92277", "place"), ("浦东新区", "Q125378", "place"),
    ("国家级经济技术开发区", "Q1073535", "park-class"), ("经济特区", "Q494978", "park-class"),
    ("国家级新区", "Q15911903", "park-class"),
    ("三星电子", "Q20718", "enterprise"), ("华为技术有限公司", "Q160120", "enterprise"),
    ("中国联通", "Q1068485", "enterprise"), ("徐工集团", "Q1353472", "enterprise"),
    ("招商银行", "Q1073327", "enterprise"),
    ("中国科学院", "Q530471", "organisation"), ("中南大学", "Q5061828", "organisation"),
    ("西湖大学", "Q28416699", "organisation"), ("中国工程院", "Q689633", "organisation"),
    ("中华人民共和国科学技术部", "Q839875", "organisation"),
    ("中华人民共和国工业和信息化部", "Q1002010", "organisation"),
    ("深圳证券交易所", "Q517750", "organisation"), ("上海证券交易所", "Q739514", "organisation"),
}


def test_link_shipped_table_is_exactly_the_verified_facts():
    table = shipped_table()
    assert {(e.label, e.qid, e.kind) for e in table} == VERIFIED
    assert len({e.qid for e in table}) == len(table)
    aliases = {a for e in table for a in e.aliases}
    assert aliases == {"中国", "华为", "徐工", "科技部", "工信部"}  # the issue's bracketed names


def test_link_shipped_table_avoids_the_known_pitfalls():
    names = {n for e in shipped_table() for n in e.names}
    assert "比亚迪" not in names  # two items (BYD Auto and the parent company)
    assert "中國聯通" not in names  # the Hong Kong operator, another item
    assert "重庆" not in names and "吉林" not in names  # city proper / province or city


def test_link_wheel_ships_the_data_files():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'packages = ["kg"]' in text  # everything under kg/, data files included
    for name in ("wikidata.csv", "divisions.csv", "linker.toml"):
        assert (ROOT / "kg" / "data" / name).is_file()


@pytest.mark.parametrize(("text", "message"), [
    ("label,aliases,qid,kind\n西安市,,5826,place\n", "t.csv:2: '5826' is not a Wikidata"),
    ("label,aliases,qid,kind\n西安市,,Q5826,city\n", "t.csv:2: kind 'city' is not one of"),
    ("label,aliases,qid,kind\n西安市,,Q5826,place\n西安市,,Q1,place\n",
     "t.csv:3: 西安市 is already Q5826"),
    ("label,qid\n西安市,Q5826\n", "t.csv: missing column(s) aliases, kind"),
    ("label,aliases,qid,kind\n,,Q1,place\n", "t.csv:2: empty label"),
])
def test_link_read_table_names_the_bad_row(text, message):
    with pytest.raises(LinkError) as info:
        read_table(text, "t.csv")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


# --- matching: by canonical name and alias, only onto the right type ---------------------------

MATCHES = [
    ("Region", "西安市", (), "Q5826"),
    ("Park", "西安市", (), None),  # a place QID never lands on a park
    ("Enterprise", "西安市", (), None),
    ("Region", "吉林市", (), "Q92277"),  # 吉林 is a province and a city: the full names decide
    ("Region", "吉林省", (), "Q45208"),
    ("Region", "重庆市", (), "Q11725"),  # the municipality, not the city proper
    ("Park", "重庆", (), None),
    ("Region", "浦东新区", (), "Q125378"),
    ("Enterprise", "中国联通", (), "Q1068485"),
    ("Enterprise", "中國聯通", (), None),  # the Hong Kong operator is another item
    ("Enterprise", "华为", (), "Q160120"),  # by the table's alias
    ("Enterprise", "华为技术有限公司", ("华为",), "Q160120"),
    ("Enterprise", "深圳某某科技有限公司", ("华为",), "Q160120"),  # by the node's alias
    ("Enterprise", "比亚迪", (), None),
    ("Enterprise", "中国科学院", (), "Q530471"),  # an organisation filed as an enterprise
    ("Platform", "中国科学院", (), "Q530471"),
    ("Park", "中国科学院", (), None),
    ("Project", "中国科学院", (), None),
    ("Park", "国家级新区", (), None),  # a class, never a node
    ("Region", "中华人民共和国", (), None),  # a country, not a division (no Region node)
    ("Enterprise", "招商银行（深圳）", (), None),
]


@pytest.mark.parametrize(("type_", "label", "aliases", "qid"), MATCHES,
                         ids=[f"{t}-{n}" for t, n, _, _ in MATCHES])
def test_link_match_offline_is_type_aware(type_, label, aliases, qid):
    got, why = match_offline(Node("x", type_, label, aliases), shipped_table())
    assert got == qid, why


def test_link_region_name_of_several_divisions_is_not_matched():
    table = read_table("label,aliases,qid,kind\n朝阳区,,Q1,place\n", "t.csv")
    assert match_offline(Node("x", "Region", "朝阳区"), table) == (
        None, "朝阳区 names several divisions")


def test_link_two_rows_for_one_node_give_no_link():
    table = read_table("label,aliases,qid,kind\n东宝,,Q1,enterprise\n"
                       "东宝集团,东宝,Q2,organisation\n", "t.csv")
    qid, why = match_offline(Node("x", "Enterprise", "东宝"), table)
    assert qid is None and "ambiguous" in why


def test_link_brackets_compare_in_canonical_form():
    table = read_table("label,aliases,qid,kind\n北京联东投资(集团)有限公司,,Q7,enterprise\n", "t")
    assert match_offline(Node("x", "Enterprise", "北京联东投资（集团）有限公司"), table)[0] == "Q7"


# --- user decisions come first -----------------------------------------------------------------


def _d(type_: str, name: str, qid: str, decision: str, node: str = "") -> Decision:
    return Decision(type_, name, qid, decision, node=node)


def test_link_decide_user_table_before_shipped_table():
    nodes = [Node("a", "Region", "西安市"), Node("b", "Region", "陕西省"),
             Node("c", "Park", "西安高新区"), Node("d", "Enterprise", "华为"),
             Node("e", "Enterprise", "中国联通"), Node("f", "Park", "长春高新区"),
             Node("g", "Region", "浦东新区")]
    decisions = [
        _d("Region", "西安市", "Q5826", "reject", node="a"),  # blocks the table's link
        _d("Park", "西安高新区", "Q900001", "accept"),  # a link the table cannot give
        _d("Park", "西安高新区", "Q5826", "accept"),  # a place QID on a park: ignored
        _d("Enterprise", "华为", "Q900002", "auto"),  # overrides the table
        _d("Park", "长春高新区", "Q900003", "accept"),
        _d("Park", "长春高新区", "Q900004", "accept"),  # two QIDs for one node: none
        _d("Region", "浦东新区", "Q900005", "accept"),  # regions match by IRI only
    ]
    got = decide(nodes, shipped_table(), decisions)
    assert got == {
        "b": ("Q47974", "table (label)"),
        "c": ("Q900001", "user (accept)"),
        "d": ("Q900002", "user (auto)"),
        "e": ("Q1068485", "table (label)"),
        "g": ("Q125378", "table (label)"),
    }


def test_link_read_decisions_validates_rows(tmp_path):
    path = tmp_path / "links.csv"
    assert read_decisions(path) == []  # no table yet: no decisions
    path.write_text("type,name,qid,decision\nPark,西安高新区,Q1,maybe\n", encoding="utf-8")
    with pytest.raises(LinkError, match=r"links.csv:2: decision 'maybe'"):
        read_decisions(path)
    path.write_text("type,name,qid,decision\nTown,西安,Q1,accept\n", encoding="utf-8")
    with pytest.raises(LinkError, match=r"links.csv:2: type 'Town'"):
        read_decisions(path)


# --- the build hook on a small graph and on the seeds ------------------------------------------


def _doc_graph() -> Dataset:
    ds = Dataset()
    g = ds.graph(ID["graph/doc"])
    for key, cls, label in [("park/x", PK.Park, "西安高新区"), ("park/j", PK.Park, "吉林高新区"),
                            ("enterprise/h", PK.Enterprise, "华为"),
                            ("enterprise/b", PK.Enterprise, "比亚迪")]:
        g.add((ID[key], RDF.type, cls))
        g.add((ID[key], RDFS.label, Literal(label, lang="zh")))
    return ds


def test_link_add_links_writes_regions_and_links_into_their_graphs(tmp_path):
    ds = _doc_graph()
    stats = add_links(ds, user_table=tmp_path / "none.csv")
    links, regions = ds.graph(LINKS_GRAPH), ds.graph(REGIONS_GRAPH)
    xian, shaanxi = region_iri("610100"), region_iri("610000")
    assert set(regions.objects(ID["park/x"], PK.locatedIn)) == {xian, shaanxi}
    assert set(regions.objects(ID["park/j"], PK.locatedIn)) == {
        region_iri("220200"), region_iri("220000")}  # 吉林市 in 吉林省
    assert (xian, SKOS.exactMatch, WD.Q5826) in links
    assert (xian, PK.wikidata, Literal("Q5826")) in links
    assert (region_iri("220200"), PK.wikidata, Literal("Q92277")) in links
    assert (region_iri("220000"), PK.wikidata, Literal("Q45208")) in links
    assert (ID["enterprise/h"], PK.wikidata, Literal("Q160120")) in links
    assert not list(links.objects(ID["enterprise/b"], PK.wikidata))
    assert not list(links.objects(ID["park/x"], PK.wikidata))
    assert stats.parks_placed == 2
    assert stats.nodes == {"Park": 2, "Enterprise": 2, "Region": 4}
    assert stats.linked == {"Region": 4, "Enterprise": 1}


def test_link_add_links_is_idempotent_and_deterministic(tmp_path):
    a, b = _doc_graph(), _doc_graph()
    add_links(a, user_table=tmp_path / "none.csv")
    first = {g: set(a.graph(g)) for g in (LINKS_GRAPH, REGIONS_GRAPH)}
    add_links(a, user_table=tmp_path / "none.csv")  # again on its own output
    add_links(b, user_table=tmp_path / "none.csv")
    for g in (LINKS_GRAPH, REGIONS_GRAPH):
        assert set(a.graph(g)) == first[g] == set(b.graph(g))


def test_link_add_links_applies_the_user_table(tmp_path):
    table = tmp_path / "links.csv"
    table.write_text("type,name,qid,decision,score,reasons,node\n"
                     "Park,西安高新区,Q900001,accept,,,\n"
                     "Enterprise,华为,Q160120,reject,,,\n", encoding="utf-8")
    ds = _doc_graph()
    add_links(ds, user_table=table)
    links = ds.graph(LINKS_GRAPH)
    assert (ID["park/x"], SKOS.exactMatch, WD.Q900001) in links
    assert not list(links.objects(ID["enterprise/h"], PK.wikidata))


def _count(g: Graph, query: str) -> int:
    return int(next(iter(g.query("PREFIX pk: <https://w3id.org/parks-kg/ontology#> " + query)))[0])


def test_link_seeds_build_has_regions_and_links(seeds_ttl_graph):
    g = seeds_ttl_graph
    xian_park = [s for s in g.subjects(RDFS.label, Literal("西安高新区", lang="zh"))
                 if (s, RDF.type, PK.Park) in g]
    assert xian_park
    regions = set(g.objects(xian_park[0], PK.locatedIn))
    assert regions == {region_iri("610100"), region_iri("610000")}
    assert (region_iri("610100"), PK.wikidata, Literal("Q5826")) in g
    assert (region_iri("610000"), PK.wikidata, Literal("Q47974")) in g
    # coverage on the seeds (offline): most parks placed, most regions linked, no park linked
    parks = _count(g, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pk:Park }")
    placed = _count(g, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p pk:locatedIn ?r }")
    regions_n = _count(g, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a pk:Region }")
    linked_regions = _count(g, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a pk:Region ; "
                               "pk:wikidata ?q }")
    assert placed >= parks / 2
    assert linked_regions >= 0.8 * regions_n
    assert _count(g, "SELECT (COUNT(*) AS ?n) WHERE { ?p a pk:Park ; pk:wikidata ?q }") == 0
    # every link is one of the verified QIDs, and agrees with its exactMatch IRI
    verified = {q for _, q, _ in VERIFIED}
    for node, qid in g.subject_objects(PK.wikidata):
        assert str(qid) in verified
        assert set(g.objects(node, SKOS.exactMatch)) == {WD[str(qid)]}
        assert len(set(g.objects(node, PK.wikidata))) == 1
    # a place QID is only ever on a Region
    places = {q for _, q, k in VERIFIED if k == "place"}
    for node, qid in g.subject_objects(PK.wikidata):
        if str(qid) in places:
            assert (node, RDF.type, PK.Region) in g


def test_link_seeds_graph_conforms_to_the_shapes(seeds_ttl_graph):
    pyshacl = pytest.importorskip("pyshacl")
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    ont = Graph().parse(ROOT / "ontology" / "parks.ttl")
    conforms, _, text = pyshacl.validate(seeds_ttl_graph, shacl_graph=shapes, ont_graph=ont,
                                         inference="none")
    assert conforms, text


def test_link_rebuilding_gives_an_isomorphic_graph(tmp_path):
    from kg.extract.records import read_jsonl
    from kg.rdf.mapping import to_graph

    lines = (ROOT / "tests" / "gold" / "seeds.jsonl").read_text(encoding="utf-8").splitlines()
    graphs = []
    for _ in range(2):
        ds = to_graph(list(read_jsonl(lines, source="seeds.jsonl")))
        add_links(ds, user_table=tmp_path / "none.csv")
        g = Graph()
        for s, p, o, c in ds.quads((None, None, None, None)):
            if c in (LINKS_GRAPH, REGIONS_GRAPH) or getattr(c, "identifier", None) in (
                    LINKS_GRAPH, REGIONS_GRAPH):
                g.add((s, p, o))
        graphs.append(g)
    assert len(graphs[0]) > 0 and isomorphic(graphs[0], graphs[1])


# --- accepting a reviewed file -----------------------------------------------------------------


def _review(path: Path, rows: list[dict[str, str]]) -> Path:
    fields = ["decision", "type", "name", "qid", "wikidata_label", "wikidata_description",
              "score", "reasons", "node"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in fields})
    return path


def test_link_accept_records_decisions_and_replaces_older_ones(tmp_path):
    table = tmp_path / "wikidata-links.csv"
    table.write_text("type,name,qid,decision,score,reasons,node\n"
                     "Park,西安高新区,Q900009,auto,0.80,old,\n"
                     "Park,长春高新区,Q900003,reject,,,\n", encoding="utf-8")
    review = _review(tmp_path / "links.csv", [
        {"decision": "accept", "type": "Park", "name": "西安高新区", "qid": "Q900001",
         "score": "1.00", "reasons": "label = name"},
        {"decision": " Reject ", "type": "Enterprise", "name": "东宝", "qid": "Q900032"},
        {"decision": "", "type": "Enterprise", "name": "东宝", "qid": "Q900031"},
    ])
    res = accept(review, table)
    assert (res.accepted, res.rejected, res.undecided) == (1, 1, 1)
    rows = [(d.type, d.name, d.qid, d.decision) for d in read_decisions(table)]
    assert rows == [("Enterprise", "东宝", "Q900032", "reject"),
                    ("Park", "西安高新区", "Q900001", "accept"),  # replaced the auto link
                    ("Park", "长春高新区", "Q900003", "reject")]


@pytest.mark.parametrize(("rows", "message"), [
    ([{"decision": "maybe", "type": "Park", "name": "x", "qid": "Q1"}],
     "links.csv:2: decision 'maybe' is not accept, reject or empty"),
    ([{"decision": "accept", "type": "Park", "name": "西安高新区", "qid": "Q5826"}],
     "links.csv:2: Q5826 is 西安市 (place) in kg/data/wikidata.csv; it cannot link a Park"),
    ([{"decision": "accept", "type": "Park", "name": "x", "qid": "Q1"},
      {"decision": "accept", "type": "Park", "name": "x", "qid": "Q2"}],
     "links.csv:3: a second accepted QID for x (Park); line 2 accepts one already"),
    ([{"decision": "accept", "type": "Park", "name": "x", "qid": "x1"}],
     "links.csv:2: 'x1' is not a Wikidata item id like Q123"),
])
def test_link_accept_refuses_bad_rows_and_writes_nothing(tmp_path, rows, message):
    table = tmp_path / "wikidata-links.csv"
    review = _review(tmp_path / "links.csv", rows)
    with pytest.raises(LinkError) as info:
        accept(review, table)
    assert str(info.value) == f"{tmp_path}/{message}"
    assert not table.exists()


# --- the command line --------------------------------------------------------------------------


def test_link_cli_reports_coverage_of_the_store(seeds_build, seeds_store):
    res = CliRunner().invoke(cli, ["link", "--store", str(seeds_build.store_path),
                                   "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(res.output.splitlines()))
    assert rows[0] == ["type", "nodes", "linked", "share"]
    got = {r[0]: (int(r[1]), int(r[2])) for r in rows[1:]}
    assert set(got) == {"Park", "Enterprise", "Platform", "Project", "Region"}
    for t, (nodes, linked) in got.items():
        q = (f"SELECT (COUNT(DISTINCT ?n) AS ?a) (COUNT(DISTINCT ?l) AS ?b) WHERE {{ "
             f"?n a <{PK[t]}> OPTIONAL {{ ?n <{PK.wikidata}> ?q BIND(?n AS ?l) }} }}")
        sol = next(iter(seeds_store.query(q, use_default_graph_as_union=True)))
        assert (nodes, linked) == (int(sol["a"].value), int(sol["b"].value)), t
    assert got["Region"][1] > 0 and got["Park"][1] == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--review", "x.csv"], "--review needs --online"),
    (["--accept", "x.csv", "--online"], "--accept records a reviewed file"),
    (["--accept", "nowhere.csv"], "nowhere.csv: cannot read the review file"),
    (["--store", "no-store"], "no-store: no graph store here"),
])
def test_link_cli_errors_are_one_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["link", *args])
    assert res.exit_code != 0
    assert message in res.output
    assert "Traceback" not in res.output


def test_link_build_applies_the_user_table_in_the_working_directory(tmp_path, monkeypatch):
    seed = ROOT / "seeds" / "004_50c721a1e63a8171.txt"
    (tmp_path / "in").mkdir()
    shutil.copyfile(seed, tmp_path / "in" / seed.name)
    (tmp_path / "wikidata-links.csv").write_text(
        "type,name,qid,decision,score,reasons,node\n"
        "Park,四川内江高新区,Q900999,accept,,a test decision,\n"
        "Enterprise,中国联通,Q1068485,reject,,a test decision,\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_LINKS", raising=False)
    res = CliRunner().invoke(cli, ["build", "in", "-o", "out", "--no-html"])
    assert res.exit_code == 0, res.output
    g = Graph().parse(tmp_path / "out" / "kg.ttl")
    park = next(s for s in g.subjects(RDFS.label, Literal("四川内江高新区", lang="zh")))
    assert (park, PK.wikidata, Literal("Q900999")) in g
    assert (park, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q900999")) in g
    assert region_iri("511000") in set(g.objects(park, PK.locatedIn))  # 内江市
    unicom = [s for s in g.subjects(RDFS.label, Literal("中国联通", lang="zh"))]
    assert unicom and not any(set(g.objects(u, PK.wikidata)) for u in unicom)


# --- the derived graphs from a store (issue 8: no whole-graph rdflib copy) ----------------------


@pytest.fixture(params=["seeds", "extra"])
def built(request):  # type: ignore[no-untyped-def]
    """A real build (kg.build.pipeline.build) of the seeds and of the extra check texts."""
    return request.getfixturevalue(f"{request.param}_build")


def _document_dataset(db) -> Dataset:  # type: ignore[no-untyped-def]
    """The document graphs of a pyoxigraph store parsed into rdflib: the old whole-graph input."""
    import pyoxigraph as ox

    from kg.derive.union import DERIVED_PREFIX, GRAPH_PREFIX

    keep = (q for q in db.quads_for_pattern(None, None, None, None)
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(
                GRAPH_PREFIX) and not q.graph_name.value.startswith(DERIVED_PREFIX))
    ds = Dataset()
    ds.parse(data=ox.serialize(keep, format=ox.RdfFormat.N_QUADS), format="nquads")
    return ds


def _lines(graph: Graph, name: URIRef) -> set[bytes]:
    """A graph's triples as the N-Quads lines pyoxigraph writes for them in graph `name`."""
    import pyoxigraph as ox

    from kg.rdf.terms import to_ox

    quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(name))) for s, p, o in graph]
    return set(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True))


def test_link_derived_nquads_equal_the_whole_graph_path(built, tmp_path):
    import pyoxigraph as ox

    from kg.derive.links import derived_nquads

    db = ox.Store.read_only(str(built.store_path))
    got = derived_nquads(db, user_table=tmp_path / "none.csv")
    ds = _document_dataset(db)
    add_links(ds, user_table=tmp_path / "none.csv")
    want = {str(g): _lines(ds.graph(g), g) for g in DERIVED_GRAPHS}
    assert set(got) == {str(g) for g in DERIVED_GRAPHS}
    for name, data in got.items():
        lines = data.splitlines(keepends=True)
        assert lines == sorted(set(lines))  # sorted, each once
        assert len(lines) > 10 and set(lines) == want[name]
    # and what the build stored in its derived graphs (kg.build.pipeline)
    for name, data in got.items():
        stored = db.quads_for_pattern(None, None, None, ox.NamedNode(name))
        assert set(ox.serialize(stored, format=ox.RdfFormat.N_QUADS).splitlines(
            keepends=True)) == set(data.splitlines(keepends=True))


def test_link_derived_nquads_read_only_the_document_graphs(seeds_build, tmp_path):
    """Old derived graphs, stats and the merged graph do not leak into the new derived graphs."""
    import pyoxigraph as ox

    from kg.derive.links import derived_nquads

    db = ox.Store()
    db.bulk_extend(ox.Store.read_only(str(seeds_build.store_path)))
    before = derived_nquads(db, user_table=tmp_path / "none.csv")
    stale, park = ox.NamedNode(str(region_iri("999999"))), ox.NamedNode(str(ID["park/stale"]))
    for g in (ox.NamedNode(str(REGIONS_GRAPH)), ox.DefaultGraph()):
        db.add(ox.Quad(stale, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PK.Region)), g))
        db.add(ox.Quad(stale, ox.NamedNode(str(RDFS.label)), ox.Literal("西安市", language="zh"),
                       g))
    for g in (ox.NamedNode(str(ID["stats"])), ox.DefaultGraph()):
        db.add(ox.Quad(park, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PK.Park)), g))
        db.add(ox.Quad(park, ox.NamedNode(str(RDFS.label)), ox.Literal("西安高新区", language="zh"),
                       g))
    assert derived_nquads(db, user_table=tmp_path / "none.csv") == before


def test_link_derived_nquads_apply_the_user_table(tmp_path):
    import pyoxigraph as ox

    from kg.derive.links import derived_nquads

    table = tmp_path / "links.csv"
    table.write_text("type,name,qid,decision,score,reasons,node\n"
                     "Park,西安高新区,Q900001,accept,,,\n"
                     "Enterprise,华为,Q160120,reject,,,\n", encoding="utf-8")
    db = ox.Store()
    db.load(_doc_graph().serialize(format="nquads").encode("utf-8"), ox.RdfFormat.N_QUADS)
    links = derived_nquads(db, user_table=table)[str(LINKS_GRAPH)].decode("utf-8")
    assert f"<{ID['park/x']}> <{SKOS.exactMatch}> <{WD.Q900001}>" in links
    assert str(ID["enterprise/h"]) not in links
    assert f'<{region_iri("610100")}> <{PK.wikidata}> "Q5826"' in links


def test_link_derived_nquads_of_no_parks_is_empty(tmp_path):
    import pyoxigraph as ox

    from kg.derive.links import derived_nquads

    assert derived_nquads(ox.Store(), user_table=tmp_path / "none.csv") == {}
