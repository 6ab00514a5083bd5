"""How well Park mentions resolve to the register of development zones (issue 19 item 2).

    python scripts/zone_resolution.py [LABELS.tsv]

For every gold Park entity of the seeds (tests/gold/seeds.jsonl) and of the real development
texts (tests/real/gold/dev-*.jsonl), kg.lang.zones resolves its name and aliases (in simplified
characters, as extraction reads them; the zones of one document decide between namesakes) and
the result is compared with the hand-judged register zone of tests/gold/park-zones.tsv.
Prints per set and in all: Park entities, those that are register zones, resolved, correct,
precision (correct / resolved) and recall (correct / register zones), then every error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kg.corpus import simplify_name
from kg.lang.zones import zone_index

ROOT = Path(__file__).resolve().parent.parent
SETS = [ROOT / "tests" / "gold" / "seeds.jsonl",
        *sorted((ROOT / "tests" / "real" / "gold").glob("dev-*.jsonl"))]
LABELS = ROOT / "tests" / "gold" / "park-zones.tsv"


def read_labels(path: Path) -> dict[tuple[str, str, str], str]:
    """(set, doc_id, entity name) → register zone name, or '' for an entity that is none."""
    out = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise SystemExit(f"{path}:{n}: expected 4 tab-separated fields, got {len(parts)}")
        out[(parts[0], parts[1], parts[2])] = "" if parts[3] == "-" else parts[3]
    return out


def score(labels: dict[tuple[str, str, str], str]) -> tuple[dict[str, list[int]], list[str]]:
    """Counts per set [entities, in register, resolved, correct] and the error lines."""
    index = zone_index()
    counts: dict[str, list[int]] = {}
    errors: list[str] = []
    for path in SETS:
        name = path.name.removesuffix(".jsonl")
        c = counts.setdefault(name, [0, 0, 0, 0])
        for line in path.read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            parks = [e for e in doc["entities"] if e["type"] == "Park"]
            found = index.resolve_all([[simplify_name(n) for n in (e["name"], *e["aliases"])]
                                       for e in parks])
            for ent, zone in zip(parks, found, strict=True):
                key = (name, doc["doc_id"], ent["name"])
                if key not in labels:
                    raise SystemExit(f"{LABELS}: no label for {key}")
                gold, got = labels[key], zone.name if zone else ""
                c[0] += 1
                c[1] += bool(gold)
                c[2] += bool(got)
                c[3] += bool(got) and got == gold
                if got != gold:
                    errors.append(f"{name} {doc['doc_id']} {ent['name']}: resolved "
                                  f"{got or '-'}, gold {gold or '-'}")
    return counts, errors


def main(argv: list[str]) -> int:
    """Score the resolver against the labels and print the table and the errors."""
    labels = read_labels(Path(argv[0]) if argv else LABELS)
    counts, errors = score(labels)
    total = [sum(c[i] for c in counts.values()) for i in range(4)]
    print(f"{'set':<8} {'parks':>5} {'in reg.':>7} {'resolved':>8} {'correct':>7} "
          f"{'precision':>9} {'recall':>6}")
    for name, c in [*counts.items(), ("all", total)]:
        prec = c[3] / c[2] if c[2] else 1.0
        rec = c[3] / c[1] if c[1] else 1.0
        print(f"{name:<8} {c[0]:>5} {c[1]:>7} {c[2]:>8} {c[3]:>7} {prec:>9.3f} {rec:>6.3f}")
    for line in errors:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
