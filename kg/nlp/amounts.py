"""pk_amounts: money amounts (约53.6亿元, 3100多万元, 三千万元, 超10亿元) normalised to yuan.

Amounts in another currency (1.2亿美元, 500万欧元) keep its ISO code and are counted in its unit.
Every word (units, numerals, qualifiers) comes from kg/patterns/amounts.toml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.lang.rules import RuleSet, load_rules
from kg.nlp.spans import Amount, doc_text


class AmountFinder:
    """Finds amounts with their qualifier; the unit table and numerals come from amounts.toml."""

    def __init__(self, rules: RuleSet | None = None) -> None:
        table = (rules or load_rules()).amounts
        self.units = table.units
        self.digits: dict[str, int] = table.digits
        self.mults: dict[str, int] = table.multipliers
        self.before: dict[str, str] = table.before
        self.after: dict[str, str] = table.after
        # numerals of a Chinese number: digits, and multipliers that begin no unit (not 万 of
        # 万元: "三千万元" is 三千 of 万元)
        cn = "".join(self.digits) + "".join(
            k for k in self.mults if not any(u.startswith(k) for u in self.units))
        alt = lambda ws: "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True))  # noqa: E731
        post = table.after_unit
        self.pattern = re.compile(
            rf"(?P<pre>{alt(self.before)})?"
            rf"(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|[{cn}]+)"
            rf"(?P<mid>{alt(self.after)})?"
            r"[ \t]?"  # "总投资 5.2 亿元": a stray space from a web page
            rf"(?P<unit>{alt(self.units)})"
            rf"(?P<post>{alt(post)})?"
        )
        # "总投资63亿": a bare magnitude right after an investment word (amounts.toml
        # [bare_magnitudes]); the currency word's absence must be real (63亿级, 63亿元 are not)
        self.bare_units = table.bare_units
        self.bare = re.compile(
            rf"(?:{alt(table.bare_after)})(?P<pre>{alt(self.before)})?"
            rf"(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|[{cn}]+)"
            rf"(?P<mid>{alt(self.after)})?(?P<unit>{alt(self.bare_units)})"
            rf"(?P<post>(?!))?(?=[{re.escape(table.bare_next)}]|$)") \
            if table.bare_after else None
        # An amount holds a unit and no character but those of the pattern above (digits
        # apart): the pattern need only be run over the runs of them around a unit.
        self._unit_re = re.compile(alt(self.units))
        self._chars = frozenset("".join([*self.before, cn, ",.", *self.after, " \t",
                                         *self.units, *post]))
        self._run_end = re.compile(rf"[\d{re.escape(''.join(sorted(self._chars)))}]*")

    def chinese_number(self, s: str) -> int | None:
        """三千五百 → 3500, 十二 → 12, 两 → 2; None when it is not a number."""
        total, section, num = 0, 0, 0
        for ch in s:
            if ch in self.digits:
                num = self.digits[ch]
            elif ch in self.mults:
                mult = self.mults[ch]
                if mult >= 10000:
                    section = (section + num) * mult
                    total += section
                    section = 0
                else:
                    section += (num or 1) * mult
                num = 0
            else:
                return None
        return total + section + num

    def parse(self, m: re.Match[str]) -> Amount | None:
        """The Amount of one match of `self.pattern`, or None when its number is none."""
        raw = m.group("num")
        try:
            num = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            val = self.chinese_number(raw)
            if val is None:
                return None
            num = Decimal(val)
        unit = self.units.get(m.group("unit")) or self.bare_units[m.group("unit")]
        value = int(num * unit.multiplier)
        qual = ""
        for key, table in (("pre", self.before), ("mid", self.after), ("post", self.after)):
            if m.group(key):
                qual = table[m.group(key)] or qual
        # a word before the number that is no qualifier (达, 高达) stays out of the amount
        start = m.start("num") if not self.before.get(m.group("pre") or "") else m.start()
        return Amount(start, m.end(), m.string[start : m.end()], value, unit.code, qual)

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """`self.pattern.finditer(text)`, searched only where a unit stands."""
        chars = self._chars
        done = 0
        for unit in self._unit_re.finditer(text):
            if unit.start() < done:
                continue  # (in the run searched already)
            start = unit.start()
            while start > 0 and (text[start - 1] in chars or text[start - 1].isdecimal()):
                start -= 1
            run_end = self._run_end.match(text, unit.end())
            assert run_end is not None  # (the pattern matches the empty string)
            done = run_end.end()
            yield from self.pattern.finditer(text, start, done)

    def __call__(self, doc: Doc) -> Doc:
        out = []
        text = doc_text(doc)
        for m in self.matches(text):
            amt = self.parse(m)
            if amt is not None:
                out.append(amt)
        if self.bare is not None:
            taken = [(a.start, a.end) for a in out]
            for m in self.bare.finditer(text):
                amt = self.parse(m)
                if amt is not None and not any(s < amt.end and amt.start < e for s, e in taken):
                    out.append(amt)
            out.sort(key=lambda a: a.start)
        doc._.pk_amounts = out
        return doc


@Language.factory("pk_amounts", default_config={"patterns": None})
def make_amounts(nlp: Language, name: str, patterns: str | None) -> AmountFinder:
    """Registered factory: amounts with units and qualifiers from kg/patterns/amounts.toml.

    `patterns`: another folder shaped like kg/patterns to read instead (None: the shipped one).
    """
    return AmountFinder(load_rules(Path(patterns)) if patterns else None)
