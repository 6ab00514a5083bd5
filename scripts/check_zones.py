"""Validate kg/data/zones.csv, the register of China's development zones, and print its counts.

    python scripts/check_zones.py [ZONES.csv] [--markdown]

Checks every row: the columns are the expected ones; the name and the former names
(`|`-separated, the name before an upgrade) are non-empty and unique; level and type come from
the fixed lists of kg/patterns/zones.toml (a customs zone names its kind, a word of its name;
other types have none); the province is a province row of kg/data/divisions.csv and the optional
division lies inside it; the approval month is YYYY-MM between 1984-01 and the current month;
the approved area is a number of hectares between 1 and 50,000 (the catalogue's smallest zones
have some ten hectares and its largest, 中关村, some 23,000: a figure outside the range is a unit
slip, km² or m² taken for ha); the leading industries are `、`-separated names without blanks or
other separators; every row names at least one source key of kg/data/zone_sources.csv, each
once. Each problem is one line `FILE:LINE: problem` on stderr and the exit
status is 1; a clean table prints counts per level and type and per province (as a Markdown
table with --markdown, the form docs/register.md carries) and exits 0.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "kg" / "data"

COLUMNS = ["name", "former", "level", "type", "kind", "province", "division", "approved",
           "area_ha", "industries", "sources"]
VOCABULARY = tomllib.loads((ROOT / "kg" / "patterns" / "zones.toml").read_text(encoding="utf-8"))
TYPES = {level: tuple(types) for level, types in VOCABULARY["types"].items()}
CUSTOMS = VOCABULARY["customs"]["type"]
CUSTOMS_KINDS = tuple(VOCABULARY["customs"]["kinds"])
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_MONTH = (1984, 1)  # the first national development zones were approved in 1984
AREA_RANGE = (1.0, 50000.0)  # hectares
INDUSTRY = re.compile(r"^[^\s,，;；、/]+$")


def load_divisions(path: Path = DATA / "divisions.csv") -> dict[str, dict[str, str]]:
    """The division table by code, to check the province and division columns against."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row for row in csv.DictReader(fh)}


def load_sources(path: Path = DATA / "zone_sources.csv") -> dict[str, dict[str, str]]:
    """The source table by key: the pages the register's rows were checked against."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["key"]: row for row in csv.DictReader(fh)}


def check_row(row: dict[str, str], seen: set[str], divisions: dict[str, dict[str, str]],
              sources: dict[str, dict[str, str]], today: dt.date) -> list[str]:
    """The problems of one row (empty when it is well formed); `seen` collects the names."""
    problems = []
    name = row["name"].strip()
    if not name or name != row["name"]:
        problems.append(f"name {row['name']!r} is empty or has surrounding spaces")
    elif name in seen:
        problems.append(f"duplicate name {name}")
    seen.add(name)
    for former in filter(None, row["former"].split("|")):
        if former in seen:
            problems.append(f"former name {former} is already a name or former name")
        seen.add(former)
    level, ztype, kind = row["level"], row["type"], row["kind"]
    if level not in TYPES:
        problems.append(f"level {level!r} is not national or provincial")
    elif ztype not in TYPES[level]:
        problems.append(f"type {ztype!r} is not one of the {level} types {', '.join(TYPES[level])}")
    if ztype == CUSTOMS and level == "national":
        if kind not in CUSTOMS_KINDS:
            problems.append(f"customs zone kind {kind!r} is not one of {', '.join(CUSTOMS_KINDS)}")
        elif kind not in name:
            problems.append(f"customs zone kind {kind} does not appear in the name")
    elif kind:
        problems.append(f"kind {kind!r} given for a zone that is not a customs zone")
    province = divisions.get(row["province"])
    if province is None or province["level"] != "province":
        problems.append(f"province {row['province']!r} is not a province code of divisions.csv")
    if row["division"]:
        division = divisions.get(row["division"])
        if division is None:
            problems.append(f"division {row['division']!r} is not in divisions.csv")
        elif division["code"][:2] != row["province"][:2]:
            problems.append(f"division {row['division']} ({division['name']}) is not in "
                            f"province {row['province']}")
    if row["approved"]:
        match = MONTH.match(row["approved"])
        if not match:
            problems.append(f"approved {row['approved']!r} is not YYYY-MM")
        else:
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12 or (year, month) < FIRST_MONTH \
                    or (year, month) > (today.year, today.month):
                problems.append(f"approved {row['approved']} is out of range "
                                f"(1984-01 to {today:%Y-%m})")
    if row["area_ha"]:
        try:
            area = float(row["area_ha"])
        except ValueError:
            area = -1.0
        if not area > 0:
            problems.append(f"area_ha {row['area_ha']!r} is not a positive number")
        elif re.fullmatch(r"\d+(\.\d*[1-9])?", row["area_ha"]) is None:
            problems.append(f"area_ha {row['area_ha']!r} is not written plainly (no trailing "
                            "zeros after the point: the graph's decimal would differ by path)")
        elif not AREA_RANGE[0] <= area <= AREA_RANGE[1]:
            problems.append(f"area_ha {row['area_ha']} is out of range ({AREA_RANGE[0]:g} to "
                            f"{AREA_RANGE[1]:g} ha): a km² or m² figure?")
    if row["industries"]:
        bad = [i for i in row["industries"].split("、") if not INDUSTRY.match(i)]
        if bad:
            problems.append(f"industries {row['industries']!r}: {bad[0]!r} is empty or holds a "
                            f"blank or a separator other than 、")
    keys = row["sources"].split()
    if not keys:
        problems.append("no source")
    if len(set(keys)) < len(keys):
        problems.append(f"a source key is listed twice in {row['sources']!r}")
    for key in keys:
        if key not in sources:
            problems.append(f"source key {key!r} is not in zone_sources.csv")
    return problems


def check(path: Path, today: dt.date | None = None) -> tuple[list[dict[str, str]], list[str]]:
    """The rows of the register at `path` and its problems as `FILE:LINE: problem` lines."""
    today = today or dt.date.today()
    divisions, sources = load_divisions(), load_sources()
    problems: list[str] = []
    for key, src in sources.items():
        if not src.get("url", "").startswith(("http://", "https://")):
            problems.append(f"{DATA / 'zone_sources.csv'}: source {key} has no http(s) url")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != COLUMNS:
            return [], [f"{path}:1: columns are {reader.fieldnames}, expected {COLUMNS}"]
        rows, seen = [], set()
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                problems.append(f"{path}:{reader.line_num}: wrong number of fields")
                continue
            problems += [f"{path}:{reader.line_num}: {p}"
                         for p in check_row(row, seen, divisions, sources, today)]
            rows.append(row)
    return rows, problems


def counts(rows: list[dict[str, str]]) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    """Rows per (level, type) and rows per province code."""
    return Counter((r["level"], r["type"]) for r in rows), Counter(r["province"] for r in rows)


def report(rows: list[dict[str, str]], markdown: bool = False) -> str:
    """The counts per level and type, per customs kind and per province, as text or Markdown."""
    by_type, by_province = counts(rows)
    names = {code: row["name"] for code, row in load_divisions().items()}
    kinds = Counter(r["kind"] for r in rows if r["kind"])
    dated = sum(1 for r in rows if r["approved"])
    sized = sum(1 for r in rows if r["area_ha"])
    with_industries = sum(1 for r in rows if r["industries"])
    crossed = sum(1 for r in rows if len(r["sources"].split()) >= 2)
    levels = Counter(r["level"] for r in rows)
    out = []
    if markdown:
        out += ["| level | type | zones |", "|---|---|---:|"]
        out += [f"| {lv} | {ty} | {n} |" for (lv, ty), n in sorted(by_type.items())]
        out += ["", "| customs kind | zones |", "|---|---:|"]
        out += [f"| {k} | {n} |" for k, n in sorted(kinds.items())]
        out += ["", "| province | code | national | provincial | all |", "|---|---|---:|---:|---:|"]
        for code in sorted(by_province):
            nat = sum(1 for r in rows if r["province"] == code and r["level"] == "national")
            out.append(f"| {names.get(code, code)} | {code} | {nat} | {by_province[code] - nat} "
                       f"| {by_province[code]} |")
    else:
        out += [f"{lv:<10} {ty:<12} {n:>5}" for (lv, ty), n in sorted(by_type.items())]
        out += [f"customs kind {k:<8} {n:>5}" for k, n in sorted(kinds.items())]
        out += [f"{code} {names.get(code, code):<10} {n:>5}"
                for code, n in sorted(by_province.items())]
    out += ["", f"{len(rows)} zones: {levels['national']} national, "
                f"{levels['provincial']} provincial; {dated} with an approval month, {sized} with "
                f"an approved area, {with_industries} with leading industries, {crossed} "
                f"cross-checked in two sources"]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Check the register named on the command line (default: the shipped one) and report."""
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else DATA / "zones.csv"
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    try:
        rows, problems = check(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        print(f"{path}: cannot read: {exc}", file=sys.stderr)
        return 1
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(f"{path}: {len(problems)} problems", file=sys.stderr)
        return 1
    print(report(rows, markdown="--markdown" in argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
