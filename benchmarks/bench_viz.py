"""Benchmark of the HTML graph view: size, generation time and time to first draw in Chromium.

    python benchmarks/bench_viz.py                 # 300, 3,000 and 20,000 entities
    python benchmarks/bench_viz.py --sizes 300 --repeat 1 --keep /tmp/pages

For each size it builds RDF shaped like `kg build`'s (docs/rdf-model.md: typed entities with
labels, aliases and mentions; hosts/built/investor/partOf facts reified with evidence
sentences; project amounts), then times `kg.views.to_networkx` and `kg.views.write_html`, and
opens the page in headless Debian Chromium (/usr/bin/chromium, driven by Playwright, network
off). "first draw" is the time from navigation start to vis-network's first drawing, the
median of --repeat loads; "redraw" is the median time of one zoom step once drawn; "wheel
step" is the time from one real mouse-wheel event to the frame that shows the zoomed view
whole (when edges are hidden while zooming, the frame that draws them back after
vis-network's 250 ms pause), the median of 6 steps in and out. Above
kg.views.AGGREGATE_MIN_NODES entities the overview is folded (parks and the best-connected
others): "drawn" then says how many of the entities it draws.
Targets: 20,000 entities drawn in under 10 s, one wheel step settled in under 200 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import views  # noqa: E402
from kg.vocab import ID, PK  # noqa: E402

CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TARGET_SECONDS = 10.0
TARGET_WHEEL_MS = 200.0
# One wheel step: WHEEL_ARM listens for the wheel event and the frames drawn after it and
# returns the centre of the canvas; WHEEL_TIME, 700 ms later, the time from the wheel event to
# the frame that shows the zoomed view whole: the first one, or, when vis-network hides edges
# while zooming, the one 250 ms later that draws them back. (vis-network always draws that
# frame again after 250 ms; when nothing was hidden it repeats the same picture.)
WHEEL_ARM = """() => {
  const box = document.getElementById("mynetwork").getBoundingClientRect();
  const probe = {t0: null, frames: []};
  probe.onWheel = () => { if (probe.t0 === null) probe.t0 = performance.now(); };
  probe.onDraw = () => probe.frames.push(performance.now());
  window.addEventListener("wheel", probe.onWheel, {capture: true});
  network.on("afterDrawing", probe.onDraw);
  window.kgWheelProbe = probe;
  return {x: box.left + box.width / 2, y: box.top + box.height / 2};
}"""
WHEEL_TIME = """() => {
  const probe = window.kgWheelProbe;
  window.removeEventListener("wheel", probe.onWheel, {capture: true});
  network.off("afterDrawing", probe.onDraw);
  const after = probe.frames.filter((t) => probe.t0 !== null && t >= probe.t0);
  if (!after.length) return null;
  const whole = network.renderer.options.hideEdgesOnZoom ? after[after.length - 1] : after[0];
  return whole - probe.t0;
}"""
TARGET_NODES = 20_000
SURNAMES = "华中天海金恒宏新瑞博远东泰盛祥嘉鑫达安立"
TRADES = ["科技", "智能", "新材料", "电子", "生物", "精密", "光电", "能源", "软件", "装备"]
PLACES = ["西安", "成都", "苏州", "阜新", "佛山", "内江", "新余", "江门", "长春", "黄石"]


def _key(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def synthetic_graph(n: int, *, seed: int = 0) -> Graph:
    """RDF for about `n` entities: 5% parks, 50% enterprises, 25% platforms, 20% projects.

    Every non-park entity hangs off one park (hosts or built); one enterprise in ten is also
    hosted by a second park, every project has an investor, one park in twenty is part of
    another. Each fact has one or two evidence sentences in one of n/50 documents.
    """
    rng = random.Random(seed)
    g = Graph()
    add = g.add
    parks = max(1, n // 20)
    counts = {"Park": parks, "Enterprise": (n - parks) * 50 // 95,
              "Platform": (n - parks) * 25 // 95}
    counts["Project"] = n - sum(counts.values())
    docs = [ID[f"doc/D{i:05d}"] for i in range(max(1, n // 50))]
    for i, doc in enumerate(docs):
        add((doc, RDF.type, PK.Document))
        add((doc, DCTERMS.identifier, Literal(f"D{i:05d}")))
        add((doc, DCTERMS.title, Literal(f"{PLACES[i % 10]}高新区动态第{i}期", lang="zh")))
        add((doc, PK.fileName, Literal(f"D{i:05d}.txt")))
    entities: dict[str, list[tuple[URIRef, str]]] = {}
    suffix = {"Park": "高新区", "Enterprise": "有限公司", "Platform": "技术创新中心",
              "Project": "产业园项目"}
    for kind, count in counts.items():
        entities[kind] = []
        for i in range(count):
            name = (f"{PLACES[i % 10]}{rng.choice(SURNAMES)}{rng.choice(SURNAMES)}"
                    f"{rng.choice(TRADES)}{i}{suffix[kind]}")
            iri = ID[f"{kind.lower()}/{_key(kind, name)}"]
            entities[kind].append((iri, name))
            add((iri, RDF.type, PK[kind]))
            add((iri, RDFS.label, Literal(name, lang="zh")))
            if kind == "Park" or i % 5 == 0:
                add((iri, SKOS.altLabel, Literal(name[:2] + suffix[kind][:2], lang="zh")))
            doc = rng.randrange(len(docs))
            mention = ID[f"mention/D{doc:05d}/{i}-{i + len(name)}"]
            add((mention, RDF.type, PK.Mention))
            add((mention, PK.mentionOf, iri))
            add((mention, PK.inDocument, docs[doc]))
            if kind == "Project":
                yuan = rng.randrange(1, 500) * 10_000_000
                add((iri, PK.investmentAmount, Literal(Decimal(yuan), datatype=XSD.decimal)))
                add((iri, PK.amountText, Literal(f"{yuan / 1e8:g}亿元")))

    evidence_counter = [0]

    def fact(s: tuple[URIRef, str], p: URIRef, o: tuple[URIRef, str]) -> None:
        add((s[0], p, o[0]))
        stmt = ID[f"statement/{_key(s[0], p, o[0])}"]
        add((stmt, RDF.type, RDF.Statement))
        add((stmt, RDF.subject, s[0]))
        add((stmt, RDF.predicate, p))
        add((stmt, RDF.object, o[0]))
        for _ in range(rng.choice((1, 1, 2))):
            doc = rng.randrange(len(docs))
            ev = ID[f"evidence/D{doc:05d}/{evidence_counter[0]}"]
            evidence_counter[0] += 1
            sentence = f"近日，{o[1]}与{s[1]}签约，标志着双方合作进入新阶段。"
            add((stmt, PROV.wasDerivedFrom, ev))
            add((ev, RDF.type, PK.Evidence))
            add((ev, PK.inDocument, docs[doc]))
            add((ev, PK.sentence, Literal(sentence, lang="zh")))
            add((ev, PK.rule, Literal("hosts.settle_in")))

    park_list = entities["Park"]
    for kind, relation in (("Enterprise", PK.hosts), ("Platform", PK.built),
                           ("Project", PK.hosts)):
        for i, entity in enumerate(entities[kind]):
            home = rng.randrange(len(park_list))
            fact(park_list[home], relation, entity)
            if kind == "Enterprise" and i % 10 == 0 and len(park_list) > 1:
                fact(park_list[(home + 1 + rng.randrange(len(park_list) - 1)) % len(park_list)],
                     relation, entity)
    for project in entities["Project"]:
        if entities["Enterprise"]:
            fact(project, PK.investor, rng.choice(entities["Enterprise"]))
    for i, park in enumerate(park_list[1:], 1):
        if i % 20 == 0:
            fact(park, PK.partOf, park_list[rng.randrange(i)])
    return g


def first_draw(browser: object, page_path: Path, repeat: int
               ) -> tuple[float, float, float, int, int]:
    """Median seconds to the first drawing, median ms of one zoom redraw and of one wheel
    step, drawn nodes and edges."""
    draws, redraws, wheels = [], [], []
    drawn = (0, 0)
    for _ in range(repeat):
        context = browser.new_context(viewport={"width": 1400, "height": 900},  # type: ignore
                                      offline=True)
        context.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith("file:") else route.abort())
        page = context.new_page()
        page.goto(page_path.resolve().as_uri(), timeout=120_000)
        page.wait_for_function("() => window.kg && kg.state.firstDrawMs !== null",
                               timeout=120_000, polling=50)
        draws.append(page.evaluate("kg.state.firstDrawMs") / 1000)
        drawn = page.evaluate("[network.body.nodeIndices.length, network.body.edgeIndices.length]")
        for step in range(5):
            redraws.append(page.evaluate(
                """(step) => new Promise((done) => {
                     const t0 = performance.now();
                     network.once("afterDrawing", () => done(performance.now() - t0));
                     network.moveTo({scale: network.getScale() * (step % 2 ? 0.5 : 2)});
                   })""", step))
        page.wait_for_function("() => kg.state.readyMs !== null", timeout=120_000, polling=50)
        network_fit = "() => network.fit({animation: false})"
        page.evaluate(network_fit)
        page.wait_for_timeout(300)
        for step in range(6):
            at = page.evaluate(WHEEL_ARM)
            page.mouse.move(at["x"], at["y"])
            page.mouse.wheel(0, -100 if step % 2 == 0 else 100)
            page.wait_for_timeout(700)
            took = page.evaluate(WHEEL_TIME)
            if took is not None:
                wheels.append(took)
        context.close()
    wheel = statistics.median(wheels) if wheels else float("nan")
    return statistics.median(draws), statistics.median(redraws), wheel, drawn[0], drawn[1]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one table row per size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="300,3000,20000",
                        help="entity counts, comma-separated (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="page loads per size (median)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the pages in this folder")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_viz_"))
    folder.mkdir(parents=True, exist_ok=True)

    browser = playwright = None
    if CHROMIUM.exists():
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            print("playwright missing (pip install -e '.[dev]'): no browser timings",
                  file=sys.stderr)
        else:
            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_FLAGS)
    else:
        print(f"{CHROMIUM} missing (apt-get install chromium): no browser timings",
              file=sys.stderr)

    header = ("entities", "relations", "triples", "RDF→nx s", "HTML s", "HTML MB",
              "first draw s", "zoom redraw ms", "wheel step ms", "drawn")
    print(" | ".join(header))
    print(" | ".join("-" * len(h) for h in header))
    failed = False
    try:
        for n in sizes:
            rdf = synthetic_graph(n)
            t0 = time.perf_counter()
            g = views.to_networkx(rdf)
            t1 = time.perf_counter()
            page = folder / f"graph_{n}.html"
            views.write_html(g, page, title=f"bench {n}")
            t2 = time.perf_counter()
            cells = [f"{g.number_of_nodes():,}", f"{g.number_of_edges():,}", f"{len(rdf):,}",
                     f"{t1 - t0:.2f}", f"{t2 - t1:.2f}", f"{page.stat().st_size / 1e6:.1f}"]
            if browser is not None:
                draw, redraw, wheel, nodes, edges = first_draw(browser, page, args.repeat)
                folded = g.number_of_nodes() > views.AGGREGATE_MIN_NODES
                ok = folded or (nodes, edges) == (g.number_of_nodes(), g.number_of_edges())
                failed |= not ok or (n >= TARGET_NODES and (draw >= TARGET_SECONDS
                                                            or not wheel < TARGET_WHEEL_MS))
                shown = f"overview {nodes:,} of {g.number_of_nodes():,}" if folded else \
                    "all" if ok else f"{nodes}/{edges}"
                cells += [f"{draw:.2f}", f"{redraw:.0f}", f"{wheel:.0f}", shown]
            else:
                cells += ["-", "-", "-", "-"]
            print(" | ".join(cells), flush=True)
    finally:
        if browser is not None:
            browser.close()
        if playwright is not None:
            playwright.stop()
    print(f"target: {TARGET_NODES:,} entities drawn in < {TARGET_SECONDS:.0f} s, a wheel step in "
          f"< {TARGET_WHEEL_MS:.0f} ms; pages in {folder}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
