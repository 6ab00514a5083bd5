"""kg.build.cluster against real processes: a `dask scheduler` and two single-threaded `dask
worker`s on 127.0.0.1, started once for this module and stopped at its end.

A cluster build must give the store a local build gives (seeds and a generated corpus), stay
incremental, survive a worker killed with SIGKILL, report a bad file with its path, fail in one
line naming an unreachable scheduler, and write the same graph into Virtuoso.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, SEED_FILES, copy_corpus

pytest.importorskip("distributed", reason="the Dask packages: pip install -e '.[cluster]'")

DASK = Path(sys.executable).with_name("dask")
COPIES = 8  # names per seed text in the generated corpus (40 documents)
CHARS = 1500  # characters of each seed text kept there: enough for entities and relations


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # workers import this checkout's kg
    with open(log, "wb") as fh:
        return subprocess.Popen([str(DASK), *args], stdout=fh, stderr=subprocess.STDOUT,
                                env=env, cwd=ROOT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _worker(address: str, log: Path, *, nanny: bool = True) -> subprocess.Popen[bytes]:
    return _start(["worker", address, "--nworkers", "1", "--nthreads", "1", "--host",
                   "127.0.0.1", "--no-dashboard", "--death-timeout", "60",
                   *([] if nanny else ["--no-nanny"])], log)


def _wait_workers(address: str, n: int) -> list[str]:
    from distributed import Client

    with Client(address, timeout=30, set_as_default=False) as client:
        client.wait_for_workers(n, timeout=60)
        return sorted(client.scheduler_info()["workers"])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The address of a running scheduler with two single-threaded workers."""
    if not DASK.is_file():
        pytest.skip(f"{DASK}: the dask command is missing (pip install -e '.[cluster]')")
    logs = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{_free_port()}"
    # a session killed before its teardown leaves no processes for long: the scheduler ends
    # after 5 idle minutes, and then its workers after one
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                     "--no-dashboard", "--idle-timeout", "300"], logs / "scheduler.log")]
    try:
        procs += [_worker(address, logs / f"worker{i}.log") for i in (1, 2)]
        _wait_workers(address, 2)
        yield types.SimpleNamespace(address=address, logs=logs)
    finally:
        for proc in reversed(procs):
            _stop(proc)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> types.SimpleNamespace:
    """A corpus of the seeds' openings under COPIES names each, and its local build."""
    from kg.build.pipeline import build

    corpus = tmp_path_factory.mktemp("generated")
    short = copy_corpus(tmp_path_factory.mktemp("short"), chars=CHARS)
    for path in sorted(short.glob("*.txt")):
        for i in range(COPIES):
            shutil.copyfile(path, corpus / f"{path.stem}_{i:02d}.txt")
    out = tmp_path_factory.mktemp("generated_local")
    build([corpus], out, html=False, jobs=2)
    return types.SimpleNamespace(corpus=corpus, store_path=out / "store")


def _quads(store_path: Path | str) -> set[str]:
    from kg.store import open_store

    store = open_store(store_path)
    try:
        return {str(q) for q in store.quads(merged=False)}
    finally:
        store.close()


def _norm_quads(store) -> set[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """Quads with numbers compared by value: Virtuoso writes 5E9 decimals back as integers."""
    from decimal import Decimal, InvalidOperation

    from kg.formats import plain

    def value(term) -> str:  # type: ignore[no-untyped-def]
        text = plain(term)
        try:
            return str(Decimal(text).normalize()) if text[:1] in "-0123456789" else text
        except (InvalidOperation, ArithmeticError):
            return text

    return {(str(q.subject), str(q.predicate), value(q.object), q.graph_name.value)
            for q in store.quads(merged=False)}


def test_cluster_build_equals_local_build_and_stays_incremental(cluster, tmp_path):
    from kg.build.pipeline import build

    corpus = copy_corpus(tmp_path / "corpus")  # a copy to change; paths differ from the seeds'
    local, out = tmp_path / "local", tmp_path / "out"
    build([corpus], local, html=False)
    first = build([corpus], out, html=False, cluster=cluster.address)
    assert first.extracted == len(SEED_FILES) and not first.skipped
    assert _quads(out / "store") == _quads(local / "store")
    assert (out / "kg.ttl").read_bytes() == (local / "kg.ttl").read_bytes()
    again = build([corpus], out, html=False, cluster=cluster.address)
    assert again.unchanged and again.extracted == 0  # nothing sent
    changed = corpus / SEED_FILES[0].name
    added = "\n西安高新区新增一家示例科技有限公司。\n"
    changed.write_text(changed.read_text(encoding="utf-8") + added, encoding="utf-8")
    third = build([corpus], out, html=False, cluster=cluster.address)
    build([corpus], local, html=False)
    assert third.extracted == 1  # only the changed file went out
    assert _quads(out / "store") == _quads(local / "store")


def test_cluster_generated_corpus_equals_local_build(cluster, generated, tmp_path):
    from kg.build.pipeline import build

    res = build([generated.corpus], tmp_path / "out", html=False, cluster=cluster.address)
    assert res.extracted == len(SEED_FILES) * COPIES and not res.skipped
    assert _quads(tmp_path / "out" / "store") == _quads(generated.store_path)


def test_cluster_worker_killed_mid_build_costs_a_retry_not_the_build(cluster, generated,
                                                                     tmp_path):
    """A third worker (without a nanny, so it stays dead) is killed with SIGKILL while it
    holds tasks; the scheduler gives them to the other two and the graph is complete."""
    from distributed import Client

    from kg.build.pipeline import build

    before = set(_wait_workers(cluster.address, 2))
    victim = _worker(cluster.address, cluster.logs / "victim.log", nanny=False)
    result: dict[str, object] = {}
    try:
        addr = next(iter(set(_wait_workers(cluster.address, 3)) - before))

        def run() -> None:
            try:
                result["res"] = build([generated.corpus], tmp_path / "out", html=False,
                                      cluster=cluster.address)
            except BaseException as exc:  # noqa: BLE001 - reported by the assertions below
                result["error"] = exc

        thread = threading.Thread(target=run)
        thread.start()
        with Client(cluster.address, timeout=30, set_as_default=False) as watch:
            deadline = time.monotonic() + 60
            while not watch.processing(workers=[addr]).get(addr) and thread.is_alive():
                assert time.monotonic() < deadline, "the victim never got a task"
                time.sleep(0.05)
        os.kill(victim.pid, signal.SIGKILL)
        killed_while_building = thread.is_alive()
        thread.join(120)
    finally:
        _stop(victim)
    assert killed_while_building
    assert "error" not in result, result.get("error")
    res = result["res"]
    assert res.extracted == len(SEED_FILES) * COPIES and not res.skipped  # type: ignore[attr-defined]
    assert _quads(tmp_path / "out" / "store") == _quads(generated.store_path)


def test_cluster_bad_file_is_reported_with_its_path(cluster, tmp_path):
    from kg.build.pipeline import build

    corpus = copy_corpus(tmp_path / "corpus", SEED_FILES[:1], chars=CHARS)
    bad = corpus / "broken.txt"
    bad.write_bytes(bytes(range(256)) * 4)  # decoded on a worker: a binary file
    warned: list[str] = []
    res = build([corpus], tmp_path / "out", html=False, cluster=cluster.address,
                warn=warned.append)
    assert res.documents == 1
    assert [w for w in warned if w.startswith(str(bad))] == res.skipped
    assert "binary file" in res.skipped[0]


def test_cluster_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    import kg.build.cluster as cl
    from kg.cli import cli

    monkeypatch.setattr(cl, "CONNECT_TIMEOUT", 1.0)
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    corpus = copy_corpus(tmp_path / "corpus", SEED_FILES[:1], chars=CHARS)
    t0 = time.monotonic()
    result = CliRunner().invoke(cli, ["build", str(corpus), "-o", str(tmp_path / "out"),
                                      "--no-html", "--cluster", address])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {address}: cannot reach"), lines
    assert time.monotonic() - t0 < 20


def test_cluster_build_into_virtuoso(cluster, seeds_store, seeds_build, tmp_path, virtuoso_url):
    """Workers extract, this process writes each document graph into the SPARQL server."""
    from kg.build.pipeline import build
    from kg.store import open_store

    res = build([seeds_build.corpus], tmp_path / "out", html=False, store_path=virtuoso_url,
                cluster=cluster.address)
    assert res.extracted == len(SEED_FILES) and not res.skipped
    remote = open_store(virtuoso_url)
    try:
        assert _norm_quads(remote) == _norm_quads(seeds_store)
    finally:
        remote.close()


def test_cluster_cache_file_is_what_the_record_cache_writes(nlp, tmp_path):
    """Workers make the record cache's files (kg.build.cluster._cache_file): byte for byte
    what RecordCache.put writes, or a cluster build's cache would differ from a local one's."""
    from kg.build.cluster import _cache_file
    from kg.build.pipeline import RecordCache
    from kg.corpus import read_document
    from kg.extract.extractor import extract_one

    rec = extract_one(read_document(SEED_FILES[0]), nlp)
    cache = RecordCache(tmp_path, "0" * 16)
    cache.put(rec)
    assert [p.read_bytes() for p in tmp_path.rglob("*.json")] == [_cache_file(rec)]


def test_cluster_build_with_dates_equals_local_build(cluster, tmp_path):
    """`--dates` reaches the workers: each document's side-file date travels with it, the
    store equals a local build's under the same date file, and a changed date sends one
    document again (the record cache is keyed by bytes and date)."""
    from kg.build.pipeline import build

    corpus = copy_corpus(tmp_path / "corpus", chars=CHARS)
    undated = [p.name for p in SEED_FILES if not p.name.startswith("003_")]
    dates = {name: f"2024-0{i + 1}-15" for i, name in enumerate(undated)}
    local, out = tmp_path / "local", tmp_path / "out"
    build([corpus], local, html=False, dates=dates)
    first = build([corpus], out, html=False, cluster=cluster.address, dates=dates)
    assert first.extracted == len(SEED_FILES) and not first.skipped
    assert _quads(out / "store") == _quads(local / "store")
    assert "2024-01-15" in (out / "kg.ttl").read_text(encoding="utf-8")
    dates[undated[0]] = "2020-12-31"
    second = build([corpus], out, html=False, cluster=cluster.address, dates=dates)
    build([corpus], local, html=False, dates=dates)
    assert second.extracted == 1
    assert _quads(out / "store") == _quads(local / "store")
    assert "2020-12-31" in (out / "kg.ttl").read_text(encoding="utf-8")
    # the cache files workers made are where a local build looks for them
    assert sorted(p.name for p in (out / "cache").rglob("*.json")) == \
        sorted(p.name for p in (local / "cache").rglob("*.json"))
