"""What staging and publishing each document costs a build into Virtuoso: one table.

    python benchmarks/bench_remote_write.py            # 3 rounds
    python benchmarks/bench_remote_write.py --rounds 5

Starts Debian's Virtuoso on 127.0.0.1 (tests/virtuoso.py), makes the record caches of the
seeds and of a 40-document corpus (the seeds' first 1,500 characters under 8 names each, and a
version B of it with one sentence appended to every document), then times `kg build --store
http://…` from those caches (no extraction: the time is the store's) three ways per round:

- seeds: the 5 seed documents into an empty store;
- 40 docs: the 40-document corpus into an empty store;
- 40 docs replaced: version B over A, every document graph replaced.

Each is timed with the write before this change (baseline: a document's graph and its copy in
the merged graph dropped, then its triples inserted into both in batches, in place) and with
the staged write (its triples into a staging graph, then one operation that swaps it in, inside
a publish counter's window). Rows give the median of the rounds, in seconds, and the ratio.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE), str(ROOT / "tests")]

ADDED = "\n西安高新区新增一家示例科技有限公司。\n"


def _baseline_put(self, graph: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """The write before staging: drop the old graph, insert the new one in place."""
    from kg.rdf.graphs import MERGED_GRAPH
    from kg.store.base import _parse_nquads

    self._drop(graph)
    quads = _parse_nquads(data)
    for i in range(0, len(quads), self.batch):
        triples = " ".join(f"{q.subject} {q.predicate} {q.object} ."
                           for q in quads[i : i + self.batch])
        self._update(f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} "
                     f"GRAPH <{MERGED_GRAPH}> {{ {triples} }} }}")


def _corpora(tmp: Path) -> dict[str, Path]:
    """The seeds, and versions A and B of the 40-document corpus, each with its record cache
    (built locally once) in an out folder next to it."""
    from helpers import SEED_FILES, copy_corpus

    from kg.build.pipeline import build

    seeds = copy_corpus(tmp / "seeds")
    a, b = tmp / "a", tmp / "b"
    a.mkdir()
    b.mkdir()
    for path in SEED_FILES:
        text = path.read_text(encoding="utf-8")[:1500]
        for i in range(8):
            (a / f"{path.stem}_{i:02d}.txt").write_text(text, encoding="utf-8")
            (b / f"{path.stem}_{i:02d}.txt").write_text(text + ADDED, encoding="utf-8")
    for corpus in (seeds, a, b):
        print(f"records of {corpus.name} …", file=sys.stderr)
        build([corpus], tmp / f"cache_{corpus.name}", html=False, jobs=2)
    return {"seeds": seeds, "a": a, "b": b}


def _timed_build(url: str, corpus: Path, out: Path, cache_of: Path) -> float:
    from kg.build.pipeline import build

    shutil.rmtree(out / "cache", ignore_errors=True)
    shutil.copytree(cache_of / "cache", out / "cache")
    t0 = time.perf_counter()
    res = build([corpus], out, html=False, store_path=url, prune=True)
    dt = time.perf_counter() - t0
    assert res.extracted == 0, "the bench times the store, not extraction"
    return dt


def _reset(url: str) -> None:
    from kg.store import Changes, open_store

    store = open_store(url)
    store.break_lock()
    store.write(Changes(reset=True))


def _round(url: str, tmp: Path, corpora: dict[str, Path]) -> dict[str, float]:
    out = tmp / "out"
    times = {}
    _reset(url)
    shutil.rmtree(out, ignore_errors=True)
    times["seeds"] = _timed_build(url, corpora["seeds"], out, tmp / "cache_seeds")
    _reset(url)
    shutil.rmtree(out, ignore_errors=True)
    times["40 docs"] = _timed_build(url, corpora["a"], out, tmp / "cache_a")
    times["40 docs replaced"] = _timed_build(url, corpora["b"], out, tmp / "cache_b")
    return times


def main() -> None:
    """Print the table: median seconds per case, baseline against staged, and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import virtuoso as vt

    from kg.store.remote import RemoteStore

    reason = vt.missing()
    if reason:
        sys.exit(reason)
    staged_put = RemoteStore._put
    with tempfile.TemporaryDirectory(prefix="bench_remote_") as name:
        tmp = Path(name)
        server = vt.start(tmp / "virtuoso")
        try:
            corpora = _corpora(tmp)
            got: dict[str, dict[str, list[float]]] = {"baseline": {}, "staged": {}}
            for r in range(args.rounds):
                for how, put in (("baseline", _baseline_put), ("staged", staged_put)):
                    RemoteStore._put = put  # type: ignore[method-assign]
                    try:
                        for case, dt in _round(server.sparql, tmp, corpora).items():
                            got[how].setdefault(case, []).append(dt)
                    finally:
                        RemoteStore._put = staged_put  # type: ignore[method-assign]
                    print(f"round {r + 1}/{args.rounds} {how} done", file=sys.stderr)
        finally:
            server.stop()
    print(f"| case ({args.rounds} rounds, median) | baseline s | staged s | staged / baseline |")
    print("| --- | --- | --- | --- |")
    for case in got["baseline"]:
        base = statistics.median(got["baseline"][case])
        staged = statistics.median(got["staged"][case])
        print(f"| {case} | {base:.2f} | {staged:.2f} | {staged / base:.2f} |")


if __name__ == "__main__":
    main()
