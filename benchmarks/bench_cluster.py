"""Benchmark extraction on a local Dask cluster against the process pool: one table.

    python benchmarks/bench_cluster.py              # 20 MB and 100 MB corpora
    python benchmarks/bench_cluster.py --mb 20      # one size
    python benchmarks/bench_cluster.py --load 2000  # Virtuoso's load rate (for docs/cluster.md)

The corpus is bench_extract's (variants of the seed and check texts, each its own document).
Both rows extract it as `kg build` does (file paths in, records and their N-Quads but labels
out into a spool, full records into a record cache, `text=False, evidence=False`), each in a
fresh process:

- pool 2 jobs: kg.build.parallel.extract_parallel with 2 worker processes (`kg build --jobs 2`);
- cluster 2 workers: kg.build.cluster.extract_cluster against a `dask scheduler` and two
  `dask worker --nthreads 1 --no-nanny` processes on 127.0.0.1, started cold for the row (each
  worker builds its pipeline on its first task, as the pool's parent does before it forks).

MB/s/core divides by the 2 extracting processes. CPU s sums the row's process, its workers and,
for the cluster, the scheduler. Overhead/doc is what the cluster costs per document beyond
extracting it: the client's and the scheduler's CPU, and the wall-time difference to the pool.
Peak memory is getrusage's maxrss of the client and of its largest worker. Target (issue 18):
the cluster row's wall time within 10% of the pool's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

DASK = Path(sys.executable).with_name("dask")
TARGET = 0.10  # the cluster's wall time may exceed the pool's by this fraction


def _files(corpus: Path) -> list[Path]:
    return sorted(corpus.rglob("*.txt"))


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _usage() -> tuple[float, float]:
    """This process's CPU seconds and peak memory in MB (run on workers and the scheduler)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def run_row(row: str, corpus: Path, address: str | None) -> dict[str, Any]:
    """Extract every file of `corpus` as a build does; times, CPU and memory of the row."""
    from kg.build.pipeline import RecordCache, fingerprint
    from kg.store.spool import Spool

    load = os.getloadavg()[0]  # other work on the machine slows the wall-clock figures
    files = _files(corpus)
    size = sum(p.stat().st_size for p in files)
    tmp = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    cache = RecordCache(tmp / "cache", fingerprint()[0])

    def warn(msg: str) -> None:
        raise SystemExit(f"bench: {msg}")

    records = 0
    with Spool(tmp) as spool:
        t0, c0 = time.monotonic(), _cpu()
        if row == "pool":
            from kg.build.parallel import extract_parallel

            out = extract_parallel(files, 2, graphs=spool, text=False, evidence=False,
                                   cache=cache, warn=warn)
        else:
            from kg.build.cluster import extract_cluster

            assert address is not None
            out = extract_cluster(files, address, graphs=spool, text=False, evidence=False,
                                  cache=cache, warn=warn)
        for _ in out:
            records += 1
        wall, client_cpu = time.monotonic() - t0, _cpu() - c0
        nq = sum(p.stat().st_size for p in spool.root.glob("*.nq"))
    client_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if row == "pool":
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers_cpu, worker_mb = kids.ru_utime + kids.ru_stime, kids.ru_maxrss / 1024
        sched_cpu = 0.0
    else:
        from distributed import Client

        with Client(address, set_as_default=False) as client:
            usage = client.run(_usage)
            sched_cpu = client.run_on_scheduler(_usage)[0]
        workers_cpu = sum(u[0] for u in usage.values())
        worker_mb = max(u[1] for u in usage.values())
    return {"row": row, "load": load, "docs": records, "mb": size / 1e6, "wall": wall,
            "nq_mb": nq / 1e6,
            "client_cpu": client_cpu, "workers_cpu": workers_cpu, "sched_cpu": sched_cpu,
            "client_mb": client_mb, "worker_mb": worker_mb}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cluster(logs: Path) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """A cold scheduler and two single-threaded workers on 127.0.0.1."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = []
    for name, args in [("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(port),
                                      "--no-dashboard"]),
                       *[(f"worker{i}", ["worker", address, "--nworkers", "1", "--nthreads", "1",
                                         "--no-nanny", "--host", "127.0.0.1", "--no-dashboard"])
                         for i in (1, 2)]]:
        with open(logs / f"{name}.log", "wb") as fh:
            procs.append(subprocess.Popen([str(DASK), *args], stdout=fh,
                                          stderr=subprocess.STDOUT, env=env, cwd=ROOT))
    from distributed import Client

    with Client(address, timeout=60, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
    return address, procs


def _row(row: str, corpus: Path, logs: Path) -> dict[str, Any]:
    procs: list[subprocess.Popen[bytes]] = []
    address = None
    try:
        if row == "cluster":
            address, procs = _cluster(logs)
        cmd = [sys.executable, __file__, "--row", row, "--corpus", str(corpus)]
        out = subprocess.run(cmd + (["--address", address] if address else []),
                             capture_output=True, text=True, check=False)
        if out.returncode:
            raise SystemExit(f"bench: row {row} failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        for proc in reversed(procs):  # workers first: a worker without its scheduler lingers
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def run_load(docs: int) -> None:
    """Virtuoso's load rate on this machine (tests/virtuoso.py): `docs` synthetic documents'
    N-Quads (benchmarks/synthetic.py) through its bulk loader, and a tenth of them through
    kg's own per-document SPARQL writes (kg.store.remote.RemoteStore.write), as a build does."""
    sys.path.insert(0, str(ROOT / "tests"))
    import synthetic
    import virtuoso

    from kg.rdf.mapping import graph_iri
    from kg.store import Changes, open_store

    reason = virtuoso.missing()
    if reason:
        raise SystemExit(f"bench: {reason}")
    with tempfile.TemporaryDirectory(prefix="bench-cluster-virtuoso-") as tmp:
        root = Path(tmp)
        data = root / "bulk" / "docs.nq"
        data.parent.mkdir()
        with open(data, "wb") as fh:
            for chunk in synthetic.nquads(docs):
                fh.write(chunk)
        quads = sum(1 for line in open(data, "rb") if line.strip())
        server = virtuoso.start(root / "db")
        try:
            server.isql("checkpoint;")
            empty_mb = sum(p.stat().st_size for p in (root / "db").glob("*.db")) / 1e6
            t0 = time.perf_counter()
            server.isql(f"ld_dir('{data.parent}', 'docs.nq', 'urn:unused');")
            server.isql("rdf_loader_run();", timeout=3600)
            server.isql("checkpoint;", timeout=3600)
            bulk_s = time.perf_counter() - t0
            db_mb = sum(p.stat().st_size for p in (root / "db").glob("*.db")) / 1e6
            few = max(1, docs // 10)
            by_graph: dict[str, list[bytes]] = {}
            for rec in synthetic.records(few, seed=8):
                body = synthetic_body(rec)
                by_graph.setdefault(str(graph_iri(rec.doc_id)) + "-sparql", []).append(body)
            add = {g: b"".join(parts) for g, parts in by_graph.items()}
            few_quads = sum(v.count(b"\n") for v in add.values())
            store = open_store(server.sparql, writable=True)
            t0 = time.perf_counter()
            store.write(Changes(add=add))  # type: ignore[arg-type]
            sparql_s = time.perf_counter() - t0
            store.close()
        finally:
            server.stop()
    print(f"virtuoso bulk loader: {quads:,} quads in {bulk_s:.1f} s = {quads / bulk_s:,.0f} "
          f"quads/s; database files {empty_mb:.0f} MB empty, {db_mb:.0f} MB loaded = "
          f"{(db_mb - empty_mb) * 1e6 / quads:.0f} bytes/quad")
    print(f"kg's SPARQL writes (per document graph, batches of 500): {few_quads:,} quads of "
          f"{few} documents in {sparql_s:.1f} s = {few_quads / sparql_s:,.0f} quads/s "
          f"(with the merged-graph copy and the statistics update of a build)")


def synthetic_body(rec: Any) -> bytes:
    """A synthetic record's N-Quads but labels, as a worker sends them back."""
    from kg.rdf.mapping import nquads_body

    return nquads_body(rec).encode("utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, action="append", help="corpus size (repeatable)")
    ap.add_argument("--row", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--address", help=argparse.SUPPRESS)
    ap.add_argument("--load", type=int, metavar="DOCS",
                    help="instead: Virtuoso's load rate for DOCS synthetic documents")
    args = ap.parse_args()
    if args.load:
        run_load(args.load)
        return
    if args.row:
        print(json.dumps(run_row(args.row, args.corpus, args.address)))
        return
    from bench_extract import make_corpus

    print(f"{'MB':>5} {'row':<18} {'docs':>6} {'wall s':>7} {'MB/s/core':>9} {'CPU s':>7} "
          f"{'MB/CPU s':>8} "
          f"{'client ms/doc':>13} {'sched ms/doc':>12} {'Δwall ms/doc':>12} "
          f"{'client MB':>9} {'worker MB':>9}")
    for mb in args.mb or [20.0, 100.0]:
        with tempfile.TemporaryDirectory(prefix="bench-cluster-corpus-") as tmp:
            corpus, logs = Path(tmp) / "corpus", Path(tmp) / "logs"
            corpus.mkdir()
            logs.mkdir()
            make_corpus(corpus, mb)
            rows = {row: _row(row, corpus, logs) for row in ("pool", "cluster")}
        for name, r in rows.items():
            label = "pool 2 jobs" if name == "pool" else "cluster 2 workers"
            cpu = r["client_cpu"] + r["workers_cpu"] + r["sched_cpu"]
            delta = (r["wall"] - rows["pool"]["wall"]) / r["docs"] * 1000
            print(f"{r['mb']:5.0f} {label:<18} {r['docs']:6d} {r['wall']:7.1f} "
                  f"{r['mb'] / r['wall'] / 2:9.2f} {cpu:7.1f} {r['mb'] / cpu:8.2f} "
                  f"{r['client_cpu'] / r['docs'] * 1000:13.2f} "
                  f"{r['sched_cpu'] / r['docs'] * 1000:12.2f} {delta:12.2f} "
                  f"{r['client_mb']:9.0f} {r['worker_mb']:9.0f}")
        ratio = rows["cluster"]["wall"] / rows["pool"]["wall"] - 1
        cpus = [r["client_cpu"] + r["workers_cpu"] + r["sched_cpu"] for r in rows.values()]
        print(f"{'':5} cluster vs pool: {ratio:+.1%} wall time (target ≤ +{TARGET:.0%}: "
              f"{'met' if ratio <= TARGET else 'NOT met'}), {cpus[1] / cpus[0] - 1:+.1%} CPU "
              f"time; load average before the rows {rows['pool']['load']:.1f}")


if __name__ == "__main__":
    main()
