"""The offline HTML page: a graph drawn by pyvis with vis-network and the page's own script inlined,
every external reference removed, corpus text shipped as JSON and shown only as text."""

from __future__ import annotations

import html
import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph

if TYPE_CHECKING:
    import networkx as nx  # heavy: imported inside the functions that run it

from collections import deque

from kg.files import write_file
from kg.store import open_store
from kg.views.analysis import communities, park_rows, park_totals, yi
from kg.views.articles import attribute_articles
from kg.views.cut import store_view
from kg.views.export import time_parts
from kg.views.geo import park_places, park_prefectures
from kg.views.graph import (
    OTHER_STYLE,
    STYLES,
    _qid,
    read_graph,
    select,
    store_networkx,
    to_networkx,
)
from kg.views.layout import _layout
from kg.vocab import INDICATOR

FONT_FACE = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif'


WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"


PHYSICS_MAX_NODES = 300  # above this, edges are straight and hidden while zooming


AGGREGATE_MIN_NODES = 5000  # above this, the overview folds entities into their parks


# vis-network hides edges while zooming above this many drawn nodes, and redraws them 250 ms
# after the wheel stops: a folded overview draws fewer, so a wheel step settles at once.
HIDE_EDGES_MIN_NODES = 3000


AGGREGATE_PARKS = 150  # parks a folded overview draws, by degree; the rest on demand


AGGREGATE_TOP = 150  # other entities a folded overview draws, by degree


COMMUNITY_MAX_NODES = 50_000  # Louvain takes seconds above this; no community colours then


# Colours of the 12 largest communities (Tableau 10 + 2); smaller ones are grey.
COMMUNITY_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                     "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6", "#d37295", "#a0cbe8")


_EXTERNAL_TAG = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>\s*</script\s*>"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""",
    re.IGNORECASE,
)


_EXTERNAL_REF = re.compile(
    r"""<[a-z][^<>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE
)


_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>\s*")


def render(
    graph: Graph | Any,
    path: Path,
    *,
    title: str = "parks-kg",
    focus: str | None = None,
    hops: int = 1,
    types: Iterable[str] | None = None,
    min_degree: int = 0,
    texts: Path | str | Iterable[Path | str] | None = None,
    aggregate_above: int | None = None,
    entities: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> nx.MultiDiGraph:
    """Draw an RDF graph, or the view `select` cuts from it, to one offline HTML page.

    `graph` is an rdflib Graph or a store. From a store, a focus or `entities` view (IRIs,
    e.g. those a stored query returned) is cut by SPARQL (`kg.views.cut.store_view`) without
    reading the rest of the graph, and park totals are those of the view; any other view
    reads the merged graph (`store_networkx`) and, as for an rdflib Graph, park totals
    (hosted enterprises, platforms, projects, investment) are counted in the whole graph.
    `texts`, the folder(s) of the source files, lets evidence name its own article's title
    (see `kg.views.articles`); `aggregate_above` is passed to `write_html`; `progress(line)`
    hears each step (read, drawn). Returns the networkx graph that was drawn.
    """
    say = progress or (lambda _: None)
    if not isinstance(graph, Graph) and (focus is not None or entities is not None):
        view = store_view(graph, focus=focus, hops=hops, types=types, min_degree=min_degree,
                          entities=entities)
        for park, totals in park_totals(view).items():
            view.nodes[park]["totals"] = totals
    else:
        g = to_networkx(graph) if isinstance(graph, Graph) else store_networkx(graph)
        for park, totals in park_totals(g).items():
            g.nodes[park]["totals"] = totals
        view = select(g, focus=focus, hops=hops, types=types, min_degree=min_degree,
                      entities=entities)
    say(f"read {view.number_of_nodes()} entities and {view.number_of_edges()} relations; "
        "drawing them")
    if texts is not None:
        attribute_articles(view, texts)
    write_html(view, path, title=title, aggregate_above=aggregate_above)
    say(f"drew {view.number_of_nodes()} entities")
    return view


def render_source(source: Path | str, path: Path, **options: Any) -> nx.MultiDiGraph:
    """`render` of a store directory or RDF file: a store is opened (not copied to rdflib), so
    a focus or entities view is cut in it by SPARQL; a file is parsed. `options` are those of
    `render`; the store is closed afterwards. This is the one call `kg viz` needs."""

    source = Path(source)
    if not source.is_dir():
        return render(read_graph(source), path, **options)
    store = open_store(source)
    try:  # the pyoxigraph Store itself: its answers stream instead of being listed first
        return render(getattr(store, "database", lambda: store)(), path, **options)
    finally:
        store.close()


def write_html(g: nx.MultiDiGraph, path: Path, *, title: str = "parks-kg",
               aggregate_above: int | None = None) -> None:
    """Write `g` as ONE self-contained pyvis HTML page that draws with no network at all.

    Positions are computed here and the page starts still (no physics), so it stops moving
    at once; park labels are enlarged to stay legible at the opening zoom and park boxes are
    pushed apart in the page. Above `aggregate_above` nodes (default AGGREGATE_MIN_NODES) the
    overview draws the parks and the AGGREGATE_TOP best-connected other entities, the rest
    shipped folded and drawn on demand (double-click, search, path). The page has filters,
    neighbourhood highlight, paths, evidence by article and exports (assets/explore.js). The
    file is written to a temporary sibling and renamed, so `path` is never half-written.
    """
    try:
        from pyvis.network import Network  # heavy: pyvis loads only when writing the HTML page
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "HTML views need pyvis, a dependency of parks-kg: pip install 'pyvis>=0.3.2,<0.4'"
        ) from exc

    path = Path(path)
    n = g.number_of_nodes()
    large = n > PHYSICS_MAX_NODES
    limit = AGGREGATE_MIN_NODES if aggregate_above is None else aggregate_above
    ids = {node: i for i, node in enumerate(g.nodes)}
    shown = _overview(g) if n > limit else set(g)
    if len(shown) < n:  # the overview is laid out alone; the rest around it, drawn on demand
        core = g.subgraph(shown)
        positions = _layout(core, scale=max(math.sqrt(len(shown)), 1.0) * 100.0)
        positions.update(_around(g, positions))
    else:
        positions = _layout(g, scale=max(math.sqrt(n), 1.0) * 100.0)

    net = Network(height="calc(100vh - 46px)", width="100%", directed=True, cdn_resources="in_line")
    # straight edges above PHYSICS_MAX_NODES, hidden while dragging; while zooming only when
    # thousands are drawn
    net.options = _vis_options(large, hide_edges=len(shown) > HIDE_EDGES_MIN_NODES)
    # Keep Chinese readable (and the file smaller); tojson still escapes < > & '.
    net.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    # Filled directly: Network.add_node/add_edge scan lists on every call (quadratic). Styles
    # come from the class's group, so a node carries only its id, label and position.
    for node, data in g.nodes(data=True):
        if node not in shown:
            continue
        item: dict[str, Any] = {
            "id": ids[node],
            "label": str(data.get("label") or node),  # drawn on the canvas as text, not HTML
            "group": _group(data),
        }
        if node in positions:
            item["x"], item["y"] = positions[node]
        net.nodes.append(item)
        net.node_ids.append(ids[node])
        net.node_map[ids[node]] = item
    for number, (source, target, data) in enumerate(g.edges(data=True)):
        if source in shown and target in shown:
            net.edges.append(
                {
                    "id": number,
                    "from": ids[source],
                    "to": ids[target],
                    "label": str(data.get("relation", "")),
                }
            )

    summary = f"{n} 实体 entities · {g.number_of_edges()} 关系 relations"
    if g.graph.get("view"):
        summary += f" · {g.graph['view']}"
    if g.graph.get("picked"):
        summary += f" · {g.graph['picked']}"
    summary += " · 预计算布局 fixed layout" if large else ""
    if len(shown) < n:
        summary += f" · 概览 overview {len(shown)}, 双击展开 double-click to expand"
    data = _page_data(g, ids)
    _explore_data(g, ids, shown, positions, data)
    page = _finish_page(net.generate_html(), g, title, summary, data)
    _write_atomically(path, page)


def _around(g: nx.MultiDiGraph, placed: dict[str, tuple[float, float]]
            ) -> dict[str, tuple[float, float]]:
    """Positions for the entities a folded overview leaves out: in rings around the first
    placed neighbour found (breadth first from the overview), the unreachable ones in rows
    below. A double-click then opens a park's members around it."""

    at = dict(placed)
    ring: dict[str, int] = defaultdict(int)
    queue = deque(sorted(placed, key=lambda node: (-g.degree(node), node)))
    while queue:
        node = queue.popleft()
        x, y = at[node]
        for other in sorted(set(g.successors(node)) | set(g.predecessors(node))):
            if other in at:
                continue
            k = ring[node]
            ring[node] += 1
            radius = 60.0 + 18.0 * (k // 12)
            angle = (k % 12) * math.pi / 6 + (k // 12) * 0.26
            at[other] = (round(x + radius * math.cos(angle), 1),
                         round(y + radius * math.sin(angle), 1))
            queue.append(other)
    left = [node for node in g if node not in at]
    if left and at:
        x0 = min(x for x, _ in at.values())
        y0 = max(y for _, y in at.values()) + 120.0
        for i, node in enumerate(left):
            at[node] = (x0 + (i % 40) * 60.0, y0 + (i // 40) * 60.0)
    return {node: at[node] for node in g if node not in placed and node in at}


def _group(data: dict[str, Any]) -> str:
    """The vis-network group of a node: its class, or Other."""
    kind = str(data.get("type", ""))
    return kind if kind in STYLES else "Other"


def _overview(g: nx.MultiDiGraph) -> set[str]:
    """The nodes a folded overview draws: the AGGREGATE_PARKS best-connected parks, the
    AGGREGATE_TOP best-connected other entities and the focus."""
    def ranked(nodes: Iterable[str]) -> list[str]:
        return sorted(nodes, key=lambda node: (-g.degree(node), node))

    parks = ranked(node for node, kind in g.nodes(data="type") if kind == "Park")
    others = ranked(node for node, kind in g.nodes(data="type") if kind != "Park")
    return set(parks[:AGGREGATE_PARKS]) | set(others[:AGGREGATE_TOP]) | set(
        g.graph.get("focus") or ())


def _explore_data(g: nx.MultiDiGraph, ids: dict[str, int], shown: set[str],
                  positions: dict[str, tuple[float, float]], data: dict[str, Any]) -> None:
    """Add what the explorer needs to the page data: degree, community, investment and
    folded members of each node, both ends of each edge, and the drawing of folded nodes."""
    groups = communities(g) if g.number_of_nodes() <= COMMUNITY_MAX_NODES else {}
    rows = {row["iri"]: row for row in park_rows(g)}
    invested = {iri: row["investment_yuan"] for iri, row in rows.items()}
    places, provinces = park_places(g)
    folded: dict[str, int] = defaultdict(int)
    for node in g:
        if node in shown:
            continue
        parks = [p for p in g.predecessors(node) if p in shown and g.nodes[p].get("type") == "Park"]
        if parks:
            folded[min(parks, key=lambda p: (-g.degree(p), p))] += 1
    for node, item in zip(g.nodes, data["nodes"], strict=True):
        attrs = g.nodes[node]
        item["degree"] = g.degree(node)
        if node in groups:
            item["community"] = groups[node]
        yuan = invested.get(node) or attrs.get("amount")
        if yuan:
            item["yuan"] = int(yuan)
        if folded.get(node):
            item["folded"] = folded[node]
        if node in places:
            item["geo"] = list(places[node][:2])
        if node in rows:
            item["parkStats"] = [rows[node]["enterprises"], rows[node]["platforms"]]
        if node not in shown:
            item["off"] = 1
            item["name"] = str(attrs.get("label") or node)
            item["group"] = _group(attrs)
            if node in positions:
                item["x"], item["y"] = positions[node]
    for (source, target), item in zip(g.edges(), data["edges"], strict=True):
        item["from"], item["to"] = ids[source], ids[target]
    data["provinces"] = provinces
    data["prefectures"] = [[name, x, y, [ids[p] for p in parks]]
                           for name, x, y, parks in park_prefectures(g)]  # type: ignore[misc]
    data["relations"] = sorted({str(r) for _, _, r in g.edges(data="relation")})
    data["communities"] = max(groups.values(), default=-1) + 1
    data["palette"] = list(COMMUNITY_COLOURS)
    data["styles"] = {kind: [fill, border] for kind, (_, _, fill, border)
                      in [*STYLES.items(), ("Other", OTHER_STYLE)]}


def _vis_options(large: bool, *, hide_edges: bool | None = None) -> dict[str, Any]:
    """vis-network options: class groups and fixed positions from Python, physics off.

    Physics used to polish small graphs for about 4 s after the first draw; the Python layout
    plus the page's separation of park boxes gives the same picture at once and stays still.
    """
    groups: dict[str, Any] = {}
    for kind, (_, shape, fill, border) in [*STYLES.items(), ("Other", OTHER_STYLE)]:
        group: dict[str, Any] = {
            "shape": shape,
            "color": {
                "background": fill,
                "border": border,
                "highlight": {"background": fill, "border": "#000000"},
                "hover": {"background": fill, "border": "#000000"},
            },
        }
        if shape not in ("box", "ellipse"):
            group["size"] = 12
        if kind == "Park":  # park names stay legible in an overview
            group["font"] = {"size": 30, "face": FONT_FACE}
            group["scaling"] = {"label": {"drawThreshold": 6}}
            group["margin"] = 8
        groups[kind] = group
    return {
        "groups": groups,
        # Labels smaller than 8 px on screen are not drawn (parks: 6 px): an overview shows the
        # park names, the others appear when zoomed in.
        "nodes": {
            "font": {"face": FONT_FACE, "size": 14},
            "borderWidth": 1.5,
            "scaling": {"min": 8, "max": 40, "label": {"drawThreshold": 8}},
        },
        "edges": {
            "font": {"face": FONT_FACE, "size": 10, "align": "middle", "color": "#757575"},
            "color": {"color": "#9e9e9e", "highlight": "#212121", "hover": "#424242"},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False if large else {"enabled": True, "type": "continuous"},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large if hide_edges is None else hide_edges,
        },
        "layout": {"improvedLayout": False},
        "physics": {"enabled": False},
    }


def _amount_lines(data: dict[str, Any]) -> list[str]:
    """The investment amounts of an entity in 亿元 and yuan, the first with the words used."""
    amounts = list(data.get("amounts") or ([data["amount"]] if data.get("amount") else []))
    text = data.get("amount_text")
    lines = [f"{yi(a)} ({a:,} 元)" for a in amounts]
    if text:
        if lines:
            lines[0] += f" — 原文 {text}"
        else:
            lines.append(f"原文 {text}")
    return lines


@lru_cache(maxsize=1)
def _indicator_names() -> dict[str, str]:
    """The Chinese name of each indicator id, from the code list of ontology/parks.ttl."""
    from rdflib.namespace import SKOS  # (rdflib is loaded by then: the graph was read)

    from kg.rdf.ontology import read_ontology

    names: dict[str, str] = {}
    prefix = str(INDICATOR)
    for concept, _, label in read_ontology().triples((None, SKOS.prefLabel, None)):
        if str(concept).startswith(prefix) and getattr(label, "language", None) == "zh":
            names[str(concept)[len(prefix):]] = str(label)
    return names


def _figure(value: float | int, unit: str) -> str:
    """A figure with its unit for people: 亿元 for yuan, 亿美元 for dollars, %, or a count."""
    if unit == "CNY":
        return yi(value) if float(value).is_integer() else f"{value} 元"
    if unit == "USD":
        return format((Decimal(str(value)) / 100_000_000).normalize(), "f") + " 亿美元"
    if unit == "percent":
        return f"{value}%"
    return f"{value:,}" if unit == "count" else f"{value} {unit}"


def indicator_lines(data: dict[str, Any]) -> list[str]:
    """A park's figures as the details panel lists them, one line each, by indicator and
    period: 「地区生产总值 (gdp) 2021: 75.92 亿元, 同比 +48.69%」."""
    names = _indicator_names()
    lines = []
    for row in data.get("indicators") or ():
        ind = str(row.get("indicator", ""))
        head = f"{names.get(ind, ind)} ({ind})" if ind in names else ind
        when = f" {row['period']}" if row.get("period") else ""
        parts = []
        if row.get("value") is not None:
            parts.append(_figure(row["value"], str(row.get("unit", ""))))
        if row.get("growth_pct") is not None:
            parts.append(f"同比 {row['growth_pct']:+g}%")
        lines.append(f"{head}{when}: {', '.join(parts)}")
    return lines


def _page_data(g: nx.MultiDiGraph, ids: dict[str, int]) -> dict[str, Any]:
    """Everything the page's script shows beyond the drawing, indexed like the vis DataSets.

    Evidence sentences are stored once in `sentences` ([doc index, sentence, rules]: every
    rule that used the sentence, comma-separated) and referred to by number from nodes and
    edges; `docs` holds [doc id, title, file name], one entry per article of a document when
    the evidence names its article (`kg.views.articles`), so a sentence carries its own
    article's title.
    """
    documents: dict[str, dict[str, str]] = dict(g.graph.get("documents") or {})
    doc_index: dict[tuple[str, str | None], int] = {}
    docs: list[list[str]] = []
    sentence_index: dict[tuple[int, str], int] = {}
    sentences: list[list[Any]] = []

    def refs(evidence: Iterable[dict[str, str]]) -> list[int]:
        found = []
        for ev in evidence:
            doc = str(ev.get("doc", ""))
            article = ev.get("article")
            if (doc, article) not in doc_index:
                doc_index[(doc, article)] = len(docs)
                meta = documents.get(doc, {})
                docs.append([doc, article or meta.get("title", ""), meta.get("file", "")])
            if ev.get("published") and len(docs[doc_index[(doc, article)]]) == 3:
                docs[doc_index[(doc, article)]].append(str(ev["published"]))  # the date
            key = (doc_index[(doc, article)], str(ev.get("sentence", "")))
            rule = str(ev.get("rule", ""))
            if key not in sentence_index:
                sentence_index[key] = len(sentences)
                sentences.append([*key, rule])
            else:
                shown = sentences[sentence_index[key]]
                if rule and rule not in shown[2].split(", "):
                    shown[2] = f"{shown[2]}, {rule}" if shown[2] else rule
            found.append(sentence_index[key])
        return list(dict.fromkeys(found))  # one sentence may support several facts

    nodes: list[dict[str, Any]] = []
    for node, data in g.nodes(data=True):
        item: dict[str, Any] = {"iri": node, "type": str(data.get("type", ""))}
        if data.get("kind"):
            item["kind"] = str(data["kind"])
        if data.get("aliases"):
            item["aliases"] = [str(a) for a in data["aliases"]]
        if data.get("wikidata") and _qid(data["wikidata"]):
            item["wikidata"] = _qid(data["wikidata"])
        if _amount_lines(data):
            item["amounts"] = _amount_lines(data)
        if data.get("totals"):
            item["totals"] = data["totals"]
        if data.get("mentions"):
            item["mentions"] = int(data["mentions"])
        if data.get("indicators"):
            item["indicators"] = indicator_lines(data)
            # for the page's exports: [indicator, period, value, unit, growth %, clause]
            item["obs"] = [[r.get("indicator"), r.get("period"), r.get("value"), r.get("unit"),
                            r.get("growth_pct"), r.get("text")] for r in data["indicators"]]
        if data.get("times"):
            item["times"] = [str(t) for t in data["times"]]
        if data.get("evidence"):
            item["evidence"] = refs(data["evidence"])
        nodes.append(item)
    edges = [
        {"relation": str(data.get("relation", "")), "evidence": refs(data.get("evidence") or [])}
        | ({"times": [str(t) for t in data["times"]],
            "when": [list(time_parts(str(t))[:2]) for t in data["times"]]}
           if data.get("times") else {})
        | ({"span": _day_numbers(data["spans"])} if data.get("spans") else {})
        for _, _, data in g.edges(data=True)
    ]
    return {
        "classes": {kind: [zh, shape, fill] for kind, (zh, shape, fill, _) in STYLES.items()},
        "wikidataBase": WIKIDATA_PAGE,
        "focus": [ids[c] for c in g.graph.get("focus", ()) if c in ids],
        "nodes": nodes,
        "edges": edges,
        "sentences": sentences,
        "docs": docs,
    }


def _day_numbers(spans: Iterable[tuple[str, str]]) -> list[int]:
    """A fact's times as the date filter compares them: first and last day of each, as
    yyyymmdd numbers in one flat list ([20210101, 20211231, …]), short in the page's JSON."""
    return [int(day[:10].replace("-", "")) for span in spans for day in span]


def _date_bounds(g: nx.MultiDiGraph) -> tuple[str, str] | None:
    """The first and last year that the dated facts of `g` cover; None when none is dated."""
    days = [day for _, _, spans in g.edges(data="spans") for span in spans or () for day in span]
    return (min(days)[:4], max(days)[:4]) if days else None


def _script_json(data: object) -> str:
    """JSON that is safe inside a <script> element: <, > and & become \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _legend_html(g: nx.MultiDiGraph) -> str:
    """The legend and the explorer's controls: class and relation toggles, degree slider,
    isolates, investment range, date range of facts, size and colour, path between two
    entities, exports."""
    counts: dict[str, int] = defaultdict(int)
    for _, kind in g.nodes(data="type"):
        counts[str(kind)] += 1
    relations: dict[str, int] = defaultdict(int)
    for _, _, relation in g.edges(data="relation"):
        relations[str(relation)] += 1
    rows = []
    for kind, (zh, shape, fill, border) in STYLES.items():
        rows.append(
            f'<label class="kg-row"><input type="checkbox" checked data-kg-class="{kind}">'
            f"{_glyph(shape, fill, border)}"
            f"<span>{kind} {zh} <small>({shape}, {counts.get(kind, 0)})</small></span></label>"
        )
    for relation in sorted(relations):
        name = html.escape(relation)
        rows.append(
            f'<label class="kg-row kg-rel-row"><input type="checkbox" checked'
            f' data-kg-relation="{name}"><span>→ {name} <small>({relations[relation]})'
            "</small></span></label>"
        )
    top = max((d for _, d in g.degree()), default=0)
    bounds = _date_bounds(g)
    dated = sum(1 for _, _, spans in g.edges(data="spans") if spans)
    years = ("", "") if bounds is None else bounds
    controls = (
        '<div class="kg-row kg-note">→ 边标签 = 关系 relation</div>'
        '<details id="kg-tools" open><summary>筛选 Filters</summary>'
        f'<label class="kg-row">度≥ Degree <input id="kg-degree" type="range" min="0"'
        f' max="{top}" value="0"><output id="kg-degree-value">0</output></label>'
        '<label class="kg-row"><input id="kg-isolates" type="checkbox">'
        "隐藏孤立点 Hide isolates</label>"
        '<div class="kg-row">投资 Investment <input id="kg-inv-min" type="number" min="0"'
        ' step="any" placeholder="min"> – <input id="kg-inv-max" type="number" min="0"'
        ' step="any" placeholder="max"> 亿元</div>'
        '<div class="kg-row kg-dates" title="年 (2021)、年月 (2021-06) 或日期 (2021-06-15)'
        ' year, month or date">时间 Date <input id="kg-date-from" type="text"'
        f' inputmode="numeric" placeholder="从 {years[0] or "from"}" aria-label="from">'
        '<span>–</span><input id="kg-date-to" type="text" inputmode="numeric"'
        f' placeholder="到 {years[1] or "to"}" aria-label="to"></div>'
        f'<label class="kg-row" title="{dated} / {g.number_of_edges()} 关系有时间 facts dated">'
        '<input id="kg-undated" type="checkbox">隐藏无日期关系 Hide undated facts</label>'
        '<label class="kg-row">大小 Size <select id="kg-size"><option value="">—</option>'
        '<option value="degree">度 degree</option><option value="investment">投资 investment'
        "</option></select></label>"
        '<label class="kg-row">颜色 Colour <select id="kg-colour"><option value="class">'
        '类 class</option><option value="community">社区 community</option></select></label>'
        '<label class="kg-row">视图 View <select id="kg-mode"><option value="graph">图 graph'
        '</option><option value="map">地图 map (by place)</option></select></label>'
        '<label class="kg-row" title="省 = 灰圈 province; 地级市 = 橙圈, 按其园区合计 prefecture,'
        ' sized by the sum over its parks; 点击选中其园区 click selects its parks">'
        '地图大小 Map size <select id="kg-map-measure">'
        '<option value="enterprises">企业 enterprises</option><option value="platforms">'
        '平台 platforms</option><option value="investment">投资 investment</option>'
        "</select></label>"
        '<div class="kg-row kg-path">路径 Path <input id="kg-path-from" type="search"'
        ' placeholder="从 from"><input id="kg-path-to" type="search" placeholder="到 to">'
        '<button id="kg-path-go" type="button">查找 Find</button></div>'
        '<div class="kg-row" id="kg-path-result"></div>'
        '<div class="kg-row">导出 Export <button id="kg-export-png" type="button">PNG</button>'
        '<button id="kg-export-csv" type="button">CSV</button>'
        '<button id="kg-export-graphml" type="button">GraphML</button></div>'
        '<div class="kg-row"><button id="kg-reset" type="button">重置 Reset</button>'
        '<span id="kg-visible"></span></div></details>'
    )
    return (
        '<div id="kg-legend"><div class="kg-legend-title">图例 Legend</div>'
        + "".join(rows)
        + controls
        + "</div>"
    )


def _glyph(shape: str, fill: str, border: str) -> str:
    """An inline SVG of a vis-network shape, so the legend needs no font or image."""
    style = f'fill="{fill}" stroke="{border}" stroke-width="1.5"'
    body = {
        "box": f'<rect x="1.5" y="3.5" width="15" height="11" rx="2" {style}/>',
        "dot": f'<circle cx="9" cy="9" r="7" {style}/>',
        "diamond": f'<polygon points="9,1.5 16.5,9 9,16.5 1.5,9" {style}/>',
        "triangle": f'<polygon points="9,1.5 16.5,15.5 1.5,15.5" {style}/>',
        "hexagon": f'<polygon points="5,2 13,2 17,9 13,16 5,16 1,9" {style}/>',
    }.get(shape, f'<ellipse cx="9" cy="9" rx="8" ry="5.5" {style}/>')
    return f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">{body}</svg>'


def _asset(name: str) -> str:
    """The text of a file shipped in kg/assets/."""
    return (resources.files("kg.views") / "assets" / name).read_text(encoding="utf-8")


_NETWORK_CALL = "network = new vis.Network(container, data, options);"


_COMMENTED_ASSETS = re.compile(r"<!--(?:(?!-->).)*?node_modules(?:(?!-->).)*-->\s*", re.DOTALL)


def _finish_page(
    page: str, g: nx.MultiDiGraph, title: str, summary: str, data: dict[str, Any]
) -> str:
    """Turn pyvis's page into ours: no CDN tags; our header, legend, panel, data and script.

    Raises RuntimeError if the pyvis template no longer looks as expected.
    """
    page = _EXTERNAL_TAG.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    page = _COMMENTED_ASSETS.sub("", page)
    if page.count(_NETWORK_CALL) != 1:
        raise RuntimeError("unexpected pyvis template: vis.Network is not created exactly once")
    page = page.replace(
        _NETWORK_CALL, _NETWORK_CALL + "\n                  kgInit(network, nodes, edges);"
    )
    head_end = page.rfind("</head>")
    body_start = page.find("<body>", head_end)
    if head_end < 0 or body_start < 0:
        raise RuntimeError("unexpected pyvis template: </head> or <body> not found")
    escaped_title = html.escape(title)
    head = (
        f"<title>{escaped_title}</title>\n"
        f"<style>\n{_asset('view.css').replace('FONT', FONT_FACE)}</style>\n"
        f'<script type="text/javascript">\n{_asset("view.js")}\n{_asset("explore.js")}'
        "</script>\n"
    )
    body = (
        '\n<div id="kg-header">'
        f'<span id="kg-title">{escaped_title}</span>'
        f'<span id="kg-summary">{html.escape(summary)}</span>'
        '<div id="kg-search-box"><input id="kg-search" type="search" autocomplete="off"'
        ' placeholder="搜索名称或别名 Search name or alias" aria-label="search">'
        '<ul id="kg-results" hidden></ul></div></div>\n'
        f"{_legend_html(g)}\n"
        '<aside id="kg-panel" hidden><button id="kg-panel-close" type="button"'
        ' aria-label="close">×</button><div id="kg-panel-body"></div></aside>\n'
        '<div id="kg-tip" hidden></div>\n'
        f'<script type="application/json" id="kg-data">{_script_json(data)}</script>\n'
    )
    body_start += len("<body>")
    page = page[:head_end] + head + page[head_end:body_start] + body + page[body_start:]
    if not page.lstrip().lower().startswith("<!doctype"):
        page = "<!DOCTYPE html>\n" + page
    leftover = _EXTERNAL_REF.search(page)
    if leftover:
        raise RuntimeError(
            f"external reference left in the page: {page[leftover.start() :][:80]!r}"
        )
    return page


def _write_atomically(path: Path, text: str) -> None:
    """Write UTF-8 text to a temporary file beside `path`, then rename it onto `path`."""
    write_file(path, lambda out: out.write(text.encode("utf-8")), sync=True)

