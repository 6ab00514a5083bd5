"""`kg export --format graphml|gexf|csv` carries the times of facts (value, precision, first and
last day) on edges and the park figures (issue 16): as node attributes in GraphML and GEXF, as
observations.csv beside nodes.csv and edges.csv. Each file is read back with networkx or the csv
module and compared with what the store holds, asked by SPARQL."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import cli

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX pk: <https://w3id.org/parks-kg/ontology#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
"""
FACT_TIMES = PREFIXES + """SELECT DISTINCT ?s ?p ?o ?value ?precision WHERE {
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; time:hasTime ?t .
  ?t pk:timeValue ?value ; pk:precision ?precision .
  FILTER (STRSTARTS(STR(?p), STR(pk:)) && ?p != pk:investmentAmount) }"""
OBSERVATIONS = PREFIXES + """SELECT DISTINCT ?park ?code ?period ?value WHERE {
  ?obs sdmx-dimension:refArea ?park ; pk:indicator ?code .
  OPTIONAL { ?obs sdmx-dimension:refPeriod ?t . ?t pk:timeValue ?period }
  OPTIONAL { ?obs sdmx-measure:obsValue ?value } }"""


def _select(store_path: Path, query: str) -> list[list[str]]:
    from kg.store import open_store

    store = open_store(store_path)
    try:
        _, rows = store.select(query)
        return [[None if c is None else c.value for c in row] for row in rows]
    finally:
        store.close()


def _code(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _export(store: Path, fmt: str, out: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--store", str(store), "--format", fmt,
                                      "-o", str(out)])
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def truth(seeds_build: Any) -> dict[str, Any]:
    """What the store says: the times of each fact and the figures of each park."""
    times: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    for s, p, o, value, precision in _select(seeds_build.store_path, FACT_TIMES):
        times.setdefault((s, p.rsplit("#", 1)[-1], o), set()).add((value, precision))
    figures = {(park, _code(code), period, None if value is None else Decimal(value))
               for park, code, period, value in _select(seeds_build.store_path, OBSERVATIONS)}
    assert len(times) >= 10 and len(figures) >= 10  # the seeds have dated facts and figures
    return {"times": times, "figures": figures}


def test_csv_export_has_fact_times_and_observations(seeds_build: Any, truth: dict[str, Any],
                                                    tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    _export(seeds_build.store_path, "csv", folder)
    assert sorted(p.name for p in folder.iterdir()) == ["edges.csv", "nodes.csv",
                                                        "observations.csv"]
    with (folder / "edges.csv").open(encoding="utf-8", newline="") as f:
        edges = list(csv.DictReader(f))
    got = {}
    for row in edges:
        if row["time_value"]:
            pairs = set(zip(row["time_value"].split("|"), row["time_precision"].split("|"),
                            strict=True))
            got[(row["source"], row["relation"], row["target"])] = pairs
            assert row["time_start"] <= row["time_end"]
            assert len(row["time_start"]) == len(row["time_end"]) == 10  # ISO days
        else:
            assert not row["time_precision"] and not row["time_start"]
    assert got == truth["times"]
    with (folder / "observations.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {(r["park"], r["indicator"], r["period"] or None,
             Decimal(r["value"]) if r["value"] else None) for r in rows} == truth["figures"]
    with (folder / "nodes.csv").open(encoding="utf-8", newline="") as f:
        labels = {r["id"]: r["label"] for r in csv.DictReader(f)}
    assert all(labels[r["park"]] == r["park_label"] for r in rows)
    assert all(r["unit"] in ("CNY", "USD", "percent", "count", "") for r in rows)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_export_has_fact_times_and_park_figures(seeds_build: Any, truth: dict[str, Any],
                                                      tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"seeds.{fmt}"
    _export(seeds_build.store_path, fmt, out)
    back = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    got = {}
    for s, o, data in back.edges(data=True):
        if data.get("time_value"):
            got[(s, data["relation"], o)] = set(zip(data["time_value"].split("|"),
                                                    data["time_precision"].split("|"),
                                                    strict=True))
    assert got == truth["times"]
    figures: dict[str, dict[tuple[str, str | None], set[Decimal | None]]] = {}
    for park, code, period, value in truth["figures"]:
        figures.setdefault(park, {}).setdefault((code, period), set()).add(value)
    for park, by_key in figures.items():
        attrs = back.nodes[park]
        assert attrs["observations"] >= len(by_key)
        for (code, period), values in by_key.items():
            name = code + (f"_{period}" if period else "")
            if values == {None}:
                assert name not in attrs
                continue
            assert Decimal(str(attrs[name])) in values  # one of the figures given
            assert attrs[f"{name}_unit"] in ("CNY", "USD", "percent", "count")
    assert all("observations" not in d for n, d in back.nodes(data=True) if n not in figures)


def test_time_parts_reads_what_the_entity_graph_shows() -> None:
    from kg.views.export import time_parts
    from kg.views.graph import _time_words

    for value, precision, words in [("2024-06", "month", "今年6月"), ("2021/2023", "range", ""),
                                    ("2023-H1", "half", "上半年 (一)"), ("2020", None, None)]:
        shown = _time_words(value, precision, words)
        assert time_parts(shown) == (value, precision or "", words or "")
