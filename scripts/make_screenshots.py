"""Screenshots of the graph explorer for the README: the seeds' overview, a focused park, the
map of parks by place and a path between two entities, rendered by kg.views and
photographed in headless Debian Chromium (Playwright, network off).

    python scripts/make_screenshots.py                  # writes docs/img/*.png
    python scripts/make_screenshots.py --out /tmp/img   # elsewhere

The seeds are built into a temporary folder first (kg.build.pipeline.build, no HTML), so the
pictures show what `kg build seeds/` gives today.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import views  # noqa: E402

CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}
FOCUS = "内江"  # an ambiguous name: the page shows the park it picked


def longest_path_ends(g: Any) -> tuple[str, str]:
    """Two entities (not regions) of the largest connected component furthest apart, as the
    page's path search counts (ties by IRI), by their names."""
    import networkx as nx

    simple = nx.Graph(g.to_undirected(as_view=True))
    component = max(nx.connected_components(simple), key=lambda c: (len(c), min(c)))
    ends = sorted(n for n in component if g.nodes[n].get("type") != "Region")
    best = (0, "", "")
    for start in ends:
        lengths = nx.single_source_shortest_path_length(simple, start)
        for other in ends:
            if (lengths.get(other, 0), start, other) > best:
                best = (lengths[other], start, other)
    return g.nodes[best[1]]["label"], g.nodes[best[2]]["label"]


def shoot(browser: Any, page_path: Path, png: Path, script: str | None = None,
          arg: Any = None) -> list[str]:
    """Open `page_path` offline, wait for the explorer, run `script`, save a screenshot.
    Returns the errors the page logged and the requests it tried."""
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    problems: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            problems.append("request " + r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(page_path.resolve().as_uri())
    page.wait_for_function("() => window.kg && kg.state.readyMs !== null", timeout=60_000)
    if script:
        page.evaluate(script, arg)
    page.wait_for_timeout(600)
    page.screenshot(path=str(png))
    context.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    """Build the seeds, draw the pages and photograph them; 1 if a page logged an error."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from kg.build.pipeline import build

    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kg_shots_"))
    build([ROOT / "seeds"], work / "out", html=False)
    store_path = work / "out" / "store"
    overview, focused = work / "overview.html", work / "focus.html"
    drawn = views.render_source(store_path, overview, title="parks-kg: seeds",
                                texts=ROOT / "seeds")
    views.render_source(store_path, focused, title=f"parks-kg: {FOCUS}", focus=FOCUS,
                        hops=1, texts=ROOT / "seeds")
    start, end = longest_path_ends(drawn)

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            problems += shoot(browser, overview, args.out / "overview.png")
            problems += shoot(browser, focused, args.out / "focus.png",
                              "() => { const id = kg.data.focus[0]; kg.highlight(id);"
                              " kg.showNode(id); }")
            problems += shoot(browser, overview, args.out / "map.png",
                              "() => { kg.setMeasure('investment'); kg.setMode('map'); }")
            problems += shoot(
                browser, overview, args.out / "path.png",
                """([a, b]) => { document.getElementById("kg-path-from").value = a;
                   document.getElementById("kg-path-to").value = b;
                   document.getElementById("kg-path-go").click(); }""", [start, end])
        finally:
            browser.close()
    for name in ("overview", "focus", "map", "path"):
        print(args.out / f"{name}.png")
    print(f"path: {start} → {end}")
    for problem in problems:
        print("page problem:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
