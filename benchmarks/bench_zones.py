"""What the register costs: extraction with and without pk_zones, and the derived graphs with and
without the zones graph, measured in one run on the same texts.

    python benchmarks/bench_zones.py            # the seeds and the extra gold texts
    python benchmarks/bench_zones.py DIR…       # other folders of .txt files

Rows: `extract` — the pipeline over every text (after a warm-up on the first, with
word segmentation's cache emptied), without pk_zones (the
baseline) and with it; `derive` — kg.derive.links.add_links over the records' RDF, with the zones
graph's rules replaced by a no-op (the baseline) and as shipped. Also the one-off cost of the
phrase table (loading the register and deriving its short forms), paid once per process.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _texts(folders: list[Path]) -> list:
    from kg.corpus import read_document

    return [read_document(p) for f in folders for p in sorted(f.glob("*.txt"))]


def main(argv: list[str]) -> int:
    """Print the table."""
    folders = [Path(a) for a in argv] or [ROOT / "seeds", ROOT / "tests" / "gold" / "extra"]
    t0 = time.perf_counter()
    from kg.nlp.zones import zone_phrases

    zone_phrases()
    table_s = time.perf_counter() - t0
    from kg.derive import links, zones
    from kg.extract.extractor import extract
    from kg.lang.words import segment
    from kg.nlp.pipeline import build_nlp
    from kg.rdf.mapping import to_graph

    docs = _texts(folders)
    chars = sum(len(d.text) for d in docs)
    with_zones = build_nlp()
    without = build_nlp()
    without.remove_pipe("pk_zones")
    rows = []
    records = []
    for name, nlp in (("extract without pk_zones", without), ("extract with pk_zones", with_zones)):
        list(extract(docs[:1], nlp))  # warm-up: jieba's dictionary, the rules
        segment.cache_clear()  # (each row segments the texts afresh)
        t = time.perf_counter()
        records = list(extract(docs, nlp))
        rows.append((name, time.perf_counter() - t))
    real = zones.zone_triples
    for name, rules in (("derive without zones graph", lambda *a, **k: ([], {})),
                        ("derive with zones graph", real)):
        ds = to_graph(records)
        zones.zone_triples = rules  # (derive looks it up at call time)
        try:
            t = time.perf_counter()
            links.add_links(ds, user_table=Path("/nonexistent/links.csv"))
            rows.append((name, time.perf_counter() - t))
        finally:
            zones.zone_triples = real
    print(f"{len(docs)} texts, {chars:,} characters; phrase table built in {table_s:.2f} s")
    print(f"{'step':<28} {'seconds':>8} {'vs baseline':>11}")
    for i, (name, sec) in enumerate(rows):
        base = rows[i - i % 2][1]
        print(f"{name:<28} {sec:>8.2f} {sec / base:>10.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
