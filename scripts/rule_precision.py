"""Measure each rule's precision on the real-news development set into kg/data/rule-precision.csv.

    python scripts/rule_precision.py           # needs the local texts (real_corpus.py check)
    python scripts/rule_precision.py --check   # exit 1 when the shipped table differs

Every fact the build writes carries its rule's figure as `pk:confidence` on its evidence, so
a researcher can keep only facts whose rule was right at least, say, 90% of the time on real
news. The figure is smoothed, (correct + 1) / (fired + 2), so a rule that fired twice and was
right twice reads 0.75, not 1.0; rules that never fired on the development set are not listed
and their facts carry no confidence.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from real_corpus import TEXTS, gold_lines  # noqa: E402

from kg.build.pipeline import extract_records  # noqa: E402
from kg.extract.evaluate import score  # noqa: E402
from kg.extract.records import read_jsonl  # noqa: E402

TABLE = ROOT / "kg" / "data" / "rule-precision.csv"
FIELDS = ("rule", "confidence", "correct", "fired")


def measure() -> str:
    """The table as CSV text: one row per rule that fired on the development texts."""
    lines = [line for line in gold_lines("dev")
             if (TEXTS / f"{json.loads(line)['doc_id']}.txt").exists()]
    if not lines:
        sys.exit(f"no development texts under {TEXTS}: see tests/real/README.md")
    gold = list(read_jsonl(lines, source="tests/real/gold/dev-*.jsonl"))
    paths = [TEXTS / f"{json.loads(line)['doc_id']}.txt" for line in lines]
    print(f"measured on {len(lines)} development texts", file=sys.stderr)
    report = score(extract_records(paths), gold)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for rule, s in sorted(report.rules.items()):
        fired = s.tp + s.fp
        if fired:
            writer.writerow([rule, f"{(s.tp + 1) / (fired + 2):.3f}", s.tp, fired])
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    text = measure()
    if args.check:
        same = TABLE.exists() and TABLE.read_text(encoding="utf-8") == text
        print(f"{TABLE.relative_to(ROOT)}: {'up to date' if same else 'stale'}")
        sys.exit(0 if same else 1)
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE.relative_to(ROOT)} ({text.count(chr(10)) - 1} rules)")


if __name__ == "__main__":
    main()
