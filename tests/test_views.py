"""kg.views: RDF in the shape of docs/rdf-model.md → networkx, and the offline pyvis page."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

try:
    from kg import views
    from kg.vocab import PK
except ImportError:  # the project root is not on sys.path (plain `pytest`, kg not installed)
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from kg import views
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
    d1.entity(BYD, PK.Enterprise, "比亚迪", "比亚迪股份有限公司")
    d1.entity(PROJECT, PK.Project, "比亚迪新能源汽车项目")
    d1.g.add((PROJECT, PK.investmentAmount, Literal("5360000000", datatype=XSD_DECIMAL)))
    d1.g.add((PROJECT, PK.amountText, Literal("约53.6亿元")))
    d1.g.add((PROJECT, PK.amountQualifier, Literal("approx")))
    d1.entity(PLATFORM, PK.Platform, "秦创原创新促进中心")
    d1.entity(LAB, PK.Platform, "陕西省光电子集成实验室", kinds=(PK.Laboratory,))
    d1.entity(REGION, PK.Region, "西安市")
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


def test_views_html_is_one_offline_file(dataset: Dataset, tmp_path: Path) -> None:
    out = tmp_path / "graph.html"

    assert views.render(dataset, out, title="西安高新区图谱") == 8

    page = out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]  # no temporary file left
    for label in ("西安高新区", "比亚迪", "比亚迪新能源汽车项目", "秦创原创新促进中心", "西安市"):
        assert label in page
    assert "<title>西安高新区图谱</title>" in page
    assert "new vis.Network(" in page
    assert "vis.DataSet" in page
    # vis-network itself is inline: its minified code, not a reference to it
    assert max(len(s) for s in re.findall(r"<script>(.*?)</script>", page, re.DOTALL)) > 100_000
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b[^>]*\bhref\s*=", page, re.IGNORECASE)
    assert not EXTERNAL.search(page)
    for needle in ('<script src="http', '<link href="http', 'src="https://', 'href="https://'):
        assert needle not in page
    assert "bootstrap" not in page
    assert 'id="kg-legend"' in page
    for kind, (zh, shape, fill, _) in views.STYLES.items():
        assert f"{kind} {zh} <small>({shape}," in page and fill in page
    assert "Noto Sans CJK SC" in page


def test_views_nodes_styled_by_class_with_tooltips(dataset: Dataset, tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    views.render(dataset, out)

    nodes, edges, options = page_data(out.read_text(encoding="utf-8"))

    by_id = {n["id"]: n for n in nodes}
    shapes = {views.STYLES[k][1] for k in views.CLASSES}
    assert len(shapes) == 5 and len({views.STYLES[k][2] for k in views.CLASSES}) == 5
    assert by_id[str(PARK)]["shape"] == views.STYLES["Park"][1]
    assert by_id[str(BYD)]["shape"] == views.STYLES["Enterprise"][1]
    assert by_id[str(BYD)]["color"]["background"] == views.STYLES["Enterprise"][2]
    assert all("group" not in n for n in nodes)  # group= would override color=
    project = by_id[str(PROJECT)]["title"]
    assert "53.6 亿元" in project and "5,360,000,000 元" in project and "约53.6亿元" in project
    park = by_id[str(PARK)]["title"]
    assert "Q15914389" in park and "西安高新技术产业开发区" in park and "Park" in park
    assert "[D1] 比亚迪落户西安高新区。" in park
    assert park.count("• [") == views.TOOLTIP_SENTENCES  # 13 sentences, five shown
    lab = by_id[str(LAB)]["title"]
    assert LONG_SENTENCE not in lab and LONG_SENTENCE[: views.SENTENCE_CHARS - 1] + "…" in lab
    hosts = next(e for e in edges if e["from"] == str(PARK) and e["to"] == str(BYD))
    assert hosts["label"] == "hosts"
    assert "hosts" in hosts["title"] and "比亚迪在西安高新区扩大产能。" in hosts["title"]
    assert options["physics"]["enabled"] is True
    assert options["physics"]["solver"] == "barnesHut"
    assert options["physics"]["stabilization"]["iterations"] == 200
    assert "x" not in by_id[str(PARK)]


def test_views_html_escapes_corpus_text(dataset: Dataset, tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    views.render(dataset, out, title="<b>图谱</b>")

    page = out.read_text(encoding="utf-8")
    nodes, edges, _ = page_data(page)

    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "<title>&lt;b&gt;图谱&lt;/b&gt;</title>" in page
    evil = next(n for n in nodes if n["id"] == str(EVIL))
    assert evil["label"] == XSS  # drawn on the canvas as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil["title"]
    assert "<script>" not in evil["title"]
    assert "&lt;img src=x onerror=alert(2)&gt;" in evil["title"]
    edge = next(e for e in edges if e["to"] == str(EVIL))
    assert "&lt;script&gt;" in edge["title"] and "<img" not in edge["title"]


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

    nodes, _, options = page_data(out.read_text(encoding="utf-8"))
    assert len(nodes) == n
    assert options["physics"]["enabled"] is False
    xs = [node["x"] for node in nodes]
    ys = [node["y"] for node in nodes]
    assert all(isinstance(v, int | float) for v in xs + ys)
    assert max(xs) - min(xs) >= 0.8 * n**0.5 * 100
    assert len({(x, y) for x, y in zip(xs, ys, strict=True)}) == n


def test_views_failed_write_keeps_the_old_file(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "graph.html"
    out.write_text("old", encoding="utf-8")

    def refuse(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(views.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        views.render(dataset, out)

    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]
