"""kg stats at scale: the store read without evidence and the sampled betweenness computed
with numpy give what networkx and the full reader give."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.views import analysis, load, to_networkx


@pytest.mark.parametrize("make", [
    lambda: nx.barabasi_albert_graph(1500, 1, seed=3),  # a tree: every other node a leaf
    lambda: nx.barabasi_albert_graph(1200, 2, seed=4),
    lambda: nx.les_miserables_graph(),
    lambda: nx.path_graph(7),
])
def test_sampled_betweenness_is_networkx_estimate(make) -> None:  # type: ignore[no-untyped-def]
    g = make()
    g.add_nodes_from(["lone-1", "lone-2"])  # isolated nodes
    g.add_edges_from([("pair-a", "pair-b"), ("chain-a", "chain-b"), ("chain-b", "chain-c")])
    k = min(150, len(g) - 1)
    want = nx.betweenness_centrality(g, k=k, seed=0)
    got = analysis.sampled_betweenness(g, k, seed=0)
    assert got.keys() == want.keys()
    assert max(abs(got[n] - want[n]) for n in g) < 1e-12
    assert any(v > 0 for v in got.values())


def test_stats_of_a_store_equal_stats_of_its_rdf(seeds_build, seeds_ttl_graph) -> None:  # type: ignore[no-untyped-def]
    lean = load(seeds_build.store_path, evidence=False)  # what kg stats reads now
    full = to_networkx(seeds_ttl_graph)  # what it read before: every triple through rdflib
    assert analysis.summarize(lean).to_json() == analysis.summarize(full).to_json()
    assert all(not data["evidence"] for _, data in lean.nodes(data=True))


def test_summarize_above_the_exact_limit_uses_the_estimate(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    g = nx.MultiDiGraph()
    for i in range(60):
        g.add_node(f"p{i}", type="Park", label=f"园区{i}")
        g.add_node(f"e{i}", type="Enterprise", label=f"企业{i}")
        g.add_edge(f"p{i}", f"e{i}", key="hosts", relation="hosts")
        g.add_edge(f"p{(i + 1) % 60}", f"e{i}", key="hosts", relation="hosts")
    monkeypatch.setattr(analysis, "EXACT_BETWEENNESS_MAX_NODES", 50)
    monkeypatch.setattr(analysis, "BETWEENNESS_SAMPLES", 40)
    rows, exact = analysis.centrality(g)
    assert not exact
    want = nx.betweenness_centrality(analysis._simple(g), k=40, seed=0)
    assert {r["iri"]: r["betweenness"] for r in rows} == {n: round(v, 6)
                                                          for n, v in want.items()}
