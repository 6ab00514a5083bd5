"""scripts/real_corpus.py on an observation set (obsdev): only a time gold and the parks of
each text, so `eval` scores publication dates and observations alone, and `check` accepts the
obs collection's source rows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "tests" / "real" / "texts"
OBSDEV = [json.loads(line)["doc_id"] for line in
          (ROOT / "tests/real/gold/time-obsdev.jsonl").read_text(encoding="utf-8").splitlines()
          if line.strip()]
present = pytest.mark.skipif(not all((TEXTS / f"{i}.txt").exists() for i in OBSDEV),
                             reason="the obsdev texts are not under tests/real/texts")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "scripts/real_corpus.py", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_every_obs_source_row_has_the_keys_check_reads() -> None:
    rows = [json.loads(line) for line in
            (ROOT / "tests/real/sources-f.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["set"] for r in rows} == {"obsdev", "obsblind"}
    assert all({"doc_id", "url", "query", "rank", "sha256", "chars"} <= r.keys() for r in rows)
    assert {r["doc_id"] for r in rows if r["set"] == "obsdev"} == set(OBSDEV)


@present
def test_eval_obsdev_scores_observations_and_dates_only() -> None:
    done = run("eval", "obsdev", "--json", "--errors")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["texts"] == len(OBSDEV)
    assert "relations" not in data and "entities" not in data
    obs = data["observations"]
    gold = sum(len(json.loads(line)["observations"]) for line in
               (ROOT / "tests/real/gold/time-obsdev.jsonl").read_text().splitlines() if line)
    assert obs["tp"] + obs["fn"] == gold
    assert {e["kind"] for e in data["errors"]} <= {"observation", "published"}
    table = run("eval", "obsdev")
    assert table.returncode == 0 and "observations" in table.stdout
    assert "fact times" not in table.stdout and "Park" not in table.stdout
