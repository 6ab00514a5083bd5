"""Where parks go on the explorer's map: at the seat of their province (kg/data/
province_seats.csv, coordinates typed by hand, see its `source` column), projected to canvas
units, parks of one province spread in rings around the seat.

A park's province is the Region it is pk:locatedIn whose name is a province-level division's
(kg.derive.regions links a park to every division of its chain). Parks without one are left
off the map and said so in the page.
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

__all__ = ["MAP_SCALE", "park_places", "province_seats"]

MAP_SCALE = 120.0  # canvas units per degree of longitude
CENTRE = (104.0, 35.0)  # lon, lat at the canvas origin
RING = 70.0  # canvas units between parks sharing a province seat


@lru_cache(maxsize=1)
def province_seats() -> dict[str, tuple[str, float, float]]:
    """Province name → (code, lon, lat) of its seat, from kg/data/province_seats.csv."""
    text = (resources.files("kg") / "data" / "province_seats.csv").read_text(encoding="utf-8")
    return {row["name"]: (row["code"], float(row["lon"]), float(row["lat"]))
            for row in csv.DictReader(text.splitlines())}


def project(lon: float, lat: float) -> tuple[float, float]:
    """Canvas position of a longitude and latitude (equirectangular, y downwards, latitude
    stretched by 1/cos 35° so that China keeps its shape)."""
    stretch = 1.0 / math.cos(math.radians(CENTRE[1]))
    return (round((lon - CENTRE[0]) * MAP_SCALE, 1),
            round(-(lat - CENTRE[1]) * MAP_SCALE * stretch, 1))


def park_places(g: nx.MultiDiGraph) -> tuple[dict[str, tuple[float, float, str]],
                                             list[list[object]]]:
    """Map positions of the parks of `g` that lie in a known province: IRI → (x, y, province),
    and the provinces used, [name, x, y, parks] each, for the map's labels."""
    seats = province_seats()
    by_province: dict[str, list[str]] = defaultdict(list)
    for node, kind in g.nodes(data="type"):
        if kind != "Park":
            continue
        names = sorted(str(g.nodes[r].get("label"))
                       for _, r, rel in g.out_edges(node, data="relation")
                       if rel == "locatedIn" and g.nodes[r].get("type") == "Region")
        province = next((n for n in names if n in seats), None)
        if province is not None:
            by_province[province].append(node)
    places: dict[str, tuple[float, float, str]] = {}
    provinces: list[list[object]] = []
    for province, parks in sorted(by_province.items()):
        _, lon, lat = seats[province]
        x, y = project(lon, lat)
        provinces.append([province, x, y, len(parks)])
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
