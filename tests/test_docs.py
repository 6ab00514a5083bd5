"""The generated documentation is fresh: docs/cli.md, docs/queries.md, docs/ontology.html.

Each file is regenerated in memory by scripts/make_docs.py and compared with the committed
one; when they differ the test says which command rewrites them.
"""

from __future__ import annotations

import difflib
import importlib.util
from types import ModuleType
from typing import Any

import pytest
from helpers import ROOT

from kg.cli import cli

DOCS = ROOT / "docs"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "scripts" / "make_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_docs = _load_script()


def _assert_fresh(name: str, expected: str) -> None:
    path = DOCS / name
    actual = path.read_text(encoding="utf-8") if path.exists() else ""
    if actual == expected:
        return
    diff = list(difflib.unified_diff(actual.splitlines(keepends=True),
                                     expected.splitlines(keepends=True),
                                     f"docs/{name} (committed)", f"docs/{name} (regenerated)"))
    shown = "".join(diff[:60]) + ("…\n" if len(diff) > 60 else "")
    pytest.fail(f"docs/{name} is stale: run `{make_docs.REGENERATE}` in the project root and "
                f"commit the result\n{shown}", pytrace=False)


@pytest.fixture(scope="module")
def cookbook_store(seeds_store: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The seeds' store as make_docs.py builds it: without a user link table in effect."""
    from kg.derive.links import read_decisions, user_table_path

    if not read_decisions(user_table_path()):
        return seeds_store  # the session's build is the same graph
    return make_docs.build_seeds_store(tmp_path_factory.mktemp("docs_seeds"))


def test_docs_cli_reference_is_fresh() -> None:
    _assert_fresh("cli.md", make_docs.cli_reference())


def test_docs_query_cookbook_is_fresh(cookbook_store: Any) -> None:
    _assert_fresh("queries.md", make_docs.query_cookbook(cookbook_store))


def test_docs_ontology_page_is_fresh() -> None:
    from kg.rdf.ontology import to_html

    _assert_fresh("ontology.html", to_html())


def test_docs_cli_reference_is_what_help_prints(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # as in a terminal of 120 columns, where click wraps help at 78 (CliRunner forces 80)
    monkeypatch.setenv("COLUMNS", "120")
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert cli.main(["--help"], prog_name="kg", standalone_mode=False) == 0
    assert f"## kg\n\n```text\n{capsys.readouterr().out}```\n" in text
    for name in sorted(cli.commands):
        assert f"\n## kg {name}\n" in text, name
        section = text.split(f"\n## kg {name}\n", 1)[1].split("\n```\n", 1)[0]
        assert cli.main([name, "--help"], prog_name="kg", standalone_mode=False) == 0
        assert section.split("```text\n", 1)[1] + "\n" == capsys.readouterr().out, name


def test_docs_query_cookbook_has_every_stored_query() -> None:
    from kg.queries import stored_queries

    text = (DOCS / "queries.md").read_text(encoding="utf-8")
    for name, q in stored_queries().items():
        section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        assert f"```sparql\n{q.text.rstrip()}\n```" in section
        assert f"```sh\nkg query {name}" in section
        assert "Output on the seeds:" in section
        assert "\n(" in section.split("```text\n", 1)[1]  # the table's row count line
    assert "\n## network/wikidata-join\n" in text


def test_docs_stable_rows_breaks_ties_by_text_only() -> None:
    rows = [["b", "2"], ["a", "2"], ["c", "1"], ["z", "1"], ["y", "1"]]
    text = "SELECT ?name ?n WHERE { } ORDER BY DESC(?n)"
    assert make_docs.stable_rows(text, ["name", "n"], rows) == [
        ["a", "2"], ["b", "2"], ["c", "1"], ["y", "1"], ["z", "1"]]
    # the order ORDER BY asks for is kept, even against the text order
    text = "SELECT ?name ?n WHERE { } ORDER BY ?n"
    assert make_docs.stable_rows(text, ["name", "n"], [["z", "1"], ["a", "2"]]) == [
        ["z", "1"], ["a", "2"]]
    # no ORDER BY: any order is allowed, so the text's
    assert make_docs.stable_rows("SELECT ?x WHERE { }", ["x"], [["b"], ["a"]]) == [["a"], ["b"]]
    # ORDER BY a variable that is not a column: the store's order stays
    text = "SELECT ?name WHERE { } ORDER BY ?hidden"
    assert make_docs.stable_rows(text, ["name"], [["b"], ["a"]]) == [["b"], ["a"]]


def test_docs_readme_links_the_generated_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in ("docs/ontology.html", "docs/queries.md", "docs/cli.md"):
        assert f"]({target})" in readme, target
    assert make_docs.REGENERATE in readme
