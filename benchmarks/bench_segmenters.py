"""Benchmark the word segmenters: speed alone, extraction end to end, and F1 on the real dev set.

    python benchmarks/bench_segmenters.py              # speed rows and, when the texts are here, F1
    python benchmarks/bench_segmenters.py --no-f1      # speed rows only
    python benchmarks/bench_segmenters.py --original-kb 20   # less text for the slow original

Needs the converted model (`kg models install pkuseg`, which also leaves the original pkuseg
code unpacked in the cache). The text is the real development set's texts when
tests/real/texts holds them (else seeds/ and tests/gold/extra/): the same lines for every row.

Rows, each in this process, timed in CPU seconds of this process (so MB/CPU s is MB/s per busy
core whatever else runs on the machine), MB being 10^6 bytes of UTF-8:
The fast rows pass over the text --repeat times (the window cache emptied before each pass).
- segment jieba: jieba.cut over every line (dictionary loaded before the clock starts) — the
  baseline, measured in the same run;
- segment pkuseg (original): pkuseg 0.0.12's own pure-Python code with its CTB8 model, over
  the first --original-kb KB of the lines (it is far slower than the rest);
- segment spacy-pkuseg (converted): spacy_pkuseg's cut with the converted model over every line;
- end to end jieba / pkuseg: the documents → kg.extract.extractor.extract_one (the rules, with
  their words from that segmenter; with pkuseg the Doc is tokenized by it too) →
  kg.rdf.mapping.nquads_body, one process, pipeline loaded and warmed before the clock.
F1 rows: `kg eval --json` of the dev set (scripts/real_corpus.py eval dev) with each segmenter,
entities and relations (micro). The blind set is never scored here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT)]

TEXTS = ROOT / "tests" / "real" / "texts"


def corpus_files() -> tuple[str, list[Path]]:
    """The dev set's local texts when present, else the seeds and the extra gold texts."""
    gold = sorted((ROOT / "tests" / "real" / "gold").glob("dev-*.jsonl"))
    ids = [json.loads(ln)["doc_id"] for g in gold
           for ln in g.read_text(encoding="utf-8").splitlines() if ln.strip()]
    files = [TEXTS / f"{i}.txt" for i in ids if (TEXTS / f"{i}.txt").exists()]
    if files:
        return f"real dev texts ({len(files)} of {len(ids)})", files
    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        (ROOT / "tests" / "gold" / "extra").glob("*.txt"))
    return "seeds/ and tests/gold/extra/", files


def timed(fn: Callable[[], int]) -> tuple[float, float, int]:
    """(CPU s, wall s, count) of one call."""
    c0, w0 = time.process_time(), time.perf_counter()
    n = fn()
    return time.process_time() - c0, time.perf_counter() - w0, n


def seg_row(name: str, cut: Callable[[str], Iterable[str]], lines: list[str],
            repeat: int = 1) -> dict:
    mb = repeat * sum(len(ln.encode("utf-8")) for ln in lines) / 1e6
    cpu, wall, words = timed(lambda: sum(len(list(cut(ln))) for _ in range(repeat)
                                         for ln in lines))
    return {"row": name, "MB": mb, "cpu_s": cpu, "wall_s": wall, "count": words}


def e2e_row(segmenter: str, docs: list, repeat: int = 1) -> dict:  # type: ignore[type-arg]
    from kg.extract.extractor import extract_one
    from kg.lang.words import segment
    from kg.nlp.pipeline import build_nlp
    from kg.rdf.mapping import nquads_body

    nlp = build_nlp(segmenter=segmenter)
    extract_one(docs[0], nlp)  # warm: dictionaries, rules, model loaded

    def run() -> int:
        n = 0
        for _ in range(repeat):
            segment.cache_clear()  # each pass as new text: no window is cached from the last
            n += sum(nquads_body(extract_one(d, nlp)).count("\n") for d in docs)
        return n

    mb = repeat * sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    cpu, wall, quads = timed(run)
    return {"row": f"end to end {segmenter}", "MB": mb, "cpu_s": cpu, "wall_s": wall,
            "count": quads}


def f1_rows() -> list[dict]:
    out = []
    for seg in ("jieba", "pkuseg"):
        done = subprocess.run([sys.executable, str(ROOT / "scripts" / "real_corpus.py"), "eval",
                               "dev", "--json", "--segmenter", seg],
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"eval dev --segmenter {seg}: {done.stderr.strip()[-300:]}")
        data = json.loads(done.stdout)
        out.append({"segmenter": seg, "entities": data["entities_micro"],
                    "relations": data["relations_micro"]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--original-kb", type=float, default=60.0,
                        help="KB of text for the original pkuseg row (default 60)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="passes over the text for the fast rows (default 5)")
    parser.add_argument("--no-f1", action="store_true", help="skip the dev-set F1 rows")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()

    from kg.corpus import read_document
    from kg.lang import segmenters
    from kg.lang.words import jieba_table

    model = segmenters.pkuseg_installed()
    if model is None:
        sys.exit("no converted pkuseg model: run `kg models install pkuseg` first")
    label, files = corpus_files()
    docs = [read_document(p) for p in files]
    lines = [ln for d in docs for ln in d.text.splitlines() if ln.strip()]
    print(f"text: {label}, {len(lines)} lines, "
          f"{sum(len(ln.encode()) for ln in lines) / 1e6:.3f} MB", file=sys.stderr)

    rows = []
    jieba = jieba_table()[0]
    jieba.lcut("预热")
    rows.append(seg_row("segment jieba", jieba.cut, lines, args.repeat))
    print("timing the original pkuseg (pure Python)…", file=sys.stderr)
    original = segmenters.load_original_pkuseg(segmenters.pkuseg_original_dir())
    budget, some = args.original_kb * 1000, []
    for ln in lines:
        if budget <= 0:
            break
        some.append(ln)
        budget -= len(ln.encode("utf-8"))
    rows.append(seg_row("segment pkuseg (original)", original.cut, some))
    del original
    converted = segmenters.load_spacy_pkuseg(model)
    rows.append(seg_row("segment spacy-pkuseg (converted)", converted.cut, lines, args.repeat))
    for seg in ("jieba", "pkuseg"):
        print(f"end to end with {seg}…", file=sys.stderr)
        rows.append(e2e_row(seg, docs, args.repeat))
    f1 = [] if args.no_f1 or not TEXTS.is_dir() else f1_rows()

    if args.json:
        print(json.dumps({"text": label, "rows": rows, "f1": f1}, indent=1))
        return
    base = rows[0]["MB"] / rows[0]["cpu_s"]
    print(f"text: {label}; CPU count {os.cpu_count()}")
    print(f"{'row':36} {'MB':>7} {'CPU s':>7} {'MB/CPU s':>9} {'vs jieba':>9} {'count':>8}")
    for r in rows:
        rate = r["MB"] / r["cpu_s"] if r["cpu_s"] else float("inf")
        print(f"{r['row']:36} {r['MB']:7.3f} {r['cpu_s']:7.2f} {rate:9.3f} "
              f"{rate / base:8.3f}x {r['count']:8d}")
    for r in f1:
        e, rel = r["entities"], r["relations"]
        print(f"dev F1 {r['segmenter']:7} entities P {e['precision']:.3f} R {e['recall']:.3f} "
              f"F1 {e['f1']:.3f}; relations P {rel['precision']:.3f} R {rel['recall']:.3f} "
              f"F1 {rel['f1']:.3f}")


if __name__ == "__main__":
    main()
