"""One node per real thing across documents: canonical keys for entity names.

Parks compare equal across the forms 高新技术产业开发区 / 国家高新区 / 高新区 and with or without
a province in front (四川内江高新区 = 内江高新区); other types compare by their name with
bracket forms unified.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.lang.rules import load_places, load_suffixes


@lru_cache(maxsize=1)
def province_names() -> frozenset[str]:
    """Province-level names with and without their ending (河南, 河南省, 宁夏回族自治区…)."""
    places = load_places()
    return frozenset(p + e for p in places.provinces for e in ("", *places.endings))


@lru_cache(maxsize=1)
def _province_re() -> re.Pattern[str]:
    places = load_places()
    provs = "|".join(sorted(places.provinces, key=len, reverse=True))
    ends = "|".join(sorted(places.endings, key=len, reverse=True))
    return re.compile(rf"^(?:{provs})(?:{ends})?")


def canonical_key(name: str, type_: str) -> str:
    """The key under which names of one real thing meet, e.g. 西安国家高新区 → 西安高新区."""
    key = name.replace("（", "(").replace("）", ")").replace(" ", "")
    if type_ == "Park":
        key = park_canon(key)
        m = _province_re().match(key)
        if m and len(key) - m.end() >= 4:
            key = key[m.end() :]
    return key


@lru_cache(maxsize=1)
def park_forms() -> tuple[tuple[str, str], ...]:
    """(long suffix, short suffix) of parks: suffixes.toml `short_forms` (国家高新区 → 高新区)."""
    return load_suffixes()["Park"].short_forms


def park_canon(name: str) -> str:
    """高新技术产业开发区 / 国家高新区 → 高新区, so that variants of one park compare equal."""
    for long, short in park_forms():
        if name.endswith(long) and len(name) > len(long) + 1:
            return name[: -len(long)] + short
    return name

