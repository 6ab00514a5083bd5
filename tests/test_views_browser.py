"""kg.views pages in a real browser: headless Debian Chromium driven by Playwright, network off.

Playwright comes from the dev extra and drives /usr/bin/chromium (never a browser download);
without Chromium these tests skip, saying so, except under CI=true where they fail, since
.ci/run installs it. Every page is opened with the network off and every request that is not
the page's own file is recorded and refused. The 20,000-entity page runs with --slow.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from rdflib import Dataset

sys.path.insert(0, str(Path(__file__).parent))
from test_views import (  # noqa: E402
    BYD,
    EVIL,
    LAB,
    PARK,
    PROJECT,
    XSS,
    XSS_SENTENCE,
    dataset,  # noqa: F401  (a fixture)
)

from kg import views  # noqa: E402
from kg.views.graph import _norm  # noqa: E402

CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
# Playwright adds --headless and a fresh --user-data-dir of its own.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
SHOTS = Path(os.environ.get("KG_SCREENSHOTS", "")) if os.environ.get("KG_SCREENSHOTS") else None

# One frame drawn on demand: which nodes and edges vis-network's renderer actually drew.
COUNT_DRAWN = """() => new Promise((done) => {
  const drawn = {nodes: new Set(), edges: new Set()};
  const undo = [];
  for (const [kind, items] of [["nodes", network.body.nodes], ["edges", network.body.edges]]) {
    for (const [id, item] of Object.entries(items)) {
      const draw = item.draw;
      item.draw = function () { drawn[kind].add(id); return draw.apply(this, arguments); };
      undo.push(() => { item.draw = draw; });
    }
  }
  network.once("afterDrawing", () => {
    undo.forEach((f) => f());
    done([drawn.nodes.size, drawn.edges.size]);
  });
  network.redraw();
})"""
# Where a node is on the screen (page coordinates).
NODE_ON_SCREEN = """(id) => {
  const p = network.canvasToDOM(network.getPositions([id])[id]);
  const box = document.getElementById("mynetwork").getBoundingClientRect();
  return {x: box.left + p.x, y: box.top + p.y};
}"""
# A point on an edge, away from nodes, where vis-network finds that edge (page coordinates).
EDGE_ON_SCREEN = """(eid) => {
  const e = edges.get(eid);
  const p = network.getPositions([e.from, e.to]);
  const box = document.getElementById("mynetwork").getBoundingClientRect();
  for (let t = 0.5; t > 0.1; t -= 0.05) {
    for (const s of [t, 1 - t]) {
      const c = {x: p[e.from].x + s * (p[e.to].x - p[e.from].x),
                 y: p[e.from].y + s * (p[e.to].y - p[e.from].y)};
      const d = network.canvasToDOM(c);
      if (network.getEdgeAt(d) === eid && network.getNodeAt(d) === undefined) {
        return {x: box.left + d.x, y: box.top + d.y};
      }
    }
  }
  return null;
}"""

# A point of the canvas with neither node nor edge under it (page coordinates).
EMPTY_SPOT = """() => {
  const box = document.getElementById("mynetwork").getBoundingClientRect();
  for (let y = 80; y < box.height - 140; y += 20) {
    for (let x = 260; x < box.width - 200; x += 20) {
      if (network.getNodeAt({x, y}) === undefined && network.getEdgeAt({x, y}) === undefined) {
        return {x: box.left + x, y: box.top + y};
      }
    }
  }
  return null;
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, launched once for this module."""
    if not CHROMIUM.exists():
        reason = (
            f"browser tests need Chromium at {CHROMIUM} "
            "(Debian: apt-get install chromium fonts-noto-cjk; .ci/run installs both)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason + ", and CI must run them")
        pytest.skip(reason)
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="browser tests need playwright: pip install -e '.[dev]'"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@dataclass
class Opened:
    """A page of ours open in the browser, with what it tried to fetch and what went wrong."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def drawn(self) -> tuple[int, int]:
        nodes, edges = self.js(COUNT_DRAWN)
        return nodes, edges

    def settle(self) -> None:
        """Stop the physics, so that nodes stay where the mouse is sent."""
        self.js("() => network.stopSimulation()")

    def panel(self) -> str:
        return str(self.js("() => document.getElementById('kg-panel-body').innerText"))


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """open_page(path) → Opened, in a fresh offline browser context; closed after the test."""
    contexts = []

    def opener(path: Path, *, timeout: float = 60_000) -> Opened:
        context = browser.new_context(viewport=VIEWPORT, offline=True)
        contexts.append(context)
        opened = Opened(context.new_page())

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith("file:"):
                r.continue_()
            else:
                opened.requests.append(url)
                r.abort()

        context.route("**/*", route)
        opened.page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
        opened.page.on(
            "console", lambda m: opened.errors.append(m.text) if m.type == "error" else None
        )

        def dialog(d: Any) -> None:
            opened.dialogs.append(d.message)
            d.dismiss()

        opened.page.on("dialog", dialog)
        opened.page.goto(path.resolve().as_uri(), timeout=timeout)
        opened.page.wait_for_function(
            "() => window.kg && kg.state.firstDrawMs !== null", timeout=timeout, polling=50
        )
        return opened

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def seeds_page(seeds_build: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The whole seeds graph drawn by kg.views.render: (page path, networkx graph drawn)."""
    path = tmp_path_factory.mktemp("seeds_view") / "graph.html"
    drawn = views.render(views.read_graph(seeds_build.store_path), path, title="parks-kg: seeds")
    return path, drawn


def synthetic(n_parks: int, firms_per_park: int) -> nx.MultiDiGraph:
    """Parks each hosting firms, one firm in ten also in the next park: a large test graph."""
    g = nx.MultiDiGraph()
    ev = [{"sentence": "企业落户园区。", "doc": "D0", "rule": "hosts.settle_in"}]
    for p in range(n_parks):
        park = f"https://w3id.org/parks-kg/id/park/{p:016x}"
        g.add_node(park, label=f"高新区{p}", type="Park", aliases=[f"园区{p}号"], evidence=ev)
        for f in range(firms_per_park):
            firm = f"https://w3id.org/parks-kg/id/enterprise/{p:08x}{f:08x}"
            g.add_node(firm, label=f"企业{p}-{f}", type="Enterprise", aliases=[], evidence=ev)
            g.add_edge(park, firm, key="hosts", relation="hosts", evidence=ev)
            if f % 10 == 0 and n_parks > 1:
                g.add_edge(f"https://w3id.org/parks-kg/id/park/{(p + 1) % n_parks:016x}", firm,
                           key="hosts", relation="hosts", evidence=ev)
    return g


def not_blank(png: bytes, colours: list[str]) -> tuple[float, list[str]]:
    """Share of non-white pixels in a PNG, and which of `colours` (hex) appear in it."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16).reshape(-1, 3)
    busy = float((pixels.min(axis=1) < 235).mean())
    found = []
    for colour in colours:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
        if (np.abs(pixels - rgb).max(axis=1) <= 6).any():
            found.append(colour)
    return busy, found


# ---------------------------------------------------------------------------- the seeds


def test_views_browser_seeds_page_draws_every_entity_offline(
    seeds_page: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    path, g = seeds_page

    opened = open_page(path)

    assert opened.js("() => [nodes.length, edges.length]") == [
        g.number_of_nodes(),
        g.number_of_edges(),
    ]
    assert opened.drawn() == (g.number_of_nodes(), g.number_of_edges())
    assert opened.js("() => network.physics.physicsEnabled") is False  # starts still
    assert opened.requests == [] and opened.errors == [] and opened.dialogs == []
    opened.settle()
    png = opened.page.locator("#mynetwork").screenshot()
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "seeds.png").write_bytes(opened.page.screenshot())
    busy, colours = not_blank(png, [fill for _, _, fill, _ in views.STYLES.values()])
    assert busy > 0.02, f"the screenshot is almost blank ({busy:.1%} drawn)"
    present = {g.nodes[n]["type"] for n in g}
    expected = [fill for kind, (_, _, fill, _) in views.STYLES.items() if kind in present]
    assert colours == expected  # every class present in the graph shows in its colour


def test_views_browser_search_focuses_by_name_and_by_alias(
    seeds_page: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    path, g = seeds_page
    names = {_norm(d["label"]) for _, d in g.nodes(data=True)}
    aliases: dict[str, list[str]] = {}
    for node, data in g.nodes(data=True):
        for alias in data["aliases"]:
            aliases.setdefault(_norm(alias), []).append(node)
    alias, target = next(
        (a, nodes[0])
        for a, nodes in sorted(aliases.items())
        if len(nodes) == 1 and a not in names and len(a) >= 4
    )
    park = max((n for n in g if g.nodes[n]["type"] == "Park"), key=g.degree)
    opened = open_page(path)
    opened.settle()
    ids = opened.js("() => Object.fromEntries(kg.data.nodes.map((d, i) => [d.iri, i]))")

    for query, node in ((g.nodes[park]["label"], park), (alias, target)):
        opened.page.fill("#kg-search", "")
        opened.page.locator("#kg-search").press_sequentially(query)
        first = opened.page.locator("#kg-results li").first.inner_text()
        opened.page.press("#kg-search", "Enter")
        opened.page.wait_for_function(
            "(id) => kg.state.focused === id && !kg.state.moving", arg=ids[node]
        )

        assert g.nodes[node]["label"] in first
        assert opened.js("() => network.getSelectedNodes()") == [ids[node]]
        assert opened.panel().startswith(g.nodes[node]["label"])
        where = opened.js(NODE_ON_SCREEN, ids[node])
        panel = opened.js("() => document.getElementById('kg-panel').getBoundingClientRect().x")
        assert 0 < where["x"] < panel and 46 < where["y"] < VIEWPORT["height"]
        assert opened.js("() => network.getScale()") > 1.15  # zoomed in on it (1.2)
    assert opened.errors == [] and opened.requests == []


# ---------------------------------------------------------------------------- details, escaping


def test_views_browser_click_shows_details_and_edge_tooltip(
    dataset: Dataset, tmp_path: Path, open_page: Any  # noqa: F811
) -> None:
    path = tmp_path / "xian.html"
    views.render(dataset, path, title="西安")
    opened = open_page(path)
    opened.settle()
    ids = opened.js("() => Object.fromEntries(kg.data.nodes.map((d, i) => [d.iri, i]))")

    at = opened.js(NODE_ON_SCREEN, ids[str(PARK)])
    opened.page.mouse.click(at["x"], at["y"])
    park = opened.panel()
    at = opened.js(NODE_ON_SCREEN, ids[str(PROJECT)])
    opened.page.mouse.click(at["x"], at["y"])
    project = opened.panel()
    href = opened.js("() => document.querySelector('#kg-panel a') === null")

    assert park.startswith("西安高新区\n")
    assert "类型 Class Park 园区" in park
    assert "别名 Aliases 园区、西安高新技术产业开发区" in park
    assert "Wikidata Q15914389" in park
    assert "项目投资合计 Investment 53.6 亿元" in park
    assert "[D1] 比亚迪落户西安高新区。" in park
    assert "来源 Source: 《西安高新区新闻》 · D1.txt · rule hosts.settle_in" in park
    assert "→ hosts (3)" in park and "← partOf (1)" in park
    assert "投资额 Amount 53.6 亿元 (5,360,000,000 元) — 原文 约53.6亿元" in project
    assert href is True  # no Wikidata ID, no link
    opened.page.mouse.click(*opened.js(NODE_ON_SCREEN, ids[str(PARK)]).values())
    link = opened.js("() => document.querySelector('#kg-panel a.kg-wikidata').href")
    assert link == "https://www.wikidata.org/wiki/Q15914389"

    edge = opened.js(
        "([a, b]) => edges.getIds({filter: (e) => e.from === a && e.to === b})[0]",
        [ids[str(PARK)], ids[str(BYD)]],
    )
    point = opened.js(EDGE_ON_SCREEN, edge)
    assert point is not None
    opened.page.mouse.move(point["x"] + 3, point["y"] + 3)
    opened.page.mouse.move(point["x"], point["y"])
    opened.page.wait_for_function("() => !document.getElementById('kg-tip').hidden")
    tip = opened.js("() => document.getElementById('kg-tip').innerText")
    assert tip.startswith("hosts: 西安高新区 → 比亚迪")
    assert "• [D1] 比亚迪落户西安高新区。" in tip and "• [D2] 比亚迪在西安高新区扩大产能。" in tip
    assert "… 另有 4 条 / more" in tip
    assert opened.errors == [] and opened.requests == []


def test_views_browser_corpus_text_shows_as_text(
    dataset: Dataset, tmp_path: Path, open_page: Any  # noqa: F811
) -> None:
    path = tmp_path / "evil.html"
    views.render(dataset, path, title=XSS)
    opened = open_page(path)
    opened.settle()
    ids = opened.js("() => Object.fromEntries(kg.data.nodes.map((d, i) => [d.iri, i]))")

    opened.page.fill("#kg-search", "<script>")
    opened.page.press("#kg-search", "Enter")
    opened.page.wait_for_function("(id) => kg.state.focused === id", arg=ids[str(EVIL)])
    at = opened.js(NODE_ON_SCREEN, ids[str(LAB)])  # a hover elsewhere, then back
    opened.page.mouse.move(at["x"], at["y"])

    assert opened.js("() => document.getElementById('kg-title').textContent") == XSS
    assert opened.panel().startswith(XSS + "\n")
    assert XSS_SENTENCE in opened.panel()
    assert opened.js("() => document.querySelectorAll('#kg-panel *').length") > 5
    assert opened.js(
        "() => document.querySelectorAll('#kg-panel script, #kg-panel img, "
        "#kg-header script, #kg-tip img').length"
    ) == 0
    assert opened.dialogs == []  # no alert(1) or alert(2) ran
    assert opened.errors == [] and opened.requests == []


# ---------------------------------------------------------------------------- size


def test_views_browser_3000_entities_fixed_layout(tmp_path: Path, open_page: Any) -> None:
    g = synthetic(150, 19)
    path = tmp_path / "big.html"
    views.write_html(g, path)

    opened = open_page(path)

    assert g.number_of_nodes() == 3000
    assert opened.drawn() == (g.number_of_nodes(), g.number_of_edges())
    assert opened.js("() => network.physics.physicsEnabled") is False
    assert opened.js("() => kg.state.firstDrawMs") < 10_000
    positions = opened.js("() => network.getPositions([0, 1, 2999])")
    nodes, _, _ = _page_nodes(path)
    for i in ("0", "1", "2999"):
        assert abs(positions[i]["x"] - nodes[int(i)]["x"]) < 1  # vis rounds to pixels
        assert abs(positions[i]["y"] - nodes[int(i)]["y"]) < 1
    assert opened.errors == [] and opened.requests == []


def _page_nodes(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    from test_views import page_data

    return page_data(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_views_browser_20000_entities_draw_pan_and_zoom(tmp_path: Path, open_page: Any) -> None:
    g = synthetic(1000, 19)
    path = tmp_path / "huge.html"
    views.write_html(g, path)

    opened = open_page(path, timeout=120_000)

    assert g.number_of_nodes() == 20_000
    assert opened.js("() => kg.state.firstDrawMs") < 10_000
    drawn_nodes, _ = opened.drawn()  # above 5,000 entities the overview is folded
    assert 0 < drawn_nodes < g.number_of_nodes()
    view = "() => [network.getViewPosition(), network.getScale()]"
    before = opened.js(view)
    start = opened.js(EMPTY_SPOT)  # grab the canvas, not a node
    opened.page.mouse.move(start["x"], start["y"])
    opened.page.mouse.down()
    opened.page.mouse.move(start["x"] + 150, start["y"] + 100, steps=10)
    opened.page.mouse.up()
    dragged = opened.js(view)
    opened.page.mouse.wheel(0, -400)
    opened.page.wait_for_timeout(300)
    zoomed = opened.js(view)
    # dragging the canvas moves the view (or, on the folded overview, leaves it), zooming zooms
    assert dragged[0]["x"] <= before[0]["x"] and dragged[0]["y"] <= before[0]["y"]
    assert zoomed[1] > dragged[1]
    opened.page.fill("#kg-search", "园区999号")
    opened.page.press("#kg-search", "Enter")
    opened.page.wait_for_function("() => kg.state.focused !== null")
    assert opened.panel().startswith("高新区999\n")
    assert opened.errors == [] and opened.requests == []
