"""kg.views.analysis: counts, park rankings, centrality, components, enterprises in several
parks."""

from __future__ import annotations

import json
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import views
from kg.cli import cli
from kg.views import analysis


def small_graph() -> nx.MultiDiGraph:
    """Four parks: A and B share firms, C is part of A, D stands alone; e4 is linked to nothing.

    A hosts e1, e2 and projects p1 (3亿) and p2 (1亿), and built pl1 and pl2. B hosts e2, e3 and
    project p3 (5亿, invested in by e1), and built pl3. p1 is invested in by e3.
    """
    g = nx.MultiDiGraph()
    for name, kind, amount in [
        ("A", "Park", None), ("B", "Park", None), ("C", "Park", None), ("D", "Park", None),
        ("e1", "Enterprise", None), ("e2", "Enterprise", None), ("e3", "Enterprise", None),
        ("e4", "Enterprise", None), ("p1", "Project", 300_000_000),
        ("p2", "Project", 100_000_000), ("p3", "Project", 500_000_000),
        ("pl1", "Platform", None), ("pl2", "Platform", None), ("pl3", "Platform", None),
    ]:
        g.add_node(name, label=f"{name}名", type=kind, amount=amount, aliases=[], evidence=[])
    for head, relation, tail in [
        ("A", "hosts", "e1"), ("A", "hosts", "e2"), ("A", "hosts", "p1"), ("A", "hosts", "p2"),
        ("A", "built", "pl1"), ("A", "built", "pl2"), ("B", "hosts", "e2"),
        ("B", "hosts", "e3"), ("B", "hosts", "p3"), ("B", "built", "pl3"),
        ("C", "partOf", "A"), ("p3", "investor", "e1"), ("p1", "investor", "e3"),
    ]:
        g.add_edge(head, tail, key=relation, relation=relation, evidence=[])
    return g


def test_analysis_counts_list_every_class_and_relation() -> None:
    g = small_graph()

    assert analysis.class_counts(g) == {
        "Park": 4, "Enterprise": 4, "Platform": 3, "Project": 3, "Region": 0
    }
    assert analysis.relation_counts(g) == {
        "hosts": 7, "built": 3, "investor": 2, "partOf": 1, "locatedIn": 0
    }


def test_analysis_rank_parks_by_each_figure() -> None:
    g = small_graph()

    def names(by: str) -> list[tuple[str, int, int, int, int]]:
        return [(r["park"], r["enterprises"], r["platforms"], r["projects"],
                 r["investment_yuan"]) for r in analysis.rank_parks(g, by=by)]

    assert names("enterprises") == [("A名", 2, 2, 2, 400_000_000), ("B名", 2, 1, 1, 500_000_000)]
    assert names("platforms") == [("A名", 2, 2, 2, 400_000_000), ("B名", 2, 1, 1, 500_000_000)]
    assert names("investment") == [("B名", 2, 1, 1, 500_000_000), ("A名", 2, 2, 2, 400_000_000)]
    assert analysis.rank_parks(g, by="enterprises", top=1)[0]["iri"] == "A"
    assert {r["park"]: r["sub_parks"] for r in analysis.park_rows(g)}["A名"] == 1
    with pytest.raises(ValueError, match="unknown park metric 'firms'"):
        analysis.rank_parks(g, by="firms")


def test_analysis_park_totals_for_the_page() -> None:
    totals = analysis.park_totals(small_graph())

    assert totals["A"] == {
        "入驻企业 Enterprises": "2",
        "创新平台 Platforms": "2",
        "项目 Projects": "2",
        "下属园区 Sub-parks": "1",
        "项目投资合计 Investment": "4 亿元",
    }
    assert "项目投资合计 Investment" not in totals["D"]


def test_analysis_enterprises_in_several_parks_directly_or_through_projects() -> None:
    rows = analysis.multi_park_enterprises(small_graph())

    assert [(r["enterprise"], r["parks"], r["park_names"]) for r in rows] == [
        ("e1名", 2, "A名、B名"),  # hosted by A, invests in B's project p3
        ("e2名", 2, "A名、B名"),  # hosted by both
        ("e3名", 2, "A名、B名"),  # hosted by B, invests in A's project p1
    ]
    assert analysis.multi_park_enterprises(small_graph(), min_parks=3) == []


def test_analysis_components_and_centrality() -> None:
    g = small_graph()

    components = analysis.components(g)
    rows, exact = analysis.centrality(g)

    assert [(c["size"], c["relations"], c["parks"], c["hub"]) for c in components] == [
        (12, 13, 3, "A名"), (1, 0, 1, "D名"), (1, 0, 0, "e4名")
    ]
    by_name = {r["entity"]: r for r in rows}
    assert exact is True
    assert by_name["A名"]["degree"] == 7
    assert by_name["A名"]["degree_centrality"] == pytest.approx(7 / 13, abs=1e-6)
    assert by_name["D名"]["betweenness"] == 0
    assert max(rows, key=lambda r: r["betweenness"])["entity"] == "A名"
    simple = nx.Graph(g.to_undirected())
    assert by_name["B名"]["betweenness"] == pytest.approx(
        nx.betweenness_centrality(simple)["B"], abs=1e-6
    )


def test_analysis_large_graphs_sample_betweenness(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "EXACT_BETWEENNESS_MAX_NODES", 5)

    rows, exact = analysis.centrality(small_graph())

    assert exact is False and len(rows) == 14


def test_analysis_summarize_cuts_each_ranking_to_top() -> None:
    stats = analysis.summarize(small_graph(), top=1)

    assert stats.entities == 14 and stats.relations == 13
    assert [r["entity"] for r in stats.top_degree] == ["A名"]
    assert stats.component_count == 3 and stats.isolated == 2
    assert len(stats.multi_park_enterprises) == 1
    text = stats.to_text()
    assert text.startswith("14 entities, 13 relations\n")
    assert "Parks by total investment of hosted projects\n" in text
    assert "B名   2            1          1         5 亿元" in text
    assert "Betweenness centrality (exact)" in text
    assert json.loads(stats.to_json())["parks_by_investment"][0]["investment_yuan"] == 500_000_000


def test_analysis_cli_stats_prints_the_library_report(seeds_build: Any) -> None:
    expected = analysis.summarize(views.load(seeds_build.store_path), top=5)

    table = CliRunner().invoke(cli, ["stats", "--store", str(seeds_build.store_path), "--top", "5"])
    as_json = CliRunner().invoke(
        cli, ["stats", "--store", str(seeds_build.ttl), "--top", "5", "--format", "json"]
    )

    assert table.exit_code == 0 and as_json.exit_code == 0, table.output + as_json.output
    assert table.stdout == expected.to_text()
    assert json.loads(as_json.stdout) == json.loads(expected.to_json())
    assert expected.entities > 100 and expected.parks_by_enterprises


def test_analysis_cli_stats_without_a_store_says_what_to_do(tmp_path: Any) -> None:
    result = CliRunner().invoke(cli, ["stats", "--store", str(tmp_path / "none")])

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'none'}: no graph store or RDF file here; "
        "run `kg build` first or pass --store\n"
    )
