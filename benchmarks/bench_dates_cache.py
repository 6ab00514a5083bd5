"""What a changed date file (`kg build --dates`) costs a build: documents re-extracted and
seconds, against the baseline of re-making every document (what builds did while the whole
date file salted the fingerprints; measured here by emptying the cache and --rebuild).

    python benchmarks/bench_dates_cache.py            # the real texts if present, else seeds
    python benchmarks/bench_dates_cache.py --jobs 2

Rows, all on one copy of the corpus and its build, in this run:
- first build: every document extracted under the date file;
- unchanged: the same date file again (nothing to do);
- one date changed: that document's record is extracted again and its graph rewritten;
- one file edited: the cost of any one-document change, for scale (derived graphs, kg.ttl);
- baseline, all re-made: a date change as builds handled it before (cache emptied, every
  document extracted and every graph rewritten).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from kg.build.pipeline import build

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print one line per row: documents extracted, graphs replaced, seconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    real = ROOT / "tests" / "real" / "texts"
    files = sorted(real.glob("*.txt")) if real.is_dir() else []
    files = files or sorted((ROOT / "seeds").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for path in files:
            shutil.copyfile(path, corpus / path.name)
        # every file dated, a day apart: the text's own date wins where it shows one
        dates = {p.name: f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}" for i, p in enumerate(files)}
        out = Path(tmp) / "out"
        print(f"{len(files)} documents ({files[0].parent.relative_to(ROOT)}), --jobs {args.jobs}")

        def row(label: str, given: dict[str, str], **more: bool) -> None:
            t0 = time.perf_counter()
            res = build([corpus], out, html=False, dates=given, jobs=args.jobs, **more)
            took = time.perf_counter() - t0
            print(f"{label:<28} extracted {res.extracted:>4}  replaced {res.replaced:>4}  "
                  f"{took:7.2f} s", flush=True)

        row("first build", dates)
        row("unchanged", dates)
        first = files[0].name
        changed = dict(dates, **{first: "2020-06-30"})
        row("one date changed", changed)
        edited = corpus / files[1].name
        edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        row("one file edited (for scale)", changed)
        shutil.rmtree(out / "cache")
        row("baseline: all re-made", dates, rebuild=True)


if __name__ == "__main__":
    sys.exit(main())
