"""Count the entity false positives of a real-news set by class, to read errors by mechanism.

    python scripts/error_classes.py dev      # needs the local texts (real_corpus.py check)

A false positive is classed against the gold names of its document (simplified forms):
`type` (a gold name, another type), `left-runon` (a gold name with words before it),
`left-eaten` (the end of a gold name), `cut-inside` (inside a gold name), `too-long-right`
(a gold name with more after it) or `spurious` (none of these).
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from real_corpus import TEXTS, gold_lines  # noqa: E402

from kg.build.pipeline import extract_records  # noqa: E402
from kg.corpus import simplify_name  # noqa: E402
from kg.extract.evaluate import score  # noqa: E402
from kg.extract.records import read_jsonl  # noqa: E402


def classify(name: str, forms: list[str]) -> str:
    """The class of a false positive named `name` among the gold forms of its document."""
    if name in forms:
        return "type"
    if any(name.endswith(f) for f in forms if len(f) >= 2):
        return "left-runon"
    if any(f.endswith(name) for f in forms):
        return "left-eaten"
    if any(name in f for f in forms):
        return "cut-inside"
    if any(f in name for f in forms):
        return "too-long-right"
    return "spurious"


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "dev"
    lines = [line for line in gold_lines(name)
             if (TEXTS / f"{json.loads(line)['doc_id']}.txt").exists()]
    gold = {g.doc_id: g for g in read_jsonl(lines, source=name)}
    report = score(extract_records([TEXTS / f"{d}.txt" for d in gold]), gold.values())
    counts: collections.Counter[str] = collections.Counter()
    for err in report.errors:
        if err["kind"] == "entity" and err["error"] == "false positive":
            forms = [simplify_name(f) for e in gold[err["doc_id"]].entities
                     for f in [e.name, *e.aliases]]
            counts[classify(simplify_name(err["name"]), forms)] += 1
    print(f"{len(gold)} texts of set {name}: entity false positives by class")
    for cls, n in counts.most_common():
        print(f"  {cls:15} {n}")


if __name__ == "__main__":
    main()
