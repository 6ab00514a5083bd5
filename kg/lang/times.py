"""Time expressions of Chinese news (2024年6月15日, 今年6月, 一季度, 去年底, 「十四五」期间, 近三年)
read into ISO-like values with a precision, relative words resolved against a publication date.

Every word comes from kg/patterns/times.toml; this module holds only how they combine. Values:
day 2024-06-15, month 2024-06, quarter 2024-Q1, half 2024-H1, year 2023, range 2021/2025.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.lang.rules import RuleError, _read_toml

__all__ = ["TimeHit", "TimeParser", "load_times", "month_add", "parse_date", "precision_of"]


@dataclass(frozen=True)
class TimeHit:
    """One time expression found in a text: its offsets, words, value and precision."""

    start: int
    end: int
    text: str
    value: str
    precision: str


def _alt(words: Any) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def month_add(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) moved by `delta` months."""
    n = year * 12 + month - 1 + delta
    return n // 12, n % 12 + 1


class TimeParser:
    """Finds and resolves time expressions; built once from times.toml."""

    def __init__(self, root: Path | None = None) -> None:
        t = _read_toml("times.toml", root)
        try:
            self.numerals: dict[str, int] = dict(t["numerals"])
            self.rel_years: dict[str, int] = dict(t["relative_years"])
            self.rel_days: dict[str, int] = dict(t["relative_days"])
            self.rel_months: dict[str, int] = dict(t["relative_months"])
            self.rel_weeks: dict[str, int] = dict(t["relative_weeks"])
            bare_day_after = list(t["bare_day"]["after"])
            self.halves: dict[str, int] = dict(t["halves"])
            self.q_to_date: dict[str, int] = dict(t["quarters_to_date"])
            self.plans: dict[str, tuple[int, int]] = {k: (int(v[0]), int(v[1]))
                                                      for k, v in t["plans"].items()}
            parts = list(t["year_parts"]["words"])
            quotes = list(t["plan_words"]["quotes"])
            plan_after = list(t["plan_words"]["after"])
            recent_before = list(t["recent_years"]["before"])
            recent_after = list(t["recent_years"]["after"])
            self.no_time: tuple[str, ...] = tuple(t["no_time"]["words"])
            self.comparison: tuple[str, ...] = tuple(t["comparison"]["after"])
            # words right after a dateline's day (电, 讯, 消息): the report's date
            self.dateline_ends: tuple[str, ...] = tuple(t["publication"]["dateline_end"])
            self.fact_verbs: tuple[str, ...] = tuple(t["fact_verbs"]["words"])
            self.verb_window = int(t["fact_verbs"]["within"])
            self.event_words: tuple[str, ...] = tuple(t["event_words"]["words"])
            self.event_markers: tuple[str, ...] = tuple(t["event_words"]["markers"])
            self.lead_words: tuple[str, ...] = tuple(t["event_words"]["leads"])
            self.back_refs: tuple[str, ...] = tuple(sorted(t["back_references"]["words"],
                                                          key=len, reverse=True))
            event_within = int(t["event_names"]["within"])
            event_ends = list(t["event_names"]["endings"])
            self.deal_words: tuple[str, ...] = tuple(t["event_names"]["deal_words"])
            y, mo, q, qp = t["year"], t["month"], t["quarter"], t["quarter_prefix"]
            days, joiners, seps = list(t["day"]), list(t["range_joiners"]), t["date_separators"]
            self.day_not_before: tuple[str, ...] = tuple(t["day_not_before"])
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise RuleError(f"kg/patterns/times.toml: missing or bad entry ({exc})") from None
        num = rf"(?:\d{{1,2}}|{_alt(self.numerals)})"
        yr = r"(?:19|20)\d{2}"
        dd, jn = _alt(days), _alt(joiners)
        # the part words after a year's 年: 年底 → 底, 年度 → 度, 全年 kept
        self.part_words = sorted({p[len(y):] if p.startswith(y) and len(p) > len(y) else p
                                  for p in parts}, key=len, reverse=True)
        part = _alt(self.part_words)
        q_word = rf"(?:{re.escape(qp)})?(?P<q>[1-4一二三四]){re.escape(q)}"
        q2d = _alt(self.q_to_date)
        half = _alt(self.halves)
        sep = "[" + re.escape("".join(seps)) + "]"
        md = rf"(?P<m>{num}){re.escape(mo)}(?:(?P<d>{num})(?:{dd}))?"
        y_ = re.escape(y)
        tail = (rf"(?:{q_word}|(?P<q2d>{q2d})|(?P<h>{half})|{md}|(?P<part>{part}))?")
        self.kinds: list[tuple[str, re.Pattern[str]]] = [
            ("yrange", re.compile(rf"(?P<y1>{yr}){y_}?(?:{jn})(?P<y2>{yr}){y_}")),
            ("mrange", re.compile(
                rf"(?P<y>{yr}){y_}(?P<m1>{num}){re.escape(mo)}?(?:{jn})(?P<m2>{num})"
                rf"{re.escape(mo)}(?!(?:{num})?(?:{dd}))")),
            ("mrange_rel", re.compile(  # 1至4月, 今年1-9月, 1月-5月: the year from the anchor
                rf"(?<![\d{y_}.\-/])(?:(?P<rel>{_alt(self.rel_years)}))?(?P<m1>{num})"
                rf"{re.escape(mo)}?(?:{jn})(?P<m2>{num}){re.escape(mo)}(?!(?:{num})?(?:{dd}))")),
            ("numeric", re.compile(
                rf"(?<!\d)(?P<y>{yr})(?P<s>{sep})(?P<m>\d{{1,2}})(?P=s)(?P<d>\d{{1,2}})(?!\d)")),
            ("dmy", re.compile(
                rf"(?<![\d.])(?P<d>\d{{1,2}})(?P<s>{sep})(?P<m>\d{{1,2}})(?P=s)(?P<y>{yr})(?!\d)")),
            ("abs", re.compile(rf"(?<!\d)(?P<y>{yr}){y_}{tail}")),
            ("rel", re.compile(rf"(?P<rel>{_alt(self.rel_years)}){tail}")),
            ("plan", re.compile(rf"(?:{_alt(quotes)})?(?P<plan>{_alt(self.plans)})"
                                rf"(?:{_alt(quotes)})?(?P<after>{_alt(plan_after)})")),
            ("recent", re.compile(rf"(?:{_alt(recent_before)})(?P<n>{num})"
                                  rf"(?:{_alt(recent_after)})")),
            ("md", re.compile(rf"(?<![\d{re.escape(y)}个])(?P<m>{num}){re.escape(mo)}"
                              rf"(?:(?P<d>{num})(?:{dd}))?(?!{re.escape(mo)})")),
            ("q", re.compile(rf"(?<![\d{y_}]){q_word}|(?P<q2d>{q2d})|(?P<h>{half})")),
            ("eventyear", re.compile(
                rf"(?<![\d.])(?P<y>{yr})(?=[\u4e00-\u9fff][\u4e00-\u9fff()（）]{{0,{event_within}}}?"
                rf"(?:{_alt(event_ends)}))")),
            ("dayword", re.compile(_alt(self.rel_days))),
            ("weekword", re.compile(_alt(self.rel_weeks))),
            ("bareday", re.compile(rf"(?<![\d月年.\-/])(?P<d>\d{{1,2}})"
                                   rf"(?=(?:{_alt(bare_day_after)}))日")),
            ("dayrange", re.compile(
                rf"(?:(?P<y>{yr}){y_})?(?:(?P<m>{num}){re.escape(mo)})?(?<![\d.])(?P<d1>\d{{1,2}})"
                rf"(?:{dd})?(?:{jn})(?P<d2>\d{{1,2}})(?:{dd})")),
            ("spaced", re.compile(rf"(?<!\d)(?P<y>{yr}) (?P<m>\d{{2}})/(?P<d>\d{{2}})(?!\d)")),
            ("monthword", re.compile(_alt(self.rel_months))),
        ]

    def verb_follows(self, text: str, hit: TimeHit) -> bool:
        """True when a fact verb (成立, 开工, 签约…) comes right after the time."""
        window = text[hit.end:hit.end + self.verb_window + 4]
        return any(0 <= window.find(v) <= self.verb_window for v in self.fact_verbs)

    def number(self, s: str | None) -> int | None:
        """12 → 12, 十二 → 12; None for None."""
        if s is None:
            return None
        return int(s) if s.isdigit() else self.numerals.get(s)

    def find(self, text: str, anchor: date | None = None, start: int = 0,
             end: int | None = None) -> list[TimeHit]:
        """The time expressions of text[start:end] with their values, in order.

        Relative ones (今年, 一季度, 6月15日 without a year) need `anchor`, the publication
        date; without it they are left out, as the gold leaves them unannotated.
        """
        end = len(text) if end is None else end
        cands: list[tuple[int, int, str, re.Match[str]]] = []
        for kind, pattern in self.kinds:
            for m in pattern.finditer(text, start, end):
                if m.end() > m.start():
                    cands.append((m.start(), -(m.end() - m.start()), kind, m))
        cands.sort(key=lambda c: (c[0], c[1]))
        out: list[TimeHit] = []
        taken = start
        for s, _neg, kind, m in cands:
            if s < taken or text.startswith(self.comparison, m.end()):
                continue
            if m.group().endswith("号") and text.startswith(self.day_not_before, m.end()):
                continue  # 1至3号楼: buildings, not days
            got = self.resolve(kind, m, anchor)
            if got is None:
                continue
            out.append(TimeHit(s, m.end(), m.group(), got[0], got[1]))
            taken = m.end()
        return out

    def resolve(self, kind: str, m: re.Match[str], anchor: date | None
                ) -> tuple[str, str] | None:
        """(value, precision) of one match of kind `kind`, or None when it gives no time."""
        g = m.groupdict()
        if kind == "yrange":
            a, b = int(g["y1"]), int(g["y2"])
            return (f"{a}/{b}", "range") if a < b else None
        if kind == "mrange":
            year, m1, m2 = int(g["y"]), self.number(g["m1"]), self.number(g["m2"])
            if not (m1 and m2 and 1 <= m1 < m2 <= 12):
                return None
            return f"{year}-{m1:02d}/{year}-{m2:02d}", "range"
        if kind == "mrange_rel":
            m1, m2 = self.number(g["m1"]), self.number(g["m2"])
            if anchor is None or not (m1 and m2 and 1 <= m1 < m2 <= 12):
                return None
            year = anchor.year + (self.rel_years[g["rel"]] if g["rel"] else 0)
            if not g["rel"] and m2 - anchor.month > 6:
                year -= 1  # 1-11月 in an article of February: last year's
            return f"{year}-{m1:02d}/{year}-{m2:02d}", "range"
        if kind == "dayrange":
            d1, d2 = int(g["d1"]), int(g["d2"])
            month = self.number(g["m"]) if g["m"] else (anchor.month if anchor else None)
            year = int(g["y"]) if g["y"] else (anchor.year if anchor else None)
            if year is None or not month or not d1 < d2:
                return None
            a, b = _day(year, month, d1), _day(year, month, d2)
            return (f"{a[0]}/{b[0]}", "range") if a and b else None
        if kind in ("numeric", "dmy", "spaced"):
            return _day(int(g["y"]), int(g["m"]), int(g["d"]))
        if kind == "eventyear":
            return g["y"], "year"
        if kind == "abs":
            return self._year_tail(int(g["y"]), g, anchor)
        if kind == "rel":
            if anchor is None:
                return None
            return self._year_tail(anchor.year + self.rel_years[g["rel"]], g, anchor)
        if kind == "plan":
            a, b = self.plans[g["plan"]]
            return (str(b), "year") if g["after"] == self.part_words_end() else (f"{a}/{b}",
                                                                                   "range")
        if anchor is None:
            return None
        if kind == "recent":
            n = self.number(g["n"])
            if not n or n > 10:
                return None
            return f"{anchor.year - n}/{anchor.year - 1}", "range"
        if kind == "md":
            month, day = self.number(g["m"]), self.number(g["d"])
            if not month or not 1 <= month <= 12:
                return None
            year = anchor.year - 1 if month - anchor.month > 6 else anchor.year
            return _day(year, month, day) if day else (f"{year}-{month:02d}", "month")
        if kind == "q":
            return self._year_tail(anchor.year, g, anchor)
        if kind == "dayword":
            d = anchor + timedelta(days=self.rel_days[m.group()])
            return d.isoformat(), "day"
        if kind == "weekword":
            monday = anchor - timedelta(days=anchor.weekday()) + timedelta(
                weeks=self.rel_weeks[m.group()])
            return f"{monday.isoformat()}/{(monday + timedelta(days=6)).isoformat()}", "range"
        if kind == "bareday":
            day = int(g["d"])
            y, mo = (anchor.year, anchor.month) if day <= anchor.day else month_add(
                anchor.year, anchor.month, -1)
            return _day(y, mo, day)
        if kind == "monthword":
            y, mo = month_add(anchor.year, anchor.month, self.rel_months[m.group()])
            return f"{y}-{mo:02d}", "month"
        return None

    def part_words_end(self) -> str:
        """The plan word that means the plan's last year (「十四五」末), by convention the last."""
        return "末"

    def _year_tail(self, year: int, g: dict[str, str | None], anchor: date | None
                   ) -> tuple[str, str] | None:
        if g.get("q"):
            q = self.number(g["q"])
            return (f"{year}-Q{q}", "quarter") if q and 1 <= q <= 4 else None
        if g.get("q2d"):
            return f"{year}-Q1/{year}-Q{self.q_to_date[g['q2d'] or '']}", "range"
        if g.get("h"):
            return f"{year}-H{self.halves[g['h'] or '']}", "half"
        if g.get("m"):
            month, day = self.number(g["m"]), self.number(g.get("d"))
            if not month or not 1 <= month <= 12:
                return None
            return _day(year, month, day) if day else (f"{year}-{month:02d}", "month")
        return str(year), "year"


def _day(year: int, month: int, day: int) -> tuple[str, str] | None:
    try:
        return date(year, month, day).isoformat(), "day"
    except ValueError:
        return None


def precision_of(value: str) -> str:
    """The precision a time value's form implies (2024-Q1 → quarter, 2021/2025 → range)."""
    if "/" in value:
        return "range"
    if "-Q" in value:
        return "quarter"
    if "-H" in value:
        return "half"
    return {4: "year", 7: "month", 10: "day"}.get(len(value), "day")


def parse_date(value: str) -> date | None:
    """A date of a value string (2024-06-15; 2024-06 → the 15th; 2024 → 1 July); None if none.

    What relative words are resolved against when an article's date is less precise than a day.
    """
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2) or 7), int(m.group(3) or (15 if m.group(2)
                                                                              else 1)))
    except ValueError:
        return None


@lru_cache(maxsize=4)
def load_times(root: Path | None = None) -> TimeParser:
    """The time parser of a patterns folder (None: the shipped kg/patterns), built once."""
    return TimeParser(root)
