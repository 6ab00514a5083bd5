"""Benchmark extraction throughput: MB/s per core end to end, beside two floors.

    python benchmarks/bench_extract.py            # a corpus of about 100 MB
    python benchmarks/bench_extract.py --mb 5     # a quick run

The corpus is written to a temporary directory from seeds/*.txt and tests/gold/extra/*.txt:
every file a variant of one of them, with its own doc id, its digits remapped and its
paragraphs shuffled, so no cache sees the same text twice. Each row then runs in a fresh
process over the same files:

- floor regex: read and decode every file, one regex pass (park and enterprise names);
- floor jieba: read and decode every file, jieba.cut over the text (dictionary loaded first);
- records N job(s): kg.pipeline.read_documents → kg.parallel.extract_parallel (N processes)
  → DocRecords, nothing more (count: entities + relations);
- kg N job(s): the same, then records → N-Quads through kg.rdf.to_graph in the main process,
  per batch of documents, as a build does (count: quads). This row is end to end.

MB are megabytes (10^6 bytes) of UTF-8 text; MB/s/core divides by the processes working.
Peak memory is the row's process plus N times its largest worker (getrusage maxrss).
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


def run_kg(corpus: Path, jobs: int, *, rdf: bool = True) -> int:
    from kg.parallel import extract_parallel
    from kg.pipeline import read_documents
    from kg.rdf import entity_labels, to_graph

    def warn(msg: str) -> None:
        raise SystemExit(f"bench: {msg}")

    quads = 0
    batch = []
    for rec in extract_parallel(read_documents([corpus], warn), jobs):
        if not rdf:
            quads += len(rec.entities) + len(rec.relations)
            continue
        batch.append(rec)
        if len(batch) == BATCH:
            quads += _nquads(batch, to_graph, entity_labels)
            batch = []
    if batch:
        quads += _nquads(batch, to_graph, entity_labels)
    return quads


def _nquads(records: list, to_graph, entity_labels) -> int:  # type: ignore[no-untyped-def,type-arg]
    data = to_graph(records, labels=entity_labels(records)).serialize(format="nquads")
    return data.count("\n")


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
        import kg.nlp  # noqa: F401
        import kg.parallel  # noqa: F401
        import kg.rdf  # noqa: F401
    t0 = time.perf_counter()
    if stage == "regex":
        count, procs = run_regex(corpus), 1
    elif stage == "jieba":
        count, procs = run_jieba(corpus), 1
    else:
        procs = int(stage[-1])
        count = run_kg(corpus, procs, rdf=stage.startswith("kg"))
    seconds = time.perf_counter() - t0
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    peak = self_mb + (procs * child_mb if procs > 1 else 0)
    print(json.dumps({"seconds": seconds, "procs": procs, "count": count, "peak_mb": peak}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="corpus size in MB (100)")
    parser.add_argument("--row", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.row:
        row(args.row, args.corpus)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench_extract_") as tmp:
        corpus = Path(tmp)
        size = make_corpus(corpus, args.mb)
        mb = size / 1e6
        print(f"corpus: {len(_files(corpus))} documents, {mb:.1f} MB of UTF-8 text; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (other "
              "processes on the machine take cores from the 2-job rows)", flush=True)
        print(f"{'row':<16}{'seconds':>9}{'MB/s':>8}{'MB/s/core':>11}{'peak MB':>9}  count",
              flush=True)
        results = {}
        labels = {"regex": "floor regex", "jieba": "floor jieba", "x1": "records 1 job",
                  "x2": "records 2 jobs", "kg1": "kg 1 job", "kg2": "kg 2 jobs"}
        for stage in labels:
            out = subprocess.run([sys.executable, __file__, "--row", stage, "--corpus", tmp],
                                 check=True, capture_output=True, text=True).stdout
            r = results[stage] = json.loads(out.strip().splitlines()[-1])
            rate = mb / r["seconds"]
            print(f"{labels[stage]:<16}{r['seconds']:>9.1f}{rate:>8.2f}"
                  f"{rate / r['procs']:>11.2f}{r['peak_mb']:>9.0f}  {r['count']}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    per_core = mb / results["kg1"]["seconds"]
    speedup = results["kg1"]["seconds"] / results["kg2"]["seconds"]
    peak = max(r["peak_mb"] for r in results.values())
    print(f"targets: {per_core:.2f} MB/s per core (>= {TARGET_MBS}: "
          f"{'met' if per_core >= TARGET_MBS else 'NOT met'}); {speedup:.2f}x with 2 jobs "
          f"(>= {TARGET_SPEEDUP}: {'met' if speedup >= TARGET_SPEEDUP else 'NOT met'}); "
          f"peak {peak:.0f} MB (< {TARGET_PEAK_MB:.0f}: "
          f"{'met' if peak < TARGET_PEAK_MB else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
