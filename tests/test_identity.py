"""Document identity: a document's id is its path under the corpus folder given (issue 15 item 1).

Same-named files in several folders are separate graphs whose evidence quotes their own text;
flat folders keep the bare file names (the ids gold files match); ids two files would share
are an error naming both; a renamed file is a relabel from the cache; a store built under the
old ids (bare stems) is told to prune.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from helpers import SEED_FILES, SEEDS

from kg.build.pipeline import build, corpus_files
from kg.cli import cli
from kg.corpus import read_document
from kg.errors import InputError
from kg.store import open_store, stored_documents

SENTENCE = "https://w3id.org/parks-kg/ontology#sentence"


def _nested(root: Path) -> Path:
    """root/a/news.txt, root/b/news.txt, root/c/2024/news.txt: three seeds, one file name."""
    for folder, seed in zip(["a", "b", "c/2024"], SEED_FILES[:3], strict=True):
        (root / folder).mkdir(parents=True)
        shutil.copyfile(seed, root / folder / "news.txt")
    return root


@pytest.fixture(scope="module")
def nested(tmp_path_factory: pytest.TempPathFactory, seeds_build):  # type: ignore[no-untyped-def]
    """The nested corpus built once (records from the seeds' cache: same bytes, same hash)."""
    work = tmp_path_factory.mktemp("identity")
    corpus = _nested(work / "d")
    shutil.copytree(seeds_build.out_dir / "cache", work / "out" / "cache")
    result = build([corpus], work / "out", html=False)
    return corpus, work / "out", result


def test_identity_ids_are_paths_under_the_folder_given(tmp_path: Path) -> None:
    corpus = _nested(tmp_path / "d")
    ids = {s.doc_id: s.path for s in corpus_files([corpus], pytest.fail)}
    assert set(ids) == {"a/news", "b/news", "c/2024/news"}
    # a flat folder keeps the bare file names, and a file given itself its stem
    flat = [s.doc_id for s in corpus_files([SEEDS], pytest.fail)]
    assert flat == [p.stem for p in SEED_FILES]
    assert [s.doc_id for s in corpus_files([corpus / "a" / "news.txt"], pytest.fail)] == ["news"]


def test_identity_same_named_files_are_separate_graphs(nested) -> None:  # type: ignore[no-untyped-def]
    corpus, out, result = nested
    assert result.extracted == 0  # every record came from the cache by its hash
    store = open_store(out / "store")
    docs = stored_documents(store)
    assert set(docs) == {"a/news", "b/news", "c/2024/news"}
    assert len(set(docs.values())) == 3  # three different articles kept, none merged


def test_identity_evidence_belongs_to_its_own_file(nested) -> None:  # type: ignore[no-untyped-def]
    corpus, out, _ = nested
    texts = {doc_id: read_document(corpus / f"{doc_id}.txt").source_text
             for doc_id in ("a/news", "b/news", "c/2024/news")}
    seen = dict.fromkeys(texts, 0)
    for q in open_store(out / "store").quads(merged=False):
        if q.predicate.value != SENTENCE:
            continue
        doc_id = unquote(q.graph_name.value.split("/graph/", 1)[1])  # id:graph/a%2Fnews
        assert q.object.value in texts[doc_id], (doc_id, q.object.value)
        seen[doc_id] += 1
    assert all(seen.values()), seen


def test_identity_nested_graph_validates(nested) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = nested
    res = CliRunner().invoke(cli, ["validate", "--store", str(out / "store")])
    assert res.exit_code == 0, res.output
    assert "conforms" in res.output


def test_identity_two_files_one_id_is_an_error_naming_both(tmp_path: Path) -> None:
    corpus = tmp_path / "d"
    corpus.mkdir()
    shutil.copyfile(SEED_FILES[0], corpus / "a.txt")
    shutil.copyfile(SEED_FILES[1], corpus / "a.md")
    with pytest.raises(InputError) as info:
        list(corpus_files([corpus], pytest.fail))
    assert "a.txt" in str(info.value) and "a.md" in str(info.value)
    res = CliRunner().invoke(cli, ["build", str(corpus), "-o", str(tmp_path / "out"),
                                   "--no-html"])
    assert res.exit_code == 1
    assert "a.md" in res.output and "a.txt" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out" / "store").exists()


def test_identity_same_file_given_twice_is_one_document(tmp_path: Path) -> None:
    corpus = _nested(tmp_path / "d")
    files = list(corpus_files([corpus, corpus / "a" / "news.txt"], pytest.fail))
    assert [s.doc_id for s in files] == ["a/news", "b/news", "c/2024/news"]


def test_identity_rename_is_a_relabel(tmp_path: Path, seeds_build) -> None:  # type: ignore[no-untyped-def]
    corpus = _nested(tmp_path / "d")
    out = tmp_path / "out"
    shutil.copytree(seeds_build.out_dir / "cache", out / "cache")
    build([corpus], out, html=False)
    (corpus / "b" / "news.txt").rename(corpus / "b" / "renamed.txt")
    again = build([corpus], out, html=False, prune=True)
    assert again.extracted == 0  # found in the cache by its hash
    assert again.replaced == 1 and again.removed_ids == ["b/news"]
    assert set(stored_documents(open_store(out / "store"))) == {
        "a/news", "b/renamed", "c/2024/news"}


def test_identity_store_with_old_ids_is_told_to_prune(tmp_path: Path,
                                                      seeds_build) -> None:  # type: ignore[no-untyped-def]
    """A store whose nested files were merged under the bare stem (as before ids were paths)."""
    corpus = _nested(tmp_path / "d")
    out = tmp_path / "out"
    shutil.copytree(seeds_build.out_dir / "cache", out / "cache")
    build([corpus / "a" / "news.txt"], out, html=False)  # id "news", as the old code named it
    (out / "cache" / "sources.json").unlink()  # no record of roots, as in an old out folder
    warnings: list[str] = []
    build([corpus], out, html=False, warn=warnings.append)
    assert any("--prune" in w and "news" in w for w in warnings), warnings
    assert "news" in stored_documents(open_store(out / "store"))  # nothing removed unasked
    pruned = build([corpus], out, html=False, prune=True)
    assert pruned.removed_ids == ["news"]
    assert set(stored_documents(open_store(out / "store"))) == {
        "a/news", "b/news", "c/2024/news"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_identity_read_warnings_printed_by_build_and_extract(tmp_path: Path, jobs: str) -> None:
    """A file read with doubts (no Chinese) is a warning on stderr, exit 0, from this process
    and from worker processes alike."""
    corpus = tmp_path / "d"
    corpus.mkdir()
    shutil.copyfile(SEED_FILES[0], corpus / "zh.txt")
    (corpus / "en.txt").write_text("The park opened a new laboratory this year.\n" * 3,
                                   encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(cli, ["extract", "-j", jobs, str(corpus)])
    assert res.exit_code == 0, res.output
    assert f"kg: warning: {corpus / 'en.txt'}: no Chinese characters" in res.stderr
    res = runner.invoke(cli, ["build", "-j", jobs, str(corpus), "-o", str(tmp_path / "out"),
                              "--no-html"])
    assert res.exit_code == 0, res.output
    assert f"kg: warning: {corpus / 'en.txt'}: no Chinese characters" in res.stderr
    assert "skipped" not in res.stderr
