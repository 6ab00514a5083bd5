"""pk_indicators: figures a text states for a park (地区生产总值436.29亿元, 同比增长6.7%,
国家高新技术企业5570家, 从2020年的2410亿元增至2023年的3333亿元) as observation hits: the park
(a name or an anaphor the pk_anaphora component resolved), the indicator, the value with its
unit, the change, the period and the clause.

The indicator vocabulary and every word of the rules come from kg/patterns/indicators.toml;
time words from kg/patterns/times.toml (kg.lang.times). Plans and targets (力争到2025年…) and
figures of a city, a province or a company are left out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.corpus import sentences as split_sentences
from kg.corpus.articles import DatedArticle, find_articles
from kg.lang.rules import RuleError, _read_toml, load_rules
from kg.lang.times import TimeHit, TimeParser, load_times
from kg.nlp.amounts import AmountFinder
from kg.nlp.spans import Mention, alternation, clause_end, clause_start, doc_text, literal_pattern

if not Doc.has_extension("pk_observations"):
    Doc.set_extension("pk_observations", default=None)


@dataclass
class ObservationHit:
    """One figure for a park: value (None when only a change is given), unit, change, period
    (a resolved TimeHit or None), the clause and sentence it was read from, the rule."""

    park: Mention
    indicator: str
    unit: str
    value: int | float | None
    value_text: str
    growth_pct: float | None
    period: TimeHit | None
    clause: tuple[int, int]
    sentence: tuple[int, int]
    rule: str


@dataclass(frozen=True)
class Indicator:
    """An indicator id of the vocabulary, the unit its values carry and its words."""

    id: str
    unit: str
    words: tuple[str, ...]


_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"


class IndicatorFinder:
    """Reads indicator sentences; built once from indicators.toml (and amounts, times)."""

    def __init__(self, root: Path | None = None) -> None:
        t = _read_toml("indicators.toml", root)
        try:
            self.indicators = {k: Indicator(k, v["unit"], tuple(v["words"]))
                               for k, v in t["indicators"].items()}
            vals, change, ft, nots = t["values"], t["change"], t["from_to"], t["not_observation"]
            self.qualified: dict[str, tuple[str, ...]] = {
                k: tuple(v) for k, v in t.get("qualified", {}).items()}
            self.count_units = list(vals["count_units"])
            self.multipliers: dict[str, int] = {k: int(v) for k, v in
                                                vals["count_multipliers"].items()}
            count_nouns = list(vals["count_nouns"])
            percent = list(vals["percent"])
            self.gap = int(vals["gap_chars"])
            rise, fall, after = list(change["rise"]), list(change["fall"]), list(change["after"])
            self.from_words, self.to_words = list(ft["from"]), list(ft["to"])
            self.plan_words = tuple(nots["plan_words"])
            self.other_subjects = tuple(nots["other_subjects"])
            place_endings = list(nots["place_endings"])
            self.not_places = tuple(nots["not_places"])
            self.province_end = str(nots["province_ending"])
            self.prefix_chars = int(nots["prefix_chars"])
            self.slice_words = tuple(nots["slice_words"])
            self.slice_exceptions = tuple(nots["slice_exceptions"])
            vc = t["verb_counts"]
            self.verb_indicator = str(vc["indicator"])
            verb_words, verb_nouns = list(vc["verbs"]), list(vc["nouns"])
            verb_within, verb_gap = int(vc["within"]), int(vc["gap"])
            self.verb_list_end = tuple(vc["list_end"])
            self.capacity_year = str(nots["capacity_year"])
            self.slice_after = tuple(nots["slice_after"])
            self.threshold_nouns = tuple(nots["threshold_nouns"])
            self.threshold_words = tuple(nots["threshold_words"])
            self.threshold_before = tuple(nots["threshold_before"])
            self.threshold_then = tuple(sorted(nots["threshold_then"], key=len, reverse=True))
            self.per_unit_after = tuple(nots["per_unit_after"])
            self.flow_words = tuple(nots["flow_words"])
            self.listed_words = tuple(nots["listed_words"])
            self.now_words = tuple(nots["now_words"])
            self.cumulative = tuple(sorted(nots["cumulative_words"], key=len, reverse=True))
            self.demonstratives = tuple(nots["demonstratives"])
        except (KeyError, TypeError) as exc:
            raise RuleError(f"kg/patterns/indicators.toml: missing or bad entry ({exc})") from None
        for ind in self.indicators.values():
            if ind.unit not in ("CNY", "USD", "percent", "count"):
                raise RuleError(f"kg/patterns/indicators.toml: {ind.id}: unknown unit {ind.unit!r}")
        self.word_of = {w: ind for ind in self.indicators.values() for w in ind.words}
        self.word_re = literal_pattern(self.word_of)
        self.amounts = AmountFinder(load_rules(root) if root else None)
        self.provinces = tuple((load_rules(root) if root else load_rules()).places.provinces)
        self.times: TimeParser = load_times(root)
        self.is_percent = {p: p != "个百分点" for p in percent}
        pct = alternation(percent)
        cu = alternation(self.count_units)
        mul = alternation(list(self.multipliers))
        self.count_after = re.compile(rf"(?P<num>{_NUM})(?P<mul>{mul})?(?P<q>余|多)?(?:{cu})")
        self.count_before = re.compile(
            rf"(?P<num>{_NUM})(?P<mul>{mul})?(?P<q>余|多)?(?:{cu})"
            rf"(?:{alternation(count_nouns)})?")
        if self.verb_indicator not in self.indicators:
            raise RuleError(f"kg/patterns/indicators.toml: verb_counts: unknown indicator "
                            f"{self.verb_indicator!r}")
        self.verb_count_re = re.compile(
            rf"(?:{alternation(verb_words)})(?P<between>[^，,。；;：:\n]{{0,{verb_within}}}?)"
            rf"(?P<noun>{alternation(verb_nouns)})[近约达超]{{0,{verb_gap}}}"
            rf"(?P<num>{_NUM})(?P<mul>{mul})?(?P<q>余|多)?(?:{cu})"
            rf"|(?:{alternation(verb_words)})(?P<between2>)[近约达超]{{0,{verb_gap}}}"
            rf"(?P<num2>{_NUM})(?P<mul2>{mul})?(?:余|多)?(?:{cu})(?P<noun2>{alternation(verb_nouns)})")
        self.percent_re = re.compile(rf"(?P<num>{_NUM})(?P<pct>{pct})")
        self.growth_re = re.compile(
            rf"(?P<dir>{alternation(rise + fall)})(?:了|率|幅度)?(?:达到|达|为|至|超过|超)?"
            rf"(?P<num>{_NUM})(?P<pct>{pct})"
            rf"|(?P<num2>{_NUM})(?P<pct2>{pct})(?P<after>{alternation(after)})")
        self.fall = frozenset(fall)
        self.change_start = re.compile(rf"(?:{alternation(rise + fall)})")
        self.from_re = re.compile(alternation(self.from_words))
        self.to_re = re.compile(alternation(self.to_words))
        self.place_re = re.compile(
            rf"[\u4e00-\u9fff]{{2,4}}(?:{alternation(place_endings)})(?![\u4e00-\u9fff]*?区)")

    # --- values -----------------------------------------------------------------------------
    def _value(self, text: str, ind: Indicator, lo: int, hi: int
               ) -> tuple[int | float, str, int, int, str] | None:
        """The first value of the indicator's unit in text[lo:hi]: (value, unit, start, end,
        words); None when there is none."""
        if ind.unit in ("CNY", "USD"):
            if any(w in text[lo:hi] for w in self.threshold_words) and hi < len(text) and \
                    text[hi] in "，,":
                hi = clause_end(text, hi + 1)  # 突破千亿元大关，达到1173亿元
            for m in self.amounts.matches(text[:hi]):
                if m.start() < lo:
                    continue
                amt = self.amounts.parse(m)
                if amt is None or amt.start < lo or amt.currency not in ("CNY", "USD"):
                    continue
                if text.startswith(self.threshold_nouns + self.per_unit_after, amt.end):
                    return None  # 营收10亿元以上企业65家, 25亿元/平方公里: no total
                passed = text.startswith(self.threshold_words, amt.end) or any(
                    text.endswith(w, lo, amt.start) or text.endswith(w, lo, amt.start - 1)
                    for w in self.threshold_before)
                if passed:
                    then = self._then(text, amt.end)
                    if then is not None:
                        return then  # 首破1000亿元，达1041亿元: the figure comes next
                return amt.value, amt.currency, amt.start, amt.end, amt.text
            return None
        if ind.unit == "percent":
            m = self.percent_re.search(text, lo, hi)
            if m is None or not self.is_percent[m.group("pct")]:
                return None
            return _number(m.group("num")), "percent", m.start(), m.end(), m.group()
        m = self.count_after.search(text, lo, hi)
        if m is None or any(c in text[lo:m.start()] for c in "、，,；;"):
            return None  # (a count past a list mark belongs to the next item)
        return self._count(m), "count", m.start(), m.end(), m.group()

    def _then(self, text: str, pos: int) -> tuple[int | float, str, int, int, str] | None:
        """The amount the clause after a passed threshold opens with (…，达到1173亿元)."""
        pos += len(next((w for w in self.threshold_words if text.startswith(w, pos)), ""))
        if pos >= len(text) or text[pos] not in "，,":
            return None
        word = next((w for w in self.threshold_then if text.startswith(w, pos + 1)), None)
        if word is None:
            return None
        at = pos + 1 + len(word)
        for m in self.amounts.matches(text[:clause_end(text, at)]):
            amt = self.amounts.parse(m)
            if amt is None or amt.start < at:
                continue
            if amt.start <= at + 1 and amt.currency in ("CNY", "USD"):
                return amt.value, amt.currency, amt.start, amt.end, amt.text
            break
        return None

    def _count(self, m: re.Match[str]) -> int:
        """The count a match gives, its multiplier applied (20万户 → 200000)."""
        return int(_number(m.group("num")) * self.multipliers.get(m.group("mul") or "", 1))

    def _growth(self, text: str, lo: int, hi: int) -> tuple[float, int, int] | None:
        for m in self.growth_re.finditer(text, lo, hi):
            if m.group("num") is not None:
                if not self.is_percent[m.group("pct")]:
                    continue
                value = _number(m.group("num"))
                return (-value if m.group("dir") in self.fall else value), m.start(), m.end()
            if self.is_percent[m.group("pct2")]:
                return _number(m.group("num2")), m.start(), m.end()
        return None

    # --- the component ----------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        articles: list[DatedArticle] | None = doc.user_data.get("pk_articles")
        if articles is None:
            articles = find_articles(text)
        mentions: list[Mention] = doc._.pk_mentions or []
        parks = [m for m in mentions if m.type == "Park"]
        park_starts = [m.start for m in parks]
        others = [m for m in mentions if m.type != "Park"]
        sents = doc._.pk_sentences or split_sentences(text)
        sent_starts = [s.start for s in sents]
        topics = doc._.pk_topics or []
        secs = doc._.pk_sections or []
        sec_starts = [s.start for s in secs]
        out: list[ObservationHit] = []
        time_cache: dict[int, list[TimeHit]] = {}
        for wm in self.word_re.finditer(text):
            ws, we = wm.start(), wm.end()
            if any(o.start <= ws < o.end or o.start < we <= o.end for o in others):
                continue  # a word inside a company's or platform's name
            if any(p.start <= ws and we <= p.end for p in parks):
                continue
            ind = self.word_of[wm.group()]
            if self._slice(text, ws, we):
                continue
            need = self.qualified.get(wm.group())
            if need and not any(w in text[clause_start(text, ws):ws] for w in need):
                continue
            si = bisect_right(sent_starts, ws) - 1
            if si < 0:
                continue
            sent = sents[si]
            cs, ce = clause_start(text, ws), clause_end(text, we)
            cs = max(cs, sent.start)
            if any(w in text[sent.start:ce] for w in self.plan_words):
                continue
            # the paragraph: from the line start to the line end
            ps = text.rfind("\n", 0, ws) + 1
            pe = text.find("\n", we)
            pe = len(text) if pe == -1 else pe
            park = self._park(text, parks, park_starts, ws, ps, sent.start, topics, secs,
                              sec_starts, others, ind.unit == "count")
            if park is None:
                continue
            if ps not in time_cache:
                time_cache[ps] = self._times(text, _published(articles, ws), ps, pe)
            times, relative = time_cache[ps]
            hits = self._read(text, ind, ws, we, cs, ce, sent.end, times, ps, sent.start)
            for value, unit, vtext, growth, period, rule in hits:
                if period is not None and (period.start, period.end) in relative:
                    continue  # 上半年 in an undated article: the period is unknown
                out.append(ObservationHit(park, ind.id, unit, value, vtext, growth, period,
                                          (cs, ce), (sent.start, sent.end), rule))
        out += self._verb_counts(text, sents, sent_starts, parks, park_starts, others, topics,
                                 secs, sec_starts, articles, time_cache)
        doc._.pk_observations = _dedupe(out)
        return doc

    def _verb_counts(self, text: str, sents: list, sent_starts: list[int], parks: list[Mention],
                     park_starts: list[int], others: list[Mention], topics: list[str | None],
                     secs: list, sec_starts: list[int], articles: list[DatedArticle],
                     time_cache: dict) -> list[ObservationHit]:
        """Counts of enterprises a verb states (已集聚…企业近50家, 共引进…等企业12家)."""
        out = []
        ind = self.indicators[self.verb_indicator]
        for m in self.verb_count_re.finditer(text):
            second = m.group("num2") is not None
            ws, ns = m.start(), m.start("noun2" if second else "noun")
            between = m.group("between") or ""
            if between and not between.endswith(self.verb_list_end):
                continue  # 集聚数字经济企业2500家: a sector's firms
            if any(o.start < ns + 2 and ns < o.end for o in others):
                continue  # the noun inside a name
            si = bisect_right(sent_starts, ws) - 1
            if si < 0:
                continue
            sent = sents[si]
            cs, ce = max(clause_start(text, ws), sent.start), clause_end(text, m.end())
            if any(w in text[sent.start:ce] for w in self.plan_words) or self._slice(
                    text, ws, ws):
                continue
            ps = text.rfind("\n", 0, ws) + 1
            pe = text.find("\n", ws)
            pe = len(text) if pe == -1 else pe
            park = self._park(text, parks, park_starts, ws, ps, sent.start, topics, secs,
                              sec_starts, others, True)
            if park is None:
                continue
            if ps not in time_cache:
                time_cache[ps] = self._times(text, _published(articles, ws), ps, pe)
            times, relative = time_cache[ps]
            now = any(w in text[sent.start:ws] for w in self.now_words)
            period = None if now else self._period(text, times, cs, ws, max(ps, sent.start))
            if period is not None and (period.start, period.end) in relative:
                continue
            value_at = m.start("num2" if second else "num")
            count = int(_number(m.group("num2")) * self.multipliers.get(
                m.group("mul2") or "", 1)) if second else self._count(m)
            out.append(ObservationHit(park, ind.id, "count", count,
                                      text[value_at:m.end()], None, period, (cs, ce),
                                      (sent.start, sent.end), "indicator.verb_count"))
        return out

    def _times(self, text: str, anchor: date | None, lo: int, hi: int
               ) -> tuple[list[TimeHit], set[tuple[int, int]]]:
        """The times of a paragraph, and where those are that an undated article leaves
        unresolved (今年, 上半年 with no publication date): found, but no period."""
        if anchor is not None:
            return self.times.find(text, anchor, lo, hi), set()
        fixed = {(h.start, h.end) for h in self.times.find(text, None, lo, hi)}
        every = self.times.find(text, _SOME_DAY, lo, hi)
        return every, {(h.start, h.end) for h in every} - fixed

    def _slice(self, text: str, ws: int, we: int) -> bool:
        """True when the words around the indicator make the figure a slice of the park or
        another body's (产业产值, 亩均税收, 市级专精特新, 年产值, 高新技术企业培育库)."""
        lo = max(clause_start(text, ws), ws - self.prefix_chars)
        before = text[lo:ws]
        for w in self.slice_exceptions:
            before = before.replace(w, " ")
        if any(w in before for w in self.slice_words):
            return True
        if text.startswith(self.slice_after, we):
            return True
        if ws > 0 and text[ws - 1] == self.capacity_year:
            before = text[ws - 2] if ws > 1 else ""
            if not (before.isdigit() or before in "今去前上本明全当度"):
                return True
        return False

    def _park(self, text: str, parks: list[Mention], park_starts: list[int], ws: int, ps: int,
              ss: int, topics: list[str | None], secs: list, sec_starts: list[int],
              others: list[Mention], count: bool = False) -> Mention | None:
        """The park the figure at `ws` is stated for: the nearest park named before it in its
        paragraph, with no other subject (a city, a company) in between; else the section's
        topic park when the sentence names no other subject."""
        i = bisect_right(park_starts, ws) - 1
        while i >= 0 and (parks[i].end > ws or _bracketed(text, ps, parks[i].start)):
            i -= 1  # (a park named in brackets, 「(来宾高新区2015年3月获批)」, is an aside)
        cand = parks[i] if i >= 0 and parks[i].start >= ps else None
        lo = max(cand.end if cand is not None else ss, clause_start(text, ws), ss)
        between = text[lo:ws]
        if any(w in between for w in self.other_subjects):
            return None
        # a place right before the word is its subject (常州市GDP), but a province's name
        # qualifies a certification (陕西省专精特新中小企业)
        place = next((m for m in self.place_re.finditer(between)
                      if lo + m.end() < ws or not m.group().endswith(self.province_end)), None)
        if place is not None or (count is False and any(lo <= o.start < ws for o in others
                                                           if o.type == "Enterprise")):
            return None
        if not count and self._province(between):
            return None  # 海南规模以上工业增加值: a province's figure
        if self._city_since(text, cand.end if cand is not None else ps, ss):
            return None  # 「2023年，西安市…。国家高新技术企业…突破1.3万家」: the city's
        demo = self._demonstrative(text, parks, ps, ws)
        if demo is not None and (cand is None or demo.start > cand.start):
            return demo
        if cand is not None:
            return cand
        k = bisect_right(sec_starts, ws) - 1
        if 0 <= k < len(topics) and topics[k]:
            key = topics[k]
            model = next((p for p in parks if p.key == key), None)
            if model is not None:
                return Mention(ws, ws, "Park", model.text, "Park.topic", key=key, anaphor=True)
        return None

    def _city_since(self, text: str, lo: int, hi: int) -> bool:
        """True when a sentence between `lo` and `hi` has a city (or 全市…) as its subject:
        the figures after it are the city's, not the park's named before."""
        for m in _SENT_OPEN.finditer(text, lo, hi):
            at = m.end()
            place = self.place_re.match(text, at)
            if place is not None and not place.group().endswith(self.not_places):
                return True
            if text.startswith(self.other_subjects, at):
                return True
        return False

    def _province(self, words: str) -> bool:
        """True when a province's name stands in `words` (the figure's subject)."""
        return any(p in words for p in self.provinces)

    def _demonstrative(self, text: str, parks: list[Mention], ss: int, ws: int
                       ) -> Mention | None:
        """这个科创园 earlier in the sentence: the last park named before whose name ends
        in the word after the demonstrative."""
        for d in self.demonstratives:
            i = text.rfind(d, ss, ws)
            if i < 0:
                continue
            after = text[i + len(d):i + len(d) + 4]
            for k in (4, 3, 2):
                head = after[:k]
                hits = [p for p in parks if p.end <= i and not p.anaphor
                        and p.text.endswith(head) and p.text != head]
                if len(head) == k and hits:
                    last = hits[-1]
                    return Mention(i, i + len(d) + k, "Park", text[i:i + len(d) + k],
                                   "Park.demonstrative", key=last.key, anaphor=True)
        return None

    def _read(self, text: str, ind: Indicator, ws: int, we: int, cs: int, ce: int, se: int,
              times: list[TimeHit], ps: int, ss: int
              ) -> list[tuple[int | float | None, str, str, float | None, TimeHit | None, str]]:
        """The observations one indicator word gives: (value, unit, words, growth, period,
        rule); two for a from-X-to-Y with a time at each end."""
        unit = ind.unit
        now = any(w in text[ss:ws] for w in self.now_words)
        # a count stated as a stock (高新技术企业达到461家) takes its period from its own
        # sentence only; one told as the year's event (7家公司入库…) from the paragraph
        vps = max(ps, ss) if ind.unit == "count" and not any(
            w in text[cs:ws] for w in self.listed_words) else ps
        flow = ind.unit == "count" and any(w in text[cs:ws] for w in self.flow_words)
        if flow:  # 新认定…131家: left out, but a 累计 figure after it is the stock
            got = self._value(text, ind, we, ce)
            if got is None:
                return []
            period = self._period(text, times, cs, ws, ps, exclude=(we, got[3]))
            return [x for x in self._cumulative(text, ind, got[3], period)]
        if ind.unit == "count":
            near = [m for m in self.count_before.finditer(text, cs, ws)
                    if ws - m.end() <= 4 and not any(c in text[m.end():ws] for c in "、，,；;")]
            if near:
                m = near[-1]
                period = None if now else self._period(text, times, cs, ws, ps)
                return [(self._count(m), "count", m.group(), None, period,
                         "indicator.count_before")]
        # the next clause when it only states the change (…436.29亿元,同比增长6.7%)
        ge = ce
        if ce < se and self.change_start.match(text, ce + 1):
            ge = clause_end(text, ce + 1)
        got = self._value(text, ind, we, ce)
        if got is not None and got[2] - we > self.gap and not self.from_re.search(
                text, we, got[2]):
            got = None
        if got is not None and got[3] > ce:  # the figure after a threshold, a clause on
            ce = clause_end(text, got[3])
            ge = ce
            if ce < se and self.change_start.match(text, ce + 1):
                ge = clause_end(text, ce + 1)
        out = []
        if got is not None:
            value, vunit, vs, ve, vtext = got
            if ind.unit == "CNY" and vunit == "USD" or ind.unit == vunit:
                unit = vunit
            elif ind.unit in ("CNY", "USD"):
                unit = vunit
            fm = self.from_re.search(text, we, vs)
            tm = self.to_re.match(text, ve) or self.to_re.search(text, ve, min(ce, ve + 6))
            if fm is not None and tm is not None:
                second = self._value(text, ind, tm.end(), ce)
                if second is not None:
                    t1 = _time_in(times, fm.end(), vs)
                    t2 = _time_in(times, tm.end(), second[2])
                    growth = self._growth(text, second[3], ge)
                    if t1 is not None:  # 从2014年的1435亿元跃升到近3000亿元: both
                        out.append((value, unit, vtext, None, t1, "indicator.from"))
                        out.append((second[0], unit, second[4],
                                    growth[0] if growth else None, t2, "indicator.to"))
                        return out
                    period = t2 or self._period(text, times, cs, ws, ps, exclude=(fm.start(), ce))
                    return [(second[0], unit, second[4], growth[0] if growth else None, period,
                             "indicator.to")]
            growth = self._growth(text, ve, ge)
            period = None if now else self._period(text, times, cs, ws, vps, exclude=(we, ve))
            if text[ve:ve + 1] in "(（":  # 905亿元(2013年): the period in brackets
                period = next((h for h in times if h.start == ve + 1), period)
            out = [(value, unit, vtext, growth[0] if growth else None, period, "indicator.value")]
            return out + self._cumulative(text, ind, ve, period)
        if ind.unit == "count":
            before = [m for m in self.count_before.finditer(text, cs, ws)
                      if ws - m.end() <= self.gap - 4
                      and not any(c in text[m.end():ws] for c in "、，,；;")]
            if before:
                m = before[-1]
                period = None if now else self._period(text, times, cs, ws, ps)
                return [(self._count(m), "count", m.group(), None, period,
                         "indicator.count_before")]
            growth = self._growth(text, we, ge)  # 市场主体数量增长15%: a change alone
            if growth is not None and growth[1] - we <= self.prefix_chars:
                period = None if now else self._period(text, times, cs, ws, ps)
                return [(None, "count", "", growth[0], period, "indicator.change")]
            return []
        growth = self._growth(text, we, ge)
        if growth is not None and growth[1] - we <= self.gap:
            period = None if now else self._period(text, times, cs, ws, ps)
            return [(None, ind.unit, "", growth[0], period, "indicator.change")]
        return []

    def _cumulative(self, text: str, ind: Indicator, ve: int, period: TimeHit | None
                    ) -> list[tuple[int | float | None, str, str, float | None, TimeHit | None,
                                    str]]:
        """A second figure of the same indicator right after one (…49家，累计达280余家)."""
        more = ve + 1 if text[ve:ve + 1] in "，," else ve
        cum = next((w for w in self.cumulative if text.startswith(w, more)), None)
        if cum is None:
            return []
        nxt = self._value(text, ind, more + len(cum), clause_end(text, more + len(cum)))
        if nxt is None or nxt[2] - more - len(cum) > 2:
            return []
        return [(nxt[0], nxt[1], nxt[4], None, period, "indicator.cumulative")]

    def _period(self, text: str, times: list[TimeHit], cs: int, ws: int, ps: int,
                exclude: tuple[int, int] | None = None) -> TimeHit | None:
        """The period of a figure: a time in its clause before the indicator, else a time
        opening a clause earlier in its paragraph (2021年，…；规上工业总产值…)."""
        inside = [h for h in times if cs <= h.start < ws
                  and not (exclude and exclude[0] <= h.start < exclude[1])
                  and not _bracketed(text, cs, h.start)]
        if inside:
            return inside[-1]
        leading = [h for h in times if ps <= h.start < cs
                   and _opens_clause(text, h, self.times.lead_words)
                   and (h.precision != "range" or "-" in h.value)]  # (今年1-9月, not 十四五)
        if not leading:
            return None
        got = leading[-1]
        if got.precision == "day":  # 10月28日，…公布前三季度经济数据：GDP…: the span told of
            stop = min([cs] + [i for i in (text.find(c, got.end, cs) for c in "。！？")
                               if i != -1])
            spans = [h for h in times if got.end <= h.start < stop and h.precision != "day"]
            if spans:
                return spans[-1]
        return got


# A sentence's subject: after its end mark and a time clause opening the next (2023年，).
_SENT_OPEN = re.compile(r"[。！？!?](?:[^，,。！？!?\n]{0,10}[，,])?")
_QUOTES = "“”‘’「」『』\"'（(）) "
_OPENERS = ("截至", "截止", "截至到", "在", "于", "到")


def _opens_clause(text: str, hit: TimeHit, leads: tuple[str, ...] = ()) -> bool:
    """True when the time opens its clause (2021年，… / 截至2021年底，… / 本报讯 今年一季度，…)."""
    start = clause_start(text, hit.start)
    lead = text[start:hit.start].strip().strip(_QUOTES)
    return not lead or lead in _OPENERS or bool(leads) and lead.endswith(leads)


def _bracketed(text: str, lo: int, pos: int) -> bool:
    """True when `pos` lies inside round brackets opened after `lo`."""
    part = text[lo:pos]
    return part.count("(") + part.count("（") > part.count(")") + part.count("）")


def _time_in(times: list[TimeHit], lo: int, hi: int) -> TimeHit | None:
    inside = [h for h in times if lo <= h.start and h.end <= hi + 2]
    return inside[-1] if inside else None


def _number(raw: str) -> float:
    value = Decimal(raw.replace(",", ""))
    return int(value) if value == value.to_integral_value() else float(value)


_SOME_DAY = date(2000, 6, 15)  # resolves relative words only to see where they are


def _published(articles: list[DatedArticle], pos: int) -> date | None:
    """The publication date of the article holding `pos` (None when it shows none)."""
    for art in articles:
        if art.start <= pos < art.end:
            return art.anchor()
    return None


_YEAR = re.compile(r"(?<![\d到至])((?:19|20)\d{2})年(?![\u4e00-\u9fff]{0,2}(?:目标|前))")


def context_anchor(text: str, start: int, end: int) -> date | None:
    """For an undated article, the end of the year it names most (of equals, the latest; not
    targets such as 到2035年): what a reader resolves 今年 and 6月 against when the page shows
    no date."""
    years = [int(y) for y in _YEAR.findall(text, start, end)]
    if not years:
        return None
    most = max(years.count(y) for y in set(years))
    return date(max(y for y in set(years) if years.count(y) == most), 12, 31)


def _dedupe(hits: list[ObservationHit]) -> list[ObservationHit]:
    seen: set[tuple] = set()
    out = []
    for h in hits:
        key = (h.park.key, h.indicator, h.value, h.period and h.period.value, h.growth_pct)
        if key in seen:
            continue
        seen.add(key)
        out.append(h)
    return out


@Language.factory("pk_indicators", default_config={"patterns": None})
def make_indicators(nlp: Language, name: str, patterns: str | None) -> IndicatorFinder:
    """Registered factory: indicator sentences read with kg/patterns/indicators.toml.

    `patterns`: another folder shaped like kg/patterns to read instead (None: the shipped one).
    """
    return IndicatorFinder(Path(patterns) if patterns else None)
