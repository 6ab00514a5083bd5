"""Benchmark the analysis commands on the 1M-triple store: kg stats, kg validate, kg viz --focus.

    python benchmarks/bench_scale.py                  # build the store once, then time
    python benchmarks/bench_scale.py --store DIR      # reuse (or build) the store in DIR
    python benchmarks/bench_scale.py --repeat 3       # median of 3 runs of each command
    python benchmarks/bench_scale.py --only stats,viz # some of the commands (and the baseline)

The store is the one benchmarks/bench_store.py times queries on: the synthetic corpus of
benchmarks/synthetic.py (about 1,300 quads a document, names repeating as in real news),
written through kg's own write path (document graphs, merged graph, stats). It is kept in
--store (default: $TMPDIR/parks-kg-bench-scale/store-N) and rebuilt only when missing.

Each command runs as `kg` does for a user, in its own process; the table gives its wall-clock
seconds (median of --repeat runs) and peak memory (the process's maximum resident set), next
to a baseline measured in the same run, on the same store: one SPARQL COUNT of every triple
of the merged graph, in a process of its own. The ratio command / baseline says how many
full-store scans a command costs, whatever the load of the machine. The targets of issue 15
item 6 are checked at the end (PASS or FAIL): stats under 5 s, validate under 60 s and 1 GB,
the 1-hop view of the store's largest park under 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

QUADS_PER_DOC = 1120  # what synthetic.records gives, measured (as in bench_store.py)
TARGETS = {"stats": 5.0, "validate": 60.0, "viz": 2.0}  # seconds
VALIDATE_MB = 1024.0
COUNT = ("import sys, pyoxigraph as ox\n"
         "db = ox.Store.read_only(sys.argv[1])\n"
         "print(next(iter(db.query('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }')))[0].value)")


def build_store(path: Path, triples: int) -> None:
    """Write the synthetic corpus of about `triples` quads into a new store at `path`."""
    import synthetic

    from kg.store import write_store

    docs = max(1, round(triples / QUADS_PER_DOC))
    t = time.perf_counter()
    data = b"".join(synthetic.nquads(docs))
    print(f"(building {path}: {docs} documents, {len(data) / 1e6:.0f} MB of N-Quads)",
          file=sys.stderr, flush=True)
    staging = path.with_name(path.name + ".partial")
    write_store(data, staging)
    staging.rename(path)
    print(f"(built in {time.perf_counter() - t:.0f} s)", file=sys.stderr, flush=True)


def timed(command: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall-clock seconds and peak resident MB of one run of `command` (GNU time's %M when
    /usr/bin/time exists, else the children's ru_maxrss), and the finished process."""
    gnu = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile(suffix=".rss") as rss:
        prefix = [str(gnu), "-f", "%M", "-o", rss.name] if gnu.exists() else []
        t = time.perf_counter()
        done = subprocess.run(prefix + command, cwd=cwd, capture_output=True, text=True)
        seconds = time.perf_counter() - t
        if prefix:
            text = Path(rss.name).read_text().strip().splitlines()
            mb = int(text[-1]) / 1024 if text and text[-1].isdigit() else float("nan")
        else:
            import resource

            mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, mb, done


def largest_park(store: Path) -> str:
    """The label of the park with the most relations (the largest 1-hop view)."""
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store))
    query = """PREFIX pk: <https://w3id.org/parks-kg/ontology#>
      PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
      SELECT ?l (COUNT(?o) AS ?n) WHERE { ?p a pk:Park ; rdfs:label ?l ; pk:hosts|pk:built ?o }
      GROUP BY ?l ORDER BY DESC(?n) LIMIT 1"""
    return next(iter(db.query(query)))[0].value


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the store, time the commands and print the table and the verdicts."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000, help="store size (default 1M)")
    ap.add_argument("--store", type=Path, default=None, help="store folder (kept for reuse)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each command (median)")
    ap.add_argument("--only", default=None, metavar="NAME,...",
                    help="time only these of stats, validate, viz (the baseline always)")
    args = ap.parse_args(argv)
    store = args.store or Path(tempfile.gettempdir()) / "parks-kg-bench-scale" / \
        f"store-{args.triples}"
    if not (store / "CURRENT").is_file():
        store.parent.mkdir(parents=True, exist_ok=True)
        build_store(store, args.triples)
    park = largest_park(store)
    kg = [sys.executable, "-m", "kg"]
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    commands = {
        "baseline: COUNT of every triple": [sys.executable, "-c", COUNT, str(store)],
        "stats": [*kg, "stats", "--store", str(store)],
        "validate": [*kg, "validate", "--store", str(store)],
        "viz": [*kg, "viz", "--store", str(store), "--focus", park, "--hops", "1",
                "-o", str(work / "view.html")],
    }
    only = set(args.only.split(",")) if args.only else set(TARGETS)
    if only - set(TARGETS):
        ap.error(f"--only takes {', '.join(TARGETS)}")
    commands = {name: command for name, command in commands.items()
                if name.startswith("baseline") or name in only}
    print(f"parks-kg scale benchmark: {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}; store {store}; largest park {park}; median of "
          f"{args.repeat} run(s)")
    results: dict[str, tuple[float, float]] = {}
    notes: dict[str, str] = {}
    for name, command in commands.items():
        runs = []
        for _ in range(args.repeat):
            seconds, mb, done = timed(command, ROOT)
            if done.returncode not in (0, 1) or (name != "validate" and done.returncode):
                print(f"{name} failed ({done.returncode}): {done.stderr[-1000:]}",
                      file=sys.stderr)
                return 2
            runs.append((seconds, mb))
            last = (done.stderr.strip().splitlines() or [""])[-1]
            notes[name] = done.stdout.strip() if name.startswith("baseline") else last
        results[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
    base = results["baseline: COUNT of every triple"][0]
    width = max(map(len, results))
    print(f"{'command'.ljust(width)}  {'seconds':>8}  {'× baseline':>10}  {'peak MB':>8}  "
          "what it said")
    for name, (seconds, mb) in results.items():
        print(f"{name.ljust(width)}  {seconds:8.2f}  {seconds / base:9.1f}×  {mb:8.0f}  "
              f"{notes[name][:90]}")
    verdicts = []
    if "stats" in results:
        verdicts.append((results["stats"][0] < TARGETS["stats"],
                         f"kg stats under {TARGETS['stats']:.0f} s ({results['stats'][0]:.1f} s)"))
    if "validate" in results:
        verdicts += [
            (results["validate"][0] < TARGETS["validate"],
             f"kg validate under {TARGETS['validate']:.0f} s ({results['validate'][0]:.1f} s)"),
            (results["validate"][1] < VALIDATE_MB,
             f"kg validate under {VALIDATE_MB / 1024:.0f} GB peak memory "
             f"({results['validate'][1]:.0f} MB)")]
    if "viz" in results:
        verdicts.append((results["viz"][0] < TARGETS["viz"],
                         f"kg viz --focus (1 hop of the largest park) under "
                         f"{TARGETS['viz']:.0f} s ({results['viz'][0]:.1f} s)"))
    print("targets (issue 15 item 6, issue 17 item 3):")
    for ok, text in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for ok, _ in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
