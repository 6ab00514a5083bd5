"""The division gazetteer: China's provinces, prefectures and counties by code, with the short
forms text uses (四川, 内江, 内江市), read from kg/data/divisions.csv."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

LEVELS = ("province", "prefecture", "county")


# A short county name followed by one of these is part of a feature's name (大冶湖, 白马山).
_FEATURE_AFTER = frozenset("湖山河江海湾岛港峡溪泉岭峰洲滩")


_BRACKET = re.compile(r"[(（]([^()（）]{2,16})[)）]")


# After its places, a park name is short (净月高新区); a long rest is a description that only
# mentions a place (武汉光谷科创大走廊鄂东重要节点园区 lies in 黄石, not in 武汉).
MAX_REST = 10


_LONG_FORMS = (("高新技术产业开发区", "高新区"), ("经济技术开发区", "经开区"))


@dataclass(frozen=True)
class Division:
    """One administrative division: its code (610100), name (西安市), level, parent code."""

    code: str
    name: str
    level: str
    parent: str | None
    short: str


class Gazetteer:
    """The divisions indexed by full and short name, with their parent chains."""

    def __init__(self, divisions: Iterable[Division]) -> None:
        self.by_code: dict[str, Division] = {}
        self._names: dict[str, list[Division]] = {}
        for d in divisions:
            self.by_code[d.code] = d
            for form in {d.name, d.short} - {""}:
                self._names.setdefault(form, []).append(d)
        self._longest = max((len(n) for n in self._names), default=0)

    def named(self, name: str) -> list[Division]:
        """Every division whose full or short name is `name`."""
        return list(self._names.get(name, ()))

    def chain(self, code: str) -> list[Division]:
        """The division and its ancestors, province first."""
        out: list[Division] = []
        d: Division | None = self.by_code.get(code)
        while d is not None:
            out.append(d)
            d = self.by_code.get(d.parent) if d.parent else None
        return out[::-1]

    def within(self, inner: Division, outer: Division) -> bool:
        """True when `inner` is `outer` or lies inside it."""
        return any(d.code == outer.code for d in self.chain(inner.code))

    def locate(self, name: str) -> Division | None:
        """The most specific division a park name starts with (brackets may refine it)."""
        found: Division | None = None
        pos = 0
        while pos < len(name):
            step = self._next(name, pos, found)
            if step is None:
                break
            found, pos = step[0], pos + step[1]
        rest = _BRACKET.sub("", name[pos:])
        for long, short in _LONG_FORMS:
            rest = rest.replace(long, short)
        if len(rest) > MAX_REST:
            found = None
        for m in _BRACKET.finditer(name):
            step = self._next(m.group(1), 0, found)
            if step is not None:
                found = step[0]
        return found

    def _next(self, text: str, pos: int, parent: Division | None
              ) -> tuple[Division, int] | None:
        """The division named at text[pos:] (inside `parent` when given), and its length."""
        for size in range(min(self._longest, len(text) - pos), 1, -1):
            form = text[pos : pos + size]
            cands = [d for d in self._names.get(form, ())
                     if parent is None or (d.code != parent.code and self.within(d, parent))]
            nxt = text[pos + size : pos + size + 1]
            cands = [d for d in cands
                     if not (d.level == "county" and form != d.name and nxt in _FEATURE_AFTER)]
            if not cands:
                continue
            pick = self._pick(cands, form, text, pos + size, parent)
            return (pick, size) if pick is not None else None
        return None

    def _pick(self, cands: list[Division], form: str, text: str, end: int,
              parent: Division | None) -> Division | None:
        """One division among those a name could be, or None when it stays ambiguous."""
        if parent is not None:  # inside a known place: the shallowest match (通化 → 通化市)
            depth = min(len(self.chain(d.code)) for d in cands)
            best = [d for d in cands if len(self.chain(d.code)) == depth]
            return best[0] if len(best) == 1 else None
        provs = [d for d in cands if d.level == "province"]
        prefs = [d for d in cands if d.level == "prefecture"]
        if len(provs) == 1:
            inner = [d for d in prefs if self.within(d, provs[0])]
            # 吉林: the city (吉林高新区), unless a place of the province follows (吉林长春…)
            if len(inner) == 1 and self._next(text, end, provs[0]) is None:
                return inner[0]
            return provs[0]
        if provs:
            return None
        if prefs:
            return prefs[0] if len(prefs) == 1 else None
        # a county alone starts the name: only when no other division has that name
        return cands[0] if len(cands) == 1 and len(self.named(form)) == 1 else None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer shipped in the package (kg/data/divisions.csv)."""
    text = (resources.files("kg") / "data" / "divisions.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return Gazetteer(Division(r["code"], r["name"], r["level"], r["parent"] or None, r["short"])
                     for r in rows)

