"""Progress of extraction: counts what has come out (not what was sent to workers)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from helpers import SEED_FILES, copy_corpus

from kg import cli as kg_cli


def test_progress_lines_count_results_in_order(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(kg_cli, "PROGRESS_EVERY", 0.0)
    consumed = []

    def items():  # type: ignore[no-untyped-def]
        for i in range(4):
            consumed.append(i)
            yield i

    for i in kg_cli._progress("extracting", tty=False)(items(), 4):
        # the line for an item is written once it is taken, never before it exists
        assert consumed[-1] == i
    lines = capsys.readouterr().err.splitlines()
    counts = [int(m.group(1)) for m in map(re.compile(r"extracting: (\d+)/4 documents").search,
                                           lines) if m]
    assert counts == [1, 2, 3, 4, 4]
    assert lines[-1].endswith("done") and "documents/s" in lines[-1]


def test_progress_says_work_goes_on_inside_one_long_document(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """A single long document (a 5 MB one-line page) gives no count line for seconds: a line
    says the work goes on, naming the document being worked on."""
    import time as _time

    monkeypatch.setattr(kg_cli, "STILL_WORKING_AFTER", 0.3)

    def slow():  # type: ignore[no-untyped-def]
        _time.sleep(1.5)
        yield "only"

    assert list(kg_cli._progress("extracting", tty=False)(slow(), 1)) == ["only"]
    lines = capsys.readouterr().err.splitlines()
    assert any("extracting: 0/1 documents, still working on document 1" in x for x in lines)


def test_progress_quiet_on_short_runs(capsys) -> None:  # type: ignore[no-untyped-def]
    assert list(kg_cli._progress("extracting", tty=False)(iter(range(3)), 3)) == [0, 1, 2]
    assert capsys.readouterr().err == ""


def test_progress_bar_on_a_terminal_shows_rate_and_position(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import click._termui_impl

    monkeypatch.setattr(click._termui_impl, "isatty", lambda f: True)  # as on a terminal
    assert list(kg_cli._progress("extracting", tty=True)(iter(range(3)), 3)) == [0, 1, 2]
    err = capsys.readouterr().err
    assert "extracting" in err and "3/3" in err and "documents/s" in err


@pytest.mark.parametrize("command", ["extract", "build"])
def test_progress_counts_every_document_once_with_two_jobs(tmp_path, monkeypatch, command) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(kg_cli, "PROGRESS_EVERY", 0.0)
    monkeypatch.chdir(tmp_path)
    # short pieces: the test is about counting
    corpus = copy_corpus(tmp_path / "c", SEED_FILES[:3], chars=3000)
    extra = ["-o", "out", "--no-html"] if command == "build" else []
    result = CliRunner().invoke(kg_cli.cli, [command, "--jobs", "2", str(corpus), *extra])
    assert result.exit_code == 0, result.stderr
    counts = [int(n) for n in re.findall(r"extracting: (\d+)/3 documents", result.stderr)]
    assert counts == [1, 2, 3, 3]
    if command == "extract":
        assert len(result.stdout.splitlines()) == 3


def test_build_reports_the_work_after_extraction(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The steps after extraction (a 5 MB one-line text spent 16 s there in silence) are
    reported: mapping, the load of the graphs by megabytes read, kg.ttl, graph.html; and the
    graphs loaded as counted streams give the store that a build without reports gives."""
    from kg.build.pipeline import build

    monkeypatch.setattr(kg_cli, "PROGRESS_AFTER", 0.0)
    monkeypatch.chdir(tmp_path)
    corpus = copy_corpus(tmp_path / "c", SEED_FILES[:2], chars=3000)
    result = CliRunner().invoke(kg_cli.cli, ["build", str(corpus), "-o", "out"])
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("kg: build: ")]
    assert lines[0] == "kg: build: mapping 2 document(s) to RDF"
    loads = [tuple(map(float, m.groups())) for m in map(
        re.compile(r"storing the document graphs: ([\d.]+) of ([\d.]+) MB read$").search, lines)
        if m]
    assert loads and loads[-1][0] == loads[-1][1] > 0
    assert [read for read, _ in loads] == sorted(read for read, _ in loads)
    assert "kg: build: deriving the links between documents" in lines
    assert lines.index("kg: build: writing kg.ttl") < lines.index("kg: build: drawing graph.html")
    plain = build([corpus], tmp_path / "plain", html=False)
    assert plain.quads > 0
    ttl = (tmp_path / "out" / "kg.ttl").read_bytes()
    assert (tmp_path / "plain" / "kg.ttl").read_bytes() == ttl
