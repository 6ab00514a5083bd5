"""Parallel extraction gives the records in-process extraction gives, in the same order."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import SEED_FILES, SEEDS

from kg.build.parallel import decode, encode, extract_parallel, resolve_jobs
from kg.build.pipeline import extract_records, read_documents
from kg.cli import cli


def _seed_files() -> list[str]:
    return [str(p) for p in SEED_FILES]


def test_parallel_cli_jobs_2_prints_the_records_of_jobs_1() -> None:
    runner = CliRunner()
    one = runner.invoke(cli, ["extract", "--jobs", "1", *_seed_files()])
    two = runner.invoke(cli, ["extract", "--jobs", "2", *_seed_files()])
    assert one.exit_code == 0, one.output
    assert two.exit_code == 0, two.output
    assert len(one.output.splitlines()) == len(_seed_files())
    assert two.output == one.output


def test_parallel_records_equal_in_process_records_field_for_field() -> None:
    docs = list(read_documents([SEEDS], pytest.fail))
    here = list(extract_records(docs))
    there = list(extract_parallel(docs, 2))
    assert [asdict(r) for r in there] == [asdict(r) for r in here]
    from_paths = list(extract_parallel(_seed_files(), 2))
    assert [asdict(r) for r in from_paths] == [asdict(r) for r in here]


def test_parallel_encode_decode_round_trip(nlp) -> None:  # type: ignore[no-untyped-def]
    from kg.extract.extractor import extract

    docs = list(read_documents([SEEDS], pytest.fail))
    for rec in extract(docs[:2], nlp):
        assert asdict(decode(encode(rec, text=True))) == asdict(rec)


def test_parallel_resolve_jobs() -> None:
    assert resolve_jobs(3) == 3
    assert resolve_jobs(0) >= 1
    with pytest.raises(ValueError):
        resolve_jobs(-1)


def test_parallel_build_jobs_2_writes_the_graph_of_jobs_1(  # type: ignore[no-untyped-def]
        seeds_build, seeds_copy, tmp_path: Path) -> None:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from kg.build.pipeline import build

    result = build([seeds_copy], tmp_path, html=False, jobs=2)
    assert result.extracted == result.documents == seeds_build.result.documents
    assert isomorphic(Graph().parse(tmp_path / "kg.ttl"), Graph().parse(seeds_build.ttl))
