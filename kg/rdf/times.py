"""Time values of the records (2024-06, 2024-Q1, 2021/2025…) as days and OWL-Time positions.

A record writes a time as one ISO-like string with a precision (docs/extraction-format.md,
"Time values"). The graph keeps that string, and adds what a query or another tool needs
(docs/rdf-model.md): the first and last day the time covers, and its OWL-Time position —
an instant placed by xsd:date, xsd:gYearMonth or xsd:gYear, or an interval from one such
instant to another.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

__all__ = ["Span", "XSD_TYPES", "span"]

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")

# the XSD type that places a time of this form (the OWL-Time property is time:inXSD + it)
XSD_TYPES = {"day": "date", "month": "gYearMonth", "year": "gYear"}


@dataclass(frozen=True)
class Span:
    """What one time value covers: its first and last day, and the OWL-Time positions of its
    two ends as (form, literal) pairs — form "day", "month" or "year" (see XSD_TYPES)."""

    start: date
    end: date
    begin: tuple[str, str]
    finish: tuple[str, str]

    @property
    def instant(self) -> bool:
        """True when the time is one instant (a day, month or year) rather than an interval."""
        return self.begin == self.finish


def _part(value: str) -> Span | None:
    """The span of a value that is not a range; None when the value has no known form."""
    try:
        if m := _DAY.match(value):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return Span(day, day, ("day", value), ("day", value))
        if m := _MONTH.match(value):
            y, mo = int(m[1]), int(m[2])
            last = calendar.monthrange(y, mo)[1]
            return Span(date(y, mo, 1), date(y, mo, last), ("month", value), ("month", value))
        if m := _YEAR.match(value):
            y = int(m[1])
            return Span(date(y, 1, 1), date(y, 12, 31), ("year", value), ("year", value))
        months = None
        if m := _QUARTER.match(value):
            q = int(m[2])
            months = (3 * q - 2, 3 * q)
        elif m := _HALF.match(value):
            h = int(m[2])
            months = (6 * h - 5, 6 * h)
        if m and months:
            y = int(m[1])
            first, last = months
            return Span(date(y, first, 1), date(y, last, calendar.monthrange(y, last)[1]),
                        ("month", f"{y:04d}-{first:02d}"), ("month", f"{y:04d}-{last:02d}"))
    except ValueError:  # a month 13 or a day 31 of a short month
        return None
    return None


def span(value: str) -> Span | None:
    """The days and OWL-Time ends of a record's time value; None when it is not one.

    >>> s = span("2024-Q2"); (s.start.isoformat(), s.end.isoformat(), s.begin, s.finish)
    ('2024-04-01', '2024-06-30', ('month', '2024-04'), ('month', '2024-06'))
    >>> span("2021/2025").finish
    ('year', '2025')
    """
    value = value.strip()
    if "/" not in value:
        return _part(value)
    left, _, right = value.partition("/")
    a, b = _part(left.strip()), _part(right.strip())
    if a is None or b is None or b.end < a.start:
        return None
    return Span(a.start, b.end, a.begin, b.finish)
