"""`kg build --dates FILE` on the seeds: the side file dates the articles whose text shows no
date, `kg extract --dates` gives the same dates, a changed date re-extracts only its document,
and a bad date file stops the build in one line before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import SEED_FILES, copy_corpus

from kg.cli import cli

# seeds 000, 001, 002 and 004 show no publication date in their text; 003 has a date line
UNDATED = [p for p in SEED_FILES if not p.name.startswith("003_")]


def _article_dates(store_path: Path) -> dict[str, set[str]]:
    """Document id → the publication dates of its articles, as the store holds them."""
    from kg.store import open_store

    store = open_store(store_path)
    try:
        _, rows = store.select("""PREFIX dcterms: <http://purl.org/dc/terms/>
            SELECT ?id ?date WHERE { ?a dcterms:isPartOf ?d ; dcterms:date ?date .
                                     ?d dcterms:identifier ?id }""")
        out: dict[str, set[str]] = {}
        for doc, when in rows:
            out.setdefault(doc.value, set()).add(when.value)
        return out
    finally:
        store.close()


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The seeds built with a date file naming them three ways (path, file name, stem) and
    one path that is not in the corpus."""
    root = tmp_path_factory.mktemp("dated")
    corpus = copy_corpus(root / "corpus")
    dates = root / "dates.csv"
    rows = [f"{corpus / UNDATED[0].name},2024-05-20", f"{UNDATED[1].name},2024-03",
            f"{UNDATED[2].stem},2023", f"{UNDATED[3].name},2024-11-02",
            "elsewhere/missing.txt,2022-01-01"]
    dates.write_text("path,date\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, _, err = _run("build", str(corpus), "-o", str(root / "out"), "--no-html",
                        "--dates", str(dates))
    return root, corpus, dates, code, err


def test_build_dates_undated_seed_articles_and_warns_of_unknown_paths(dated) -> None:
    root, _, dates, code, err = dated
    assert code == 0, err
    assert f"{dates}: 1 path(s) name no file given: elsewhere/missing.txt" in err
    got = _article_dates(root / "out" / "store")
    assert got[UNDATED[0].stem] == {"2024-05-20"}
    assert got[UNDATED[1].stem] == {"2024-03"}
    assert got[UNDATED[2].stem] == {"2023"}
    assert got[UNDATED[3].stem] == {"2024-11-02"}
    assert got["003_8040f1ee83f0eccc"] == {"2022-11-30"}  # its own date line wins


def test_extract_dates_agree_with_build_dates(dated) -> None:
    root, corpus, dates, _, build_err = dated
    code, out, err = _run("extract", str(corpus), "--dates", str(dates))
    assert code == 0, err
    records = {r["doc_id"]: r for r in map(json.loads, out.splitlines())}
    from_extract = {doc: {a["published"] for a in rec["articles"] if a.get("published")}
                    for doc, rec in records.items()}
    assert from_extract == _article_dates(root / "out" / "store")
    warning = [line for line in err.splitlines() if "name no file given" in line]
    assert warning and warning[0] in build_err  # the same warning, word for word


def test_changed_date_reextracts_only_its_document(dated, tmp_path: Path) -> None:
    import shutil

    root, corpus, dates, _, _ = dated
    out = shutil.copytree(root / "out", tmp_path / "out")
    again = _run("build", str(corpus), "-o", str(out), "--no-html", "--dates", str(dates))
    assert again[0] == 0 and "nothing changed" in again[2]
    moved = tmp_path / "moved.csv"
    moved.write_text(dates.read_text(encoding="utf-8").replace("2024-03", "2021-09"),
                     encoding="utf-8")
    code, _, err = _run("build", str(corpus), "-o", str(out), "--no-html", "--dates",
                        str(moved))
    assert code == 0, err
    assert "extracted 1 document(s), replaced 1 " in err  # one record new, one graph rewritten
    got = _article_dates(out / "store")
    assert got[UNDATED[1].stem] == {"2021-09"} and got[UNDATED[0].stem] == {"2024-05-20"}
    fresh = tmp_path / "fresh"
    assert _run("build", str(corpus), "-o", str(fresh), "--no-html", "--dates",
                str(moved))[0] == 0
    assert _quads(out / "store") == _quads(fresh / "store")  # as if built from scratch
    # without the date file, the side dates leave the store: the dated records are re-made
    code, _, err = _run("build", str(corpus), "-o", str(out), "--no-html")
    assert code == 0 and "extracted 4 document(s), replaced 4 " in err, err
    assert UNDATED[1].stem not in _article_dates(out / "store")
    again = _run("build", str(corpus), "-o", str(out), "--no-html")
    assert again[0] == 0 and "nothing changed" in again[2]


def _quads(store_path: Path) -> set[str]:
    from kg.store import open_store

    store = open_store(store_path)
    try:
        return {str(q) for q in store.quads(merged=False)}
    finally:
        store.close()


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read date file"),
    ("a.txt,2024-13-45\n", "bad.csv:1: not a date"),
    ("path,date\na.txt\n", "bad.csv:2: expected 'path,date'"),
])
def test_a_bad_date_file_is_one_line_and_writes_nothing(tmp_path: Path, content: str | None,
                                                       message: str) -> None:
    corpus = copy_corpus(tmp_path / "corpus", SEED_FILES[:1])
    bad = tmp_path / "bad.csv"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    for command in (["build", str(corpus), "-o", str(tmp_path / "out")], ["extract", str(corpus)]):
        code, out, err = _run(*command, "--dates", str(bad))
        lines = err.strip().splitlines()
        assert code == 1 and out == "" and len(lines) == 1, err
        assert lines[0].startswith(f"Error: {bad}") and message in lines[0]
    assert not (tmp_path / "out").exists()


def test_worker_processes_date_files_as_this_process_does(tmp_path: Path) -> None:
    """`--jobs 2` sends each document its own side-file date (not the whole file): the
    records equal those made in this process, and the cache files land under the date."""
    from kg.build.cache import RecordCache, cache_key
    from kg.build.pipeline import corpus_files, extract_records

    corpus = copy_corpus(tmp_path / "corpus", UNDATED[:2], chars=1500)
    dates = {UNDATED[0].name: "2024-05-20", UNDATED[1].stem: "2023"}
    sources = list(corpus_files([corpus], lambda _: None))
    one = [r.dumps() for r in extract_records(sources, jobs=1, dates=dates)]
    cache = RecordCache(tmp_path / "cache", "f" * 16)
    two = list(extract_records(sources, jobs=2, dates=dates, cache=cache))
    assert [r.dumps() for r in two] == one
    assert {a.published for r in two for a in r.articles} == {"2024-05-20", "2023"}
    names = sorted(p.name.split(".f")[0] for p in (tmp_path / "cache").rglob("*.json"))
    assert names == sorted(cache_key(r.sha256, dates.get(Path(r.path).name) or
                                     dates.get(Path(r.path).stem)) for r in two)
