"""The graph page's date range filter (issue 17 item 1, over the dates of issue 16), in headless
Chromium (the fixtures of test_views_browser.py) on the seeds' build: a range hides the facts
whose time lies outside it and keeps those that overlap it, undated facts stay unless the
user hides them, and entities left without a fact follow "hide isolates"."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import test_views_browser as browser_tests  # noqa: E402

from kg import views  # noqa: E402
from kg.views.page import _day_numbers  # noqa: E402

browser = browser_tests.browser
open_page = browser_tests.open_page

HIDDEN_EDGES = "() => edges.getIds({filter: (e) => Boolean(e.hidden)}).sort((a, b) => a - b)"
HIDDEN_NODES = "() => nodes.getIds({filter: (n) => Boolean(n.hidden)}).sort((a, b) => a - b)"


@pytest.fixture(scope="module")
def drawn(seeds_build: Any, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[Path, nx.MultiDiGraph]:
    """The seeds' store drawn as the build draws it (read by SPARQL), and the graph drawn."""
    path = tmp_path_factory.mktemp("dates") / "graph.html"
    g = views.render_source(seeds_build.store_path, path, title="parks-kg: seeds")
    return path, g


def overlaps(spans: list[tuple[str, str]], first: str, last: str) -> bool:
    """Whether one of a fact's (first day, last day) spans overlaps [first, last]."""
    return any(start <= last and end >= first for start, end in spans)


def set_dates(opened: Any, start: str, end: str) -> None:
    """Type a range into the two inputs as a user would (a change event each)."""
    for box, text in (("#kg-date-from", start), ("#kg-date-to", end)):
        opened.page.fill(box, text)
        opened.page.locator(box).dispatch_event("change")


def test_views_dates_edges_carry_the_days_their_times_cover(
    drawn: tuple[Path, nx.MultiDiGraph]
) -> None:
    g = drawn[1]
    dated = [d for _, _, d in g.edges(data=True) if d.get("spans")]
    assert dated, "the seeds' build has dated facts"
    for d in dated:
        for start, end in d["spans"]:
            assert len(start) == len(end) == 10 and start <= end
        # every time shown has its span (an interval's value names its years)
        assert len(d["spans"]) <= len(d["times"])
    assert _day_numbers([("2021-01-01", "2022-12-31")]) == [20210101, 20221231]


def test_views_dates_a_year_keeps_its_facts_and_hides_the_others(
    drawn: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    path, g = drawn
    edges = list(g.edges(data=True))
    # the year that most dated facts lie wholly within, chosen from the data
    years = Counter(d["spans"][0][0][:4] for _, _, d in edges
                    if d.get("spans") and all(s[:4] == e[:4] == d["spans"][0][0][:4]
                                              for s, e in d["spans"]))
    assert years, "the seeds have a fact dated within one year"
    year = years.most_common(1)[0][0]
    first, last = f"{year}-01-01", f"{year}-12-31"
    inside = [j for j, (_, _, d) in enumerate(edges) if d.get("spans")
              and overlaps(d["spans"], first, last)]
    outside = [j for j, (_, _, d) in enumerate(edges) if d.get("spans")
               and not overlaps(d["spans"], first, last)]
    undated = [j for j, (_, _, d) in enumerate(edges) if not d.get("spans")]
    assert inside and outside and undated

    opened = open_page(path)
    opened.page.wait_for_function("() => kg.state.readyMs !== null", timeout=60_000)
    # the page's edge j is the graph's edge j
    kept, gone = inside[0], outside[0]
    for j in (kept, gone):
        assert opened.js(f"() => kg.data.edges[{j}].relation") == edges[j][2]["relation"]
        assert opened.js(f"() => kg.data.edges[{j}].span") == _day_numbers(edges[j][2]["spans"])
    assert opened.js(HIDDEN_EDGES) == []

    set_dates(opened, year, year)
    hidden = opened.js(HIDDEN_EDGES)
    assert gone in hidden and kept not in hidden
    assert hidden == outside  # undated facts stay by default
    assert opened.js(HIDDEN_NODES) == []  # no entity hides unless isolates are hidden

    opened.page.check("#kg-undated")
    assert opened.js(HIDDEN_EDGES) == sorted(outside + undated)

    # entities left with no fact in the range are isolates
    opened.page.uncheck("#kg-undated")
    opened.page.check("#kg-isolates")
    ids = {node: i for i, node in enumerate(g.nodes)}
    live = {ids[end] for j in inside + undated for end in edges[j][:2]}
    assert opened.js(HIDDEN_NODES) == sorted(set(range(len(ids))) - live)
    assert kept not in opened.js(HIDDEN_EDGES)

    # a full date, and a bound typed only on one side
    day = edges[kept][2]["spans"][0][0]
    set_dates(opened, day, "")
    still = opened.js(HIDDEN_EDGES)
    assert kept not in still
    assert all(not overlaps(edges[j][2]["spans"], day, "9999-12-31") for j in still)

    opened.page.click("#kg-reset")
    assert opened.js(HIDDEN_EDGES) == [] and opened.js(HIDDEN_NODES) == []
    assert opened.page.input_value("#kg-date-from") == ""
    assert opened.errors == [] and opened.requests == []


def test_views_dates_a_bound_that_is_no_date_is_marked_and_ignored(
    drawn: tuple[Path, nx.MultiDiGraph], open_page: Any
) -> None:
    opened = open_page(drawn[0])
    set_dates(opened, "21", "")
    assert opened.js("() => document.getElementById('kg-date-from').validity.valid") is False
    assert opened.js(HIDDEN_EDGES) == []
    set_dates(opened, "2021年6月", "")  # a month in Chinese is read as 2021-06
    assert opened.js("() => kg.state.filters.dateFrom") == 20210601
    assert opened.js("() => document.getElementById('kg-date-from').validity.valid") is True
    # the script's own call sets the inputs as typing does
    visible = opened.js("() => kg.setDates('2021-06', '2021-06', true)")
    assert opened.page.input_value("#kg-date-to") == "2021-06"
    assert opened.js("() => kg.state.filters.dateTo") == 20210631
    assert opened.page.is_checked("#kg-undated")
    assert visible == len(opened.js("() => kg.visibleNodes()"))
    assert opened.errors == [] and opened.requests == []
