"""What the issue-16 fields cost the RDF mapping: N-Quads of the same records with and without
their articles, fact times and observations, in one run.

    python benchmarks/bench_time_rdf.py            # the seeds and the gold texts, 20 rounds
    python benchmarks/bench_time_rdf.py --rounds 5

The records are those `kg extract` prints for the seeds and the gold folders (one process,
read back with kg.extract.records.read_jsonl). The baseline row maps the same records with the
new fields removed, which is what the mapping did before issue 16; the other row maps them
whole. Target: the mapping of the whole records within 25% of the baseline per record, since
it runs in every extraction worker.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract.records import DocRecord, read_jsonl  # noqa: E402
from kg.rdf.mapping import nquads_body  # noqa: E402

FOLDERS = ["seeds", "tests/gold/extra", "tests/gold/blind", "tests/gold/heldout",
           "tests/gold/final"]


def _plain(rec: DocRecord) -> DocRecord:
    relations = [dataclasses.replace(r, time=None) for r in rec.relations]
    return dataclasses.replace(rec, relations=relations, articles=[], observations=[], times=[])


def _rate(records: list[DocRecord], rounds: int) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(rounds):
        started = time.perf_counter()
        size = sum(len(nquads_body(r)) for r in records)
        best = min(best, time.perf_counter() - started)
    return best, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print("extracting the seeds and gold texts…", file=sys.stderr)
    out = subprocess.run([sys.executable, "-m", "kg", "extract", *FOLDERS], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    whole = list(read_jsonl(out.splitlines(), source="kg extract"))
    plain = [_plain(r) for r in whole]
    facts = sum(1 for r in whole for rel in r.relations if rel.time is not None)
    print(f"{len(whole)} records: {sum(len(r.articles) for r in whole)} articles, {facts} dated "
          f"facts, {sum(len(r.observations) for r in whole)} observations; best of "
          f"{args.rounds} rounds")
    base_s, base_bytes = _rate(plain, args.rounds)
    full_s, full_bytes = _rate(whole, args.rounds)
    print(f"{'mapping':<32}{'ms':>8}{'µs/record':>11}{'N-Quads kB':>12}")
    for name, s, size in (("baseline: without the new fields", base_s, base_bytes),
                          ("with articles, times, figures", full_s, full_bytes)):
        print(f"{name:<32}{s * 1000:>8.1f}{s / len(whole) * 1e6:>11.0f}{size / 1000:>12.0f}")
    print(f"cost: {100 * (full_s / base_s - 1):+.0f}% time for "
          f"{100 * (full_bytes / base_bytes - 1):+.0f}% quads text")


if __name__ == "__main__":
    main()
