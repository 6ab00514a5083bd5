"""Every `kg` command turns an error raised inside the library into one line: `Error: …`, exit 1.

The boundary is `kg.cli.KgGroup.invoke`; each case below makes the library raise (a missing
store or model, a malformed file, an unwritable output) and checks the whole of stderr.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg.cli import KgGroup, cli

ROOT = Path(__file__).resolve().parents[1]
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]
MISSING = "/nonexistent/parks-kg"


def _gold(tmp: Path) -> str:
    """A gold file naming the seed, so that `kg eval` has a document to extract."""
    path = tmp / "gold.jsonl"
    path.write_text(f'{{"doc_id": "{SEED.stem}", "entities": [], "relations": []}}\n',
                    encoding="utf-8")
    return str(path)


def _file(tmp: Path) -> str:
    """A plain file, where a directory is expected."""
    path = tmp / "a-file"
    path.write_text("not a directory\n", encoding="utf-8")
    return str(path)


def _one_park(tmp: Path) -> str:
    """A graph of one park, as a Turtle file that `kg viz` reads."""
    path = tmp / "park.ttl"
    path.write_text("@prefix pk: <https://w3id.org/parks-kg/ontology#> .\n"
                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                    "<https://w3id.org/parks-kg/id/park/x> a pk:Park ; rdfs:label \"X高新区\" .\n",
                    encoding="utf-8")
    return str(path)


def _bad_turtle(tmp: Path) -> str:
    path = tmp / "broken.ttl"
    path.write_text("<a> <b> .\n", encoding="utf-8")
    return str(path)


def _bad_review(tmp: Path) -> str:
    path = tmp / "review.csv"
    path.write_text("not,the,review,columns\n1,2,3,4\n", encoding="utf-8")
    return str(path)


def _no_models(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty model cache; the segmenter the CLI sets in the environment is undone after."""
    monkeypatch.setenv("KG_MODELS_DIR", str(tmp / "models"))
    monkeypatch.setenv("KG_SEGMENTER", "jieba")


def _bad_queries(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored query whose header the library rejects."""
    folder = tmp / "queries"
    folder.mkdir()
    (folder / "broken.rq").write_text("#+ pagination: many\nSELECT * WHERE { ?s ?p ?o }\n",
                                      encoding="utf-8")
    monkeypatch.setattr("kg.queries._query_dir", lambda: folder)


# (command line with {tmp}-relative inputs, set-up, what the one line must say)
Case = tuple[Callable[[Path], list[str]], Callable[[Path, pytest.MonkeyPatch], None] | None, str]
CASES: dict[str, Case] = {
    "build-out-is-a-file": (
        lambda t: ["build", str(SEED), "-o", _file(t)], None, "is not a directory"),
    "extract-no-model": (
        lambda t: ["extract", str(SEED), "--pkuseg-model", MISSING], None,
        f"{MISSING}: no such pkuseg model"),
    "extract-pkuseg-not-installed": (
        lambda t: ["extract", str(SEED), "--segmenter", "pkuseg"], _no_models,
        "pkuseg: no model installed; run `kg models install pkuseg`"),
    "models-not-a-wheel": (
        lambda t: ["models", "install", "pkuseg", "--wheel", _file(t)], _no_models,
        "{tmp}/a-file: not a wheel (a zip file)"),
    "query-no-store": (
        lambda t: ["query", "parks-ranked", "--store", str(t / "store")], None,
        "{tmp}/store: no graph store here"),
    "queries-bad-header": (
        lambda t: ["queries"], _bad_queries, "broken: pagination must be a positive number"),
    "export-no-store": (
        lambda t: ["export", "--store", str(t / "store")], None,
        "{tmp}/store: no graph store here"),
    "export-unknown-format": (
        lambda t: ["export", "--format", "xls", "--store", str(t / "store")], None,
        "unknown export format 'xls'"),
    "eval-no-model": (  # issue 13: printed a traceback
        lambda t: ["eval", str(SEED), "--gold", _gold(t), "--pkuseg-model", MISSING], None,
        f"{MISSING}: no such pkuseg model"),
    "eval-no-gold": (
        lambda t: ["eval", str(SEED), "--gold", str(t / "gold.jsonl")], None,
        "{tmp}/gold.jsonl: cannot read gold file"),
    "viz-no-store": (
        lambda t: ["viz", "--store", str(t / "store"), "-o", str(t / "v.html")], None,
        "{tmp}/store: no graph store or RDF file here"),
    "viz-unwritable": (
        lambda t: ["viz", "--store", _one_park(t), "-o", f"{_file(t)}/v.html"], None,
        "{tmp}/a-file/v.html: cannot write"),
    "stats-no-store": (
        lambda t: ["stats", "--store", str(t / "store")], None,
        "{tmp}/store: no graph store or RDF file here"),
    "link-no-store": (
        lambda t: ["link", "--store", str(t / "store")], None,
        "{tmp}/store: no graph store here"),
    "link-bad-review": (
        lambda t: ["link", "--accept", _bad_review(t), "--table", str(t / "links.csv")], None,
        "{tmp}/review.csv: missing column(s)"),
    "validate-bad-file": (
        lambda t: ["validate", _bad_turtle(t)], None,
        "{tmp}/broken.ttl: cannot read as turtle"),
    "ontology-unwritable": (
        lambda t: ["ontology", "--html", f"{_file(t)}/page.html"], None,
        "{tmp}/a-file/page.html: cannot write"),
}


def test_cli_errors_cover_every_command():
    assert {name.split("-")[0] for name in CASES} == set(cli.commands)


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_errors_one_line_naming_the_problem(case: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    args, setup, expected = CASES[case]
    if setup is not None:
        setup(tmp_path, monkeypatch)
    result = CliRunner().invoke(cli, args(tmp_path))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert expected.format(tmp=tmp_path) in lines[0]


def test_cli_errors_os_error_names_its_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/srv/queries")

    monkeypatch.setattr("kg.queries.stored_queries", refuse)
    result = CliRunner().invoke(cli, ["queries"])
    assert result.exit_code == 1
    assert result.stderr == "Error: /srv/queries: Permission denied\n"


def test_cli_errors_closed_pipe_is_left_to_click() -> None:
    @click.group(cls=KgGroup)
    def group() -> None:
        """A group with one command whose output pipe is closed."""

    @group.command()
    def write() -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    result = CliRunner().invoke(group, ["write"])
    assert result.exit_code == 1
    assert "Error: " not in result.stderr
