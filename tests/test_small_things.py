"""The small things of issue 15 item 7, each held by a test: file modes follow the umask, the
build summary counts distinct entities, export refuses a build's own outputs without --force,
the record format document ships and the help points to it, the README's samples are
generated, and SPARQL updates are refused by name."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from helpers import ROOT, SEED_FILES, copy_build

from kg.build.pipeline import build
from kg.cli import cli
from kg.queries import UPDATE_REFUSED, is_update


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args))


# --- file modes -----------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_small_modes_follow_the_umask(tmp_path: Path, seeds_build, mask: int) -> None:  # type: ignore[no-untyped-def]
    copy = copy_build(seeds_build, tmp_path)
    old = os.umask(mask)
    try:
        build([copy.corpus], copy.out, rebuild=True)  # records from the cache: kg.ttl, page
        res = _invoke("export", "--store", str(copy.store_path), "--format", "nq",
                      "-o", str(tmp_path / "graph.nq"))
        assert res.exit_code == 0, res.output
    finally:
        os.umask(old)
    want = 0o666 & ~mask
    for path in (copy.out / "kg.ttl", copy.out / "graph.html", tmp_path / "graph.nq"):
        assert path.stat().st_mode & 0o777 == want, (path, oct(path.stat().st_mode))


# --- distinct counts ------------------------------------------------------------------------


def test_small_summary_counts_distinct_entities(tmp_path: Path, seeds_build) -> None:  # type: ignore[no-untyped-def]
    """Three copies of the seeds report what one does: a name in many documents is one node."""
    corpus = tmp_path / "copies"
    for n in range(3):
        (corpus / str(n)).mkdir(parents=True)
        for seed in SEED_FILES:
            shutil.copyfile(seed, corpus / str(n) / seed.name)
    shutil.copytree(seeds_build.out_dir / "cache", tmp_path / "out" / "cache")
    res = build([corpus], tmp_path / "out", html=False)
    assert res.documents == 3 * len(SEED_FILES)
    assert res.entities == seeds_build.result.entities
    assert res.relations == seeds_build.result.relations
    from kg.store import open_store
    from kg.store.base import _rows

    store = open_store(tmp_path / "out" / "store")
    _, rows = _rows(store.select(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a "
        "<https://w3id.org/parks-kg/ontology#Enterprise> }"))
    assert int(rows[0][0].value) == res.entities["Enterprise"]


# --- export refuses a build's outputs -------------------------------------------------------


@pytest.mark.parametrize("target", ["kg.ttl", "graph.html", "store", "store/extra.nq"])
def test_small_export_refuses_build_outputs(tmp_path: Path, seeds_build, target: str) -> None:  # type: ignore[no-untyped-def]
    copy = copy_build(seeds_build, tmp_path)
    path = copy.out / target
    before = path.read_bytes() if path.is_file() else None
    res = _invoke("export", "--store", str(copy.store_path), "-o", str(path))
    assert res.exit_code == 1
    assert f"Error: {path}: " in res.output and "--force" in res.output
    assert (path.read_bytes() if path.is_file() else None) == before


def test_small_export_force_overwrites_kg_ttl(tmp_path: Path, seeds_build) -> None:  # type: ignore[no-untyped-def]
    copy = copy_build(seeds_build, tmp_path)
    res = _invoke("export", "--store", str(copy.store_path), "--format", "nt", "-o",
                  str(copy.ttl), "--force")
    assert res.exit_code == 0, res.output
    assert copy.ttl.read_text(encoding="utf-8").startswith("<")  # N-Triples now
    other = _invoke("export", "--store", str(copy.store_path), "-o", str(tmp_path / "x.ttl"))
    assert other.exit_code == 0, other.output  # any other file, as before


@pytest.mark.parametrize("target", ["kg.ttl", "graph.html", "store", "store/view.html"])
def test_small_viz_refuses_build_outputs(tmp_path: Path, seeds_build, target: str) -> None:  # type: ignore[no-untyped-def]
    """kg viz -o out/kg.ttl wrote HTML over the build's kg.ttl (QA): refused as export does."""
    copy = copy_build(seeds_build, tmp_path)
    path = copy.out / target
    before = path.read_bytes() if path.is_file() else None
    res = _invoke("viz", "--store", str(copy.store_path), "-o", str(path))
    assert res.exit_code == 1
    assert len(res.output.strip().splitlines()) == 1
    assert res.output.startswith(f"Error: {path}: is ")
    assert "--force" in res.output and "Traceback" not in res.output
    assert (path.read_bytes() if path.is_file() else None) == before
    assert not (path.is_dir() and (path / "view.html").exists())


def test_small_viz_refuses_the_rdf_file_it_draws(tmp_path: Path, seeds_build) -> None:  # type: ignore[no-untyped-def]
    ttl = tmp_path / "graph.ttl"
    ttl.write_bytes(seeds_build.ttl.read_bytes())
    res = _invoke("viz", "--store", str(ttl), "-o", str(ttl))
    assert res.exit_code == 1
    assert f"Error: {ttl}: is the graph being drawn;" in res.output
    assert ttl.read_bytes() == seeds_build.ttl.read_bytes()


def test_small_viz_force_overwrites_kg_ttl(tmp_path: Path, seeds_build) -> None:  # type: ignore[no-untyped-def]
    copy = copy_build(seeds_build, tmp_path)
    res = _invoke("viz", "--store", str(copy.store_path), "-o", str(copy.ttl), "--force")
    assert res.exit_code == 0, res.output
    assert copy.ttl.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    other = _invoke("viz", "--store", str(copy.store_path), "-o", str(copy.out / "view.html"))
    assert other.exit_code == 0, other.output  # any other file, as before


# --- the format document --------------------------------------------------------------------

FORMAT = ROOT / "docs" / "extraction-format.md"
SHARED_FORMAT = ROOT.parent / "shared" / "docs" / "extraction-format.md"


def test_small_format_document_ships() -> None:
    assert FORMAT.is_file()
    assert "doc_id" in FORMAT.read_text(encoding="utf-8")


@pytest.mark.skipif(not SHARED_FORMAT.is_file(), reason="no ../shared beside the checkout")
def test_small_format_document_extends_the_shared_one() -> None:
    # the project's copy is the shared format, word for word, with the project's additions after it
    shared = SHARED_FORMAT.read_text(encoding="utf-8")
    assert FORMAT.read_text(encoding="utf-8").startswith(shared), (
        f"docs/extraction-format.md does not begin with {SHARED_FORMAT}: copy the shared one over "
        "and keep the project's sections after it")


@pytest.mark.parametrize("command", ["extract", "eval"])
def test_small_help_points_to_the_format_document(command: str) -> None:
    res = _invoke(command, "--help")
    assert res.exit_code == 0
    assert "docs/extraction-format.md" in res.output.replace("\n", " ").replace("  ", " ")
    assert "docs/extraction-format.md" in (ROOT / "README.md").read_text(encoding="utf-8")


# --- README samples -------------------------------------------------------------------------


def _make_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "scripts" / "make_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_readme_samples_are_fresh(tmp_path: Path, seeds_build) -> None:  # type: ignore[no-untyped-def]
    """README's kg link, stats and validate samples are what make_docs.py writes."""
    from kg.derive.links import read_decisions, user_table_path

    make_docs = _make_docs()
    if read_decisions(user_table_path()):  # a user link table would change the graph
        make_docs.build_seeds_store(tmp_path)
    else:
        shutil.copytree(seeds_build.out_dir, tmp_path / "out")
    current = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("link", "stats", "validate", "validate-broken"):
        assert f"<!-- make_docs:{name} -->" in current
    if make_docs.readme(tmp_path, current) != current:
        pytest.fail("README.md's generated samples are stale: run `python scripts/make_docs.py`"
                    " and commit the result", pytrace=False)


# --- updates refused ------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "DROP ALL", "drop graph <http://x/g>", "CLEAR DEFAULT", "LOAD <http://x/data.ttl>",
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "PREFIX ex: <http://x/>\nDELETE WHERE { ?s ex:p ?o }",
    "# a comment\nWITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CREATE GRAPH <http://x/g>", "COPY <http://x/a> TO <http://x/b>",
])
def test_small_updates_are_refused_by_name(text: str, seeds_build) -> None:  # type: ignore[no-untyped-def]
    assert is_update(text)
    res = _invoke("query", "--store", str(seeds_build.store_path), "-e", text)
    assert res.exit_code == 1
    assert res.output == f"Error: {UPDATE_REFUSED}\n"


@pytest.mark.parametrize("text", [
    "SELECT ?drop WHERE { ?drop ?p ?o } LIMIT 1", "ASK { ?s ?p 'DROP ALL' }",
    "PREFIX insert: <http://x/>\nSELECT * WHERE { ?s insert:p ?o }",
])
def test_small_queries_that_mention_update_words_still_run(text: str) -> None:
    assert not is_update(text)


def test_small_readme_tour_build_line_matches_a_seeds_build(seeds_build) -> None:  # type: ignore[no-untyped-def]
    """The tour's `kg build seeds/` line gives the counts a build of the seeds gives (its time
    varies and is not checked)."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"5 documents → entities: (.*?); relations: (.*?) \(distinct\); (\d+) quads in ",
                  text)
    assert m, "README's tour has no build line"
    res = seeds_build.result

    def counts(part: str) -> dict[str, int]:
        return {name: int(n) for n, name in (item.split(" ") for item in part.split(", "))}

    assert counts(m.group(1)) == dict(res.entities)
    assert counts(m.group(2)) == dict(res.relations)
    assert int(m.group(3)) == res.quads

