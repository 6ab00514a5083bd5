"""Benchmark extraction throughput: MB/s per core end to end, beside two floors.

    python benchmarks/bench_extract.py            # a corpus of about 100 MB
    python benchmarks/bench_extract.py --mb 5     # a quick run

The corpus is written to a temporary directory from seeds/*.txt and tests/gold/extra/*.txt:
every file a variant of one of them, with its own doc id, its digits remapped and its
paragraphs shuffled, so no cache sees the same text twice. Each row then runs in a fresh
process over the same files:

- floor regex: read and decode every file, one regex pass (park and enterprise names);
- floor jieba: read and decode every file, jieba.cut over the text (dictionary loaded first);
- records N job(s): file paths → kg.build.parallel.extract_parallel (N processes, each reading and
  decoding its files, as `kg build` has them do) → DocRecords, nothing more (count: entities
  + relations);
- kg N job(s): the same, and each worker also writes its documents' N-Quads
  (kg.rdf.mapping.nquads_body) to its own file of a kg.store.spool.Spool; the main process writes
  the label
  quads per batch of documents (kg.rdf.mapping.nquads_labels under labels chosen across the batch),
  as a build does (count: quads in the spool's files). This row is end to end (text →
  records → RDF) and the targets are read on it;
- kg + store 2 jobs: the same, then the spool's files bulk-loaded into an Oxigraph store on
  disk by the main process (count: quads in the store). Not part of the targets: the issue
  reads them on text → records → RDF, and this row shows what loading adds;
- kg build 2 jobs (only when asked, `--rows ...,build2`: at 100 MB it takes longer than every
  other row together): `kg build --jobs 2 --no-html` as a user runs it (kg.build.pipeline.build
  into a
  new output directory: records cached, the store written, the derived graphs and kg.ttl;
  count: quads). Not part of the targets either; its peak memory shows whether the build
  streams (it should not grow with the corpus).

MB are megabytes (10^6 bytes) of UTF-8 text; MB/s/core divides by the worker processes.
Peak memory is the row's process plus N times its largest worker (getrusage maxrss). CPU s is
the processor time of the row's process and its workers, so MB/CPU s is the throughput per
busy core whatever else runs on the machine (wall-clock rows suffer from other load).
Targets (issue 8): ≥ 1 MB/s per core end to end, ≥ 1.8× with 2 jobs, peak < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT)]

TARGET_MBS, TARGET_SPEEDUP, TARGET_PEAK_MB = 1.0, 1.8, 2000.0
BATCH = 200  # documents turned into RDF at a time
_NAMES = re.compile(r"[\u4e00-\u9fff]{2,12}(?:高新区|开发区|园区|有限公司|集团|实验室)")


def make_corpus(target: Path, mb: float, *, seed: int = 8) -> int:
    """Write variants of the seed and check texts under `target` until about `mb` MB."""
    from kg.corpus import read_document

    sources = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        (ROOT / "tests" / "gold" / "extra").glob("*.txt"))
    texts = [(p.stem, read_document(p).text) for p in sources]
    rng = random.Random(seed)
    total, n = 0, 0
    while total < mb * 1e6:
        stem, text = texts[n % len(texts)]
        digits = list("0123456789")
        rng.shuffle(digits)
        text = text.translate(str.maketrans("0123456789", "".join(digits)))
        lines = text.split("\n")
        body = lines[1:]
        rng.shuffle(body)  # the first line stays: it is the title
        data = "\n".join(lines[:1] + body).encode("utf-8")
        sub = target / f"{n // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"bench_{n:06d}_{stem}.txt").write_bytes(data)
        total += len(data)
        n += 1
    return total


def _files(corpus: Path) -> list[Path]:
    return sorted(corpus.rglob("*.txt"))


def run_regex(corpus: Path) -> int:
    hits = 0
    for path in _files(corpus):
        hits += len(_NAMES.findall(path.read_bytes().decode("utf-8")))
    return hits


def run_jieba(corpus: Path) -> int:
    import jieba

    words = 0
    for path in _files(corpus):
        words += sum(1 for _ in jieba.cut(path.read_bytes().decode("utf-8")))
    return words


def run_kg(corpus: Path, jobs: int, *, rdf: bool = True, store: Path | None = None) -> int:
    """Extract every file with `jobs` processes; with `rdf`, N-Quads too (into `store`)."""
    from kg.build.parallel import extract_parallel
    from kg.store.spool import Spool

    def warn(msg: str) -> None:
        raise SystemExit(f"bench: {msg}")

    count = 0
    with Spool() as spool:
        batch: list = []  # type: ignore[type-arg]
        for rec in extract_parallel(_files(corpus), jobs, graphs=spool if rdf else None,
                                    text=False, evidence=not rdf, warn=warn):
            if not rdf:
                count += len(rec.entities) + len(rec.relations)
                continue
            batch.append(rec)
            if len(batch) == BATCH:
                _labels(batch, spool)
                batch = []
        if not rdf:
            return count
        if batch:
            _labels(batch, spool)
        files = sorted(spool.root.glob("*.nq"))
        if store is None:  # the graph is the spool's files: count their quads
            for path in files:
                with open(path, "rb") as fh:
                    count += sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20),
                                                                       b""))
            return count
        import pyoxigraph as ox

        db = ox.Store(str(store))
        for path in files:
            db.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        db.flush()
        return len(db)


def _labels(batch: list, spool: Any) -> None:  # type: ignore[type-arg]
    """The label quads of a batch of records, under labels chosen across the batch."""
    from kg.rdf.mapping import label_table, nquads_labels

    labels = label_table(batch)
    spool.put("labels", "".join(nquads_labels(rec, labels) for rec in batch).encode("utf-8"))


def row(stage: str, corpus: Path) -> None:
    """Run one stage in this process and print its measures as JSON.

    Imports and jieba's dictionary load come before the clock starts; building the spaCy
    pipeline (in each worker) is timed, as a build pays it.
    """
    if stage == "jieba":
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
    elif stage != "regex":
        import kg.build.parallel  # noqa: F401
        import kg.nlp.pipeline  # noqa: F401
        import kg.rdf.mapping  # noqa: F401
    t0 = time.perf_counter()
    if stage == "regex":
        count, procs = run_regex(corpus), 1
    elif stage == "jieba":
        count, procs = run_jieba(corpus), 1
    elif stage.startswith("build"):
        from kg.build.pipeline import build

        procs = int(stage[-1])
        with tempfile.TemporaryDirectory(prefix="bench_build_") as tmp:
            count = build([corpus], Path(tmp), jobs=procs, html=False).quads
    else:
        procs = int(stage[-1])
        with tempfile.TemporaryDirectory(prefix="bench_store_") as tmp:
            count = run_kg(corpus, procs, rdf=not stage.startswith("x"),
                           store=Path(tmp) if stage.startswith("st") else None)
    seconds = time.perf_counter() - t0
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    peak = (me.ru_maxrss + (procs * kids.ru_maxrss if procs > 1 else 0)) / 1024
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    print(json.dumps({"seconds": seconds, "procs": procs, "count": count, "peak_mb": peak,
                      "cpu": cpu}))


ROWS = {"regex": "floor regex", "jieba": "floor jieba", "x1": "records 1 job",
        "x2": "records 2 jobs", "kg1": "kg 1 job", "kg2": "kg 2 jobs",
        "st2": "kg + store 2 jobs", "build2": "kg build 2 jobs"}


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    """Make the corpus, run every row in its own process, print the table and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="corpus size in MB (100)")
    default = [r for r in ROWS if r != "build2"]
    parser.add_argument("--rows", default=",".join(default),
                        help=f"rows to run, comma-separated (default: {','.join(default)}; "
                             f"all: {','.join(ROWS)})")
    parser.add_argument("--row", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.row:
        row(args.row, args.corpus)
        return 0
    stages = [r for r in args.rows.split(",") if r]
    unknown = [r for r in stages if r not in ROWS]
    if unknown:
        parser.error(f"unknown rows {unknown}; known: {', '.join(ROWS)}")
    with tempfile.TemporaryDirectory(prefix="bench_extract_") as tmp:
        corpus = Path(tmp)
        size = make_corpus(corpus, args.mb)
        mb = size / 1e6
        print(f"corpus: {len(_files(corpus))} documents, {mb:.1f} MB of UTF-8 text; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (other "
              "processes on the machine take cores from the 2-job rows)", flush=True)
        print(f"{'row':<19}{'seconds':>9}{'MB/s':>8}{'MB/s/core':>11}{'vs kg 1 job':>13}"
              f"{'peak MB':>9}{'CPU s':>8}{'MB/CPU s':>10}  count", flush=True)
        results = {}
        for stage in stages:
            out = subprocess.run([sys.executable, __file__, "--row", stage, "--corpus", tmp],
                                 check=True, capture_output=True, text=True).stdout
            r = results[stage] = json.loads(out.strip().splitlines()[-1])
            rate = mb / r["seconds"]
            ratio = (f"{results['kg1']['seconds'] / r['seconds']:.2f}x" if "kg1" in results
                     else "")
            print(f"{ROWS[stage]:<19}{r['seconds']:>9.1f}{rate:>8.2f}"
                  f"{rate / r['procs']:>11.2f}{ratio:>13}{r['peak_mb']:>9.0f}"
                  f"{r['cpu']:>8.1f}{mb / r['cpu']:>10.2f}  {r['count']}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    if "kg1" in results:
        per_core = mb / results["kg1"]["seconds"]
        print(f"{_verdict(per_core >= TARGET_MBS)}  end to end, 1 job: {per_core:.2f} MB/s per "
              f"core (target >= {TARGET_MBS})")
        for floor in ("regex", "jieba"):
            if floor in results:
                print(f"      floor {floor}: {mb / results[floor]['seconds']:.2f} MB/s, "
                      f"{results['kg1']['seconds'] / results[floor]['seconds']:.1f}x kg 1 job")
    if "kg1" in results and "kg2" in results:
        speedup = results["kg1"]["seconds"] / results["kg2"]["seconds"]
        print(f"{_verdict(speedup >= TARGET_SPEEDUP)}  2 jobs: {speedup:.2f}x the speed of 1 "
              f"job (target >= {TARGET_SPEEDUP}x), {mb / results['kg2']['seconds'] / 2:.2f} "
              "MB/s per core")
    ends = [r["peak_mb"] for k, r in results.items() if k in ("kg1", "kg2")]
    if ends:
        peak = max(ends)
        print(f"{_verdict(peak < TARGET_PEAK_MB)}  peak memory end to end {peak:.0f} MB "
              f"(target < {TARGET_PEAK_MB:.0f} MB; every row: "
              f"{max(r['peak_mb'] for r in results.values()):.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
