"""The graph explorer in a real browser (issue 17): neighbourhoods, paths, a readable overview,
filters, evidence by article, exports and folding of large graphs.

Headless Debian Chromium driven by Playwright with the network off, as in
test_views_browser.py (whose fixtures are reused); every test also checks that the page made
no request and logged no error.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import test_views_browser as browser_tests  # noqa: E402
from helpers import ROOT  # noqa: E402

from kg import views  # noqa: E402

browser = browser_tests.browser  # the fixtures: headless Chromium, pages opened offline
open_page = browser_tests.open_page

READY = "() => kg.state.readyMs !== null"
# Pairs of park boxes that overlap on the canvas.
PARK_OVERLAPS = """() => {
  const parks = nodes.getIds({filter: (n) => n.group === "Park" && !n.hidden});
  const bb = parks.map((id) => network.getBoundingBox(id));
  let found = 0;
  for (let i = 0; i < bb.length; i++) for (let j = i + 1; j < bb.length; j++) {
    const a = bb[i], c = bb[j];
    if (a.left < c.right && c.left < a.right && a.top < c.bottom && c.top < a.bottom) found++;
  }
  return found;
}"""
# A point of the canvas, not under a panel, with neither node nor edge (page coordinates).
EMPTY_SPOT = """() => {
  const box = document.getElementById("mynetwork").getBoundingClientRect();
  for (let y = 60; y < box.height - 20; y += 15) for (let x = 20; x < box.width - 20; x += 15) {
    const at = document.elementFromPoint(box.left + x, box.top + y);
    if (at && at.tagName === "CANVAS" && network.getNodeAt({x, y}) === undefined &&
        network.getEdgeAt({x, y}) === undefined) return {x: box.left + x, y: box.top + y};
  }
  return null;
}"""
NODE_ON_SCREEN = """(id) => {
  const p = network.canvasToDOM(network.getPositions([id])[id]);
  const box = document.getElementById("mynetwork").getBoundingClientRect();
  return {x: box.left + p.x, y: box.top + p.y};
}"""


def double_click(opened: Any, node: int, done: str) -> None:
    """Double-click a node with the mouse and wait until the JS predicate `done` holds; on a
    loaded machine two clicks may land too far apart to be a double-click, so the network's
    own doubleClick event for that node is sent then (the page's handler is what is tested)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    at = opened.js(NODE_ON_SCREEN, node)
    opened.page.mouse.dblclick(at["x"], at["y"])
    try:
        opened.page.wait_for_function(done, timeout=5_000)
    except PlaywrightTimeout:
        opened.js("""(id) => { network.body.emitter.emit("doubleClick",
          {nodes: [id], edges: [], event: {}, pointer: {}}); }""", node)
        opened.page.wait_for_function(done, timeout=20_000)


def by_label(opened: Any, label: str) -> int:
    """The page id of the entity named `label`."""
    found = opened.js(
        "(name) => kg.data.nodes.findIndex((d, i) => (kg.data.nodes[i].name ||"
        " (nodes.get(i) || {}).label) === name)", label)
    assert found >= 0, label
    return int(found)


def ready(opened: Any) -> Any:
    """Wait for the explorer's first-draw step (legible parks, boxes apart)."""
    opened.page.wait_for_function(READY, timeout=60_000, polling=50)
    return opened


@pytest.fixture(scope="module")
def seeds_view(seeds_build: Any, seeds_copy: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[Path, nx.MultiDiGraph]:
    """The seeds graph drawn with its source texts (evidence by article)."""
    path = tmp_path_factory.mktemp("explore") / "graph.html"
    drawn = views.render(views.read_graph(seeds_build.store_path), path,
                         title="parks-kg: seeds", texts=seeds_copy)
    return path, drawn


def small() -> nx.MultiDiGraph:
    """Two parks sharing a firm, a chain to a project, a lab, and an isolated firm."""
    g = nx.MultiDiGraph(documents={"D1": {"title": "新闻", "file": "D1.txt"}})
    ev = [{"sentence": "甲园区引进乙公司。", "doc": "D1", "rule": "hosts.settle_in"}]

    def node(key: str, label: str, kind: str, **more: Any) -> None:
        g.add_node(key, label=label, type=kind, aliases=[], evidence=ev, **more)

    node("p1", "甲高新区", "Park")
    node("p2", "乙高新区", "Park")
    node("f1", "乙公司", "Enterprise")
    node("f2", "丙公司", "Enterprise")
    node("x1", "孤公司", "Enterprise")
    node("j1", "大项目", "Project", amount=5_000_000_000, amounts=[5_000_000_000])
    node("j2", "小项目", "Project", amount=100_000_000, amounts=[100_000_000])
    node("l1", "实验室", "Platform")
    for a, b, r in [("p1", "f1", "hosts"), ("p2", "f1", "hosts"), ("p2", "f2", "hosts"),
                    ("p1", "j1", "hosts"), ("p1", "j2", "hosts"), ("p2", "l1", "built"),
                    ("f2", "j2", "investor")]:
        g.add_edge(a, b, key=r, relation=r, evidence=ev)
    return g


# ---------------------------------------------------------------------------- item 2


def test_explore_overview_opens_readable_and_still(
    seeds_view: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    opened = ready(open_page(seeds_view[0]))

    scale = opened.js("() => network.getScale()")
    font = opened.js("() => kg.state.parkFont")
    assert font * scale >= 13.5  # the largest parks' labels, in screen pixels
    assert opened.js(PARK_OVERLAPS) == 0
    assert opened.js("() => kg.state.readyMs - kg.state.firstDrawMs") < 1000
    before = opened.js("() => JSON.stringify(network.getPositions())")
    opened.page.wait_for_timeout(1000)
    assert opened.js("() => JSON.stringify(network.getPositions())") == before
    assert opened.js("() => network.physics.physicsEnabled") is False
    assert opened.errors == [] and opened.requests == []


def test_explore_click_highlights_neighbours_and_dims_the_rest(
    tmp_path: Path, open_page: Any
) -> None:
    g = small()
    views.write_html(g, tmp_path / "s.html")
    opened = ready(open_page(tmp_path / "s.html"))
    park = by_label(opened, "甲高新区")

    at = opened.js(NODE_ON_SCREEN, park)
    opened.page.mouse.click(at["x"], at["y"])

    opacity = opened.js("() => Object.fromEntries(nodes.get().map((n) => [n.label, n.opacity]))")
    assert {k for k, v in opacity.items() if v == 1} == {"甲高新区", "乙公司", "大项目", "小项目"}
    assert opacity["实验室"] < 0.5 and opacity["孤公司"] < 0.5
    dimmed = opened.js("() => edges.get().filter((e) => e.color && e.color.opacity < 1).length")
    assert dimmed == 4  # the edges that do not touch the park
    empty = opened.js(EMPTY_SPOT)
    opened.page.mouse.click(empty["x"], empty["y"])
    assert opened.js("() => nodes.get().every((n) => n.opacity === undefined || n.opacity === 1)")
    assert opened.errors == [] and opened.requests == []


def test_explore_double_click_expands_hidden_neighbours(tmp_path: Path, open_page: Any) -> None:
    views.write_html(small(), tmp_path / "s.html")
    opened = ready(open_page(tmp_path / "s.html"))
    opened.page.uncheck("[data-kg-class=Enterprise]")
    assert opened.js("() => nodes.get().filter((n) => n.hidden).map((n) => n.label).sort()") \
        == ["丙公司", "乙公司", "孤公司"]
    park = by_label(opened, "乙高新区")

    double_click(opened, park, "() => nodes.get().filter((n) => n.hidden).length === 1")

    hidden = opened.js("() => nodes.get().filter((n) => n.hidden).map((n) => n.label)")
    assert hidden == ["孤公司"]  # the park's two firms came back; the filter still holds
    assert opened.errors == [] and opened.requests == []


def test_explore_path_between_two_entities(tmp_path: Path, open_page: Any) -> None:
    views.write_html(small(), tmp_path / "s.html")
    opened = ready(open_page(tmp_path / "s.html"))

    opened.page.fill("#kg-path-from", "大项目")
    opened.page.fill("#kg-path-to", "实验室")
    opened.page.click("#kg-path-go")

    shown = opened.page.inner_text("#kg-path-result")
    assert shown.split("(")[0].split() == ["大项目", "→", "甲高新区", "→", "乙公司", "→",
                                           "乙高新区", "→", "实验室"]
    assert "4 步 steps" in shown
    bold = opened.js("() => edges.get().filter((e) => e.width === 3).length")
    assert bold == 4
    opened.page.fill("#kg-path-to", "孤公司")
    opened.page.click("#kg-path-go")
    assert opened.page.inner_text("#kg-path-result") == "无路径 No path"
    assert opened.errors == [] and opened.requests == []


# ---------------------------------------------------------------------------- item 1

HIDDEN = "() => nodes.get().filter((n) => n.hidden).map((n) => n.label).sort()"
HIDDEN_EDGES = "() => edges.get().filter((e) => e.hidden).map((e) => e.label).sort()"


def test_explore_legend_toggles_classes_and_relations(tmp_path: Path, open_page: Any) -> None:
    views.write_html(small(), tmp_path / "s.html")
    opened = ready(open_page(tmp_path / "s.html"))

    opened.page.uncheck("[data-kg-class=Project]")
    assert opened.js(HIDDEN) == ["大项目", "小项目"]
    assert opened.js(HIDDEN_EDGES) == ["hosts", "hosts", "investor"]
    opened.page.check("[data-kg-class=Project]")
    opened.page.uncheck("[data-kg-relation=hosts]")

    assert opened.js(HIDDEN) == []
    assert opened.js(HIDDEN_EDGES) == ["hosts"] * 5
    assert opened.errors == [] and opened.requests == []


def test_explore_degree_slider_and_isolates_count_the_view(
    tmp_path: Path, open_page: Any
) -> None:
    views.write_html(small(), tmp_path / "s.html")
    opened = ready(open_page(tmp_path / "s.html"))

    opened.page.check("#kg-isolates")
    assert opened.js(HIDDEN) == ["孤公司"]
    opened.page.uncheck("#kg-isolates")
    opened.page.locator("#kg-degree").fill("3")
    assert opened.js(HIDDEN) == sorted(["丙公司", "大项目", "孤公司", "实验室", "小项目", "乙公司"])
    assert opened.page.inner_text("#kg-degree-value") == "3"
    # without projects, 甲高新区 keeps one relation: the degree counts the edges of the view
    opened.page.locator("#kg-degree").fill("2")
    opened.page.uncheck("[data-kg-class=Project]")
    assert "甲高新区" in opened.js(HIDDEN) and "乙高新区" not in opened.js(HIDDEN)
    assert opened.errors == [] and opened.requests == []


def test_explore_investment_range_size_and_colour(tmp_path: Path, open_page: Any) -> None:
    views.write_html(small(), tmp_path / "s.html")
    opened = ready(open_page(tmp_path / "s.html"))

    opened.page.fill("#kg-inv-min", "10")
    opened.page.press("#kg-inv-min", "Enter")
    opened.page.locator("#kg-inv-min").dispatch_event("change")
    # 甲高新区 hosts 51 亿 of projects, 大项目 is 50 亿, 小项目 1 亿; the others have no amount
    assert opened.js(HIDDEN) == ["小项目"]
    opened.page.fill("#kg-inv-max", "50")
    opened.page.locator("#kg-inv-max").dispatch_event("change")
    assert opened.js(HIDDEN) == sorted(["小项目", "甲高新区"])

    opened.page.select_option("#kg-size", "degree")
    values = opened.js("() => Object.fromEntries(nodes.get().map((n) => [n.label, n.value]))")
    assert values["乙高新区"] == 3 and values["孤公司"] == 0
    opened.page.select_option("#kg-size", "investment")
    assert opened.js("() => nodes.get().find((n) => n.label === '大项目').value") == 50
    opened.page.select_option("#kg-colour", "community")
    colours = opened.js("() => Object.fromEntries(nodes.get().map((n) => [n.label,"
                        " n.color.background]))")
    palette = opened.js("() => kg.data.palette")
    assert colours["甲高新区"] in palette and colours["乙高新区"] in palette
    assert colours["甲高新区"] != colours["乙高新区"]  # two communities, one per park
    opened.page.select_option("#kg-colour", "class")
    assert opened.js("() => nodes.get().find((n) => n.label === '大项目').color.background") \
        == views.STYLES["Project"][2]
    assert opened.errors == [] and opened.requests == []


def test_explore_communities_are_louvain_and_shipped(tmp_path: Path) -> None:
    from kg.views.analysis import communities

    g = small()
    found = communities(g)

    assert found["p1"] != found["p2"] and found["x1"] not in {found["p1"], found["p2"]}
    views.write_html(g, tmp_path / "s.html")
    data = _data(tmp_path / "s.html")
    assert [n["community"] for n in data["nodes"]] == [found[n] for n in g]


def _data(path: Path) -> dict[str, Any]:
    import json
    import re

    text = path.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', text, re.S)
    assert found
    return dict(json.loads(found.group(1)))


# ---------------------------------------------------------------------------- item 5

NEIJIANG_ARTICLE = "内江高新区推动工业经济蓬勃向“新”"


def test_explore_evidence_names_its_own_article_once_with_every_rule(
    seeds_view: tuple[Path, nx.MultiDiGraph]
) -> None:
    data = _data(seeds_view[0])
    docs, sentences = data["docs"], data["sentences"]

    where = {s[1]: docs[s[0]][1] for s in sentences}
    biggest = "项目中，投资金额最大的是航天联志内江先进算力产业园项目。"
    assert where[biggest] == NEIJIANG_ARTICLE  # not the file's first heading, 新余高新区：…
    assert len({(docs[s[0]][0], s[1]) for s in sentences}) == len(sentences)  # each once
    assert [s[2] for s in sentences if s[1] == biggest] == [
        "investor.name_prefix, hosts.section_topic"]
    titles = {d[1] for d in docs if d[0] == "004_50c721a1e63a8171"}
    assert {"新余高新区：培育壮大科创“生力军”", NEIJIANG_ARTICLE} <= titles


def test_explore_panel_shows_article_title_and_rules(
    seeds_view: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    opened = ready(open_page(seeds_view[0]))

    opened.page.fill("#kg-search", "航天联志内江先进算力产业园项目")
    opened.page.press("#kg-search", "Enter")
    opened.page.wait_for_function("() => kg.state.focused !== null")

    panel = opened.js("() => document.getElementById('kg-panel-body').innerText")
    assert f"《{NEIJIANG_ARTICLE}》" in panel and "新余高新区：培育" not in panel
    assert "rules investor.name_prefix, hosts.section_topic" in panel
    assert panel.count("投资金额最大的是航天联志内江先进算力产业园项目") == 1
    assert opened.errors == [] and opened.requests == []


# ---------------------------------------------------------------------------- item 3


def _same(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    return dict(a.nodes(data=True)) == dict(b.nodes(data=True)) and sorted(
        map(str, a.edges(keys=True, data=True))) == sorted(map(str, b.edges(keys=True, data=True)))


@pytest.mark.parametrize("options", [
    {"focus": "内江", "hops": 1},
    {"focus": "内江", "hops": 2},
    {"focus": "南昌高新区", "hops": 1, "types": ["Park", "Enterprise"], "min_degree": 1},
    {"focus": "西安", "hops": 1},
])
def test_explore_store_view_is_the_view_select_cuts(seeds_store: Any, options: dict[str, Any]
                                                     ) -> None:
    whole = views.store_networkx(seeds_store)

    cut = views.store_view(seeds_store, **options)

    assert _same(cut, views.select(whole, **options))
    assert cut.graph["view"] == views.select(whole, **options).graph["view"]


def test_explore_ambiguous_focus_prefers_a_park_and_says_so(seeds_store: Any) -> None:
    cut = views.store_view(seeds_store, focus="内江")

    assert [cut.nodes[n]["label"] for n in cut.graph["focus"]] == ["四川内江高新区"]
    assert cut.graph["picked"].startswith("内江 → 四川内江高新区 (Park); also matches 内江市")


def test_explore_degree_counts_the_edges_of_the_view(seeds_build: Any) -> None:
    whole = views.load(seeds_build.store_path)

    view = views.select(whole, types=["Park", "Enterprise"], min_degree=2)

    assert view.number_of_nodes() > 0
    assert all(view.degree(n) >= 2 for n in view)  # no park left without an edge


def test_explore_view_of_a_stored_querys_entities(seeds_store: Any, tmp_path: Path) -> None:
    from kg.queries import load_query, run_query

    rows = run_query(seeds_store, load_query("park-enterprises"), {"park": "四川内江高新区"})
    iris = {cell.value for row in rows[1] for cell in row
            if cell is not None and type(cell).__name__ == "NamedNode"}
    assert iris

    drawn = views.render(seeds_store, tmp_path / "q.html", entities=iris, hops=0)

    assert set(drawn) == iris
    assert drawn.graph["view"] == f"{len(iris)} entities"


def test_explore_render_source_never_loads_the_whole_store(
    seeds_build: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.views import page

    def whole(*_: Any) -> None:
        raise AssertionError("the whole graph was read")

    monkeypatch.setattr(page, "store_networkx", whole)
    monkeypatch.setattr(page, "read_graph", whole)

    drawn = views.render_source(seeds_build.store_path, tmp_path / "f.html", focus="内江")

    assert "四川内江高新区" in {d["label"] for _, d in drawn.nodes(data=True)}


# ---------------------------------------------------------------------------- item 7


def test_explore_exports_png_csv_and_graphml_of_the_current_view(
    tmp_path: Path, open_page: Any
) -> None:
    g = small()
    g.nodes["f1"]["label"] = '=HYPERLINK("x"),<b>乙公司</b>'
    views.write_html(g, tmp_path / "s.html")
    opened = ready(open_page(tmp_path / "s.html"))
    opened.page.uncheck("[data-kg-class=Project]")

    downloads: list[Any] = []
    opened.page.on("download", lambda d: downloads.append(d))

    for button in ("#kg-export-png", "#kg-export-csv", "#kg-export-graphml"):
        opened.page.click(button)
    opened.page.wait_for_timeout(200)
    for _ in range(50):
        if len(downloads) == 4:
            break
        opened.page.wait_for_timeout(100)

    got = {d.suggested_filename: Path(d.path()) for d in downloads}
    image = got["parks-kg-view.png"].read_bytes()
    assert image.startswith(b"\x89PNG") and len(image) > 5000
    files = {name: got[name].read_text(encoding="utf-8-sig")
             for name in ("parks-kg-nodes.csv", "parks-kg-edges.csv")}
    nodes_csv, edges_csv = files["parks-kg-nodes.csv"], files["parks-kg-edges.csv"]
    assert nodes_csv.splitlines()[0] == "id,label,type,degree,community,investment_yuan"
    assert len(nodes_csv.splitlines()) == 1 + 6  # the two projects are filtered out
    assert '"\'=HYPERLINK(""x""),<b>乙公司</b>"' in nodes_csv  # never a formula
    assert len(edges_csv.splitlines()) == 1 + 4 and "p1,j1" not in edges_csv
    text = got["parks-kg-view.graphml"].read_text(encoding="utf-8")
    parsed = nx.read_graphml(got["parks-kg-view.graphml"])
    assert parsed.number_of_nodes() == 6 and parsed.number_of_edges() == 4
    assert parsed.nodes["f1"]["label"] == '=HYPERLINK("x"),<b>乙公司</b>'
    assert "<b>" not in text  # escaped
    assert opened.errors == [] and opened.requests == []


# ---------------------------------------------------------------------------- item 6

WHEEL_ARM = """() => {
  const probe = {t0: null, frames: []};
  probe.onWheel = () => { if (probe.t0 === null) probe.t0 = performance.now(); };
  probe.onDraw = () => probe.frames.push(performance.now());
  window.addEventListener("wheel", probe.onWheel, {capture: true});
  network.on("afterDrawing", probe.onDraw);
  window.kgWheelProbe = probe;
}"""
WHEEL_TIME = """() => {
  const probe = window.kgWheelProbe;
  network.off("afterDrawing", probe.onDraw);
  const after = probe.frames.filter((t) => probe.t0 !== null && t >= probe.t0);
  if (!after.length) return null;
  return (network.renderer.options.hideEdgesOnZoom ? after[after.length - 1] : after[0])
    - probe.t0;
}"""


@pytest.fixture(scope="module")
def folded_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, nx.MultiDiGraph]:
    """6,000 entities: above AGGREGATE_MIN_NODES, so the overview is folded."""
    g = browser_tests.synthetic(300, 19)
    path = tmp_path_factory.mktemp("folded") / "folded.html"
    views.write_html(g, path)
    return path, g


def test_explore_large_graph_opens_folded_and_expands_on_demand(
    folded_page: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    path, g = folded_page
    assert g.number_of_nodes() > views.AGGREGATE_MIN_NODES
    opened = ready(open_page(path))

    drawn = opened.js("() => nodes.length")
    assert drawn <= 300 < g.number_of_nodes()
    assert opened.js(PARK_OVERLAPS) == 0
    park = opened.js("""() => nodes.get().filter((n) => n.group === "Park" &&
      n.label.includes("(+")).map((n) => n.id).find((id) => {
        const p = network.canvasToDOM(network.getPositions([id])[id]);
        const box = document.getElementById("mynetwork").getBoundingClientRect();
        const at = document.elementFromPoint(box.left + p.x, box.top + p.y);
        return at && at.tagName === "CANVAS" && network.getNodeAt(p) === id; })""")
    folded = opened.js("(id) => kg.data.nodes[id].folded", park)
    assert folded > 0
    double_click(opened, park, f"() => nodes.length >= {drawn + folded}")
    assert opened.js("() => nodes.length") >= drawn + folded
    assert "(+" not in opened.js("(id) => nodes.get(id).label", park)
    # a folded entity found by search is drawn and focused
    opened.page.fill("#kg-search", "企业299-18")
    opened.page.press("#kg-search", "Enter")
    opened.page.wait_for_function("() => kg.state.focused !== null")
    assert opened.panel().startswith("企业299-18\n")
    assert opened.errors == [] and opened.requests == []


def test_explore_wheel_step_settles_fast_when_folded(
    folded_page: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    opened = ready(open_page(folded_page[0]))
    opened.js("() => network.fit({animation: false})")
    box = opened.page.locator("#mynetwork").bounding_box()
    opened.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    times = []

    for step in range(4):
        opened.js(WHEEL_ARM)
        opened.page.mouse.wheel(0, -100 if step % 2 == 0 else 100)
        opened.page.wait_for_timeout(500)
        times.append(opened.js(WHEEL_TIME))

    assert None not in times
    assert sorted(times)[len(times) // 2] < 200, times
    assert opened.errors == [] and opened.requests == []


# ---------------------------------------------------------------------------- item 4


def test_explore_map_places_a_park_at_its_prefecture_not_the_province_seat(
    seeds_view: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    """新余高新区 (seed 001) is drawn on the map where 新余市 is (kg/data/divisions.csv), not at
    南昌, the seat of 江西省; two parks of 内江市 share their prefecture's place."""
    import csv

    from kg.views.geo import park_places, project, province_seats

    path, g = seeds_view
    rows = {r["name"]: r for r in csv.DictReader(
        (ROOT / "kg" / "data" / "divisions.csv").read_text(encoding="utf-8").splitlines())}
    xinyu = project(float(rows["新余市"]["lon"]), float(rows["新余市"]["lat"]))
    seat = project(*province_seats()["江西省"][1:])
    assert math.dist(xinyu, seat) > 100  # far enough apart on the canvas to tell
    places, _ = park_places(g)
    label = {d["label"]: n for n, d in g.nodes(data=True)}
    assert places[label["新余高新区"]] == (*xinyu, "江西省")
    neijiang = project(float(rows["内江市"]["lon"]), float(rows["内江市"]["lat"]))
    assert {places[label[p]][:2] == neijiang for p in ("四川内江高新区", "白马园区")} \
        == {True, False}  # the first at the place, the second in the ring around it
    assert math.dist(places[label["白马园区"]][:2], neijiang) < 100
    opened = ready(open_page(path))

    opened.page.select_option("#kg-mode", "map")

    drawn = opened.js("() => { const id = nodes.get().find((n) => n.label === '新余高新区').id;"
                      " const p = network.getPositions([id])[id]; return [p.x, p.y]; }")
    assert math.dist(drawn, xinyu) < 60, (drawn, xinyu)  # boxes pushed apart at most a little
    assert math.dist(drawn, seat) > math.dist(xinyu, seat) - 60
    assert opened.errors == [] and opened.requests == []



def test_explore_map_places_parks_by_province_and_links_back(
    seeds_view: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    from kg.views.geo import park_places, project, province_seats

    path, g = seeds_view
    places, provinces = park_places(g)
    park = next(n for n, d in g.nodes(data=True) if d["label"] == "四川内江高新区")
    assert places[park][2] == "四川省"
    seat = project(*province_seats()["四川省"][1:])
    assert abs(places[park][0] - seat[0]) <= 250 and abs(places[park][1] - seat[1]) <= 250
    opened = ready(open_page(path))
    before = opened.js("() => JSON.stringify(network.getPositions())")

    opened.page.select_option("#kg-mode", "map")

    shown = opened.js("() => kg.visibleNodes().map((id) => kg.data.nodes[id].type)")
    assert len(shown) == len(places) and set(shown) == {"Park"}
    sizes = opened.js("() => Object.fromEntries(nodes.get().filter((n) => !n.hidden)"
                      ".map((n) => [n.label, n.font.size]))")
    opened.page.select_option("#kg-map-measure", "investment")
    by_money = opened.js("() => nodes.get().find((n) => n.label === '四川内江高新区').font.size")
    assert by_money > sizes["四川内江高新区"]  # 84.6 亿, the largest investment of the seeds
    assert [p[0] for p in provinces] == sorted(p[0] for p in provinces)
    node = opened.js("() => nodes.get().find((n) => n.label === '四川内江高新区').id")
    double_click(opened, node, "() => kg.state.mode === 'graph'")  # back to the graph, there
    assert opened.js("() => kg.state.mode") == "graph"
    assert opened.js("() => kg.state.focused") == node
    opened.js("() => network.stopSimulation()")
    opened.page.select_option("#kg-mode", "map")
    opened.page.select_option("#kg-mode", "graph")
    assert opened.js("() => JSON.stringify(network.getPositions())") == before
    assert opened.errors == [] and opened.requests == []


def test_explore_store_view_of_a_store_without_dated_facts(seeds_store: Any) -> None:
    """A store with no time:hasTime at all is not asked for the times of each statement: the
    view is still the one `select` cuts, now without times (and the seeds' view had some)."""
    import pyoxigraph as ox

    has_time = ox.NamedNode("http://www.w3.org/2006/time#hasTime")
    db = ox.Store()
    db.bulk_extend(q for q in seeds_store.database() if q.predicate != has_time)
    options = {"focus": "内江", "hops": 2}

    cut = views.store_view(db, **options)

    assert _same(cut, views.select(views.store_networkx(db), **options))
    assert not any("times" in d for _, _, d in cut.edges(data=True))
    assert any("times" in d for _, _, d in views.store_view(seeds_store, **options)
               .edges(data=True))
