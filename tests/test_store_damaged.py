"""A damaged Oxigraph store (a truncated .sst file, a deleted CURRENT file) is one line naming
the store and saying it is damaged, on every command that opens it; `kg build --rebuild`
makes it again. (QA on a fresh clone: the truncated file gave a RocksDB traceback, the missing
CURRENT file "no graph store here".)"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import copy_build

from kg.cli import cli


def _commands(out: Path, corpus: Path) -> dict[str, list[str]]:
    store = str(out / "store")
    return {
        "query": ["query", "parks-ranked", "--store", store],
        "stats": ["stats", "--store", store],
        "validate": ["validate", "--store", store],
        "export": ["export", "--store", store],
        "build": ["build", str(corpus), "-o", str(out), "--no-html"],
    }


def _truncate_one_sst(store: Path) -> None:
    ssts = sorted(store.glob("*.sst"), key=lambda f: f.stat().st_size)
    assert ssts, f"no .sst file in {store}"
    with open(ssts[-1], "r+b") as fh:
        fh.truncate(10)


def _delete_current(store: Path) -> None:
    (store / "CURRENT").unlink()


@pytest.fixture(scope="module")
def damaged(seeds_build, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Two copies of the seeds build: one with a truncated .sst file, one without CURRENT."""
    copies = {}
    for name, harm in (("truncated", _truncate_one_sst), ("no-current", _delete_current)):
        copy = copy_build(seeds_build, tmp_path_factory.mktemp(name))
        harm(copy.store_path)
        copies[name] = copy
    return copies


@pytest.mark.parametrize("how", ["truncated", "no-current"])
@pytest.mark.parametrize("command", ["query", "stats", "validate", "export", "build"])
def test_damaged_store_is_one_line(damaged, how: str, command: str) -> None:
    copy = damaged[how]
    before = sorted(p.name for p in copy.store_path.iterdir())
    result = CliRunner().invoke(cli, _commands(copy.out, copy.corpus)[command])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("kg: ")]
    assert lines == [lines[0]] and lines[0].startswith(f"Error: {copy.store_path}: the graph "
                                                       "store is damaged (")
    assert "no graph store here" not in result.stderr
    assert lines[0].endswith("make it again with `kg build --rebuild`")
    assert result.stdout == ""
    # nothing written: the damaged store is left as it was for the user to look at
    assert sorted(p.name for p in copy.store_path.iterdir()) == before


def test_damaged_store_reason(damaged) -> None:
    runner = CliRunner()
    cut = damaged["truncated"]
    truncated = runner.invoke(cli, _commands(cut.out, cut.corpus)["query"])
    assert "Corruption" in truncated.stderr
    gone = damaged["no-current"]
    missing = runner.invoke(cli, _commands(gone.out, gone.corpus)["query"])
    assert "(its CURRENT file is missing)" in missing.stderr


def test_rebuild_replaces_a_damaged_store(seeds_build, tmp_path) -> None:
    copy = copy_build(seeds_build, tmp_path)
    _truncate_one_sst(copy.store_path)
    runner = CliRunner()
    rebuilt = runner.invoke(cli, ["build", str(copy.corpus), "-o", str(copy.out), "--no-html",
                                  "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.stderr
    query = runner.invoke(cli, ["query", "parks-ranked", "--store", str(copy.store_path),
                                "--limit", "0", "--format", "csv"])
    assert query.exit_code == 0, query.stderr
    good = runner.invoke(cli, ["query", "parks-ranked", "--store", str(seeds_build.store_path),
                               "--limit", "0", "--format", "csv"])
    assert query.stdout == good.stdout


def test_empty_folder_is_still_no_store(tmp_path) -> None:
    (tmp_path / "store").mkdir()
    result = CliRunner().invoke(cli, ["query", "parks-ranked", "--store",
                                      str(tmp_path / "store")])
    assert result.exit_code == 1
    assert "no graph store here; run `kg build` first" in result.stderr
