"""pk_amounts: money amounts (约53.6亿元, 3100多万元, 三千万元, 超10亿元) normalised to yuan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from kg.lang.rules import load_rules
from kg.nlp.spans import Amount, doc_text


class AmountFinder:
    """Finds amounts with their qualifier; the unit table and numerals come from amounts.toml."""

    def __init__(self, table: dict[str, Any] | None = None) -> None:
        table = table or load_rules().amounts
        self.units: dict[str, int] = table["units"]
        self.digits: dict[str, int] = table["digits"]
        self.mults: dict[str, int] = table["multipliers"]
        self.before: dict[str, str] = table["qualifiers"]["before"]
        self.after: dict[str, str] = table["qualifiers"]["after"]
        cn = "".join(self.digits) + "".join(k for k in self.mults if k not in ("万", "亿"))
        alt = lambda ws: "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True))  # noqa: E731
        post = ("以上", "左右")
        self.pattern = re.compile(
            rf"(?P<pre>{alt(self.before)})?"
            rf"(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|[{cn}]+)"
            rf"(?P<mid>{alt(self.after)})?"
            r"[ \t]?"  # "总投资 5.2 亿元": a stray space from a web page
            rf"(?P<unit>{alt(self.units)})"
            rf"(?P<post>{alt(post)})?"
        )
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
        raw = m.group("num")
        try:
            num = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            val = self.chinese_number(raw)
            if val is None:
                return None
            num = Decimal(val)
        unit = m.group("unit")
        value = int(num * self.units[unit])
        qual = ""
        for key, table in (("pre", self.before), ("mid", self.after), ("post", self.after)):
            if m.group(key):
                qual = table[m.group(key)] or qual
        currency = "USD" if "美元" in unit else "CNY"
        start = m.start("num") if m.group("pre") in (None, "达", "高达") else m.start()
        return Amount(start, m.end(), m.string[start : m.end()], value, currency, qual)

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
        for m in self.matches(doc_text(doc)):
            amt = self.parse(m)
            if amt is not None:
                out.append(amt)
        doc._.pk_amounts = out
        return doc


@Language.factory("pk_amounts")
def make_amounts(nlp: Language, name: str) -> AmountFinder:
    """Registered factory: amounts with units and qualifiers from kg/patterns/amounts.toml."""
    return AmountFinder()
