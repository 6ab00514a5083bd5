"""Agreement of two annotations of the same texts: one scored against the other with kg's scorer.

    python scripts/agreement.py FIRST.jsonl SECOND.jsonl

Only documents in both files count. F1 is symmetric in which annotation is called gold (swapping
them swaps precision and recall), so the figure is the agreement the issue on real reporting
asks for; per-type and per-relation rows show where annotators differ.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.extract.evaluate import format_report, score
from kg.extract.records import read_jsonl


def read(path: Path) -> dict:
    """Records of a JSONL annotation file by doc_id."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {rec.doc_id: rec for rec in read_jsonl(lines, source=str(path))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    args = parser.parse_args()
    first, second = read(args.first), read(args.second)
    both = sorted(first.keys() & second.keys())
    print(f"{len(both)} documents annotated twice")
    report = score([second[d] for d in both], [first[d] for d in both])
    print(format_report(report))


if __name__ == "__main__":
    main()
