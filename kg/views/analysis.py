"""Network analysis of the knowledge graph: what `kg stats` prints, as a library for notebooks.

Every function takes the MultiDiGraph of `kg.views.graph.to_networkx` (or a view cut by
`kg.views.graph.select`) and returns plain values or rows, lists of dicts that
`pandas.DataFrame(rows)` turns into a table:

>>> from kg import views
>>> from kg.views import analysis
>>> g = views.load("out/store")                             # doctest: +SKIP
>>> analysis.rank_parks(g, by="investment", top=1)          # doctest: +SKIP
[{'park': '四川内江高新区', 'enterprises': 2, 'platforms': 1, 'projects': 4, 'sub_parks': 1,
  'investment_yuan': 8460000000, 'iri': 'https://w3id.org/parks-kg/id/park/…'}]
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kg.formats import to_table

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "PARK_METRICS",
    "Stats",
    "centrality",
    "class_counts",
    "communities",
    "components",
    "multi_park_enterprises",
    "park_rows",
    "park_totals",
    "rank_parks",
    "relation_counts",
    "sampled_betweenness",
    "summarize",
]

CLASSES = ("Park", "Enterprise", "Platform", "Project", "Region")
RELATIONS = ("hosts", "built", "investor", "partOf", "locatedIn")
PARK_METRICS = {"enterprises": "enterprises", "platforms": "platforms",
                "investment": "investment_yuan"}
EXACT_BETWEENNESS_MAX_NODES = 2000  # above this, betweenness is estimated from sampled sources
BETWEENNESS_SAMPLES = 500


def class_counts(g: nx.MultiDiGraph) -> dict[str, int]:
    """Entities per class, every class of the ontology listed (0 when absent), others after."""
    found = Counter(str(t) for _, t in g.nodes(data="type"))
    counts = {c: found.pop(c, 0) for c in CLASSES}
    counts.update(sorted(found.items()))
    return counts


def relation_counts(g: nx.MultiDiGraph) -> dict[str, int]:
    """Relations (edges) per relation name, every relation of the ontology listed."""
    found = Counter(str(r) for _, _, r in g.edges(data="relation"))
    counts = {r: found.pop(r, 0) for r in RELATIONS}
    counts.update(sorted(found.items()))
    return counts


def park_rows(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per park: hosted enterprises and projects, built platforms, sub-parks, investment.

    `investment_yuan` adds the investment amounts of what the park hosts (its projects, and
    any enterprise given an amount), each entity once. Sub-parks' figures are not added in.
    """
    rows = []
    for park, data in g.nodes(data=True):
        if data.get("type") != "Park":
            continue
        hosted: dict[str, set[str]] = defaultdict(set)
        platforms: set[str] = set()
        for _, target, relation in g.out_edges(park, data="relation"):
            if relation == "hosts":
                hosted[str(g.nodes[target].get("type"))].add(target)
            elif relation == "built":
                platforms.add(target)
        sub_parks = {s for s, _, r in g.in_edges(park, data="relation") if r == "partOf"}
        investment = sum(
            int(g.nodes[t].get("amount") or 0) for ts in hosted.values() for t in ts
        )
        rows.append(
            {
                "park": str(data.get("label") or park),
                "enterprises": len(hosted.get("Enterprise", ())),
                "platforms": len(platforms),
                "projects": len(hosted.get("Project", ())),
                "sub_parks": len(sub_parks),
                "investment_yuan": investment,
                "iri": park,
            }
        )
    return rows


def rank_parks(
    g: nx.MultiDiGraph, *, by: str = "enterprises", top: int | None = 10,
    rows: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Parks with a non-zero `by` ("enterprises", "platforms" or "investment"), largest first.

    Ties are broken by the other two figures, then by name. `rows`: `park_rows(g)` when the
    caller has them already (each ranking would count them again).
    """
    if by not in PARK_METRICS:
        raise ValueError(f"unknown park metric {by!r}; choose from {', '.join(PARK_METRICS)}")
    keys = [PARK_METRICS[by]] + [k for m, k in PARK_METRICS.items() if m != by]
    rows = [r for r in (park_rows(g) if rows is None else rows) if r[keys[0]] > 0]
    rows.sort(key=lambda r: (*(-r[k] for k in keys), r["park"]))
    return rows if top is None else rows[:top]


def park_totals(g: nx.MultiDiGraph) -> dict[str, dict[str, str]]:
    """Per park IRI, its figures as short labelled strings for the HTML view's details panel."""
    totals = {}
    for row in park_rows(g):
        shown = {
            "入驻企业 Enterprises": str(row["enterprises"]),
            "创新平台 Platforms": str(row["platforms"]),
            "项目 Projects": str(row["projects"]),
        }
        if row["sub_parks"]:
            shown["下属园区 Sub-parks"] = str(row["sub_parks"])
        if row["investment_yuan"]:
            shown["项目投资合计 Investment"] = yi(row["investment_yuan"])
        totals[row["iri"]] = shown
    return totals


def yi(amount: int) -> str:
    """An amount of yuan in 亿元 (10⁸ yuan), without trailing zeros: 5360000000 → "53.6 亿元"."""
    return format((Decimal(amount) / 100_000_000).normalize(), "f") + " 亿元"


def _simple(g: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple graph underneath: one edge per pair of linked entities."""
    import networkx as nx  # heavy: networkx loads only for graph views and analysis

    simple = nx.Graph()
    simple.add_nodes_from(g)
    simple.add_edges_from((u, v) for u, v in g.edges() if u != v)
    return simple


def centrality(g: nx.MultiDiGraph) -> tuple[list[dict[str, Any]], bool]:
    """Degree and betweenness centrality of every entity, and whether betweenness is exact.

    Both are computed on the undirected simple graph (normalised, as networkx does). `degree`
    counts relations of the entity in `g`. Above EXACT_BETWEENNESS_MAX_NODES entities,
    betweenness is estimated from BETWEENNESS_SAMPLES source nodes (fixed seed).
    """
    import networkx as nx  # heavy: networkx loads only for graph views and analysis

    simple = _simple(g)
    n = simple.number_of_nodes()
    exact = n <= EXACT_BETWEENNESS_MAX_NODES
    degree_c = nx.degree_centrality(simple) if n > 1 else dict.fromkeys(simple, 0.0)
    if exact:
        between = nx.betweenness_centrality(simple, seed=0)
    else:
        between = sampled_betweenness(simple, min(BETWEENNESS_SAMPLES, n), seed=0)
    rows = [
        {
            "entity": str(data.get("label") or node),
            "class": str(data.get("type") or ""),
            "degree": int(g.degree(node)),
            "degree_centrality": round(degree_c.get(node, 0.0), 6),
            "betweenness": round(between.get(node, 0.0), 6),
            "iri": node,
        }
        for node, data in g.nodes(data=True)
    ]
    return rows, exact


SOURCES_AT_ONCE = 64  # BFS sources walked together by sampled_betweenness (one matrix column each)


def sampled_betweenness(simple: nx.Graph, k: int, *, seed: int = 0) -> dict[Any, float]:
    """networkx's `betweenness_centrality(simple, k=k, seed=seed)` (normalised, endpoints
    excluded) computed with numpy: the same `k` sampled sources, walked SOURCES_AT_ONCE at a
    time as the columns of a matrix, one BFS level per step, only from the rows that level
    reached. Leaves (degree 1) are left out of the walk: each adds exactly 1 to its
    neighbour's dependency, and a leaf source starts from its neighbour. Equal to networkx's
    up to the order of floating-point sums, in seconds where networkx takes a minute."""
    import random

    import numpy as np  # heavy: numpy loads only for large graphs' statistics

    nodes = list(simple)
    n = len(nodes)
    if n < 3 or k < 1:
        return dict.fromkeys(nodes, 0.0)
    sources = random.Random(seed).sample(nodes, k)
    index = {node: i for i, node in enumerate(nodes)}
    ends = np.array([(index[a], index[b]) for a, b in simple.edges() if a != b],
                    dtype=np.int64).reshape(-1, 2)
    degree = np.bincount(ends.ravel(), minlength=n)
    # a leaf whose neighbour is no leaf is walked around; pairs of leaves stay in the walk
    leaf_end = (degree[ends[:, 0]] == 1) & (degree[ends[:, 1]] > 1)
    other_end = (degree[ends[:, 1]] == 1) & (degree[ends[:, 0]] > 1)
    leaf_of = np.full(n, -1, dtype=np.int64)  # a walked-around leaf → its neighbour
    leaf_of[ends[leaf_end, 0]] = ends[leaf_end, 1]
    leaf_of[ends[other_end, 1]] = ends[other_end, 0]
    walked = np.flatnonzero(leaf_of < 0)  # the nodes of the walk, renumbered 0…w-1
    at_walk = np.full(n, -1, dtype=np.int64)
    at_walk[walked] = np.arange(len(walked))
    w = len(walked)
    leaves = np.bincount(at_walk[leaf_of[leaf_of >= 0]], minlength=w).astype(float)
    core = at_walk[ends[~(leaf_end | other_end)]].reshape(-1, 2)
    src = np.concatenate([core[:, 0], core[:, 1]])
    dst = np.concatenate([core[:, 1], core[:, 0]])

    def spread(x: Any, on: Any) -> Any:
        """Row t of the result: the sum of the rows of x at t's neighbours among rows `on`."""
        width = x.shape[1]
        pick = on[src]
        into = (dst[pick][:, None] * width + np.arange(width)).ravel()
        return np.bincount(into, weights=x[src[pick]].ravel(),
                           minlength=w * width).reshape(w, width)

    total = np.zeros(w)
    picked = np.array([index[s] for s in sources], dtype=np.int64)
    for first in range(0, k, SOURCES_AT_ONCE):
        chosen = picked[first:first + SOURCES_AT_ONCE]
        cols = np.arange(len(chosen))
        leafy = leaf_of[chosen] >= 0
        roots = at_walk[np.where(leafy, leaf_of[chosen], chosen)]
        dist = np.full((w, len(chosen)), -1, dtype=np.int32)
        sigma = np.zeros((w, len(chosen)))
        dist[roots, cols] = 0
        sigma[roots, cols] = 1.0
        frontier = sigma.copy()
        on = np.zeros(w, dtype=bool)
        on[roots] = True
        level = 0
        while True:  # BFS: shortest-path counts level by level
            reach = spread(frontier, on)
            new = (reach > 0) & (dist < 0)
            if not new.any():
                break
            level += 1
            dist[new] = level
            frontier = np.where(new, reach, 0.0)
            sigma += frontier
            on = new.any(axis=1)
        # a leaf of a reached node adds 1 to its dependency, unless it is the source itself
        delta = np.where(dist >= 0, leaves[:, None], 0.0)
        delta[roots[leafy], cols[leafy]] -= 1.0
        for d in range(level, 0, -1):  # Brandes' accumulation, deepest level first
            at = dist == d
            coeff = np.where(at, (1.0 + delta) / np.where(at, sigma, 1.0), 0.0)
            delta += np.where(dist == d - 1, sigma * spread(coeff, at.any(axis=1)), 0.0)
        # a source's own dependency does not count (a leaf source's is 0: it is not walked)
        delta[roots[~leafy], cols[~leafy]] = 0.0
        total += delta.sum(axis=1)
    full = np.zeros(n)
    full[walked] = total
    total = full
    big_n = n - 1  # pairs (s, t) with t != v, as networkx's _rescale counts them
    scale_source = 1 / ((k - 1) * (big_n - 1)) if k > 1 else float("nan")
    scale_other = 1 / (k * (big_n - 1))
    sampled = set(sources)
    return {node: float(total[i]) * (scale_source if node in sampled else scale_other)
            for i, node in enumerate(nodes)}


def communities(g: nx.MultiDiGraph, *, seed: int = 0) -> dict[str, int]:
    """Each node's community (0 = the largest), by Louvain modularity on the undirected graph.

    Seeded, so a page drawn twice colours the same way; isolated nodes each form their own
    community, numbered after the others.
    """
    import networkx as nx  # heavy: networkx loads only for graph views and analysis

    simple = _simple(g)
    if simple.number_of_edges() == 0:
        return {node: i for i, node in enumerate(sorted(g))}
    found = nx.community.louvain_communities(simple, seed=seed)
    ranked = sorted(found, key=lambda c: (-len(c), min(c)))
    return {node: i for i, members in enumerate(ranked) for node in members}


def components(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Connected components (relations taken both ways), largest first.

    Each row: size (entities), relations, parks, and the hub, its most connected entity.
    """
    import networkx as nx  # heavy: networkx loads only for graph views and analysis

    found = list(nx.weakly_connected_components(g))
    part = {node: i for i, nodes in enumerate(found) for node in nodes}
    relations = Counter(part[u] for u, _ in g.edges())  # an edge lies in its ends' component
    rows = []
    for i, nodes in enumerate(found):
        hub = max(nodes, key=lambda n: (g.degree(n), str(g.nodes[n].get("label")), n))
        rows.append(
            {
                "size": len(nodes),
                "relations": relations.get(i, 0),
                "parks": sum(1 for n in nodes if g.nodes[n].get("type") == "Park"),
                "hub": str(g.nodes[hub].get("label") or hub),
                "hub_class": str(g.nodes[hub].get("type") or ""),
            }
        )
    rows.sort(key=lambda r: (-r["size"], -r["relations"], r["hub"]))
    return rows


def multi_park_enterprises(g: nx.MultiDiGraph, *, min_parks: int = 2) -> list[dict[str, Any]]:
    """Enterprises present in at least `min_parks` parks, most parks first.

    An enterprise is present in a park that hosts it, or that hosts a project it invests in
    (Project investor Enterprise).
    """
    parks_of: dict[str, set[str]] = defaultdict(set)
    for park, target, relation in g.edges(data="relation"):
        if relation != "hosts" or g.nodes[park].get("type") != "Park":
            continue
        kind = g.nodes[target].get("type")
        if kind == "Enterprise":
            parks_of[target].add(park)
        elif kind == "Project":
            for _, firm, rel in g.out_edges(target, data="relation"):
                if rel == "investor" and g.nodes[firm].get("type") == "Enterprise":
                    parks_of[firm].add(park)
    rows = []
    for firm, parks in parks_of.items():
        if len(parks) >= min_parks:
            names = sorted(str(g.nodes[p].get("label") or p) for p in parks)
            rows.append(
                {
                    "enterprise": str(g.nodes[firm].get("label") or firm),
                    "parks": len(parks),
                    "park_names": "、".join(names),
                    "iri": firm,
                }
            )
    rows.sort(key=lambda r: (-r["parks"], r["enterprise"]))
    return rows


@dataclass
class Stats:
    """What `kg stats` reports; `to_json()` for programs, `to_text()` for people."""

    entities: int
    relations: int
    classes: dict[str, int]
    relation_counts: dict[str, int]
    parks_by_enterprises: list[dict[str, Any]]
    parks_by_platforms: list[dict[str, Any]]
    parks_by_investment: list[dict[str, Any]]
    top_degree: list[dict[str, Any]]
    top_betweenness: list[dict[str, Any]]
    betweenness_exact: bool
    component_count: int
    isolated: int
    largest_components: list[dict[str, Any]]
    multi_park_enterprises: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        """The statistics as indented JSON (amounts in yuan)."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n"

    def to_text(self) -> str:
        """The statistics as titled, aligned tables (amounts in 亿元)."""

        def table(title: str, names: list[str], rows: list[list[Any]]) -> str:
            body = to_table(names, rows) if rows else "(none)\n"
            return f"{title}\n{body}"

        def parks(rows: list[dict[str, Any]]) -> list[list[Any]]:
            return [[r["park"], r["enterprises"], r["platforms"], r["projects"],
                     yi(r["investment_yuan"]) if r["investment_yuan"] else ""] for r in rows]

        park_cols = ["park", "enterprises", "platforms", "projects", "investment"]
        how = "exact" if self.betweenness_exact else f"estimated from {BETWEENNESS_SAMPLES} sources"
        parts = [
            f"{self.entities} entities, {self.relations} relations\n",
            table("Entities by class", ["class", "entities"],
                  [[k, v] for k, v in self.classes.items()]),
            table("Relations", ["relation", "count"],
                  [[k, v] for k, v in self.relation_counts.items()]),
            table("Parks by hosted enterprises", park_cols, parks(self.parks_by_enterprises)),
            table("Parks by built platforms", park_cols, parks(self.parks_by_platforms)),
            table("Parks by total investment of hosted projects", park_cols,
                  parks(self.parks_by_investment)),
            table("Degree centrality", ["entity", "class", "degree", "centrality"],
                  [[r["entity"], r["class"], r["degree"], f"{r['degree_centrality']:.4f}"]
                   for r in self.top_degree]),
            table(f"Betweenness centrality ({how})", ["entity", "class", "betweenness"],
                  [[r["entity"], r["class"], f"{r['betweenness']:.4f}"]
                   for r in self.top_betweenness]),
            table(f"Connected components: {self.component_count}, of which {self.isolated} "
                  "single entities; largest:", ["entities", "relations", "parks", "hub"],
                  [[r["size"], r["relations"], r["parks"], f"{r['hub']} ({r['hub_class']})"]
                   for r in self.largest_components]),
            table("Enterprises present in several parks", ["enterprise", "parks", "park names"],
                  [[r["enterprise"], r["parks"], r["park_names"]]
                   for r in self.multi_park_enterprises]),
        ]
        return "\n".join(parts)


def summarize(g: nx.MultiDiGraph, *, top: int = 10) -> Stats:
    """All of the above for one graph, each ranking cut to its `top` rows."""
    cent, exact = centrality(g)
    by_degree = sorted(cent, key=lambda r: (-r["degree"], -r["betweenness"], r["entity"]))
    by_between = sorted(
        (r for r in cent if r["betweenness"] > 0),
        key=lambda r: (-r["betweenness"], -r["degree"], r["entity"]),
    )
    comps = components(g)
    parks = park_rows(g)
    return Stats(
        entities=g.number_of_nodes(),
        relations=g.number_of_edges(),
        classes=class_counts(g),
        relation_counts=relation_counts(g),
        parks_by_enterprises=rank_parks(g, by="enterprises", top=top, rows=parks),
        parks_by_platforms=rank_parks(g, by="platforms", top=top, rows=parks),
        parks_by_investment=rank_parks(g, by="investment", top=top, rows=parks),
        top_degree=[r for r in by_degree if r["degree"] > 0][:top],
        top_betweenness=by_between[:top],
        betweenness_exact=exact,
        component_count=len(comps),
        isolated=sum(1 for c in comps if c["size"] == 1),
        largest_components=[c for c in comps if c["size"] > 1][:top],
        multi_park_enterprises=multi_park_enterprises(g)[:top],
    )
