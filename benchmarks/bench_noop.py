"""Time the commands that should answer at once: a no-op build, a stored query, the query list.

    python benchmarks/bench_noop.py                                   # this checkout's kg
    python benchmarks/bench_noop.py --kg /work/before-tree/.venv/bin/kg  # another checkout's

A corpus of DOCS documents (default 200) is made in a temporary folder by copying the seeds'
files under other names; `kg build` runs once on it (extracting everything), then each command
is timed as a user runs it, in a fresh process: `kg build CORPUS -o OUT` again (nothing
changed), `kg query parks-ranked --store OUT/store` and `kg queries`. Each figure is the best
wall time of --repeat runs (default 3). Not a unit test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_corpus(folder: Path, docs: int) -> Path:
    """`docs` text files under `folder`/corpus, copies of the seeds under new names."""
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    for i in range(docs):
        src = seeds[i % len(seeds)]
        shutil.copyfile(src, corpus / f"doc{i:04d}_{src.name}")
    return corpus


def best_of(command: list[str], repeat: int, cwd: Path, env: dict[str, str] | None = None
            ) -> float:
    """The shortest wall time of `repeat` runs of `command`, in seconds; a failure stops all."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
        if done.returncode:
            sys.exit(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr.decode()[-800:]}")
    return min(times)


def main() -> None:
    """Build a corpus once, then print the best wall time of each fast command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kg", default=None,
                        help="kg executable to time (default: this interpreter's kg.cli)")
    parser.add_argument("--docs", type=int, default=200, help="documents in the corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command (best kept)")
    args = parser.parse_args()
    kg = [args.kg] if args.kg else [sys.executable, "-m", "kg"]
    # without --kg, the kg package of this checkout (not whichever one is installed)
    env = None if args.kg else {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = make_corpus(work, args.docs)
        out = work / "out"
        build = [*kg, "build", str(corpus), "-o", str(out)]
        t0 = time.perf_counter()
        best_of(build, 1, work, env)
        print(f"first build of {args.docs} documents: {time.perf_counter() - t0:.2f} s "
              "(one run)")
        commands = {
            f"kg build (no-op, {args.docs} documents)": build,
            "kg query parks-ranked": [*kg, "query", "parks-ranked", "--store",
                                      str(out / "store")],
            "kg queries": [*kg, "queries"],
        }
        for label, command in commands.items():
            print(f"{label}: {best_of(command, args.repeat, work, env):.2f} s "
                  f"(best of {args.repeat})")


if __name__ == "__main__":
    main()
