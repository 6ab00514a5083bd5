"""Check the real-news corpus: local texts against their recorded hashes, and gold files.

The texts of tests/real/ are third-party pages and stay out of git (tests/real/texts/ is
ignored); the repository keeps where each text comes from (tests/real/sources*.jsonl) and the
annotations (tests/real/gold/*.jsonl). This script tells whether a local copy is the one the
annotations were made on, and whether a gold file follows the record format.

    python scripts/real_corpus.py check            # every source's text present with its sha256
    python scripts/real_corpus.py lint GOLD.jsonl  # names in the text, relation ends, type pairs
    python scripts/real_corpus.py summary          # counts by set, province, genre, outlet
    python scripts/real_corpus.py eval dev [kg eval options]   # score extraction on a set
    python scripts/real_corpus.py gold dev > dev.jsonl         # one gold file for a set
    python scripts/real_corpus.py dates > dates.csv            # publication dates from URLs

`eval` also scores dates and observations (`kg eval --times`) where the set has a time gold
(tests/real/gold/time-<set>.jsonl), with the publication dates the pages' URLs give (`dates`,
passed as `kg eval --dates`) for the texts that show none: a researcher knows each page's URL.

Sets: `dev` (tests/real/gold/dev-*.jsonl), `blind` (blind-*.jsonl, scored once, at the end),
`second` (tests/real/second/dev-second.jsonl, the second annotation of 20 dev texts), and
observation sets (`obsdev`, `obsblind`: only time-<set>.jsonl and parks-<set>.jsonl), whose
`eval` scores publication dates and observations alone, parks resolved by the parks file.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "real"
TEXTS = REAL / "texts"

SOURCE_KEYS = {"doc_id", "url", "query", "rank", "sha256", "chars"}
TYPES = {"Park", "Enterprise", "Platform", "Project"}
PAIRS = {
    "hosts": ({"Park"}, {"Enterprise", "Project"}),
    "built": ({"Park"}, {"Platform"}),
    "investor": ({"Project"}, {"Enterprise"}),
    "partOf": ({"Park"}, {"Park"}),
}


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSON-lines file; a bad line stops with its file and line number."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as error:
            sys.exit(f"{path}:{number}: not JSON ({error.msg})")
    return rows


def sources() -> list[dict]:
    """Every source row of tests/real/sources*.jsonl, in file order."""
    rows = []
    for path in sorted(REAL.glob("sources*.jsonl")):
        for row in read_jsonl(path):
            missing = SOURCE_KEYS - row.keys()
            if missing:
                sys.exit(f"{path}: {row.get('doc_id', '?')} lacks {', '.join(sorted(missing))}")
            row["_file"] = path.name
            rows.append(row)
    return rows


def check(texts: Path) -> int:
    """Compare each local text with its recorded sha256 and length; return the number of faults."""
    rows = sources()
    faults = 0
    seen: dict[str, str] = {}
    for row in rows:
        doc_id = row["doc_id"]
        if doc_id in seen:
            print(f"{doc_id}: listed twice ({seen[doc_id]} and {row['_file']})")
            faults += 1
        seen[doc_id] = row["_file"]
        path = texts / f"{doc_id}.txt"
        if not path.exists():
            print(f"{doc_id}: missing {path}")
            faults += 1
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != row["sha256"]:
            recorded = row["sha256"][:12]
            print(f"{doc_id}: sha256 {digest[:12]}… differs from the recorded {recorded}…")
            faults += 1
        elif len(data.decode("utf-8")) != row["chars"]:
            print(f"{doc_id}: {len(data.decode('utf-8'))} characters, recorded {row['chars']}")
            faults += 1
    print(f"{len(rows)} sources, {len(rows) - faults} texts as recorded, {faults} fault(s)")
    return faults


def lint(gold: Path, texts: Path) -> int:
    """Check one gold file against the record format; return the number of faults."""
    faults = 0

    def fault(doc_id: str, message: str) -> None:
        nonlocal faults
        faults += 1
        print(f"{gold.name}: {doc_id}: {message}")

    for row in read_jsonl(gold):
        doc_id = row.get("doc_id", "?")
        path = texts / f"{doc_id}.txt"
        text = path.read_text(encoding="utf-8") if path.exists() else None
        if text is None:
            fault(doc_id, f"no text at {path}")
        types: dict[str, str] = {}
        for entity in row.get("entities", []):
            name, kind = entity.get("name"), entity.get("type")
            if kind not in TYPES:
                fault(doc_id, f"entity {name!r} has type {kind!r}")
            if name in types:
                fault(doc_id, f"entity {name!r} listed twice")
            types[name] = kind
            for form in [name, *entity.get("aliases", [])]:
                if text is not None and form not in text:
                    fault(doc_id, f"{form!r} does not occur in the text")
        for relation in row.get("relations", []):
            kind, head = relation.get("relation"), relation.get("head")
            if head not in types:
                fault(doc_id, f"{kind} head {head!r} is not an entity name")
                continue
            if kind == "invests":
                if types[head] != "Project":
                    fault(doc_id, f"invests on {head!r}, a {types[head]}")
                amount = relation.get("amount_cny", relation.get("amount"))
                if not isinstance(amount, int):
                    fault(doc_id, f"invests of {head!r}: amount {amount!r} is not an integer")
                if text is not None and relation.get("amount_text", "") not in text:
                    fault(doc_id, f"amount_text {relation.get('amount_text')!r} not in the text")
                continue
            if kind not in PAIRS:
                fault(doc_id, f"unknown relation {kind!r}")
                continue
            tail = relation.get("tail")
            if tail not in types:
                fault(doc_id, f"{kind} tail {tail!r} is not an entity name")
                continue
            heads, tails = PAIRS[kind]
            if types[head] not in heads or types[tail] not in tails:
                fault(doc_id, f"{kind} {types[head]} → {types[tail]} ({head} → {tail})")
    print(f"{gold}: {faults} fault(s)")
    return faults


def summary() -> None:
    """Print the corpus's make-up: counts by set, province, genre, outlet and script."""
    rows = sources()
    print(f"{len(rows)} texts, {sum(row['chars'] for row in rows):,} characters")
    for key in ("set", "province", "genre", "outlet", "script"):
        counts = collections.Counter(str(row.get(key, "?")) for row in rows)
        shown = ", ".join(f"{value} {count}" for value, count in counts.most_common())
        print(f"{key} ({len(counts)}): {shown}")


def gold_files(name: str) -> list[Path]:
    """The gold files of a set: dev, blind or second (an observation set has none)."""
    if name == "second":
        return [REAL / "second" / "dev-second.jsonl"]
    files = sorted((REAL / "gold").glob(f"{name}-*.jsonl"))
    if not files and not observation_set(name):
        sys.exit(f"no gold files for set {name!r} under {REAL / 'gold'}")
    return files


def observation_set(name: str) -> bool:
    """True for a set annotated only for dates and observations (obsdev, obsblind): a time
    gold (time-<set>.jsonl) and the parks of each text (parks-<set>.jsonl), no entity gold."""
    gold = REAL / "gold"
    return (not list(gold.glob(f"{name}-*.jsonl")) and (gold / f"time-{name}.jsonl").exists()
            and (gold / f"parks-{name}.jsonl").exists())


def gold_lines(name: str) -> list[str]:
    """Every annotation line of a set, in file order."""
    return [line for path in gold_files(name)
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# Dates in a page's URL: /2024/10/12/, /2022-02/10/, /2023/0305/, /202211/t20221107_,
# /20220525150233.html, /2013/6-13/, /2014-08-22/; one with only a month (/202508-) gives a month.
_URL_DAY = [
    re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),
    re.compile(r"[/_t]((?:19|20)\d{2})(\d{2})(\d{2})(?:\d{6})?(?:[/_.]|$)"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})(?:[/.]|$)"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})\d{6,}"),
]
_URL_SHORT = [  # a two-digit year: /2013/131209… (year, then yymmdd), 163.com's /24/1105/
    re.compile(r"/((?:19|20)(\d{2}))/\2(\d{2})(\d{2})\d+"),
    re.compile(r"163\.com/()(\d{2})/(\d{2})(\d{2})/"),
]
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})(\d{2})-\d+\.html")


def url_date(url: str) -> str | None:
    """The publication date a page's URL gives (YYYY-MM-DD, or YYYY-MM), or None."""
    import datetime

    for pattern in _URL_DAY:
        m = pattern.search(url)
        if m:
            try:
                return datetime.date(*(int(g) for g in m.groups())).isoformat()
            except ValueError:
                continue
    for pattern in _URL_SHORT:
        m = pattern.search(url)
        if m:
            year = int(m.group(1) or f"20{m.group(2)}")
            try:
                return datetime.date(year, int(m.group(3)), int(m.group(4))).isoformat()
            except ValueError:
                continue
    m = _URL_MONTH.search(url)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{m.group(2)}"
    return None


def dates_csv() -> str:
    """A side file of publication dates (path,date) for every source whose URL gives one."""
    rows = ["path,date"]
    for row in sources():
        when = url_date(row["url"])
        if when:
            rows.append(f"{row['doc_id']}.txt,{when}")
    return "\n".join(rows) + "\n"


def evaluate(name: str, options: list[str], texts: Path) -> int:
    """Run `kg eval` on the texts of a set against its gold; returns kg's exit code."""
    if observation_set(name):
        return evaluate_observations(name, options, texts)
    every = gold_lines(name)
    lines = [line for line in every if (texts / f"{json.loads(line)['doc_id']}.txt").exists()]
    if not lines:
        sys.exit(f"no text of set {name} under {texts}: see tests/real/README.md")
    ids = [json.loads(line)["doc_id"] for line in lines]
    if len(lines) < len(every):
        print(f"scoring the {len(lines)} of {len(every)} texts of set {name} present under "
              f"{texts} (run `check` for the rest)", file=sys.stderr)
    time_gold = REAL / "gold" / f"time-{name}.jsonl"
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as gold, \
            tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8") as dates:
        gold.write("\n".join(lines) + "\n")
        gold.flush()
        dates.write(dates_csv())
        dates.flush()
        extra = []
        if time_gold.exists() and "--times" not in options:
            extra = ["--times", str(time_gold)]
        if "--dates" not in options:
            extra += ["--dates", dates.name]
        command = [sys.executable, "-m", "kg", "eval", "--gold", gold.name, *extra, *options,
                   *(str(texts / f"{i}.txt") for i in ids)]
        return subprocess.run(command).returncode


_TIME_ERRORS = ("published", "fact_time", "observation")


def evaluate_observations(name: str, options: list[str], texts: Path) -> int:
    """Score an observation set: publication dates and observations of its texts against
    time-<set>.jsonl, each observation's park resolved through the names and aliases of
    parks-<set>.jsonl; no entity or relation scores (that gold has only the parks)."""
    from kg.extract.timescore import TimeReport, format_times

    gold = REAL / "gold"
    rows = read_jsonl(gold / f"time-{name}.jsonl")
    present = [row for row in rows if (texts / f"{row['doc_id']}.txt").exists()]
    if not present:
        sys.exit(f"no text of set {name} under {texts}: see tests/real/README.md")
    if len(present) < len(rows):
        print(f"scoring the {len(present)} of {len(rows)} texts of set {name} present under "
              f"{texts} (run `check` for the rest)", file=sys.stderr)
    ids = [row["doc_id"] for row in present]
    parks = {row["doc_id"]: row for row in read_jsonl(gold / f"parks-{name}.jsonl")}
    as_json, errors = "--json" in options, "--errors" in options
    passed = [o for o in options if o not in ("--json", "--errors", "--by-rule")]
    with tempfile.TemporaryDirectory() as work:
        time_path, park_path = Path(work) / "time.jsonl", Path(work) / "parks.jsonl"
        dates = Path(work) / "dates.csv"
        time_path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n"
                                     for row in present), encoding="utf-8")
        park_path.write_text("".join(
            json.dumps({"doc_id": i, "entities": parks.get(i, {}).get("entities", []),
                        "relations": []}, ensure_ascii=False) + "\n" for i in ids),
            encoding="utf-8")
        dates.write_text(dates_csv(), encoding="utf-8")
        extra = [] if "--dates" in passed else ["--dates", str(dates)]
        command = [sys.executable, "-m", "kg", "eval", "--gold", str(park_path), "--times",
                   str(time_path), "--json", "--errors", *extra, *passed,
                   *(str(texts / f"{i}.txt") for i in ids)]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if done.returncode:
        return done.returncode
    data = json.loads(done.stdout)
    times = data["times"]
    wrong = [e for e in data.get("errors", []) if e.get("kind") in _TIME_ERRORS
             and e["kind"] != "fact_time"]
    if as_json:
        out = {"set": name, "texts": len(ids),
               "observations": times["observations"],
               "observations_by_indicator": times["observations_by_indicator"],
               "publication_dates": times["publication_dates"],
               "publication_dates_dated": times["publication_dates_dated"]}
        if errors:
            out["errors"] = wrong
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    report = TimeReport()
    obs = times["observations"]
    report.obs_tp, report.obs_fp, report.obs_fn = obs["tp"], obs["fp"], obs["fn"]
    for key, acc in (("publication_dates", report.published),
                     ("publication_dates_dated", report.published_dated)):
        got = times[key]
        acc.right, acc.scored, acc.total = got["right"], got["scored"], got["total"]
    lines = format_times(report).splitlines()
    print(f"set {name}: {len(ids)} texts; observations and publication dates only")
    print("\n".join(line for line in lines if not line.startswith("fact times")))
    if errors:
        print("")
        for e in wrong:
            print(json.dumps(e, ensure_ascii=False))
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check", "lint", "summary", "eval", "gold", "dates"])
    parser.add_argument("args", nargs="*", help="lint: gold files; eval, gold: a set name")
    parser.add_argument("--texts", type=Path, default=TEXTS, help="folder of the local texts")
    args, options = parser.parse_known_args()
    if args.command in ("eval", "gold") and len(args.args) != 1:
        parser.error(f"{args.command} takes one set name: dev, blind or second")
    if args.command == "eval":
        sys.exit(evaluate(args.args[0], options, args.texts))
    if args.command == "gold":
        print("\n".join(gold_lines(args.args[0])))
        return
    if options:
        parser.error(f"unknown options {' '.join(options)}")
    if args.command == "dates":
        print(dates_csv(), end="")
        return
    if args.command == "check":
        sys.exit(1 if check(args.texts) else 0)
    if args.command == "lint":
        sys.exit(1 if sum(lint(Path(p), args.texts) for p in args.args) else 0)
    summary()


if __name__ == "__main__":
    main()
