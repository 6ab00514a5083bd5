"""What dates and park figures (issue 16) cost extraction: CPU ms per document and KB/CPU s,
with and without them, on the same documents in the same run.

    python benchmarks/bench_dates.py              # the seeds and the gold texts, 5 rounds
    python benchmarks/bench_dates.py --rounds 20  # steadier figures

Rows (one process, documents decoded once before timing):
- baseline: the pipeline without pk_indicators, records without articles or fact times, as
  extraction was before issue 16;
- issue 16: `kg.extract.extractor.extract_one`: articles and their dates, pk_indicators, the
  time of every relation.
The real-news texts are added when tests/real/texts holds them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kg.corpus import read_document
from kg.extract.extractor import extract_one, to_record
from kg.nlp.pipeline import annotate, build_nlp

ROOT = Path(__file__).resolve().parent.parent


def documents() -> list:
    """The seeds, the gold texts and, when present, the real-news texts, decoded."""
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests/gold").rglob("*.txt"))
    paths += sorted((ROOT / "tests/real/texts").glob("*.txt"))
    return [read_document(p) for p in paths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    docs = documents()
    kb = sum(len(d.text.encode("utf-8")) for d in docs) / 1000
    full = build_nlp()
    base = build_nlp()
    base.remove_pipe("pk_indicators")
    rows = {"baseline": lambda d: to_record(annotate(base, d.text), d),
            "issue 16": lambda d: extract_one(d, full)}
    for run in rows.values():  # warm up: dictionaries, rules, caches
        run(docs[0])
    print(f"{len(docs)} documents, {kb:.0f} KB, {args.rounds} rounds")
    print(f"{'row':10}{'ms/doc':>9}{'KB/CPU s':>10}")
    took = {}
    for name, run in rows.items():
        start = time.process_time()
        for _ in range(args.rounds):
            for d in docs:
                run(d)
        took[name] = (time.process_time() - start) / args.rounds
        print(f"{name:10}{1000 * took[name] / len(docs):9.2f}{kb / took[name]:10.0f}")
    print(f"issue 16 costs {100 * (took['issue 16'] / took['baseline'] - 1):+.1f}% CPU")


if __name__ == "__main__":
    main()
