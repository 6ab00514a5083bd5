"""Positions computed in Python for graphs too large for the browser's physics: a force-directed
layout in numpy, exact up to 1000 nodes and sampled above."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx  # heavy: imported inside the functions that run it



EXACT_LAYOUT_MAX_NODES = 1000  # above this, the layout samples repulsion partners


MIN_EDGE_PIXELS = 60.0  # median edge length of a computed layout, at least


def _layout(
    g: nx.MultiDiGraph, *, scale: float, iterations: int | None = None
) -> dict[str, tuple[float, float]]:
    """Force-directed positions of the linked entities, isolated ones in rows below them.

    Isolated entities no longer ring the picture (20% of the seeds' entities have no
    relation): they sit in a compact grid under the graph, where a filter can hide them.
    `iterations` defaults to 200 up to EXACT_LAYOUT_MAX_NODES nodes, 50 above.
    """
    linked = [n for n in g if any(v != n for v in g.successors(n))
              or any(u != n for u in g.predecessors(n))]
    chosen = set(linked)
    isolated = [n for n in g if n not in chosen]
    if iterations is None:
        iterations = 200 if len(linked) <= EXACT_LAYOUT_MAX_NODES else 50
    if not isolated or not linked:
        return _force_layout(g, scale=scale, iterations=iterations)
    core = g.subgraph(linked)
    linked_scale = scale * math.sqrt(len(linked) / g.number_of_nodes())
    positions = _force_layout(core, scale=linked_scale, iterations=iterations)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    step = MIN_EDGE_PIXELS * 1.5
    width = max(max(xs) - min(xs), step)
    per_row = max(1, int(width // step) + 1)
    top = max(ys) + 2 * step
    for i, node in enumerate(isolated):
        row, col = divmod(i, per_row)
        positions[node] = (round(min(xs) + col * step, 1), round(top + row * step, 1))
    return positions


def _force_layout(
    g: nx.MultiDiGraph, *, scale: float, iterations: int = 50
) -> dict[str, tuple[float, float]]:
    """Force-directed positions in pixels, spread over about `scale` pixels across.

    Fruchterman-Reingold in numpy: exact repulsion up to 1000 nodes, 64 random repulsion partners
    per node above (0.1 s instead of 3 s at 3000 nodes, with similar edge lengths and overlap).
    networkx.spring_layout is not used because from 500 nodes on it needs scipy.
    """
    import numpy as np  # heavy: numpy loads only for the force layout

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
    import numpy as np  # heavy: numpy loads only for the force layout

    d2 = dx * dx
    d2 += dy * dy
    np.maximum(d2, min_d2, out=d2)
    return np.divide(k2, d2, out=d2)

