"""The stored queries over time and numbers (issue 16) on a store of records built from the
seeds' sentences: investment by park and year, an indicator's series, a ranking, facts in a
date range; and `kg query --year/--indicator`."""

from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner
from time_records import records, torch_record

from kg.cli import cli
from kg.errors import QueryError
from kg.extract.records import TimeValue
from kg.queries import load_query, run_page, run_query
from kg.rdf.mapping import to_nquads
from kg.store import memory_store, write_store


def _rows(store, name: str, **params: str) -> list[dict[str, str | None]]:  # type: ignore[no-untyped-def]
    names, rows = run_query(store, load_query(name), params)
    return [{n: None if t is None else t.value for n, t in zip(names, r, strict=True)}
            for r in rows]


@pytest.fixture(scope="module")
def store():  # type: ignore[no-untyped-def]
    return memory_store(to_nquads(records()).encode("utf-8"))


def test_queries_time_indicator_series_of_one_park(store) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(store, "indicator-series", park="西安高新区", indicator="gdp")
    assert [(r["period"], r["value"], r["unit"]) for r in rows] == [
        ("2020", "241000000000", "CNY"), ("2023", "333300000000", "CNY")]
    assert all(r["doc"] == "001_c29b91b09ab244c6" for r in rows)
    # by an alias, every indicator of the park
    jingyue = _rows(store, "indicator-series", park="净月高新区")
    assert [(r["park_name"], r["indicator"], r["value"]) for r in jingyue] == [
        ("长春净月高新区", "high_tech_enterprises", "333")]


def test_queries_time_ranking_in_a_year(store) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(store, "indicator-ranking", indicator="high_tech_enterprises", year="2021")
    assert [(r["park_name"], r["value"]) for r in rows] == [("长春净月高新区", "333"),
                                                           ("黄石大冶湖高新区", "280")]
    # a stock without a period counts in its article's year: 佛山高新区's 3602 of 2022-11-30
    later = _rows(store, "indicator-ranking", indicator="high_tech_enterprises", year="2022")
    assert [(r["park_name"], r["value"], r["period"]) for r in later] == [
        ("佛山高新区", "3602", None)]
    assert _rows(store, "indicator-ranking", indicator="gdp", year="2019") == []


def test_queries_time_investment_by_park_and_year(store) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(store, "investment-by-year")
    # 近年来 (2021/2022) spans two years: both projects fall back on the article's year
    assert rows == [{"park_name": "阜新高新区", "year": "2022", "projects": "2",
                     "total_yuan": "1560000000", "dated_by": "published"}]
    rec = torch_record()
    rec.relations = [dataclasses.replace(r, time=TimeValue("2021", "year", "2021年"))
                     if r.tail == "嘉寓光伏组件项目" else r for r in rec.relations]
    dated = memory_store(to_nquads([rec]).encode("utf-8"))
    rows = _rows(dated, "investment-by-year")
    assert [(r["year"], r["projects"], r["total_yuan"], r["dated_by"]) for r in rows] == [
        ("2021", "1", "360000000", "fact"), ("2022", "1", "1200000000", "published")]
    assert [r["year"] for r in _rows(dated, "investment-by-year", year="2021")] == ["2021"]


def test_queries_time_facts_in_a_date_range(store) -> None:  # type: ignore[no-untyped-def]
    def facts(**bounds: str) -> list[tuple[str | None, ...]]:
        return [(r["subject"], r["relation"], r["time"])
                for r in _rows(store, "facts-in-range", **bounds)]

    both = [("黄石大冶湖高新区", "built", "2021"), ("阜新高新区", "hosts", "2021/2022")]
    assert facts() == both
    assert facts(**{"from": "2021-12-31", "to": "2022-01-01"}) == both  # overlap at the edges
    assert facts(**{"from": "2022-01-01"}) == both[1:]
    assert facts(to="2020-12-31") == []
    with pytest.raises(QueryError, match="not a valid date"):
        facts(**{"from": "2022-13-01"})


def test_queries_time_pages_are_the_whole_answer(store) -> None:  # type: ignore[no-untyped-def]
    for name in ("indicator-series", "indicator-ranking", "facts-in-range",
                 "investment-by-year"):
        q = load_query(name)
        whole = run_query(store, q)[1]
        rows, offset = [], 0
        while True:
            page = run_page(store, q, limit=2, offset=offset)
            rows += page.rows
            if not page.more:
                break
            offset += 2
        assert rows == whole, name


def test_queries_time_cli_year_and_indicator(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "store"
    write_store(to_nquads(records()).encode("utf-8"), path)
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "indicator-ranking", "--store", str(path),
                                 "--indicator", "high_tech_enterprises", "--year", "2021",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("indicator,year,park_name,value")
    assert [ln.split(",")[2] for ln in lines[1:]] == ["长春净月高新区", "黄石大冶湖高新区"]
    # the same as --param
    same = runner.invoke(cli, ["query", "indicator-ranking", "--store", str(path), "--format",
                               "csv", "-p", "indicator=high_tech_enterprises", "-p", "year=2021"])
    assert same.output == result.output
    refused = runner.invoke(cli, ["query", "park-enterprises", "--store", str(path),
                                  "--year", "2021"])
    assert refused.exit_code != 0 and "has no parameter year" in refused.output


CASES = [("indicator-series", {"park": "西安高新区"}),
         ("indicator-ranking", {"indicator": "high_tech_enterprises", "year": "2021"}),
         ("indicator-ranking", {}),
         ("investment-by-year", {}),
         ("facts-in-range", {"from": "2021-01-01", "to": "2021-12-31"})]


@pytest.mark.parametrize("backend", ["memory", "oxigraph", "virtuoso"])
def test_queries_time_same_answer_on_every_store(backend, request, tmp_path, store
                                                 ) -> None:  # type: ignore[no-untyped-def]
    """rdflib (parameters bound by initBindings), Oxigraph on disk and Virtuoso (a SPARQL
    server) answer the time queries as the in-memory Oxigraph store does."""
    from kg.store import load_nquads, open_store

    where = {"memory": "memory", "oxigraph": str(tmp_path / "store")}.get(backend)
    other = open_store(where or request.getfixturevalue("virtuoso_url"), writable=True)
    try:
        load_nquads(other, to_nquads(records()).encode("utf-8"))
        for name, params in CASES:
            want = _rows(store, name, **params)
            assert want, name
            got = _rows(other, name, **params)
            # numbers compared by value: a server may write 7592000000 as 7592000000.0
            assert [{k: _number(v) for k, v in r.items()} for r in got] == \
                [{k: _number(v) for k, v in r.items()} for r in want], (name, params)
    finally:
        other.close()


def _number(value: str | None) -> object:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(value) if value is not None else None
    except InvalidOperation:
        return value
