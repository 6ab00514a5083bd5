"""Show that a change of code changes nothing for users: records, N-Quads and query answers.

    python scripts/same_output.py snapshot DIR   # write the outputs of this checkout to DIR
    python scripts/same_output.py compare DIR    # exit 1 unless this checkout gives the same

The outputs are: the extraction records of the seeds and every gold text (`kg extract`,
byte for byte), the N-Quads of a build of the seeds (sorted lines), and the whole answer of
every stored query on that build (CSV). Run `snapshot` before a refactoring, `compare` after.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIRS = ["seeds", "tests/gold/extra", "tests/gold/blind", "tests/gold/heldout",
             "tests/gold/final"]


def kg(*args: str, cwd: Path = ROOT) -> bytes:
    """Run the kg command of this checkout's interpreter and return its standard output."""
    command = [sys.executable, "-m", "kg", *args]
    env = os.environ | {"PYTHONHASHSEED": "0"}
    done = subprocess.run(command, cwd=cwd, capture_output=True, env=env)
    if done.returncode:
        sys.exit(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.decode()[-500:]}")
    return done.stdout


def snapshot(target: Path) -> None:
    """Write records.jsonl, seeds.nq and queries/<name>.csv under target."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "records.jsonl").write_bytes(kg("extract", *GOLD_DIRS))
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "out"
        kg("build", "seeds", "-o", str(out), "--no-html")
        store = str(out / "store")
        quads = kg("export", "--format", "nq", "--store", store).decode().splitlines()
        (target / "seeds.nq").write_text("\n".join(sorted(quads)) + "\n", encoding="utf-8")
        (target / "queries").mkdir(exist_ok=True)
        for path in sorted((ROOT / "queries").glob("*.rq")):
            answer = kg("query", path.stem, "--store", store, "--limit", "0", "--format", "csv",
                        *_params(path.stem))
            (target / "queries" / f"{path.stem}.csv").write_bytes(answer)
    print(f"wrote {target}")


def _params(name: str) -> list[str]:
    """Parameters for the stored queries: the examples the query cookbook runs on the seeds
    (scripts/make_docs.py EXAMPLES, one list for both)."""
    from make_docs import EXAMPLES  # (scripts/ is on the path when a script runs)

    return [arg for key, value in EXAMPLES.get(name, {}).items()
            for arg in ("--param", f"{key}={value}")]


def compare(before: Path) -> None:
    """Snapshot this checkout into a temporary folder and compare every file with before."""
    with tempfile.TemporaryDirectory() as work:
        after = Path(work) / "after"
        snapshot(after)
        names = sorted(str(p.relative_to(before)) for p in before.rglob("*") if p.is_file())
        differ = [name for name in names
                  if not (after / name).exists()
                  or not filecmp.cmp(before / name, after / name, shallow=False)]
        extra = sorted(str(p.relative_to(after)) for p in after.rglob("*")
                       if p.is_file() and not (before / p.relative_to(after)).exists())
    for name in differ:
        print(f"differs: {name}")
    for name in extra:
        print(f"new: {name}")
    print(f"{len(names)} outputs compared, {len(differ)} differ, {len(extra)} new")
    sys.exit(1 if differ or extra else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["snapshot", "compare"])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    (snapshot if args.command == "snapshot" else compare)(args.folder)


if __name__ == "__main__":
    main()
