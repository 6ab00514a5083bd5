"""The explorer's "path between" under the filters, and the map's prefecture markers, in a real
browser (headless Debian Chromium, network off, fixtures of test_views_browser.py): every test
also checks that the page made no request and logged no error."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import test_views_browser as browser_tests  # noqa: E402
import test_views_explore as explore_tests  # noqa: E402

from kg import views  # noqa: E402

browser = browser_tests.browser  # the fixtures: headless Chromium, pages opened offline
open_page = browser_tests.open_page
ready = explore_tests.ready
double_click = explore_tests.double_click


def _path(opened: Any, a: str, b: str) -> str:
    opened.page.fill("#kg-path-from", a)
    opened.page.fill("#kg-path-to", b)
    opened.page.click("#kg-path-go")
    return str(opened.page.inner_text("#kg-path-result"))


def _chain(shown: str) -> list[str]:
    return [w for w in shown.split("(")[0].split() if w != "→"]


def two_routes() -> nx.MultiDiGraph:
    """explore_tests.small(): 大项目 reaches 实验室 in 4 steps through 乙公司, whose relation to
    甲高新区 is dated 2020, or in 5 through 小项目 and 丙公司 (an investor relation)."""
    g = explore_tests.small()
    g.edges["p1", "f1", "hosts"]["spans"] = [("2020-03-01", "2020-03-31")]
    g.edges["p1", "f1", "hosts"]["times"] = ["2020-03 [month] (2020年3月)"]
    return g


def test_path_between_keeps_to_the_filters(tmp_path: Path, open_page: Any) -> None:
    views.write_html(two_routes(), tmp_path / "s.html")
    opened = ready(open_page(tmp_path / "s.html"))

    assert _chain(_path(opened, "大项目", "实验室")) == ["大项目", "甲高新区", "乙公司",
                                                      "乙高新区", "实验室"]
    # date range: the 2020 relation is out, the path goes round it
    opened.page.fill("#kg-date-from", "2023")
    opened.page.dispatch_event("#kg-date-from", "change")
    shown = _path(opened, "大项目", "实验室")
    assert _chain(shown) == ["大项目", "甲高新区", "小项目", "丙公司", "乙高新区", "实验室"]
    assert "5 步 steps" in shown
    bold = opened.js("() => edges.get().filter((e) => e.width === 3).map((e) => e.label)")
    assert sorted(bold) == ["built", "hosts", "hosts", "hosts", "investor"]
    # relations: without investor there is no way round within the filters
    opened.page.uncheck("[data-kg-relation=investor]")
    assert _path(opened, "大项目", "实验室") == \
        "筛选内无路径 No path within the filters (4 步 steps without them)"
    opened.page.check("[data-kg-relation=investor]")
    # classes: projects hidden, the way round is closed (its ends may be filtered: asked for)
    opened.page.uncheck("[data-kg-class=Project]")
    assert _path(opened, "大项目", "实验室").startswith("筛选内无路径")
    opened.page.check("[data-kg-class=Project]")
    # degree: 小项目 and 丙公司 have two relations each in the view
    opened.page.locator("#kg-degree").fill("3")
    assert _path(opened, "大项目", "实验室").startswith("筛选内无路径")
    opened.page.click("#kg-reset")
    assert _chain(_path(opened, "大项目", "实验室"))[2] == "乙公司"  # no filter: shortest again
    assert _path(opened, "大项目", "孤公司") == "无路径 No path"
    assert opened.errors == [] and opened.requests == []


# ---------------------------------------------------------------------------- page exports


@pytest.fixture(scope="module")
def seeds_page(seeds_build: Any, tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[Path, nx.MultiDiGraph]:
    """The seeds graph drawn from the store (dated facts, park figures)."""
    path = tmp_path_factory.mktemp("gview") / "graph.html"
    drawn = views.render(views.read_graph(seeds_build.store_path), path, title="seeds")
    return path, drawn


def _csv(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_page_exports_carry_fact_times_and_park_figures(
    seeds_page: tuple[Path, nx.MultiDiGraph], open_page: Any, tmp_path: Path
) -> None:
    """The page's CSV and GraphML of the current subgraph give the times of facts and the
    figures of parks as `kg export` does (kg.views.export), and only those of what is shown."""
    from kg.views.export import edge_rows, observation_attributes, observation_rows

    path, g = seeds_page
    opened = ready(open_page(path))
    whole = opened.js("() => kg.exportCSV()")
    want = {(r["source"], r["relation"], r["target"]): r for r in edge_rows(g)}
    dated = 0
    for row in _csv(whole["edges"]):
        python = want[(row["source"], row["relation"], row["target"])]
        for column in ("time_value", "time_precision", "time_start", "time_end"):
            assert row[column] == (python[column] or ""), column
        dated += bool(row["time_value"])
    assert dated >= 10
    figures = sorted((r["park"], r["indicator"], r["period"] or "", r["value"] or "")
                     for r in _csv(whole["observations"]))
    assert figures == sorted((r["park"], r["indicator"], r["period"] or "",
                              "" if r["value"] is None else str(r["value"]))
                             for r in observation_rows(g))
    assert len(figures) >= 10

    # a date range: only facts of 2023 on, and the parks still shown
    opened.page.fill("#kg-date-from", "2023")
    opened.page.check("#kg-undated")
    opened.page.dispatch_event("#kg-date-from", "change")
    cut = opened.js("() => kg.exportCSV()")
    edges = _csv(cut["edges"])
    assert edges and all(r["time_end"] >= "2023-01-01" for r in edges)
    shown = {r["id"] for r in _csv(cut["nodes"])}
    assert {r["park"] for r in _csv(cut["observations"])} == \
        {r["park"] for r in observation_rows(g) if r["park"] in shown}
    graphml = tmp_path / "view.graphml"
    graphml.write_text(opened.js("() => kg.exportGraphML()"), encoding="utf-8")
    back = nx.read_graphml(graphml)
    assert set(back) == shown and back.number_of_edges() == len(edges)
    assert all(d["time_end"] >= "2023-01-01" and d["time_value"] for _, _, d in
               back.edges(data=True))
    parks = [n for n in back if back.nodes[n]["type"] == "Park" and g.nodes[n].get("indicators")]
    assert parks
    for park in parks:
        attrs = {k: v for k, v in back.nodes[park].items() if k not in ("label", "type", "degree")}
        assert attrs == observation_attributes(g, park)
    assert opened.errors == [] and opened.requests == []


# ---------------------------------------------------------------------------- prefecture markers

# A point inside a prefecture's marker that no node covers, in page coordinates, and the
# canvas pixel drawn there (RGBA).
MARKER_SPOT = """async (name) => {
  network.redraw();  // the canvas as the view now is: a fit redraws at a later frame
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const m = kg.prefectureMarkers().find((q) => q.name === name);
  const box = document.getElementById("mynetwork").getBoundingClientRect();
  const canvas = document.querySelector("#mynetwork canvas");
  const ratio = canvas.width / box.width;
  for (let f = 0.9; f > 0.2; f -= 0.1) for (let a = 0; a < 360; a += 15) {
    const c = {x: m.x + f * m.r * Math.cos(a * Math.PI / 180),
               y: m.y + f * m.r * Math.sin(a * Math.PI / 180)};
    const dom = network.canvasToDOM(c);
    if (dom.x < 5 || dom.y < 5 || dom.x > box.width - 5 || dom.y > box.height - 5) continue;
    if (network.getNodeAt(dom) !== undefined || network.getEdgeAt(dom) !== undefined) continue;
    const at = document.elementFromPoint(box.left + dom.x, box.top + dom.y);
    if (!at || at.tagName !== "CANVAS") continue;
    const px = canvas.getContext("2d").getImageData(Math.round(dom.x * ratio),
                                                    Math.round(dom.y * ratio), 1, 1).data;
    return {x: box.left + dom.x, y: box.top + dom.y, rgba: Array.from(px)};
  }
  return null;
}"""


def test_map_prefecture_markers_sum_their_parks_and_select_them(
    seeds_page: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    from kg.views.analysis import park_rows
    from kg.views.geo import park_prefectures

    path, g = seeds_page
    expected = park_prefectures(g)
    rows = {r["iri"]: r for r in park_rows(g)}
    assert any(len(p[3]) > 1 for p in expected)  # a prefecture with several parks
    opened = ready(open_page(path))
    ids = opened.js("() => Object.fromEntries(kg.data.nodes.map((d, i) => [d.iri, i]))")
    opened.page.select_option("#kg-mode", "map")

    for measure, of in (("enterprises", lambda r: r["enterprises"]),
                        ("platforms", lambda r: r["platforms"]),
                        ("investment", lambda r: r["investment_yuan"] / 1e8)):
        opened.page.select_option("#kg-map-measure", measure)
        markers = {m["name"]: m for m in opened.js("() => kg.prefectureMarkers()")}
        assert set(markers) == {p[0] for p in expected}
        for name, x, y, parks in expected:
            m = markers[name]
            assert (m["x"], m["y"]) == (x, y)
            assert sorted(m["parks"]) == sorted(ids[p] for p in parks)
            assert m["value"] == pytest.approx(sum(of(rows[p]) for p in parks))
        by_value = sorted(markers.values(), key=lambda m: m["value"])
        assert by_value[0]["r"] < by_value[-1]["r"]  # sized by the measure
        assert all(a["r"] <= b["r"] for a, b in zip(by_value, by_value[1:], strict=False))

    name, _, _, parks = max(expected, key=lambda p: (len(p[3]), p[0]))
    opened.js(f"() => network.fit({{nodes: kg.prefectureMarkers().find((m) => m.name === "
              f"'{name}').parks, animation: false}})")
    spot = opened.js(MARKER_SPOT, name)
    assert spot is not None
    r, gr, b, _ = spot["rgba"]
    assert r > gr > b  # the orange of a prefecture marker is drawn there
    opened.page.mouse.click(spot["x"], spot["y"])
    opened.page.wait_for_function("() => kg.state.mode === 'graph'", timeout=10_000)
    chosen = sorted(ids[p] for p in parks)
    assert sorted(opened.js("() => network.getSelectedNodes()")) == chosen
    assert opened.js("() => kg.state.selected.prefecture") == name
    state = opened.js("(ids) => ids.map((id) => [nodes.get(id).hidden || false,"
                      " nodes.get(id).opacity])", chosen)
    assert state == [[False, 1]] * len(chosen)
    dimmed = opened.js("() => nodes.get().filter((n) => n.opacity < 1).length")
    assert dimmed > 0
    assert opened.errors == [] and opened.requests == []
