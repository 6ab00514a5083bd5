"""Crash safety: `kg build` killed with SIGKILL leaves the previous graph whole and queryable.

A build runs in a subprocess over a store that already holds a build; it is killed while it
extracts (with two extraction workers, which must end with it), and again while it writes the
new store. Each time the store
must hold exactly the previous quads, answer a stored query, take a new build at once (the
lock dies with its process), and that build must equal a fresh one.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import SEED_FILES, copy_corpus

from kg.build.pipeline import build
from kg.queries import load_query, run_query
from kg.store import open_store


def _quads(store_dir: Path) -> set[str]:
    store = open_store(store_dir)
    try:
        return {str(q) for q in store.quads(merged=False)}
    finally:
        store.close()


def _variants(target: Path, n: int) -> None:
    """`n` files that differ from the seeds (digits remapped), so each is extracted anew."""
    texts = [p.read_text(encoding="utf-8") for p in SEED_FILES]
    for i in range(n):
        table = str.maketrans("0123456789", "1234567890"[i % 10:] + "1234567890"[:i % 10])
        text = texts[i % len(texts)][:6000].translate(table)  # short: the test stays quick
        (target / f"variant_{i:02d}.txt").write_text(text, encoding="utf-8")


def _kill_when(corpus: Path, out: Path, seen: Callable[[], bool], *, jobs: int,
               timeout: float = 60) -> int:
    """Start `kg build` on `corpus`, SIGKILL it as soon as `seen()` holds; its process group."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(corpus), "-o", str(out),
                             "--no-html", "--jobs", str(jobs)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while not seen():
            if proc.poll() is not None:
                pytest.fail("the build ended before it could be killed: "
                            + proc.stderr.read().decode()[-500:])  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                pytest.fail("the build never reached the point to kill it at")
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)  # the build only: its workers must notice alone
    finally:
        proc.wait()
        proc.stderr.close()  # type: ignore[union-attr]
    return proc.pid


def _workers_gone(pgid: int, timeout: float = 10) -> bool:
    """Whether every process of the group has ended (else they are killed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    os.killpg(pgid, signal.SIGKILL)
    return False


def _assert_intact(out: Path, before: set[str]) -> None:
    assert _quads(out / "store") == before
    store = open_store(out / "store")
    try:
        assert run_query(store, load_query("parks-ranked"))[1]
    finally:
        store.close()


def test_crash_sigkill_mid_build_keeps_previous_graph_and_rerun_equals_fresh(tmp_path) -> None:  # type: ignore[no-untyped-def]
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    copy_corpus(corpus, SEED_FILES[:2])
    build([corpus], out, html=False)
    before = _quads(out / "store")
    cached = set((out / "cache").rglob("*.json"))
    _variants(corpus, 6)

    # 1. killed while extracting (the workers had cached a first new record), its spool of
    # N-Quads left behind
    group = _kill_when(corpus, out,
                       lambda: len(set((out / "cache").rglob("*.json")) - cached) > 0, jobs=2)
    _assert_intact(out, before)
    assert _workers_gone(group), "extraction workers outlived their build"
    assert list(out.glob(".kg-spool-*"))

    # 2. killed while writing: the staged copy of the store exists, the swap has not happened
    def staging() -> bool:
        return any(re.match(r"\.store-new-", p.name) for p in out.iterdir())

    group = _kill_when(corpus, out, staging, jobs=1)
    _assert_intact(out, before)
    assert _workers_gone(group)

    # the lock died with the build: a new build starts at once, cleans up and completes
    result = build([corpus], out, html=False)
    assert result.documents == 8
    assert not [p.name for p in out.iterdir() if p.name.startswith((".store-", ".kg-spool-"))
                and p.name != ".store.lock"]
    rerun, ttl = _quads(out / "store"), (out / "kg.ttl").read_bytes()
    fresh = build([corpus], out, html=False, rebuild=True)  # an empty store, the same records
    assert fresh.extracted == 0
    assert _quads(out / "store") == rerun
    assert (out / "kg.ttl").read_bytes() == ttl
