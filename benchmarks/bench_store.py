"""Benchmark the stores: load time, peak memory and median latency of every stored query.

    python benchmarks/bench_store.py                 # 100k and 1M triples, every store found
    python benchmarks/bench_store.py --sizes 100000  # one size only

A synthetic corpus shaped like ours (benchmarks/synthetic.py, RDF made by kg.rdf) is written
once per size; each store then loads it in its own process, the way kg does (document graphs,
the merged graph, the build-time stats and sort keys), and runs every stored query in queries/:
rdflib in memory, embedded Oxigraph on disk (kg's default), and Virtuoso when Debian's
virtuoso-opensource is installed (started from tests/virtuoso.py on 127.0.0.1, loaded with its
bulk loader, queried over HTTP). Each query is timed twice: its first page, which is what
`kg query NAME` shows (the page size its header declares, and the check for a next page), and
its whole answer (`--limit 0`). Latency is the median of repeated runs after one warm-up run;
rdflib's queries, seconds each at 1M triples, are run and timed once. rdflib parses the finished
dataset Oxigraph wrote (computing the stats with rdflib's SPARQL engine takes many minutes at
1M triples), so its load time is a parse, not a build. The targets of issue 4 (embedded store,
1M triples) are checked at the end of each size: PASS or FAIL.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE), str(ROOT / "tests")]

QUADS_PER_DOC = 1120  # what synthetic.records gives, measured
TARGET_MS, TARGET_SPEEDUP, TARGET_LOAD_S = 100.0, 10.0, 60.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_ms(run, *, budget_s: float, max_runs: int) -> float:  # type: ignore[no-untyped-def]
    """Median milliseconds of `run()` (already run once: the warm-up): at least 3 runs, and
    more while within the time budget."""
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < max_runs and (len(times) < 3 or time.perf_counter() - start < budget_s):
        t = time.perf_counter()
        run()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _time_queries(store, params: dict[str, str], *,  # type: ignore[no-untyped-def]
                  budget_s: float, max_runs: int, slow: bool = False
                  ) -> dict[str, dict[str, float]]:
    """Every stored query's first page and whole answer: median ms and row counts. A slow
    store (rdflib, seconds a query at 1M triples) runs each once, the first run timed."""
    from kg.queries import run_page, stored_queries

    def timed(run):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        result = run()
        return result, (time.perf_counter() - t) * 1000

    out = {}
    for name, q in stored_queries().items():
        p = {k: params[k] for k, v in q.params.items() if v.required}
        page, whole = (lambda q=q, p=p: run_page(store, q, p, limit=q.page_size),
                       lambda q=q, p=p: run_page(store, q, p))
        (first, page_ms), (every, all_ms) = timed(page), timed(whole)
        if not slow:
            page_ms = _median_ms(page, budget_s=budget_s, max_runs=max_runs)
            all_ms = _median_ms(whole, budget_s=budget_s, max_runs=max_runs)
        out[name] = {"page_ms": page_ms, "page_rows": len(first.rows), "more": first.more,
                     "all_ms": all_ms, "all_rows": len(every.rows)}
    return out


def _params(store) -> dict[str, str]:
    """A real park label (the best-connected park) for every required parameter."""
    from kg.queries import load_query, run_query

    rows = run_query(store, load_query("parks-ranked"))[1]
    return {"park": rows[0][0].value, "name": rows[0][0].value}


def worker(backend: str, data: Path, tmp: Path) -> dict[str, object]:
    """Load `data` (document graphs as N-Quads) into one store and time the stored queries.

    A Virtuoso started here is stopped on any exit (tests/virtuoso.py registers it atexit).
    """
    from kg.store import Changes, export, load_nquads, open_store

    raw = data.read_bytes()
    extra_mb = 0.0
    server = None
    t0 = time.perf_counter()
    if backend == "rdflib":
        # kg's own write path would compute the stats with rdflib's SPARQL engine (minutes at
        # 1M triples); load the finished graph (documents + stats) that Oxigraph wrote instead
        store = open_store("memory")
        _rdflib_load(store, data.with_suffix(".final.nq").read_bytes())
    elif backend == "oxigraph":
        store = open_store(tmp / "store", writable=True)
        load_nquads(store, raw, reset=True)
        store.close()
        t_written = time.perf_counter()
        store = open_store(tmp / "store")  # reopened read-only, as `kg query` does
        with open(data.with_suffix(".final.nq"), "wb") as fh:
            export(store, "nq", fh)
    else:
        import virtuoso

        from kg.store import MERGED_GRAPH

        server = virtuoso.start(tmp / "virtuoso")
        t0 = time.perf_counter()
        (tmp / "virtuoso" / "docs.nq").write_bytes(raw)
        _merged_ntriples(raw, tmp / "virtuoso" / "merged.nt")
        server.isql(f"ld_dir('{tmp / 'virtuoso'}', 'docs.nq', 'urn:unused');")
        server.isql(f"ld_dir('{tmp / 'virtuoso'}', 'merged.nt', '{MERGED_GRAPH}');")
        server.isql("rdf_loader_run();")
        server.isql("checkpoint;")
        store = open_store(server.sparql, writable=True)
        store.write(Changes())  # the build-time stats, by kg's own SPARQL updates
        store.close()
        store = open_store(server.sparql)
    load_s = time.perf_counter() - t0
    if backend == "oxigraph":
        load_s = t_written - t0
    quads = sum(1 for _ in store.quads(merged=False)) if backend == "oxigraph" else None
    params = _params(store)
    slow = backend == "rdflib"
    times = _time_queries(store, params, budget_s=1.0, max_runs=30, slow=slow)
    if server is not None:
        status = Path(f"/proc/{server.process.pid}/status").read_text()
        extra_mb = next(int(ln.split()[1]) for ln in status.splitlines()
                        if ln.startswith("VmHWM")) / 1024
        server.stop()
    return {"load_s": load_s, "peak_mb": _peak_mb() + extra_mb, "quads": quads,
            "queries": times, "params": params}


def _rdflib_load(store, nquads: bytes) -> None:  # type: ignore[no-untyped-def]
    """Parse a finished dataset into kg's rdflib store: its named graphs and the merged graph."""
    from kg.store import _default

    store.ds.parse(data=nquads.decode("utf-8"), format="nquads")
    merged = _default(store.ds)
    for s, p, o, _ in list(store.ds.quads((None, None, None, None))):
        merged.add((s, p, o))


def _merged_ntriples(nquads: bytes, path: Path) -> None:
    import pyoxigraph as ox

    with open(path, "wb") as fh:
        ox.serialize((q.triple for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)), fh,
                     ox.RdfFormat.N_TRIPLES)


def generate(size: int, folder: Path) -> tuple[Path, int]:
    """Write the synthetic corpus of about `size` quads; its path and document count."""
    import synthetic

    docs = max(1, round(size / QUADS_PER_DOC))
    path = folder / f"synthetic-{size}.nq"
    with open(path, "wb") as fh:
        for chunk in synthetic.nquads(docs):
            fh.write(chunk)
    return path, docs


def _available() -> list[str]:
    import virtuoso

    backends = ["rdflib", "oxigraph"]
    reason = virtuoso.missing()
    if reason is None:
        backends.append("virtuoso")
    else:
        print(f"(virtuoso skipped: {reason})", file=sys.stderr)
    return backends


def _run_worker(backend: str, data: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{backend}-") as tmp:
        proc = subprocess.run([sys.executable, __file__, "--worker", backend, str(data), tmp],
                              capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{backend} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(size: int, docs: int, results: dict[str, dict]) -> str:  # type: ignore[type-arg]
    """The comparison table of one size: a row per measure, a column per store, and ratios
    (store / embedded Oxigraph: above 1× the embedded store is faster)."""
    names = list(results)
    base = "oxigraph"
    ratio_cols = [n for n in names if n != base]
    head = ["", *names, *(f"{n}/{base}" for n in ratio_cols)]
    quads = results[base]["quads"]

    def row(label: str, values: list[float], fmt: str) -> list[str]:
        by = dict(zip(names, values, strict=True))
        return [label, *(format(v, fmt) for v in values),
                *(f"{by[n] / by[base]:.1f}×" if by[base] else "-" for n in ratio_cols)]

    rows: list[list[str]] = [
        row("load (s)", [results[n]["load_s"] for n in names], ".1f"),
        row("peak memory (MB)", [results[n]["peak_mb"] for n in names], ".0f"),
    ]
    queries = results[base]["queries"]
    for part, key, title in (("page", "page_ms", "first page (what `kg query NAME` shows), ms"),
                             ("all", "all_ms", "whole answer (--limit 0), ms")):
        rows.append([title])
        for q, m in queries.items():
            count = f"{m['page_rows']}{'+' if m['more'] else ''}" if part == "page" \
                else f"{m['all_rows']}"
            rows.append(row(f"  {q} ({count} rows)",
                            [results[n]["queries"][q][key] for n in names], ".1f"))
    widths = [max(len(r[i]) for r in [head, *rows] if len(r) > 1) for i in range(len(head))]
    lines = [f"{size:,} triples: {docs} documents, {quads:,} quads "
             f"(document graphs, stats and sort keys); park = {results[base]['params']['park']}"]
    lines.append("  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                           for i, (h, w) in enumerate(zip(head, widths, strict=True))))
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        if len(r) == 1:
            lines.append(r[0])
            continue
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return "\n".join(lines)


def verdict(results: dict[str, dict]) -> str:  # type: ignore[type-arg]
    """The issue's targets for the embedded store, each on one PASS or FAIL line."""
    ox = results["oxigraph"]
    pages = {q: m["page_ms"] for q, m in ox["queries"].items()}

    def line(ok: bool, text: str) -> str:
        return f"{'PASS' if ok else 'FAIL'}  {text}"

    slowest = max(pages, key=pages.__getitem__)
    out = [line(pages[slowest] < TARGET_MS,
                f"every stored query under {TARGET_MS:.0f} ms on the embedded store "
                f"(first page; slowest {slowest} {pages[slowest]:.1f} ms)")]
    if "rdflib" in results:
        ratios = {q: results["rdflib"]["queries"][q]["page_ms"] / ms for q, ms in pages.items()}
        least = min(ratios, key=ratios.__getitem__)
        out.append(line(ratios[least] >= TARGET_SPEEDUP,
                        f"at least {TARGET_SPEEDUP:.0f}× faster than rdflib in memory on every "
                        f"stored query (least {least} {ratios[least]:.1f}×, median "
                        f"{statistics.median(ratios.values()):.0f}×)"))
    else:
        out.append("FAIL  at least 10× faster than rdflib: rdflib was not run")
    out.append(line(ox["load_s"] < TARGET_LOAD_S,
                    f"load under {TARGET_LOAD_S:.0f} s ({ox['load_s']:.1f} s)"))
    return "\n".join(out)


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def main() -> None:
    """Parse arguments and print one table per size."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000",
                    help="comma-separated triple counts (default: 100000,1000000)")
    ap.add_argument("--stores", default=None,
                    help="comma-separated subset of rdflib,oxigraph,virtuoso")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        backend, data, tmp = args.worker
        print(json.dumps(worker(backend, Path(data), Path(tmp)), ensure_ascii=False))
        return
    backends = _available()
    if args.stores:
        wanted = args.stores.split(",")
        backends = [b for b in backends if b in wanted] or backends
    if "oxigraph" not in backends:
        backends.insert(0, "oxigraph")
    print(f"parks-kg store benchmark: {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}, pyoxigraph {_version('pyoxigraph')}, rdflib "
          f"{_version('rdflib')}; medians after one warm-up run\n")
    with tempfile.TemporaryDirectory(prefix="bench-data-") as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            t = time.perf_counter()
            data, docs = generate(size, Path(folder))
            print(f"(generated {size:,} triples in {time.perf_counter() - t:.0f} s)",
                  file=sys.stderr)
            order = ["oxigraph"] + [b for b in backends if b != "oxigraph"]  # rdflib needs its file
            results = {b: _run_worker(b, data) for b in order}
            results = {b: results[b] for b in backends}
            print(table(size, docs, results))
            print(f"targets (issue 4, set for 1,000,000 triples), at {size:,} triples:")
            print(verdict(results))
            print()


if __name__ == "__main__":
    main()
