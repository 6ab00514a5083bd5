"""The installed `kg` console script works outside the project tree (queries ship with kg)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import QUERIES, SEED_004

STEMS = {p.stem for p in QUERIES.glob("*.rq")}


def _kg() -> str:
    """The console script of the environment running the tests, else the one on PATH."""
    here = Path(sys.executable).parent
    found = shutil.which("kg", path=os.pathsep.join([str(here), os.environ.get("PATH", "")]))
    if found is None:
        pytest.skip("no `kg` console script installed (pip install -e . puts one on PATH)")
    return found


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([_kg(), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=300, check=False)


def test_install_kg_extract_runs_outside_the_project(tmp_path):
    assert not any(tmp_path.iterdir())  # no project files where it runs
    proc = _run(["extract", str(SEED_004.resolve())], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["doc_id"] == "004_50c721a1e63a8171"


def test_install_kg_queries_lists_the_shipped_queries(tmp_path):
    proc = _run(["queries"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = {ln.strip() for ln in proc.stdout.splitlines() if ln and not ln[0].isspace()}
    assert len(names) >= 6
    assert names <= STEMS
