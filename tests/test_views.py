"""kg.views: RDF in the shape of docs/rdf-model.md → networkx, views, the offline page, exports.

The same pages in a real browser: tests/test_views_browser.py.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

try:
    from kg import views
except ImportError:  # the project root is not on sys.path (plain `pytest`, kg not installed)
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from kg import views
from kg.cli import cli
from kg.errors import KgError
from kg.vocab import PK

ID = "https://w3id.org/parks-kg/id/"
XSS = "<script>alert(1)</script>"
XSS_SENTENCE = "园区迎来新企业<img src=x onerror=alert(2)>，" + XSS + "正式入驻西安高新区。"
LONG_SENTENCE = "西安高新区" + "集成电路产业" * 40 + "持续壮大。"
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")  # XSD at module level warns
EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def entity_iri(kind: str, name: str) -> URIRef:
    """id:<type lower-case>/<first 16 hex of sha1(canonical name)>, as rdf.py mints it."""
    return URIRef(f"{ID}{kind.lower()}/{hashlib.sha1(name.encode('utf-8')).hexdigest()[:16]}")


PARK = entity_iri("Park", "西安高新区")
SUBPARK = entity_iri("Park", "西安高新区软件新城")
BYD = entity_iri("Enterprise", "比亚迪")
PROJECT = entity_iri("Project", "比亚迪新能源汽车项目")
PLATFORM = entity_iri("Platform", "秦创原创新促进中心")
LAB = entity_iri("Platform", "陕西省光电子集成实验室")
REGION = entity_iri("Region", "西安市")
EVIL = entity_iri("Enterprise", XSS)


class DocWriter:
    """Adds one document's triples to its named graph, numbering evidence in record order."""

    def __init__(self, ds: Dataset, doc_id: str) -> None:
        self.doc = URIRef(f"{ID}doc/{doc_id}")
        self.doc_id = doc_id
        self.g = ds.graph(URIRef(f"{ID}graph/{doc_id}"))
        self.evidence = 0
        self.g.add((self.doc, RDF.type, PK.Document))
        self.g.add((self.doc, DCTERMS.identifier, Literal(doc_id)))
        self.g.add((self.doc, PK.fileName, Literal(f"{doc_id}.txt")))
        self.g.add((self.doc, DCTERMS.title, Literal("西安高新区新闻", lang="zh")))

    def entity(
        self, iri: URIRef, cls: URIRef, name: str, *aliases: str, kinds: tuple[URIRef, ...] = ()
    ) -> None:
        for c in (cls, *kinds):
            self.g.add((iri, RDF.type, c))
        self.g.add((iri, RDFS.label, Literal(name, lang="zh")))
        for alias in aliases:
            self.g.add((iri, SKOS.altLabel, Literal(alias, lang="zh")))

    def mention(self, iri: URIRef, start: int, surface: str) -> None:
        end = start + len(surface)
        m = URIRef(f"{ID}mention/{self.doc_id}/{start}-{end}")
        self.g.add((m, RDF.type, PK.Mention))
        self.g.add((m, PK.mentionOf, iri))
        self.g.add((m, PK.inDocument, self.doc))
        self.g.add((m, PK.startOffset, Literal(start)))
        self.g.add((m, PK.endOffset, Literal(end)))
        self.g.add((m, PK.surfaceForm, Literal(surface)))

    def fact(self, s: URIRef, p: URIRef, o: URIRef, sentence: str, rule: str) -> None:
        self.g.add((s, p, o))
        key = f"{s} {p} {o.n3()}".encode()
        stmt = URIRef(f"{ID}statement/{hashlib.sha1(key).hexdigest()[:16]}")
        ev = URIRef(f"{ID}evidence/{self.doc_id}/{self.evidence}")
        self.evidence += 1
        self.g.add((stmt, RDF.type, RDF.Statement))
        self.g.add((stmt, RDF.subject, s))
        self.g.add((stmt, RDF.predicate, p))
        self.g.add((stmt, RDF.object, o))
        self.g.add((stmt, PROV.wasDerivedFrom, ev))
        self.g.add((ev, RDF.type, PK.Evidence))
        self.g.add((ev, PK.inDocument, self.doc))
        self.g.add((ev, PK.sentence, Literal(sentence, lang="zh")))
        self.g.add((ev, PK.startOffset, Literal(0)))
        self.g.add((ev, PK.endOffset, Literal(len(sentence))))
        self.g.add((ev, PK.rule, Literal(rule)))


@pytest.fixture
def dataset() -> Dataset:
    """Two documents about 西安高新区: 8 entities, 8 relation facts, one hostile name."""
    ds = Dataset()
    d1 = DocWriter(ds, "D1")
    d1.entity(PARK, PK.Park, "西安高新区", "西安高新技术产业开发区", "园区")
    d1.g.add((PARK, PK.wikidata, Literal("Q15914389")))
    d1.entity(SUBPARK, PK.Park, "西安高新区软件新城")
    d1.g.add((SUBPARK, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q7000001")))
    d1.entity(BYD, PK.Enterprise, "比亚迪", "比亚迪股份有限公司")
    d1.entity(PROJECT, PK.Project, "比亚迪新能源汽车项目")
    d1.g.add((PROJECT, PK.investmentAmount, Literal("5360000000", datatype=XSD_DECIMAL)))
    d1.g.add((PROJECT, PK.amountText, Literal("约53.6亿元")))
    d1.g.add((PROJECT, PK.amountQualifier, Literal("approx")))
    d1.entity(PLATFORM, PK.Platform, "秦创原创新促进中心")
    d1.entity(LAB, PK.Platform, "陕西省光电子集成实验室", kinds=(PK.Laboratory,))
    d1.entity(REGION, PK.Region, "西安市")
    d1.g.add((REGION, OWL.sameAs, URIRef("https://www.wikidata.org/wiki/Q5826")))
    d1.g.add((PLATFORM, PK.wikidata, Literal("not-a-qid")))
    d1.entity(EVIL, PK.Enterprise, XSS)
    d1.mention(PARK, 0, "西安高新区")
    d1.mention(BYD, 10, "比亚迪")
    d1.mention(BYD, 40, "比亚迪")
    d1.fact(PARK, PK.hosts, BYD, "比亚迪落户西安高新区。", "hosts.settle_in")
    d1.fact(PARK, PK.hosts, PROJECT, "比亚迪新能源汽车项目签约落地西安高新区。", "hosts.settle_in")
    d1.fact(PROJECT, PK.investor, BYD, "该项目由比亚迪投资约53.6亿元。", "investor.invested_by")
    d1.fact(PARK, PK.built, PLATFORM, "秦创原创新促进中心在西安高新区揭牌。", "built.unveil")
    d1.fact(PARK, PK.built, LAB, LONG_SENTENCE, "built.establish")
    d1.fact(SUBPARK, PK.partOf, PARK, "西安高新区软件新城位于西安高新区。", "partOf.located_in")
    d1.fact(PARK, PK.locatedIn, REGION, "西安高新区位于西安市。", "locatedIn.located_in")
    d1.fact(PARK, PK.hosts, EVIL, XSS_SENTENCE, "hosts.settle_in")
    # A relation to something that is not a typed entity is not drawn.
    d1.g.add((PARK, PK.hosts, URIRef(f"{ID}enterprise/untyped")))

    d2 = DocWriter(ds, "D2")
    d2.entity(PARK, PK.Park, "西安高新区")
    d2.entity(BYD, PK.Enterprise, "比亚迪")
    d2.mention(BYD, 5, "比亚迪")
    d2.fact(PARK, PK.hosts, BYD, "比亚迪在西安高新区扩大产能。", "hosts.expand")
    for n in range(5):  # seven sentences for park hosts 比亚迪, 13 about the park
        d2.fact(PARK, PK.hosts, BYD, f"西安高新区第{n}次报道比亚迪。", "hosts.settle_in")
    return ds


def test_views_nodes_have_entity_attributes(dataset: Dataset) -> None:
    g = views.to_networkx(dataset)

    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 8
    park = g.nodes[str(PARK)]
    assert park["label"] == "西安高新区"
    assert park["type"] == "Park"
    assert park["aliases"] == sorted(["西安高新技术产业开发区", "园区"])
    assert park["wikidata"] == "Q15914389"
    assert park["amount"] is None and park["amount_text"] is None
    assert park["mentions"] == 1
    project = g.nodes[str(PROJECT)]
    assert project["type"] == "Project"
    assert project["amount"] == 5360000000 and isinstance(project["amount"], int)
    assert project["amount_text"] == "约53.6亿元"
    assert g.nodes[str(BYD)]["mentions"] == 3
    assert g.nodes[str(BYD)]["aliases"] == ["比亚迪股份有限公司"]
    assert g.nodes[str(LAB)]["type"] == "Platform"
    assert g.nodes[str(LAB)]["kind"] == "Laboratory"
    assert g.nodes[str(REGION)]["type"] == "Region"
    assert g.nodes[str(EVIL)]["label"] == XSS  # raw in the data; escaping is the page's job
    byd_evidence = g.nodes[str(BYD)]["evidence"]
    assert byd_evidence[0] == {
        "sentence": "比亚迪落户西安高新区。",
        "doc": "D1",
        "rule": "hosts.settle_in",
    }
    assert {e["doc"] for e in byd_evidence} == {"D1", "D2"}
    # hosts×7 (one statement, evidence from two documents) + investor in D1
    assert len(byd_evidence) == 8


def test_views_edges_one_per_fact_with_evidence(dataset: Dataset) -> None:
    g = views.to_networkx(dataset)

    facts = {(u, v, d["relation"]) for u, v, d in g.edges(data=True)}
    assert g.number_of_edges() == 8
    assert facts == {
        (str(PARK), str(BYD), "hosts"),
        (str(PARK), str(PROJECT), "hosts"),
        (str(PROJECT), str(BYD), "investor"),
        (str(PARK), str(PLATFORM), "built"),
        (str(PARK), str(LAB), "built"),
        (str(SUBPARK), str(PARK), "partOf"),
        (str(PARK), str(REGION), "locatedIn"),
        (str(PARK), str(EVIL), "hosts"),
    }
    hosts = g.edges[str(PARK), str(BYD), "hosts"]
    assert [e["doc"] for e in hosts["evidence"]] == ["D1"] + ["D2"] * 6
    assert hosts["evidence"][1] == {
        "sentence": "比亚迪在西安高新区扩大产能。",
        "doc": "D2",
        "rule": "hosts.expand",
    }
    investor = g.edges[str(PROJECT), str(BYD), "investor"]
    assert investor["evidence"] == [
        {"sentence": "该项目由比亚迪投资约53.6亿元。", "doc": "D1", "rule": "investor.invested_by"}
    ]


def test_views_plain_graph_gives_the_same_view(dataset: Dataset) -> None:
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))

    from_dataset = views.to_networkx(dataset)
    from_graph = views.to_networkx(union)

    assert dict(from_graph.nodes(data=True)) == dict(from_dataset.nodes(data=True))
    assert list(from_graph.edges(keys=True, data=True)) == list(
        from_dataset.edges(keys=True, data=True)
    )


def test_views_wikidata_from_exact_match_and_all_amounts(dataset: Dataset) -> None:
    g = views.to_networkx(dataset)

    assert g.nodes[str(SUBPARK)]["wikidata"] == "Q7000001"  # skos:exactMatch wd:Q7000001
    assert g.nodes[str(REGION)]["wikidata"] == "Q5826"  # owl:sameAs, a wikidata.org page
    assert g.nodes[str(PLATFORM)]["wikidata"] is None  # "not-a-qid" is ignored
    assert g.nodes[str(PROJECT)]["amounts"] == [5360000000]
    assert g.graph["documents"]["D1"] == {"title": "西安高新区新闻", "file": "D1.txt"}


def page_data(page: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The nodes, edges and options that the page hands to vis-network, decoded."""
    found = {}
    for name in ("nodes", "edges"):
        match = re.search(rf"{name} = new vis\.DataSet\((\[.*?\])\);\s*\n", page, re.DOTALL)
        assert match, f"no {name} DataSet in the page"
        found[name] = json.loads(match.group(1))
    options = re.search(r"var options = (\{.*\});\s*\n", page)
    assert options, "no vis options in the page"
    return found["nodes"], found["edges"], json.loads(options.group(1))


def kg_data(page: str) -> dict[str, Any]:
    """The JSON the page's own script reads (details, evidence, documents)."""
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page)
    assert match, "no kg-data in the page"
    return json.loads(match.group(1))


def test_views_html_is_one_offline_file(dataset: Dataset, tmp_path: Path) -> None:
    out = tmp_path / "graph.html"

    drawn = views.render(dataset, out, title="西安高新区图谱")

    assert drawn.number_of_nodes() == 8 and drawn.number_of_edges() == 8
    page = out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]  # no temporary file left
    for label in ("西安高新区", "比亚迪", "比亚迪新能源汽车项目", "秦创原创新促进中心", "西安市"):
        assert label in page
    assert "<title>西安高新区图谱</title>" in page
    assert "new vis.Network(" in page and "kgInit(network, nodes, edges);" in page
    assert "vis.DataSet" in page
    # vis-network itself is inline: its minified code, not a reference to it
    assert max(len(s) for s in re.findall(r"<script>(.*?)</script>", page, re.DOTALL)) > 100_000
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b[^>]*\bhref\s*=", page, re.IGNORECASE)
    assert not EXTERNAL.search(page)
    for needle in ('<script src="http', '<link href="http', 'src="https://', 'href="https://'):
        assert needle not in page
    assert "bootstrap" not in page
    assert 'id="kg-legend"' in page and 'id="kg-search"' in page and 'id="kg-panel"' in page
    for kind, (zh, shape, fill, _) in views.STYLES.items():
        assert f"{kind} {zh} <small>({shape}," in page and fill in page
    assert "Noto Sans CJK SC" in page
    assert "8 实体 entities · 8 关系 relations" in page


def test_views_nodes_styled_by_class_with_details(dataset: Dataset, tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    views.render(dataset, out)

    page = out.read_text(encoding="utf-8")
    nodes, edges, options = page_data(page)
    data = kg_data(page)

    info = {item["iri"]: item for item in data["nodes"]}
    by_iri = {data["nodes"][n["id"]]["iri"]: n for n in nodes}
    assert len(nodes) == 8 and len(edges) == 8 and len(data["edges"]) == 8
    assert len({views.STYLES[k][1] for k in views.analysis.CLASSES}) == 5
    assert len({views.STYLES[k][2] for k in views.analysis.CLASSES}) == 5
    groups = options["groups"]
    for kind, (_, shape, fill, border) in views.STYLES.items():
        assert groups[kind]["shape"] == shape
        assert groups[kind]["color"]["background"] == fill
        assert groups[kind]["color"]["border"] == border
    assert by_iri[str(PARK)]["group"] == "Park" and by_iri[str(BYD)]["group"] == "Enterprise"
    assert all("color" not in n and "title" not in n for n in nodes)  # group= gives the style
    park = info[str(PARK)]
    assert park["type"] == "Park" and park["wikidata"] == "Q15914389"
    assert park["aliases"] == sorted(["西安高新技术产业开发区", "园区"])
    assert park["mentions"] == 1
    assert park["totals"]["入驻企业 Enterprises"] == "2"
    assert park["totals"]["项目投资合计 Investment"] == "53.6 亿元"
    assert info[str(PROJECT)]["amounts"] == ["53.6 亿元 (5,360,000,000 元) — 原文 约53.6亿元"]
    assert info[str(LAB)]["kind"] == "Laboratory"
    sentences = [data["sentences"][i] for i in park["evidence"]]
    docs = data["docs"]
    assert [docs[s[0]][0] for s in sentences[:1]] == ["D1"]
    assert sentences[0][1:] == ["比亚迪落户西安高新区。", "hosts.settle_in"]
    assert docs[sentences[0][0]] == ["D1", "西安高新区新闻", "D1.txt"]
    assert len(park["evidence"]) == len(set(park["evidence"])) == 13
    assert LONG_SENTENCE in [data["sentences"][i][1] for i in info[str(LAB)]["evidence"]]
    hosts = next(
        number
        for number, e in enumerate(edges)
        if e["from"] == by_iri[str(PARK)]["id"] and e["to"] == by_iri[str(BYD)]["id"]
    )
    assert edges[hosts]["label"] == "hosts" and data["edges"][hosts]["relation"] == "hosts"
    hosts_sentences = [data["sentences"][i][1] for i in data["edges"][hosts]["evidence"]]
    assert hosts_sentences[:2] == ["比亚迪落户西安高新区。", "比亚迪在西安高新区扩大产能。"]
    assert options["physics"]["enabled"] is False  # positions come from Python: it starts still
    assert all(isinstance(n["x"], int | float) for n in nodes)


def test_views_html_escapes_corpus_text(dataset: Dataset, tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    views.render(dataset, out, title="<b>图谱</b>")

    page = out.read_text(encoding="utf-8")
    nodes, _, _ = page_data(page)
    data = kg_data(page)

    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "<title>&lt;b&gt;图谱&lt;/b&gt;</title>" in page
    assert '<span id="kg-title">&lt;b&gt;图谱&lt;/b&gt;</span>' in page
    evil = next(n for n in nodes if data["nodes"][n["id"]]["iri"] == str(EVIL))
    assert evil["label"] == XSS  # decoded from JSON: drawn on the canvas as text
    assert XSS_SENTENCE in [s[1] for s in data["sentences"]]  # the page script shows it as text
    assert "\\u003cscript\\u003ealert(1)" in page


def test_views_select_focus_by_name_alias_or_iri(dataset: Dataset) -> None:
    g = views.to_networkx(dataset)

    by_name = views.select(g, focus="比亚迪新能源汽车项目", hops=1)
    by_alias = views.select(g, focus="比亚迪股份有限公司", hops=0)
    by_iri = views.select(g, focus=str(SUBPARK), hops=2)
    by_part = views.select(g, focus=" 光电子集成 ", hops=1)

    assert set(by_name) == {str(PROJECT), str(PARK), str(BYD)}
    assert by_name.graph["focus"] == [str(PROJECT)]
    assert by_name.graph["view"] == "focus 比亚迪新能源汽车项目 (1 hop)"
    assert set(by_alias) == {str(BYD)}
    assert len(by_iri) == 8 and by_iri.number_of_edges() == 8
    assert set(by_part) == {str(LAB), str(PARK)}
    assert by_name.nodes[str(BYD)] == g.nodes[str(BYD)]  # attributes travel with the view


def test_views_select_types_and_min_degree(dataset: Dataset) -> None:
    g = views.to_networkx(dataset)

    parks_firms = views.select(g, types=["park", "Enterprise"])
    connected = views.select(g, min_degree=2)
    around = views.select(g, focus="比亚迪", hops=1, types=["Park"])

    assert {g.nodes[n]["type"] for n in parks_firms} == {"Park", "Enterprise"}
    assert len(parks_firms) == 4 and parks_firms.number_of_edges() == 3
    assert set(connected) == {str(PARK), str(BYD), str(PROJECT)}  # degrees 7, 2, 2
    assert set(around) == {str(BYD), str(PARK)}  # the focus stays whatever its class
    assert around.graph["view"] == "focus 比亚迪 (1 hop), types Park"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"focus": "深圳湾"}, "no entity is named '深圳湾'; list names with `kg query"),
        ({"focus": "  "}, "--focus needs a name"),
        ({"types": ["Park", "Parc"]}, "unknown class 'Parc' in --types; choose from Park,"),
        ({"hops": -1, "focus": "比亚迪"}, "--hops and --min-degree must be 0 or more"),
    ],
)
def test_views_select_says_what_went_wrong(
    dataset: Dataset, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(KgError) as caught:
        views.select(views.to_networkx(dataset), **kwargs)

    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_views_read_graph_from_store_and_turtle_agree(seeds_build: Any) -> None:
    from_store = views.to_networkx(views.read_graph(seeds_build.store_path))
    from_ttl = views.to_networkx(views.read_graph(seeds_build.ttl))

    assert from_store.number_of_nodes() > 100 and from_store.number_of_edges() > 100
    assert dict(from_store.nodes(data=True)) == dict(from_ttl.nodes(data=True))
    assert list(from_store.edges(keys=True, data=True)) == list(
        from_ttl.edges(keys=True, data=True)
    )
    assert from_store.graph["documents"] == from_ttl.graph["documents"]
    assert len(from_store.graph["documents"]) == 5


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing", "missing: no graph store or RDF file here; run `kg build` first"),
     ("notes.txt", "notes.txt: not a store directory nor an RDF file (.jsonld,"),
     ("bad.ttl", "bad.ttl: cannot read as turtle (")],
)
def test_views_read_graph_bad_source(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "bad.ttl").write_text("<a> <b> .", encoding="utf-8")

    with pytest.raises(KgError) as caught:
        views.read_graph(tmp_path / name)

    assert message in str(caught.value)


# ---------------------------------------------------------------------------- exports


@pytest.fixture(scope="module")
def seeds_graph(seeds_build: Any) -> nx.MultiDiGraph:
    """The seeds build as the views see it."""
    return views.to_networkx(views.read_graph(seeds_build.store_path))


def _amount_nodes(g: nx.MultiDiGraph) -> dict[str, int]:
    return {n: d["amount"] for n, d in g.nodes(data=True) if d.get("amount") is not None}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_views_export_xml_reads_back(
    seeds_build: Any, seeds_graph: nx.MultiDiGraph, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"seeds.{fmt}"

    written = views.export_graph(views.read_graph(seeds_build.ttl), fmt, out)

    assert written.number_of_nodes() == seeds_graph.number_of_nodes()
    back = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert back.number_of_nodes() == seeds_graph.number_of_nodes()
    assert back.number_of_edges() == seeds_graph.number_of_edges()
    assert set(back) == set(seeds_graph)
    for node, data in seeds_graph.nodes(data=True):
        assert back.nodes[node]["label"] == data["label"]
        assert back.nodes[node]["class"] == data["type"]
        assert back.nodes[node].get("aliases", "") == "|".join(data["aliases"])
    for node, amount in _amount_nodes(seeds_graph).items():
        assert back.nodes[node]["amount_yuan"] == amount
    assert len(_amount_nodes(seeds_graph)) >= 3
    relations = sorted(d["relation"] for _, _, d in back.edges(data=True))
    assert relations == sorted(d["relation"] for _, _, d in seeds_graph.edges(data=True))
    counts = sorted(d["evidence_count"] for _, _, d in back.edges(data=True))
    assert counts == sorted(len(d["evidence"]) for _, _, d in seeds_graph.edges(data=True))
    assert sum(counts) > seeds_graph.number_of_edges() // 2
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_views_export_csv_reads_back(seeds_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    folder = tmp_path / "csv"

    views.write_export(seeds_graph, "csv", folder)

    assert sorted(p.name for p in folder.iterdir()) == ["edges.csv", "nodes.csv",
                                                        "observations.csv"]
    with (folder / "nodes.csv").open(encoding="utf-8", newline="") as f:
        nodes = list(csv.DictReader(f))
    with (folder / "edges.csv").open(encoding="utf-8", newline="") as f:
        edges = list(csv.DictReader(f))
    assert list(nodes[0]) == list(views.NODE_COLUMNS)
    assert list(edges[0]) == list(views.EDGE_COLUMNS)
    assert len(nodes) == seeds_graph.number_of_nodes()
    assert len(edges) == seeds_graph.number_of_edges()
    rows = {r["id"]: r for r in nodes}
    for node, data in seeds_graph.nodes(data=True):
        assert rows[node]["label"] == data["label"] and rows[node]["class"] == data["type"]
        assert rows[node]["aliases"].split("|") == (data["aliases"] or [""])
        assert int(rows[node]["degree"]) == seeds_graph.degree(node)
    for node, amount in _amount_nodes(seeds_graph).items():
        assert int(rows[node]["amount_yuan"]) == amount
    assert {r["id"]: r["wikidata"] for r in nodes} == {
        n: d["wikidata"] or "" for n, d in seeds_graph.nodes(data=True)
    }
    for row in edges:
        assert row["source"] in rows and row["target"] in rows
        assert row["source_label"] == rows[row["source"]]["label"]
        assert int(row["evidence_count"]) == 0 or row["sentence"]
        if row["documents"]:
            assert set(row["documents"].split("|")) <= set(seeds_graph.graph["documents"])


def test_views_export_csv_carries_wikidata_and_kind(dataset: Dataset, tmp_path: Path) -> None:
    views.export_graph(dataset, "csv", tmp_path)

    with (tmp_path / "nodes.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    assert rows[str(PARK)]["wikidata"] == "Q15914389"
    assert rows[str(LAB)]["kind"] == "Laboratory"
    assert rows[str(PROJECT)]["amount_text"] == "约53.6亿元"
    assert rows[str(EVIL)]["label"] == XSS  # data, not markup: CSV keeps it as written


def test_views_export_refuses_unknown_format_and_file_for_folder(
    dataset: Dataset, tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")

    with pytest.raises(KgError, match="unknown export format 'dot'; choose from graphml"):
        views.export_graph(dataset, "dot", tmp_path / "g.dot")
    with pytest.raises(KgError, match="exists and is not a folder"):
        views.export_graph(dataset, "csv", tmp_path / "taken")
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "x"


# ---------------------------------------------------------------------------- size


@pytest.mark.parametrize("parks", [31, 120])
def test_views_large_graph_has_positions_and_no_physics(parks: int, tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    for p in range(parks):
        park = f"{ID}park/{p:016x}"
        g.add_node(park, label=f"高新区{p}", type="Park", aliases=[], evidence=[])
        for e in range(9):
            firm = f"{ID}enterprise/{p:08x}{e:08x}"
            g.add_node(firm, label=f"企业{p}-{e}", type="Enterprise", aliases=[], evidence=[])
            g.add_edge(park, firm, key="hosts", relation="hosts", evidence=[])
    n = g.number_of_nodes()
    assert n > views.PHYSICS_MAX_NODES
    out = tmp_path / "big.html"

    views.write_html(g, out)

    page = out.read_text(encoding="utf-8")
    nodes, edges, options = page_data(page)
    assert len(nodes) == n and len(edges) == g.number_of_edges()
    assert options["physics"]["enabled"] is False
    assert options["interaction"]["hideEdgesOnDrag"] is True
    xs = [node["x"] for node in nodes]
    ys = [node["y"] for node in nodes]
    assert all(isinstance(v, int | float) for v in xs + ys)
    assert max(xs) - min(xs) >= 0.8 * n**0.5 * 100
    assert len({(x, y) for x, y in zip(xs, ys, strict=True)}) == n
    assert "预计算布局 fixed layout" in page


def test_views_failed_write_keeps_the_old_file(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "graph.html"
    out.write_text("old", encoding="utf-8")

    def refuse(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        views.render(dataset, out)

    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]


# ---------------------------------------------------------------------------- kg viz


def test_views_cli_viz_writes_a_focus_view(seeds_build: Any, tmp_path: Path) -> None:
    out = tmp_path / "views" / "fuxin.html"
    expected = views.select(
        views.to_networkx(views.read_graph(seeds_build.store_path)), focus="阜新高新区", hops=1
    )

    result = CliRunner().invoke(
        cli, ["viz", "--store", str(seeds_build.store_path), "--focus", "阜新高新区",
              "-o", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"wrote {out}: {expected.number_of_nodes()} entities, "
        f"{expected.number_of_edges()} relations\n"
    )
    nodes, edges, _ = page_data(out.read_text(encoding="utf-8"))
    assert len(nodes) == expected.number_of_nodes() > 10
    assert len(edges) == expected.number_of_edges()
    assert "<title>parks-kg: 阜新高新区</title>" in out.read_text(encoding="utf-8")


def test_views_cli_viz_types_and_min_degree(seeds_build: Any, tmp_path: Path) -> None:
    out = tmp_path / "parks.html"

    result = CliRunner().invoke(
        cli, ["viz", "--store", str(seeds_build.ttl), "--types", "Park,Project",
              "--min-degree", "1", "-o", str(out)]
    )

    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    data = kg_data(page)
    assert data["nodes"] and {n["type"] for n in data["nodes"]} <= {"Park", "Project"}
    nodes, edges, _ = page_data(page)
    ends = {e["from"] for e in edges} | {e["to"] for e in edges}
    assert all(n["id"] in ends for n in nodes)  # degree counted in the view


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--focus", "没有这个园区"], "Error: no entity is named '没有这个园区'; list names"),
        (["--types", "Firm"], "Error: unknown class 'Firm' in --types; choose from Park,"),
        (["--store", "nowhere"], "Error: nowhere: no graph store or RDF file here; run `kg build`"),
    ],
)
def test_views_cli_viz_errors_are_one_line(
    seeds_build: Any, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "v.html"
    base = ["viz", "--store", str(seeds_build.store_path), "-o", str(out)]

    result = CliRunner().invoke(cli, base + args)

    assert result.exit_code == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert not out.exists()


# ---------------------------------------------------------------------------- from a store


def _store_of(ds: Dataset) -> Any:
    """A Dataset's graphs in an in-memory Oxigraph store (kg.store), merged graph included."""
    from kg.store import memory_store

    return memory_store(ds.serialize(format="nquads").encode("utf-8"))


def _same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))  # in the same order
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))
    assert a.graph == b.graph


def test_views_store_networkx_equals_to_networkx(dataset: Dataset) -> None:
    import pyoxigraph as ox

    store = _store_of(dataset)
    raw = ox.Store()
    raw.bulk_extend(store.quads(merged=False))
    raw.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                    for t in store.quads(merged=True))
    want = views.to_networkx(dataset)

    _same_graph(views.store_networkx(store), want)  # kg.store's select()
    _same_graph(views.store_networkx(raw), want)  # pyoxigraph's query(), streamed
    assert want.nodes[str(LAB)]["kind"] == "Laboratory" and want.number_of_edges() == 8


def test_views_store_networkx_evidence_without_a_document(dataset: Dataset) -> None:
    ev = URIRef(f"{ID}evidence/D2/0")
    dataset.remove((ev, PK.inDocument, None, None))  # sorts first, with no document id

    g = views.store_networkx(_store_of(dataset))

    _same_graph(g, views.to_networkx(dataset))
    assert g.edges[str(PARK), str(BYD), "hosts"]["evidence"][0]["doc"] == ""


@pytest.fixture(params=["seeds", "extra"])
def built(request: pytest.FixtureRequest) -> Any:
    """A real build (kg.build.pipeline.build) of the seeds and of the extra check texts."""
    return request.getfixturevalue(f"{request.param}_build")


def _whole_graph(store: Any) -> Graph:
    """What the build drew before issue 8: every named graph but the stats graph, in rdflib."""
    import pyoxigraph as ox

    from kg.store import STATS_GRAPH

    triples = [q.triple for q in store.quads(merged=False) if q.graph_name.value != STATS_GRAPH]
    g = Graph()
    g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return g


def test_views_render_of_a_store_draws_the_whole_graph_page(built: Any, tmp_path: Path) -> None:
    from kg.store import open_store

    store = open_store(built.store_path)
    old, new = tmp_path / "old.html", tmp_path / "new.html"

    drawn_old = views.render(_whole_graph(store), old, title="parks-kg: 种子")
    drawn_new = views.render(store, new, title="parks-kg: 种子")

    _same_graph(drawn_new, drawn_old)
    assert drawn_new.number_of_nodes() > 100 and drawn_new.number_of_edges() > 100
    assert sum(len(d["evidence"]) for _, _, d in drawn_new.edges(data=True)) > 100
    assert any(d.get("totals") for _, d in drawn_new.nodes(data=True))
    assert new.read_bytes() == old.read_bytes()
