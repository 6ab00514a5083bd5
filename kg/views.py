"""Views of the knowledge graph: RDF → networkx, and networkx → one offline HTML page.

`to_networkx` reads the RDF that `kg build` emits (docs/rdf-model.md) in a few bulk passes and
returns one node per entity and one edge per relation triple, each carrying its evidence.
`write_html` draws that graph with pyvis into a single self-contained file: vis-network is
inlined, every external reference pyvis adds is removed, and all corpus text is HTML-escaped.
networkx, numpy and pyvis are imported inside the functions that need them.
"""

from __future__ import annotations

import html
import math
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.vocab import PK

if TYPE_CHECKING:
    import networkx as nx
    from rdflib.term import Node

__all__ = ["render", "to_networkx", "write_html"]

CLASSES = ("Park", "Enterprise", "Platform", "Project", "Region")
RELATIONS = ("hosts", "built", "investor", "partOf", "locatedIn")
# Subclasses of pk:Platform: an instance typed only with one of them is still a Platform.
PLATFORM_KINDS = (
    "Laboratory",
    "InnovationCenter",
    "Incubator",
    "ResearchInstitute",
    "Workstation",
    "PilotBase",
    "ResearchFacility",
)

# Class → (Chinese name, vis-network shape, fill colour, border colour). Shapes and colours
# are both distinct, so the classes stay apart in print and for colour-blind readers.
STYLES: dict[str, tuple[str, str, str, str]] = {
    "Park": ("园区", "box", "#81c784", "#2e7d32"),
    "Enterprise": ("企业", "dot", "#64b5f6", "#1565c0"),
    "Platform": ("创新平台", "diamond", "#ffb74d", "#e65100"),
    "Project": ("项目", "triangle", "#ce93d8", "#6a1b9a"),
    "Region": ("行政区域", "hexagon", "#b0bec5", "#37474f"),
}
FONT_FACE = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif'

PHYSICS_MAX_NODES = 300  # above this, positions come from Python and physics is off
EXACT_LAYOUT_MAX_NODES = 1000  # above this, the layout samples repulsion partners
MIN_EDGE_PIXELS = 60.0  # median edge length of a computed layout, at least
TOOLTIP_SENTENCES = 5
SENTENCE_CHARS = 120

_EXTERNAL_TAG = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>\s*</script\s*>"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""",
    re.IGNORECASE,
)
_EXTERNAL_REF = re.compile(
    r"""<[a-z][^<>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>\s*")


# ---------------------------------------------------------------------------- RDF → networkx


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """Turn the RDF of docs/rdf-model.md into a MultiDiGraph of entities and relations.

    Node ids are entity IRIs; nodes carry label, type, aliases, amount, amount_text, wikidata,
    mentions and evidence; edges (key = relation) carry relation and evidence. A Dataset is read
    across all its named graphs. Relation triples whose ends are not typed entities are skipped.
    """
    import networkx as nx

    types: dict[Node, str] = {}
    kinds: dict[Node, str] = {}
    for name in CLASSES:
        for s, _, _ in _triples(graph, None, RDF.type, PK[name]):
            if isinstance(s, URIRef):
                types.setdefault(s, name)
    for name in PLATFORM_KINDS:
        for s, _, _ in _triples(graph, None, RDF.type, PK[name]):
            if isinstance(s, URIRef) and types.setdefault(s, "Platform") == "Platform":
                kinds[s] = min(kinds.get(s, name), name)

    labels = _values(graph, RDFS.label, types)
    aliases = _values(graph, SKOS.altLabel, types)
    amounts = _values(graph, PK.investmentAmount, types)
    amount_texts = _values(graph, PK.amountText, types)
    wikidata = _values(graph, PK.wikidata, types)
    mentions: dict[Node, set[Node]] = defaultdict(set)
    for s, _, o in _triples(graph, None, PK.mentionOf, None):
        if o in types:
            mentions[o].add(s)

    evidence = _evidence(graph)
    stmt_subject = {s: o for s, _, o in _triples(graph, None, RDF.subject, None)}
    stmt_predicate = {s: o for s, _, o in _triples(graph, None, RDF.predicate, None)}
    stmt_object = {s: o for s, _, o in _triples(graph, None, RDF.object, None)}
    node_evidence: dict[Node, set[Node]] = defaultdict(set)
    fact_evidence: dict[tuple[Node, Node, Node], set[Node]] = defaultdict(set)
    for stmt, ev in (
        (s, o) for s, _, o in _triples(graph, None, PROV.wasDerivedFrom, None) if o in evidence
    ):
        subj, pred, obj = stmt_subject.get(stmt), stmt_predicate.get(stmt), stmt_object.get(stmt)
        for end in (subj, obj):
            if end in types:
                node_evidence[end].add(ev)
        if subj is not None and pred is not None and obj is not None:
            fact_evidence[(subj, pred, obj)].add(ev)

    g = nx.MultiDiGraph()
    for node in sorted(types, key=str):
        amount = max((_yuan(v) for v in amounts.get(node, ())), default=None, key=_none_low)
        attrs: dict[str, Any] = {
            "label": _pick_label(labels.get(node), aliases.get(node), node),
            "type": types[node],
            "aliases": sorted({str(v) for v in aliases.get(node, ())}),
            "amount": amount,
            "amount_text": min((str(v) for v in amount_texts.get(node, ())), default=None),
            "wikidata": min((str(v) for v in wikidata.get(node, ())), default=None),
            "mentions": len(mentions.get(node, ())),
            "evidence": _evidence_list(node_evidence.get(node, ()), evidence),
        }
        if node in kinds:
            attrs["kind"] = kinds[node]
        g.add_node(str(node), **attrs)

    facts: set[tuple[Node, str, Node]] = set()
    for name in RELATIONS:
        for s, _, o in _triples(graph, None, PK[name], None):
            if s in types and o in types:
                facts.add((s, name, o))
    for s, name, o in sorted(facts, key=lambda f: (str(f[0]), f[1], str(f[2]))):
        g.add_edge(
            str(s),
            str(o),
            key=name,
            relation=name,
            evidence=_evidence_list(fact_evidence.get((s, PK[name], o), ()), evidence),
        )
    return g


def _triples(graph: Graph, s: Node | None, p: Node | None, o: Node | None) -> Iterator[tuple]:
    """Yield matching triples, from every named graph when `graph` is a Dataset.

    Needed because Dataset.triples() sees only the default graph unless default_union is set.
    """
    if getattr(graph, "context_aware", False):
        # The store's union of all contexts: Dataset.quads() costs about 10 µs a triple more.
        for triple, _ in graph.store.triples((s, p, o), None):
            yield triple
    else:
        yield from graph.triples((s, p, o))


def _values(graph: Graph, predicate: URIRef, subjects: dict[Node, str]) -> dict[Node, set[Node]]:
    """Collect the objects of `predicate` for the given subjects in one pass."""
    found: dict[Node, set[Node]] = defaultdict(set)
    for s, _, o in _triples(graph, None, predicate, None):
        if s in subjects:
            found[s].add(o)
    return found


def _evidence(graph: Graph) -> dict[Node, tuple[int, str, str, str]]:
    """Map each pk:Evidence node to (rank, sentence, doc id, rule) with one pass per property.

    The rank orders evidence by document id, then by the evidence number in its IRI.
    """
    fields: dict[Node, list[str]] = {
        s: ["", "", ""] for s, _, _ in _triples(graph, None, RDF.type, PK.Evidence)
    }
    for s, _, o in _triples(graph, None, PK.sentence, None):
        if s in fields:
            fields[s][0] = str(o)
    for s, _, o in _triples(graph, None, PK.rule, None):
        if s in fields:
            fields[s][2] = str(o)
    docs: dict[Node, Node] = {}
    for s, _, o in _triples(graph, None, PK.inDocument, None):
        if s in fields:
            docs[s] = o
    needed = set(docs.values())
    doc_ids = {
        s: str(o) for s, _, o in _triples(graph, None, DCTERMS.identifier, None) if s in needed
    }
    for ev, doc in docs.items():
        fields[ev][1] = doc_ids.get(doc) or str(doc).rsplit("/doc/", 1)[-1]

    def order(ev: Node) -> tuple[str, int, str]:
        tail = str(ev).rsplit("/", 1)[-1]
        return (fields[ev][1], int(tail) if tail.isdigit() else -1, str(ev))

    ranked = sorted(fields, key=order)
    return {ev: (rank, *fields[ev]) for rank, ev in enumerate(ranked)}


def _evidence_list(
    nodes: Iterable[Node], evidence: dict[Node, tuple[int, str, str, str]]
) -> list[dict[str, str]]:
    """Return evidence records {sentence, doc, rule} in document order, without duplicates."""
    found = sorted(evidence[ev] for ev in set(nodes))
    return [{"sentence": sentence, "doc": doc, "rule": rule} for _, sentence, doc, rule in found]


def _pick_label(labels: set[Node] | None, aliases: set[Node] | None, node: Node) -> str:
    """Choose one display name: a Chinese rdfs:label first, then any label, alias or IRI tail."""
    if labels:
        zh = [
            str(v) for v in labels if isinstance(v, Literal) and (v.language or "").startswith("zh")
        ]
        return min(zh or [str(v) for v in labels])
    if aliases:
        return min(str(v) for v in aliases)
    return str(node).rstrip("/").rsplit("/", 1)[-1]


def _yuan(value: Node) -> int | None:
    """Read an xsd:decimal amount of yuan as an int; None when it is not a number."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() else None


def _none_low(value: int | None) -> float:
    """Sort key that puts missing amounts below every real one."""
    return -math.inf if value is None else value


# ---------------------------------------------------------------------------- networkx → HTML


def write_html(g: nx.MultiDiGraph, path: Path, *, title: str = "parks-kg") -> None:
    """Write `g` as ONE self-contained pyvis HTML page that draws with no network at all.

    Above 300 nodes positions are computed here and physics is off, so big graphs draw at once.
    The file is written to a temporary sibling and renamed, so `path` is never half-written.
    """
    try:
        from pyvis.network import Network
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "HTML views need pyvis, a dependency of parks-kg: pip install 'pyvis>=0.3.2,<0.4'"
        ) from exc

    path = Path(path)
    n = g.number_of_nodes()
    large = n > PHYSICS_MAX_NODES
    positions = _layout(g, scale=max(math.sqrt(n), 1.0) * 100.0) if large else {}

    net = Network(height="calc(100vh - 64px)", width="100%", directed=True, cdn_resources="in_line")
    net.options = _vis_options(large)  # set_options() would strip the spaces in FONT_FACE
    # Keep Chinese readable (and the file half the size); tojson still escapes < > & '.
    net.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    # Filled directly: Network.add_node/add_edge scan lists on every call (quadratic).
    for node_id, data in g.nodes(data=True):
        kind = data.get("type", "")
        _, shape, fill, border = STYLES.get(kind, ("", "ellipse", "#e0e0e0", "#616161"))
        node: dict[str, Any] = {
            "id": node_id,
            "label": str(data.get("label") or node_id),  # drawn on canvas as text, not HTML
            "shape": shape,
            "color": {
                "background": fill,
                "border": border,
                "highlight": {"background": fill, "border": "#000000"},
                "hover": {"background": fill, "border": "#000000"},
            },
            "title": _node_tooltip(node_id, data),
        }
        if shape not in ("box", "ellipse"):
            node["size"] = 14
        if node_id in positions:
            node["x"], node["y"] = positions[node_id]
        net.nodes.append(node)
        net.node_ids.append(node_id)
        net.node_map[node_id] = node
    for source, target, data in g.edges(data=True):
        relation = str(data.get("relation", ""))
        net.edges.append(
            {
                "from": source,
                "to": target,
                "label": relation,
                "title": _edge_tooltip(g, source, target, data),
            }
        )

    page = _finish_page(net.generate_html(), g, title)
    _write_atomically(path, page)


def render(graph: Graph, path: Path, *, title: str = "parks-kg") -> int:
    """Draw an RDF graph straight to an offline HTML page; return the number of nodes drawn."""
    g = to_networkx(graph)
    write_html(g, path, title=title)
    return g.number_of_nodes()


def _vis_options(large: bool) -> dict[str, Any]:
    """vis-network options: barnesHut physics for small graphs, fixed positions for large ones."""
    options: dict[str, Any] = {
        "nodes": {"font": {"face": FONT_FACE, "size": 14}, "borderWidth": 1.5},
        "edges": {
            "font": {"face": FONT_FACE, "size": 10, "align": "middle", "color": "#616161"},
            "color": {"color": "#9e9e9e", "highlight": "#212121", "hover": "#424242"},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False if large else {"enabled": True, "type": "continuous"},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large},
        "layout": {"improvedLayout": False},
    }
    if large:
        options["physics"] = {"enabled": False}
    else:
        options["physics"] = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -6000,
                "centralGravity": 0.3,
                "springLength": 140,
                "springConstant": 0.04,
                "damping": 0.3,
                "avoidOverlap": 0.2,
            },
            "stabilization": {
                "enabled": True,
                "iterations": 200,
                "updateInterval": 25,
                "fit": True,
            },
        }
    return options


def _text(value: object) -> str:
    """HTML-escape corpus text for a tooltip.

    "href" is also written as a character reference: pyvis switches to another tooltip
    template when any node title contains that word, and the page looks the same either way.
    """
    return html.escape(str(value)).replace("href", "&#104;ref")


def _clip(sentence: str) -> str:
    """Shorten a sentence to SENTENCE_CHARS characters (before escaping, so no entity is cut)."""
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= SENTENCE_CHARS else sentence[: SENTENCE_CHARS - 1] + "…"


def _evidence_html(evidence: list[dict[str, str]]) -> list[str]:
    """Render up to TOOLTIP_SENTENCES evidence sentences with their document ids and rules."""
    lines = [
        f"• [{_text(ev.get('doc', ''))}] {_text(_clip(ev.get('sentence', '')))}"
        + (f" <i>({_text(ev['rule'])})</i>" if ev.get("rule") else "")
        for ev in evidence[:TOOLTIP_SENTENCES]
    ]
    if len(evidence) > TOOLTIP_SENTENCES:
        lines.append(f"… 另有 {len(evidence) - TOOLTIP_SENTENCES} 条 / more")
    return ["<b>证据 Evidence</b>", *lines] if lines else []


def _amount_html(amount: int | None, text: str | None) -> str | None:
    """Show an amount of yuan in 亿元 and in yuan, with the words the text used."""
    if amount is None:
        return f"投资额 Amount: {_text(text)}" if text else None
    yi = format((Decimal(amount) / 100_000_000).normalize(), "f")
    line = f"投资额 Amount: {yi} 亿元 ({amount:,} 元)"
    return line + (f" — 原文 {_text(text)}" if text else "")


def _node_tooltip(node_id: str, data: dict[str, Any]) -> str:
    """Build the escaped HTML tooltip of one entity."""
    kind = str(data.get("type", ""))
    zh = STYLES.get(kind, ("",))[0]
    lines = [
        f"<b>{_text(data.get('label') or node_id)}</b>",
        f"类型 Class: {_text(kind)} {zh}"
        + (f" ({_text(data['kind'])})" if data.get("kind") else ""),
    ]
    if data.get("aliases"):
        lines.append("别名 Aliases: " + "、".join(_text(a) for a in data["aliases"]))
    amount = _amount_html(data.get("amount"), data.get("amount_text"))
    if amount:
        lines.append(amount)
    if data.get("wikidata"):
        lines.append(f"Wikidata: {_text(data['wikidata'])}")
    lines.append(f"提及 Mentions: {int(data.get('mentions') or 0)}")
    lines.append(f'<span style="color:#757575">{_text(node_id)}</span>')
    lines.extend(_evidence_html(list(data.get("evidence") or [])))
    return "<br>".join(lines)


def _edge_tooltip(g: nx.MultiDiGraph, source: str, target: str, data: dict[str, Any]) -> str:
    """Build the escaped HTML tooltip of one relation: its name, its ends and its evidence."""
    head = g.nodes[source].get("label") or source
    tail = g.nodes[target].get("label") or target
    lines = [f"<b>{_text(data.get('relation', ''))}</b>: {_text(head)} → {_text(tail)}"]
    lines.extend(_evidence_html(list(data.get("evidence") or [])))
    return "<br>".join(lines)


def _legend_html(g: nx.MultiDiGraph) -> str:
    """A small fixed box listing class → colour and shape, with the number of nodes of each."""
    counts: dict[str, int] = defaultdict(int)
    for _, kind in g.nodes(data="type"):
        counts[str(kind)] += 1
    rows = []
    for kind, (zh, shape, fill, border) in STYLES.items():
        rows.append(
            f'<div class="kg-row">{_glyph(shape, fill, border)}'
            f"<span>{kind} {zh} <small>({shape}, {counts.get(kind, 0)})</small></span></div>"
        )
    return (
        '<div id="kg-legend"><div class="kg-legend-title">图例 Legend</div>'
        + "".join(rows)
        + '<div class="kg-row kg-note">→ 边标签 = 关系 relation</div></div>'
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


_PAGE_CSS = """<style>
  body { margin: 0; font-family: %(font)s; }
  #kg-header { margin: 0; padding: 10px 16px; font-size: 20px; font-weight: 600; height: 24px; }
  #kg-legend { position: fixed; top: 52px; left: 12px; z-index: 10; padding: 8px 10px;
    background: rgba(255, 255, 255, 0.92); border: 1px solid #bdbdbd; border-radius: 6px;
    font-size: 13px; line-height: 1.5; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.15); }
  #kg-legend .kg-legend-title { font-weight: 600; margin-bottom: 2px; }
  #kg-legend .kg-row { display: flex; align-items: center; gap: 6px; }
  #kg-legend .kg-note { color: #616161; font-size: 12px; }
  div.vis-tooltip { font-family: %(font)s; max-width: 480px; white-space: normal;
    line-height: 1.45; font-size: 13px; }
</style>
"""

# vis-network 9 shows a string title as plain text (innerText) and an Element as it is. The
# titles are HTML built from escaped text, so they become Elements before the network is drawn.
_TOOLTIP_SCRIPT = """<script type="text/javascript">
function kgTooltipsAsElements(dataSet) {
  var updates = [];
  dataSet.forEach(function (item) {
    if (typeof item.title === "string") {
      var div = document.createElement("div");
      div.innerHTML = item.title;
      updates.push({ id: item.id, title: div });
    }
  });
  dataSet.update(updates);
}
</script>
"""
_NETWORK_CALL = "network = new vis.Network(container, data, options);"
_NETWORK_CALL_WITH_TOOLTIPS = (
    "kgTooltipsAsElements(nodes);\n"
    "                  kgTooltipsAsElements(edges);\n"
    "                  " + _NETWORK_CALL
)
_COMMENTED_ASSETS = re.compile(r"<!--(?:(?!-->).)*?node_modules(?:(?!-->).)*-->\s*", re.DOTALL)


def _finish_page(page: str, g: nx.MultiDiGraph, title: str) -> str:
    """Turn pyvis's page into ours: no CDN tags, HTML tooltips, a title and a legend.

    Raises RuntimeError if the pyvis template no longer looks as expected.
    """
    page = _EXTERNAL_TAG.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    page = _COMMENTED_ASSETS.sub("", page)
    if page.count(_NETWORK_CALL) != 1:
        raise RuntimeError("unexpected pyvis template: vis.Network is not created exactly once")
    page = page.replace(_NETWORK_CALL, _NETWORK_CALL_WITH_TOOLTIPS)
    head_end = page.rfind("</head>")
    body_start = page.find("<body>", head_end)
    if head_end < 0 or body_start < 0:
        raise RuntimeError("unexpected pyvis template: </head> or <body> not found")
    escaped_title = html.escape(title)
    head = f"<title>{escaped_title}</title>\n" + _PAGE_CSS % {"font": FONT_FACE} + _TOOLTIP_SCRIPT
    body = f'\n<div id="kg-header">{escaped_title}</div>\n{_legend_html(g)}\n'
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
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------- layout


def _layout(
    g: nx.MultiDiGraph, *, scale: float, iterations: int = 50
) -> dict[str, tuple[float, float]]:
    """Force-directed positions in pixels, spread over about `scale` pixels across.

    Fruchterman-Reingold in numpy: exact repulsion up to 1000 nodes, 64 random repulsion partners
    per node above (0.1 s instead of 3 s at 3000 nodes, with similar edge lengths and overlap).
    networkx.spring_layout is not used because from 500 nodes on it needs scipy.
    """
    import numpy as np

    nodes = list(g.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in g.edges() if u != v}
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    src, dst = edges[:, 0], edges[:, 1]

    rng = np.random.default_rng(0)
    x, y = rng.random(n), rng.random(n)
    k2 = 1.0 / n  # square of the ideal edge length in the unit square
    k = math.sqrt(k2)
    min_d2 = 1e-4 * k2
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    exact = n <= EXACT_LAYOUT_MAX_NODES
    samples = 64
    block = max(1, 1_000_000 // n)  # rows per chunk of the n × n distance matrix
    for _ in range(iterations):
        if exact:
            fx, fy = np.empty(n), np.empty(n)
            for start in range(0, n, block):
                rows = slice(start, start + block)
                dx = x[rows, None] - x[None, :]
                dy = y[rows, None] - y[None, :]
                inv = _repulsion(dx, dy, k2, min_d2)
                fx[rows] = np.einsum("ij,ij->i", dx, inv)
                fy[rows] = np.einsum("ij,ij->i", dy, inv)
        else:
            partners = rng.integers(0, n, size=(n, samples))
            dx = x[:, None] - x[partners]
            dy = y[:, None] - y[partners]
            inv = _repulsion(dx, dy, k2, min_d2) * ((n - 1) / samples)
            fx = np.einsum("ij,ij->i", dx, inv)
            fy = np.einsum("ij,ij->i", dy, inv)
        if len(src):
            dx, dy = x[src] - x[dst], y[src] - y[dst]
            stretch = np.hypot(dx, dy) / k
            px, py = dx * stretch, dy * stretch
            fx += np.bincount(dst, px, n) - np.bincount(src, px, n)
            fy += np.bincount(dst, py, n) - np.bincount(src, py, n)
        fx -= (x - x.mean()) * (2.0 * k)  # mild gravity keeps the components together
        fy -= (y - y.mean()) * (2.0 * k)
        length = np.maximum(np.hypot(fx, fy), 1e-12)
        step = np.minimum(length, temperature) / length
        x += fx * step
        y += fy * step
        temperature -= cooling

    x -= x.mean()
    y -= y.mean()
    factor = (scale / 2.0) / (max(float(np.abs(x).max()), float(np.abs(y).max())) or 1.0)
    if len(src):  # spread further when clusters would still overlap at that scale
        edge = float(np.median(np.hypot(x[src] - x[dst], y[src] - y[dst])))
        factor = max(factor, MIN_EDGE_PIXELS / edge) if edge > 0 else factor
    return {
        node: (round(float(px) * factor, 1), round(float(py) * factor, 1))
        for node, px, py in zip(nodes, x, y, strict=True)
    }


def _repulsion(dx: Any, dy: Any, k2: float, min_d2: float) -> Any:
    """Fruchterman-Reingold repulsion k²/d along (dx, dy), as the factor k²/d² for each pair."""
    import numpy as np

    d2 = dx * dx
    d2 += dy * dy
    np.maximum(d2, min_d2, out=d2)
    return np.divide(k2, d2, out=d2)
