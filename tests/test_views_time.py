"""The details panel shows dates and figures (issue 16), in headless Chromium (the fixtures of
test_views_browser.py): a park's indicator values, a fact's time and an article's date."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import test_views_browser as browser_tests  # noqa: E402
from time_records import records  # noqa: E402

from kg import views  # noqa: E402
from kg.rdf.mapping import to_graph, to_nquads  # noqa: E402
from kg.store import memory_store  # noqa: E402
from kg.views.cut import store_view  # noqa: E402
from kg.views.graph import to_networkx  # noqa: E402
from kg.views.page import indicator_lines  # noqa: E402

browser = browser_tests.browser
open_page = browser_tests.open_page

PANEL = "() => document.getElementById('kg-panel-body').innerText"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("time") / "graph.html"
    views.render(memory_store(to_nquads(records()).encode("utf-8")), path, title="issue 16")
    return path


def test_views_time_every_reader_gives_the_same_figures_and_times() -> None:
    store = memory_store(to_nquads(records()).encode("utf-8"))
    from_graph = to_networkx(to_graph(records()))
    focus = store_view(store, focus="阜新高新区", hops=1)
    for g in (from_graph, views.store_networkx(store)):
        park = next(n for n, d in g.nodes(data=True) if d["label"] == "阜新高新区")
        assert g.nodes[park]["indicators"] == focus.nodes[park]["indicators"]
        assert indicator_lines(g.nodes[park]) == [
            "固定资产投资 (fixed_asset_investment) 2021: 53.53 亿元, 同比 +19.78%",
            "地区生产总值 (gdp) 2021: 75.92 亿元, 同比 +48.69%"]
        times = {(g.nodes[a]["label"], d["relation"]): d.get("times") for a, _, d in
                 g.edges(data=True)}
        assert times[("阜新高新区", "hosts")] in (["2021/2022 [range] (近年来)"], None)
        assert ["2021 [year] (2021年)"] == times[("黄石大冶湖高新区", "built")]


def test_views_time_panel_shows_figures_times_and_dates(page: Path, open_page: Any) -> None:
    opened = open_page(page)
    opened.page.fill("#kg-search", "阜新高新区")
    opened.page.press("#kg-search", "Enter")
    opened.page.wait_for_function("() => kg.state.focused !== null")
    panel = opened.js(PANEL)
    assert "指标 Indicators (2)" in panel
    assert "地区生产总值 (gdp) 2021: 75.92 亿元, 同比 +48.69%" in panel
    assert "发布 Published 2022-11-30" in panel  # the evidence's article and its date
    assert "《火炬动态》" in panel

    # a stock without a period, counted
    opened.page.fill("#kg-search", "佛山高新区")
    opened.page.press("#kg-search", "Enter")
    opened.page.wait_for_function("() => document.getElementById('kg-panel-body')"
                                  ".innerText.includes('佛山高新区')")
    assert "国家高新技术企业 (high_tech_enterprises): 3,602" in opened.js(PANEL)

    # a dated fact: the edge's panel gives its time as written
    edge = opened.js("() => kg.data.edges.findIndex((e) => e.relation === 'built' && e.times)")
    assert edge >= 0
    assert opened.js(f"() => kg.showEdge({edge})")
    panel = opened.js(PANEL)
    assert "时间 Time 2021 [year] (2021年)" in panel
    assert "发布 Published 2022-11-30" in panel
    assert opened.errors == [] and opened.requests == []
