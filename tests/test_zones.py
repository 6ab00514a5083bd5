"""The register of development zones (kg/data/zones.csv, issue 19 item 1): the shipped table passes
scripts/check_zones.py, holds the national zones of the 2018 catalogue and the later upgrades,
and the checker refuses a table with each kind of fault, naming the file and line."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

SCRIPT = ROOT / "scripts" / "check_zones.py"
ZONES = ROOT / "kg" / "data" / "zones.csv"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=120, check=False)


def _rows() -> list[dict[str, str]]:
    with ZONES.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_zones_shipped_table_passes_and_reports_counts() -> None:
    res = _run()
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    last = res.stdout.strip().splitlines()[-1]
    assert last.startswith(f"{len(_rows())} zones:"), last


def test_zones_markdown_counts_are_the_documented_ones() -> None:
    """docs/register.md carries the script's Markdown counts; a changed table must update it."""
    res = _run("--markdown")
    assert res.returncode == 0, res.stderr
    doc = (ROOT / "docs" / "register.md").read_text(encoding="utf-8")
    assert res.stdout.strip() in doc, "docs/register.md is stale: paste `check_zones.py --markdown`"


def test_zones_national_register_covers_the_catalogue() -> None:
    rows = _rows()
    national = [r for r in rows if r["level"] == "national"]
    by_type: dict[str, int] = {}
    for r in national:
        by_type[r["type"]] = by_type.get(r["type"], 0) + 1
    # the 2018 catalogue: 219 ETDZ, 156 high-tech zones (+12 approved in early 2018), 135 customs
    # zones, 19 border/cross-border zones, 23 others; later approvals only add to these
    assert by_type["经济技术开发区"] >= 219
    assert by_type["高新技术产业开发区"] >= 168
    assert by_type["海关特殊监管区域"] >= 135
    assert by_type["边境/跨境经济合作区"] >= 19
    assert by_type["其他"] == 23
    names = {r["name"]: r for r in rows}
    assert names["上海张江高新技术产业开发区"]["approved"] == "1991-03"
    assert names["上海张江高新技术产业开发区"]["area_ha"] == "4211.7"
    # the catalogue's months, areas and industries reach the national zones that keep their names
    dated = [r for r in national if r["approved"] and r["area_ha"]]
    assert len(dated) >= 540
    assert names["天津经济技术开发区"]["approved"] == "1984-12"
    assert "cat2018" in names["北京经济技术开发区"]["sources"].split()
    assert names["阿克苏阿拉尔高新技术产业开发区"]["province"] == "650000"
    # an upgraded provincial zone is one national row that keeps its old name as former
    assert names["宁乡高新技术产业开发区"]["former"] == "宁乡高新技术产业园区"
    assert "宁乡高新技术产业园区" not in names
    # a customs zone converted to a 综合保税区 keeps its former name and kind-bearing new name
    assert names["洋山特殊综合保税区"]["former"] == "洋山保税港区"
    assert names["洋山特殊综合保税区"]["kind"] == "综合保税区"
    # every province-level division but the SARs and Taiwan has zones
    assert len({r["province"] for r in rows}) == 31


def _write(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    rows = _rows()
    mutate(rows)
    out = tmp_path / "zones.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out


def _set(index: int, **values: str):  # type: ignore[no-untyped-def]
    def mutate(rows: list[dict[str, str]]) -> None:
        rows[index].update(values)
    return mutate


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda rows: rows.append(dict(rows[0])), "duplicate name"),
    (_set(0, province="730000"), "is not a province code"),
    (_set(0, province="110101"), "is not a province code"),
    (_set(3, division="510100"), "is not in province"),
    (_set(0, approved="1984-13"), "out of range"),
    (_set(0, approved="1983-12"), "out of range"),
    (_set(0, approved="2099-01"), "out of range"),
    (_set(0, approved="1991.03"), "is not YYYY-MM"),
    (_set(0, area_ha="-5"), "not a positive number"),
    (_set(0, area_ha="0"), "not a positive number"),
    (_set(0, area_ha="0.5"), "out of range"),
    (_set(0, area_ha="398000"), "out of range"),
    (_set(0, area_ha="390.0"), "not written plainly"),
    (_set(0, industries="汽车,电子信息"), "separator other than"),
    (_set(0, industries="汽车、、电子信息"), "is empty"),
    (_set(0, sources="gbt37028 gbt37028"), "listed twice"),
    (_set(0, type="工业园区"), "is not one of the national types"),
    (_set(0, level="county"), "is not national or provincial"),
    (_set(0, sources=""), "no source"),
    (_set(0, sources="nowhere"), "is not in zone_sources.csv"),
    (_set(0, kind="保税区"), "not a customs zone"),
])
def test_zones_checker_refuses_a_bad_row(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    bad = _write(tmp_path, mutate)
    res = _run(str(bad))
    assert res.returncode == 1
    assert message in res.stderr, res.stderr
    assert f"{bad}:" in res.stderr  # names the file (and the line)
    assert res.stdout == ""


def test_zones_checker_refuses_a_customs_zone_without_its_kind(tmp_path: Path) -> None:
    def mutate(rows: list[dict[str, str]]) -> None:
        customs = next(r for r in rows if r["type"] == "海关特殊监管区域")
        customs["kind"] = ""
    res = _run(str(_write(tmp_path, mutate)))
    assert res.returncode == 1 and "customs zone kind" in res.stderr


def test_zones_checker_names_a_missing_file(tmp_path: Path) -> None:
    res = _run(str(tmp_path / "none.csv"))
    assert res.returncode == 1
    assert res.stderr.strip() == f"{tmp_path / 'none.csv'}: no such file"


# --- mentions resolved to the register (item 2) ----------------------------------------------

def test_zones_short_forms_are_derived_from_the_rules() -> None:
    from kg.lang.zones import short_forms
    hangzhou = short_forms("杭州高新技术产业开发区")
    assert {"杭州高新区", "杭州国家高新区", "杭州国家高新技术产业开发区"} <= hangzhou
    assert "西安经开区" in short_forms("西安经济技术开发区")
    assert "西安综保区" in short_forms("西安综合保税区")
    # a leading province or city may be dropped or kept; a bare suffix is no name
    forms = short_forms("上海张江高新技术产业开发区")
    assert {"张江高新区", "上海张江高新区"} <= forms
    assert "高新区" not in short_forms("西安高新技术产业开发区")
    assert "深圳高新区" in short_forms("深圳市高新技术产业园区")  # a full place name written short


def test_zones_rules_are_data() -> None:
    """A rule added to the data derives new forms; the code names no suffix."""
    from kg.lang.zones import ZoneRules, short_forms, zone_rules
    rules = zone_rules()
    assert "综保区" not in short_forms("西安综合保税区", ZoneRules((), rules.drop_leading))
    extra = ZoneRules((("综合保税区", ("保税园",)),), ())
    assert "西安保税园" in short_forms("西安综合保税区", extra)


@pytest.mark.parametrize(("mention", "zone"), [
    ("杭州高新区", "杭州高新技术产业开发区"),
    ("杭州高新区(滨江)", "杭州高新技术产业开发区"),
    ("福建省厦门火炬高新区", "厦门火炬高技术产业开发区"),
    ("襄阳市高新区", "襄阳高新技术产业开发区"),
    ("东湖高新区", "武汉东湖新技术开发区"),
    ("长春经开区", "长春经济技术开发区"),  # not 湖南益阳长春经济开发区: kept places win
    ("国家级宁乡经开区", "宁乡经济技术开发区"),
    ("宁乡高新技术产业园区", "宁乡高新技术产业开发区"),  # the former name
    ("苏州工业(yè)园区(qū)", "苏州工业园区"),
    ("银川综保区", "银川综合保税区"),
    ("高新区", None),
    ("湘江新区", None),  # a national new area is no development zone of the register
    ("南川工业园区", None),  # 青海 and 重庆 both have one
])
def test_zones_mentions_resolve(mention: str, zone: str | None) -> None:
    from kg.lang.zones import zone_index
    found = zone_index().resolve(mention)
    assert (found.name if found else None) == zone


def test_zones_province_decides_between_namesakes() -> None:
    from kg.lang.zones import zone_index
    index = zone_index()
    qinghai = index.resolve("南川工业园区", "630000")
    assert qinghai is not None and qinghai.name == "青海南川工业园区"
    found = index.resolve_all([["西宁经济技术开发区"], ["南川工业园区"], ["甘河工业园区"]])
    assert [z.name if z else None for z in found] == [
        "西宁经济技术开发区", "青海南川工业园区", "青海甘河工业园区"]


def test_zones_resolution_on_the_gold_parks_meets_the_targets() -> None:
    """scripts/zone_resolution.py on the seeds and the real development gold: precision ≥ 0.95
    and recall ≥ 0.90 of the Park entities that are register zones (issue 19)."""
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "zone_resolution.py")],
                         capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    row = next(ln for ln in res.stdout.splitlines() if ln.startswith("all "))
    parks, in_register, resolved, correct, precision, recall = row.split()[1:]
    assert int(parks) >= 200 and int(in_register) >= 80
    assert float(precision) >= 0.95 and float(recall) >= 0.90, res.stdout
