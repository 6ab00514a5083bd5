"""`kg eval` scores only the documents both the gold file and PATHS hold (QA on a fresh clone:
gold documents without a file counted as misses, and no document in common printed zeros with
exit 0). The others are named in a warning; none in common is a one-line error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from helpers import GOLD, SEED_FILES

from kg.cli import cli

SEEDS_GOLD = GOLD / "seeds.jsonl"


def _eval(gold: Path, *paths: Path, extra: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["eval", "--gold", str(gold), *extra,
                                    *(str(p) for p in paths)])


def _gold_ids() -> list[str]:
    return [json.loads(line)["doc_id"] for line in SEEDS_GOLD.read_text("utf-8").splitlines()
            if line.strip()]


def test_partial_paths_score_only_their_documents(tmp_path: Path) -> None:
    given = SEED_FILES[:2]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in given:
        shutil.copyfile(f, corpus / f.name)
    ids = {f.stem for f in given}
    # the same scores as against a gold file holding only those documents
    lines = [line for line in SEEDS_GOLD.read_text("utf-8").splitlines()
             if line.strip() and json.loads(line)["doc_id"] in ids]
    assert len(lines) == 2
    subset = tmp_path / "subset.jsonl"
    subset.write_text("\n".join(lines) + "\n", encoding="utf-8")

    partial = _eval(SEEDS_GOLD, corpus, extra=("--json",))
    alone = _eval(subset, corpus, extra=("--json",))
    assert partial.exit_code == 0, partial.stderr
    assert alone.exit_code == 0, alone.stderr
    assert json.loads(partial.stdout) == json.loads(alone.stdout)
    assert alone.stderr == ""
    rest = sorted(set(_gold_ids()) - ids)
    assert partial.stderr == (
        f"kg: warning: {len(rest)} of the {len(_gold_ids())} gold documents are not among "
        f"the files given and are not scored: {', '.join(rest)}\n")
    # no miss counted for the documents left out: recall is that of the two documents alone
    table = _eval(SEEDS_GOLD, corpus)
    assert table.stdout == _eval(subset, corpus).stdout


def test_warning_lists_at_most_five_ids(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    record = json.loads(SEEDS_GOLD.read_text("utf-8").splitlines()[0])
    extra = [{"doc_id": f"absent_{i}", "entities": [], "relations": []} for i in range(7)]
    gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                            for r in [record, *extra]), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(SEED_FILES[0], corpus / SEED_FILES[0].name)
    assert record["doc_id"] == SEED_FILES[0].stem
    result = _eval(gold, corpus)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "kg: warning: 7 of the 8 gold documents are not among the files given and are not "
        "scored: absent_0, absent_1, absent_2, absent_3, absent_4, …\n")


def test_no_document_in_common_is_an_error(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "other.txt").write_text("长春高新区位于吉林省长春市。\n", encoding="utf-8")
    result = _eval(SEEDS_GOLD, corpus)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"Error: {SEEDS_GOLD}: no gold document is among the "
                                    "files given (gold documents: ")
    assert _gold_ids()[0] in result.stderr


def test_the_whole_seeds_set_warns_nothing() -> None:
    result = _eval(SEEDS_GOLD, SEED_FILES[0].parent)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[0].split() == ["P", "R", "F1", "TP", "FP", "FN"]
