"""Builds add, pruning is explicit (issue 15 item 3).

`kg build NEWFILE` on an existing output adds that document and removes nothing; documents
whose files are gone leave with --prune, or when the same corpus folders are built again,
and the summary names them. Records come from a copy of the seeds' cache (no extraction).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import SEED_FILES

from kg.build.pipeline import build
from kg.cli import cli
from kg.store import open_store, stored_documents


@pytest.fixture
def work(tmp_path: Path, seeds_build):  # type: ignore[no-untyped-def]
    """corpus/ with three seeds, new/ with a fourth, and out/ holding the seeds' records."""
    corpus, new = tmp_path / "corpus", tmp_path / "new"
    corpus.mkdir()
    new.mkdir()
    for seed in SEED_FILES[:3]:
        shutil.copyfile(seed, corpus / seed.name)
    shutil.copyfile(SEED_FILES[3], new / SEED_FILES[3].name)
    shutil.copytree(seeds_build.out_dir / "cache", tmp_path / "out" / "cache")
    return corpus, new, tmp_path / "out"


def _ids(out: Path) -> set[str]:
    return set(stored_documents(open_store(out / "store")))


def _build(*args: str) -> str:
    res = CliRunner().invoke(cli, ["build", "--no-html", *args])
    assert res.exit_code == 0, res.output
    return res.stderr


def test_additive_new_file_removes_nothing(work) -> None:  # type: ignore[no-untyped-def]
    corpus, new, out = work
    _build(str(corpus), "-o", str(out))
    newfile = new / SEED_FILES[3].name
    err = _build(str(newfile), "-o", str(out))
    assert "removed 0 document graph(s)" in err
    assert "kept 3 stored document(s) not among the files given (--prune removes them)" in err
    assert _ids(out) == {p.stem for p in SEED_FILES[:4]}


def test_additive_other_folder_adds(work) -> None:  # type: ignore[no-untyped-def]
    corpus, new, out = work
    build([corpus], out, html=False)
    res = build([new], out, html=False)
    assert res.removed == 0 and res.kept_gone == 3
    assert _ids(out) == {p.stem for p in SEED_FILES[:4]}


def test_additive_summary_counts_every_stored_document(work, seeds_build) -> None:  # type: ignore[no-untyped-def]
    corpus, new, out = work
    build([corpus], out, html=False)
    added = build([new], out, html=False)
    both = build([corpus, new], out.parent / "both", html=False)
    assert added.documents == 4 and added.entities == both.entities


def test_additive_prune_removes_the_gone_and_says_which(work) -> None:  # type: ignore[no-untyped-def]
    corpus, new, out = work
    build([corpus], out, html=False)
    build([new], out, html=False)
    gone = SEED_FILES[0]
    (corpus / gone.name).unlink()
    err = _build(str(corpus), "-o", str(out), "--prune")
    assert "removed 2 document graph(s)" in err  # the deleted file and new/'s document
    assert "removed (their files are gone): " in err
    assert gone.stem in err and SEED_FILES[3].stem in err
    assert _ids(out) == {p.stem for p in SEED_FILES[1:3]}


def test_additive_same_corpus_again_prunes(work) -> None:  # type: ignore[no-untyped-def]
    """The corpus folder the builds of this --out were given, given again: a deletion there
    is the user's intent, and its graph goes."""
    corpus, _, out = work
    build([corpus], out, html=False)
    (corpus / SEED_FILES[1].name).unlink()
    res = build([corpus], out, html=False)
    assert res.removed_ids == [SEED_FILES[1].stem]
    assert _ids(out) == {SEED_FILES[0].stem, SEED_FILES[2].stem}


def test_additive_after_adding_a_folder_the_first_alone_does_not_prune(work) -> None:  # type: ignore[no-untyped-def]
    corpus, new, out = work
    build([corpus], out, html=False)
    build([new], out, html=False)
    res = build([corpus], out, html=False)  # not the whole corpus any more: new/ is part
    assert res.removed == 0 and res.kept_gone == 1
    res = build([corpus, new], out, html=False)  # the whole corpus: nothing gone, nothing kept
    assert res.removed == 0 and res.kept_gone == 0


def test_additive_unknown_earlier_documents_are_never_pruned_unasked(work) -> None:  # type: ignore[no-untyped-def]
    """An out folder from before roots were recorded: its documents stay until --prune."""
    corpus, new, out = work
    build([corpus], out, html=False)
    (out / "cache" / "sources.json").unlink()
    newfile = new / SEED_FILES[3].name
    build([newfile], out, html=False)
    again = build([newfile], out, html=False)  # the same file again is not "the whole corpus"
    assert again.removed == 0 and again.kept_gone == 3
    assert build([newfile], out, html=False, prune=True).removed == 3
