"""pk_entities: Park / Enterprise / Platform / Project names from type suffixes, quotes and lists.

A name ends in a type suffix (kg/patterns/entities/suffixes.toml). Its left boundary comes from
a leftward walk over jieba words of a short window: the walk stops at punctuation, at the end
of another name, at a stop word or a function-word part of speech (boundaries.toml). Names in
lists (A、B和C等N家企业) take the list head's type; 简称“X” adds an alias; every further
occurrence of a known name or short name becomes a mention of the same entity.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import chain
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg import corpus
from kg.lang.places import gazetteer
from kg.lang.rules import ContextRule, RuleSet, SuffixRule, load_rules
from kg.lang.words import places, segment
from kg.nlp.kinds import KindPatterns, drop_kinds
from kg.nlp.lists import ListFinder
from kg.nlp.spans import Mention, alternation, doc_text, literal_pattern

# The character classes, quote marks and bracket shapes below are the script's, not linguistic
# data: they say what a name's characters are. Words and phrase patterns are in kg/patterns/.
_PARK_TAIL = re.compile(r"[(（][\u3400-\u9fff]{2,4}[)）]")
# a name qualified by a place in brackets (张江(贵安), 锦联(沈抚)): a proper name, not a title
_QUALIFIED = re.compile(r"[\u3400-\u9fff]{2}[(（][\u3400-\u9fff]{2,4}[)）]")
_NAME_CHAR = re.compile(r"[\u3400-\u9fffA-Za-z0-9·\-—]")
_LAST_OTHER = re.compile(r".*[^\u3400-\u9fffA-Za-z0-9]", re.S)  # up to the last such character
_HAN = re.compile(r"[\u3400-\u9fff]")
_OPEN_QUOTES = "“「『《\"'‘"
_CLOSE_QUOTES = {"“": "”", "「": "」", "『": "』", "《": "》", '"': '"', "‘": "’"}
_UP_TO_QUOTE_OR_STOP = re.compile(  # (to the last one: .* backtracks)
    ".*[" + re.escape(_OPEN_QUOTES + "，。；：,;:！？”」』》") + "]", re.S)

_DISTINCT_POS = frozenset({"nr", "nrt", "nrfg", "nz", "ns", "nt", "eng"})
_RETRY_TYPES = ("Enterprise", "Platform")
_FUNCTION_POS = frozenset("pcurdmqfxyeot")
_LEADING_POS = frozenset({"v", "vd", "vn", "p", "c", "d", "r", "f", "q", "ad", "uj", "ul", "u"})
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_BRACKETED = re.compile(r"\(.*?\)|（.*?）")
_INNER_GAP = re.compile(r"[\u3400-\u9fff]{0,4}")
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！？!?\n]")  # (between a name and a word of its clause)


class EntityRecognizer:
    """Finds typed names in a document and groups their mentions by entity key."""

    def __init__(self, rules: RuleSet | None = None) -> None:
        self.rules = rules or load_rules()
        self.bounds = self.rules.boundaries
        words = self.words = self.rules.words
        self._kinds = KindPatterns(words)
        pl = self.rules.places
        self._provinces = frozenset(p + e for p in pl.provinces for e in ("", *pl.endings))
        # counties' short names (正定, 曹妃甸): jieba reads some as other words, and the segmenter
        # leaves them out of its places (many are common words); a park's name may begin with one
        self._counties = frozenset(d.short for d in gazetteer().by_code.values()
                                   if d.level == "county" and len(d.short) >= 2)
        self._place_endings = pl.endings
        self._class_phrases = tuple(w for w in self.bounds.class_words if len(w) > 2)
        # stop and lead words of two characters or more: a name's first word beginning with
        # one is a verb phrase glued on (培育出, 全力支持)
        self._fronts = tuple(w for w in (*self.bounds.stop_words, *self.words.lead_words)
                             if len(w) >= 2)
        # an amount's unit ends the name before it (投资约12亿元建设…项目); a bare 元 would end
        # too many words (单元, 多元), so units of one character do not
        self._currency_units = tuple(u for u in self.rules.amounts.units if len(u) > 1)
        self._currency_ends = frozenset(u[-1] for u in self._currency_units)  # (a quick test)
        conj = words.conjunctions
        self._list_join = ("、", *conj)
        singles = words.single_conjunctions
        self._next_item = re.compile(  # the next item of a list, up to a suffix
            rf"(?:、|{alternation(conj)})[^、，,。；;：:{singles}]{{0,16}}")
        self._lead_strip = ")）(（·-—、" + singles  # (what a name does not start with)
        # suffixes that end in a type's `not_endings` yet name the type (科技基础设施 is a
        # platform, …基础设施 is not), and the context rules' ids (their names get checked too)
        self._kept_endings = {t: tuple(s for s in r.strong for e in r.not_endings
                                       if s.endswith(e) and len(s) > len(e))
                              for t, r in self.rules.suffixes.items()}
        self._context_rules = frozenset(c.id for c in self.rules.contexts)
        self._joined_end = tuple(w for w in conj if len(w) == 1) + words.disjunctions
        self._alias = re.compile(
            rf"[(（]\s*(?:{alternation(words.alias_leads)})?(?:{alternation(words.alias_words)})"
            r"[:：]?\s*[“\"「]([^”\"」]{1,16})[”\"」]\s*[)）]")
        self._figure = re.compile(rf"\d+(?:\.\d+)?(?![\d.]*[{re.escape(words.date_chars)}])")
        self._project_next = re.compile(  # …产业园建设项目: a Project suffix a few characters on
            rf"[\u3400-\u9fffA-Za-z0-9]{{0,6}}(?:{alternation(self.rules.suffixes['Project'].strong)})")
        table: list[tuple[str, str, str]] = []
        for typ, rule in self.rules.suffixes.items():
            table += [(s, typ, "strong") for s in rule.strong]
            table += [(s, typ, "weak") for s in rule.weak]
        table.sort(key=lambda t: -len(t[0]))
        self.suffix_info = {s: (typ, strength) for s, typ, strength in table}
        self._stop_after = {typ: self._stop_pairs(rule)
                            for typ, rule in self.rules.suffixes.items()}
        self.suffix_re = literal_pattern(s for s, _, _ in table)
        heads = {h: lst.type for lst in self.rules.lists for h in lst.heads}
        self.list_heads = heads
        self.gazetteer = {g.pattern: g for g in self.rules.gazetteer}
        self.gazetteer_re = literal_pattern(self.gazetteer) if self.gazetteer else None
        self.lists = ListFinder(self)
        self._designation = literal_pattern(self.bounds.designation_words)
        # a line is furniture when the joined expressions match it: one expression at a time
        # tells the same (their alternation, with no group in it) faster, as the regex engine
        # then skips ahead to where each one can start
        lines = self.rules.boilerplate_lines
        self._boilerplate_search: Callable[[str], object] = bool  # (no expressions: unused)
        if lines and not any(p.groups for p in lines):
            self._boilerplate_search = lambda line: any(p.search(line) for p in lines)
        elif self.rules.boilerplate is not None:
            self._boilerplate_search = self.rules.boilerplate.search

    # -- suffix names -------------------------------------------------------------------
    @staticmethod
    def _stop_pairs(rule: SuffixRule) -> frozenset[tuple[str, str]]:
        """The (type, strength) of the names that end the leftward walk of `rule`'s names."""
        pairs = set()
        for stop in rule.stop_after:
            t, _, st = stop.partition(":")
            pairs |= {(t, strength) for strength in ("strong", "weak") if not st or st == strength}
        return frozenset(pairs)

    def _walk_left(self, text: str, lo: int, pos: int, rule: SuffixRule, *,
                   strip_verbs: bool = True) -> int:
        """Start of the name whose suffix begins at `pos`, not left of `lo`."""
        i = pos
        while i > lo:
            # over Chinese characters, Latin letters and digits at once: to the last other one
            last = _LAST_OTHER.match(text, lo, i)
            if last is None:
                i = lo
                break
            i = last.end()
            c = text[i - 1]
            if _NAME_CHAR.match(c) or (c == "." and i - 2 >= lo and text[i - 2].isdigit()
                                       and text[i : i + 1].isdigit()) or (
                    c in "/ " and i - 2 >= lo and text[i - 2].isascii() and
                    text[i - 2].isalnum() and text[i : i + 1].isascii() and
                    text[i : i + 1].isalnum()):
                i -= 1  # 天马光电8.6代项目, Mini/Micro LED外延芯片: points, slashes, spaces
                continue
            if c in ")）":
                j = text.rfind("(" if c == ")" else "（", lo, i - 1)
                inner = text[j + 1 : i - 1] if j >= 0 else ""
                if j >= 0 and 0 < len(inner) <= 10 and all(_HAN.match(x) for x in inner):
                    i = j
                    continue
            break
        window = text[i:pos]
        if not window:
            return pos
        words = segment(window)
        start = pos
        kept = 0
        stop_words, name_words = self.bounds.stop_words, self.bounds.name_words
        for k in range(len(words) - 1, -1, -1):
            w, flag = words[k]
            if w[-1] in self._currency_ends and w.endswith(self._currency_units):
                break  # 投资约12亿元建设…项目: an amount ends the name before it
            if w in rule.allow_words or (k + 1 < len(words) and words[k + 1][0] in ("(", "（")
                                         and w not in stop_words):
                pass  # (a word a bracket qualifies)
            elif rule.type == "Park" and w in self._counties and (
                    k == 0 or not _NAME_CHAR.match(words[k - 1][0][-1])):
                pass  # 正定高新技术产业开发区: a county's short name begins the park's
            elif w in stop_words or w in self.words.lead_words:
                break
            elif w in name_words or flag in rule.allow_pos or (flag == "i" and len(w) < 4):
                pass  # (jieba calls some nouns idioms: 抛光粉; real idioms have four characters)
            elif flag in ("m", "q"):
                counted = flag == "q" and (k == 0 or words[k - 1][1] == "m") or (
                    k > 0 and _NUMBER.fullmatch(words[k - 1][0]) is not None)  # 4.2|万平方米
                if counted or self.words.counting_pattern.search(w):
                    break
            elif flag == "x" and all(ch in "()（）·-—" or ch.isascii() and ch.isalnum()
                                     for ch in w):
                pass  # brackets here pair up (checked above); Latin letters and digits
            elif flag[:1] in ("u", "p", "c", "r", "x") or flag in self.bounds.stop_pos:
                # an unknown name's characters often come out as words of their own: keep one
                # at the window's edge or right after a place or person name (湖南|麓|智…)
                after_proper = k > 0 and words[k - 1][1] in _DISTINCT_POS
                at_edge = k == 0 and (i == 0 or not _NAME_CHAR.match(text[i - 1]))
                if len(w) == 1 and (at_edge or after_proper) and flag[:1] not in _FUNCTION_POS:
                    pass
                elif flag == "f" and len(w) == 2 and after_proper:
                    pass  # 安泰北方科技: a direction word after a name is part of the name
                elif len(w) == 1 and flag == "p" and w not in self.words.leading_chars and \
                        0 < k and words[k - 1][1][:1] == "n" and words[k + 1][1][:1] == "n":
                    pass  # 徐工高端除冰雪项目: a one-character preposition between nouns
                else:
                    break
            start -= len(w)
            kept += 1
        # a name starts with neither a verb nor a function word (建设…, 与…, 提升…)
        edge = kept == len(words) and (i == 0 or not _NAME_CHAR.match(text[i - 1]))
        tail_words = words[len(words) - kept :]
        for j, (w, flag) in enumerate(tail_words):
            if start >= pos or w in self.bounds.name_words or not (
                    (strip_verbs and flag in _LEADING_POS) or w in self.bounds.stop_words) or (
                    rule.type == "Park" and w in self._counties):
                break
            if j + 1 < len(tail_words) and tail_words[j + 1][0] in ("(", "（"):
                break  # 西部(重庆)科学城: the word a bracket qualifies belongs to the name
            if edge and len(w) == 1 and flag[:1] not in _FUNCTION_POS and \
                    w not in self.bounds.stop_words:
                break  # 安捷利…: jieba splits an unknown name's first character off as a verb
            start += len(w)
            edge = False
        name = text[start:pos]
        close = max(name.rfind(")"), name.rfind("）"))
        if close >= 0 and "(" not in name[:close] and "（" not in name[:close]:
            start += close + 1
        while start < pos and text[start] in self._lead_strip:
            start += 1
        if rule.type == "Park":
            start = self._park_start(text, start, pos)
        return start

    @staticmethod
    def _whole_word(text: str, lo: int, cut: int, pos: int) -> int:
        """Where a name cut at its type's longest length really starts: at the start of a
        place or proper name the cut went through (许昌|国家…产业化基地 cut after 许)."""
        offset = lo
        for w, flag in segment(text[lo:pos]):
            if offset < cut < offset + len(w):
                return offset if flag in _DISTINCT_POS else cut
            offset += len(w)
            if offset >= cut:
                break
        return cut

    def _park_start(self, text: str, start: int, pos: int) -> int:
        """A park name with a place name in it starts at its first place name (西安高新区).

        Places are the gazetteer's: jieba also tags 深度 as a place (横琴粤澳深度合作区).
        """
        offset = start
        depth = 0
        for w, flag in segment(text[start:pos]):
            if w in ("(", "（"):
                depth += 1
            elif w in (")", "）"):
                depth -= 1
            elif flag == "ns" and len(w) >= 2 and depth == 0 and w in places():
                return offset
            offset += len(w)
        return start

    def _is_generic(self, prefix: str, typ: str, typ_suffix: str = "", *,
                    anchored: bool = False) -> bool:
        """True when the words before the suffix make no name (国家高新区, 5个重磅项目…).

        `anchored`: the name follows a park's name or stands in a list of names, so a park
        named after its industry (潍坊高新区动力装备产业园) needs no proper name of its own.
        """
        counts = self.words.count_in_name_pattern
        if not prefix or self.words.slogan_pattern.match(prefix) or (
                typ != "Project" and counts.search(prefix)):
            return True  # ("一企一平台": a slogan; "两大国家高新区": a count of parks)
        words = segment(prefix)
        if typ == "Project":
            if counts.search(prefix) or prefix.endswith(self._joined_end):
                return True  # (…技术方向和项目: 项目 is a second noun, not a suffix)
            park = self.suffix_re.search(prefix)
            if park is not None and park.end() == len(prefix) and \
                    self.suffix_info[park.group()][0] == "Park" and 0 < park.start() and \
                    not self._is_generic(prefix[: park.start()], "Park", park.group(),
                                         anchored=True):
                return False  # 白马园区项目: the project that develops a named park
            # "…大型项目", "…优胜项目": a class of projects, not one; also where the class
            # word and a works noun are two words (重大|工程项目), and "众多…项目"
            if words and words[-1][0] in self.bounds.class_words:
                return True
            if len(words) > 1 and any((words[-2][0] + words[-1][0]).endswith(c)
                                      for c in self._class_phrases):
                return True
            if words and words[0][0] in self.bounds.quantifiers:
                return True
            # a short project name needs a proper name, a place, a brand or a figure (年产3000吨)
            distinct = any(f in _DISTINCT_POS for _, f in words) or self._figure.search(prefix)
            if len(prefix) < 6 and not distinct:
                return True
        if typ == "Park":
            # a province alone does not place a park: "河南省科技成果转化示范区" is a title
            placed = any(f == "ns" and w not in self.words.not_places and w not in self._provinces
                         for w, f in words) or _QUALIFIED.search(prefix) is not None or (
                bool(words) and words[0][0] in self._counties)
            distinct = placed or any(f in _DISTINCT_POS for _, f in words)
            if not placed and self._designation.search(prefix):
                return True
            # "硬科技创新示范区", "中药产业园": a title or a kind without a proper name in it
            if not distinct and not anchored and (
                    typ_suffix in self.bounds.designation_suffixes
                    or typ_suffix in self.rules.suffixes["Park"].weak):
                return True
        if typ == "Platform" and typ_suffix in self.rules.suffixes["Platform"].weak and \
                not anchored and not prefix.startswith(self.words.national_prefixes) and not any(
                    f in _DISTINCT_POS and w not in self.bounds.generic_words
                    for w, f in words):
            return True  # "科创服务平台", "先进数字赋能服务平台": a kind of platform
        if typ == "Enterprise" and len(words) > 1 and any(f == "ns" for _, f in words):
            return False  # 内江高新投资有限责任公司: a place and a trade name a firm
        for w, flag in words:
            if w in self.bounds.generic_words or w.isdigit() or flag in ("c", "m", "t", "q") \
                    or w == "、":
                continue  # (numbers, counts and times name nothing: 2022年, 千亿, 三期)
            # (labs and institutes may be named after a place alone: 西湖实验室, 包头研究院)
            if typ != "Park" and flag == "ns" and (typ != "Enterprise" or w in places()) and \
                    typ_suffix not in self.rules.suffixes["Platform"].place_named:
                continue  # (jieba calls brands places too: 吉利, 中环 are no divisions)
            return False
        return True

    def suffix_mentions(self, text: str, sents: list[corpus.Sentence]) -> list[Mention]:
        out: list[Mention] = []
        for sent in sents:
            first = len(out)
            self._sentence_suffix_mentions(text, sent, out)
            if len(out) > first:
                out[first:] = drop_kinds(self.bounds, text, sent, out[first:], self._kinds)
        return out

    def _sentence_suffix_mentions(self, text: str, sent: corpus.Sentence,
                                  out: list[Mention]) -> None:
        """Append the suffix names of one sentence to `out` (earlier ones may be consulted)."""
        cands = []
        for m in self.suffix_re.finditer(sent.text):
            typ, strength = self.suffix_info[m.group()]
            e = sent.start + m.end()
            if text[e - 1 : e + 1] in self.bounds.crossing_words:
                continue  # 湘潭高新城市建设…: 高新城 inside 城市 ends no name
            cands.append((sent.start + m.start(), e, typ, strength))
        if not cands:
            return
        if len(cands) > 1:
            # 集团 + 股份有限公司 make one suffix; parks side by side stay two
            cands = [c for k, c in enumerate(cands)
                     if not (k + 1 < len(cands) and cands[k + 1][0] == c[1]
                             and cands[k + 1][2] == c[2] != "Park")]
            # 清洁能源改造项目研究院, 科教产融合创新项目熟化平台: 项目 a few name characters
            # before another type's suffix is inside that name
            cands = [c for k, c in enumerate(cands)
                     if not (c[2] == "Project" and k + 1 < len(cands)
                             and cands[k + 1][2] in ("Platform", "Enterprise")
                             and _INNER_GAP.fullmatch(text, c[1], cands[k + 1][0]))]
        # 中国石油集团工程材料研究院有限公司: another type's suffix right before a firm's
        # suffix is inside the firm's name
        cands = [c for k, c in enumerate(cands)
                 if not (c[2] != "Enterprise" and k + 1 < len(cands)
                         and cands[k + 1][0] == c[1] and cands[k + 1][2] == "Enterprise")]
        # 北京联东投资(集团)有限公司: a suffix in brackets qualifies a longer name
        cands = [c for c in cands if not (text[c[0] - 1 : c[0]] in ("(", "（")
                                          and text[c[1] : c[1] + 1] in (")", "）"))]
        park_ends = [c[1] for c in cands if c[2] == "Park"]
        for s, e, typ, _strength in cands:
            rule = self.rules.suffixes[typ]
            lo0 = max(sent.start, e - rule.max_len)
            lo = lo0  # the walk stops at the end of the last name of a stop_after type
            stop_after = self._stop_after[typ]
            for c in cands:  # (in text order: their ends rise)
                if c[1] > s:
                    break
                if c[1] > lo and (c[2], c[3]) in stop_after:
                    lo = c[1]
            start = self._walk_left(text, lo, s, rule)
            if start == lo0 > sent.start and lo == lo0:
                start = self._whole_word(text, max(sent.start, lo0 - 4), lo0, s)
            if start == lo and start < s and rule.absorb_after and any(
                    c[1] == lo and c[2] == "Park" and text[c[0]:c[1]] in rule.absorb_after
                    for c in cands) and segment(text[start:s])[0][1] != "ns":
                # 重庆科学城芯鸿数智科技有限公司: firms named after a science city
                start = self._walk_left(text, lo0, s, rule)
            if lo > lo0 and start == lo and lo in park_ends and typ in _RETRY_TYPES and \
                    self._is_generic(text[start:s], typ):
                # 重庆科学城科技产业发展有限公司: the park's name begins the firm's name
                start = self._walk_left(text, lo0, s, rule)
            inner_park = None
            if typ == "Platform" and start == lo and lo in park_ends and start < s:
                first = segment(text[start:s])[0]
                park = next((m for m in reversed(out) if m.end == lo and m.type == "Park"),
                            None)
                if park is not None and first[1] not in _DISTINCT_POS and first[1] != "j":
                    # 兰州高新区创新创业孵化器: the park's own platform, named with the park
                    out.remove(park)
                    start, inner_park = park.start, park.text
            if typ == "Park":
                bm = _PARK_TAIL.match(text, e)
                if bm and bm.end() <= sent.end and \
                        text[bm.end() - 2] not in self.words.district_endings:
                    e = bm.end()
            start = self._extend_to_quote(text, sent.start, start, s, e)
            prefix = text[start:s]
            suffix = text[s:e]
            anchored = start in park_ends or typ == "Park" and any(  # A园、B园、C园
                c[2] == "Park" and c[1] != e and (text[c[1] : start] in self._list_join or
                                                  self._next_item.fullmatch(text, e, c[0]))
                for c in cands) or (
                typ == "Platform" and any(  # "…赋能中心和核心工业软件云平台": listed with names
                    c[2] == "Platform" and c[3] == "strong"
                    and text[c[1] : start] in self._list_join for c in cands))
            # a platform or park named by the firm before it: 甘肃金陇新能源材料有限公司院士工作站
            # is the firm's platform, 江西省数字集团产业园 the firm's project (a bare 实验室 in
            # "英科科创…有限公司实验室一角" is the firm's room)
            if typ == "Platform" and start == lo and (
                    start < s and self._is_generic(prefix, typ) or start == s and len(suffix) >= 4):
                if self._firm_named(text, out, lo, e, "Platform", suffix):
                    continue
            if typ == "Park" and suffix in rule.weak and len(suffix) >= 3 and start == lo and \
                    not self._project_next.match(text, e):
                if self._firm_named(text, out, lo, e, "Project", suffix):
                    continue
            if len(prefix) < rule.min_prefix or self._is_generic(prefix, typ, suffix,
                                                                 anchored=anchored):
                continue
            if "—" in prefix and any(part in self.suffix_info for part in prefix.split("—")):
                continue  # "众创空间—孵化器—加速器—产业园" is a chain of kinds, not a name
            if typ == "Enterprise" and text[start:e].endswith(self.bounds.institutions):
                continue  # 长沙晚报报业集团: a news outlet, no firm of the four types
            m = Mention(start, e, typ, text[start:e], f"{typ}.suffix", suffix=suffix)
            if inner_park:
                m.extra["inner_park"] = inner_park
            out.append(m)

    @staticmethod
    def _firm_named(text: str, out: list[Mention], lo: int, end: int, typ: str,
                    suffix: str) -> bool:
        """Replace the firm found ending at `lo` by a `typ` named after it, up to `end`."""
        firm = next((m for m in reversed(out) if m.type == "Enterprise" and m.end == lo), None)
        if firm is None or text[lo - 1 : lo] in ")）":
            return False
        out.remove(firm)
        rule = "Platform.firm_named" if typ == "Platform" else "Project.firm_park"
        out.append(Mention(firm.start, end, typ, text[firm.start:end], rule, suffix=suffix))
        return True

    def _extend_to_quote(self, text: str, lo: int, start: int, suffix_start: int,
                         end: int) -> int:
        """A name that fills quote marks up to its suffix is the whole quoted text."""
        # the nearest opening quote or punctuation within 20 characters before the name
        near = _UP_TO_QUOTE_OR_STOP.match(text, max(lo, start - 20), start)
        if near is None:
            return start
        j = near.end() - 1
        c = text[j]
        if c in _OPEN_QUOTES:
            close = _CLOSE_QUOTES.get(c, c)
            if text[end : end + 1] == close and all(
                    _NAME_CHAR.match(ch) or ch in "()（）" for ch in text[j + 1 : start]):
                return j + 1
        return start

    # -- names known by their neighbours --------------------------------------------------
    def context_mentions(self, text: str, sents: list[corpus.Sentence],
                         known: list[Mention]) -> list[Mention]:
        """Short names next to a title (…董事长) or after an apposition head (瞪羚企业…)."""
        out: list[Mention] = []
        for rule in self.rules.contexts:
            if rule.before_pattern is not None:
                out += self._pattern_mentions(text, sents, known + out, rule)
                continue
            words = rule.after or rule.before
            pat = _alternation(words)
            if pat.search(text) is None:
                continue  # (none of the words in the text, so in none of its sentences)
            if rule.after and rule.retype:
                self._retype_before(text, sents, known, rule, pat)
                continue
            srule = self.rules.suffixes[rule.type]
            for sent in sents:
                for m in pat.finditer(text, sent.start, sent.end):
                    if rule.after:
                        end = m.start()
                        start = self._walk_left(text, max(sent.start, end - rule.max_len), end,
                                                srule)
                    else:
                        start = m.end()
                        end = self._walk_right(text, start, min(sent.end, start + rule.max_len))
                    name = text[start:end]
                    if not self._is_short_name(name) or name[0] in "—-·":
                        continue  # (瞪羚企业—独角兽企业: a chain of kinds, no name)
                    if any(k.start < end and start < k.end for k in known + out):
                        continue
                    out.append(Mention(start, end, rule.type, name, rule.id))
        return out

    def _retype_before(self, text: str, sents: list[corpus.Sentence], known: list[Mention],
                       rule: ContextRule, pat: re.Pattern[str]) -> None:
        """A name of a `retype` type that one of the rule's `after` words follows in its
        clause, at most `max_len` characters on, takes the rule's type (X研究院于去年开工建设:
        a platform being built is a project); not where a suffix of that type follows the
        name (X中心一期项目…竣工: the project is named, the platform is part of its name)."""
        suffixes = self.rules.suffixes[rule.type].strong
        for sent in sents:
            for m in pat.finditer(text, sent.start, sent.end):
                for k in known:
                    if k.type in rule.retype and not k.anaphor and \
                            k.end <= m.start() <= k.end + rule.max_len and \
                            not _CLAUSE_BREAK.search(text, k.end, m.start()) and \
                            not any(w in text[k.end : m.start()] for w in suffixes):
                        k.type, k.rule = rule.type, rule.id

    def _pattern_mentions(self, text: str, sents: list[corpus.Sentence],
                          known: list[Mention], rule: ContextRule) -> list[Mention]:
        """Phrases right after a context pattern (总投资12亿元的…); known names there retype."""
        out: list[Mention] = []
        assert rule.before_pattern is not None
        for sent in sents:
            for m in rule.before_pattern.finditer(text, sent.start, sent.end):
                start = m.end()
                while start < len(text) and text[start].isspace():
                    start += 1  # 投资7.8亿元的\n\n医药健康科创园: a page broken mid-sentence
                quoted = text[start : start + 1] in _OPEN_QUOTES
                if quoted:  # 投资3100多万元建设的“智慧生产中心”: the quoted name
                    start += 1
                hit = next((k for k in known if k.start == start), None)
                if hit is not None:
                    if hit.type in rule.retype:
                        hit.type, hit.rule = rule.type, rule.id
                    continue
                end = start
                hi = min(len(text), start + rule.max_len)  # may run on past a page break
                while end < hi and text[end] not in "，,。；;、：:！？“”」』》\n" and \
                        not text.startswith(self.words.phrase_ends, end) and \
                        not any(k.start == end for k in known):
                    end += 1
                sm = self.suffix_re.search(text, start, end)
                if sm is not None and not quoted:
                    end = sm.end()  # 投资7.8亿元的医药健康科创园全面投入使用: up to the suffix
                name = text[start:end]
                words = segment(name)
                if len(name) < 3 or not words or words[-1][1][:1] in "vpudrcmqaf" or any(
                        w in self.bounds.stop_words or f[:1] in ("v", "p", "u", "r", "d")
                        and w not in self.bounds.name_words for w, f in words[:1]) or all(
                        w in self.bounds.generic_words for w, _ in words):
                    continue
                if self.words.count_in_name_pattern.match(name) or \
                        words[0][0] in self.bounds.quantifiers:
                    continue  # 总投资73.9亿元的10个签约项目, …的一批项目: a count of projects
                if any(k.start < end and start < k.end for k in known + out):
                    continue
                out.append(Mention(start, end, rule.type, name, rule.id))
        return out

    def _walk_right(self, text: str, start: int, hi: int) -> int:
        """End of a name that starts at `start`: before punctuation, a verb or a stop word."""
        end = start
        words = segment(text[start:hi])
        for k, (w, flag) in enumerate(words):
            if not _NAME_CHAR.match(w[0]) or w in self.bounds.stop_words or (
                    flag[:1] in ("v", "p", "c", "u", "d", "r", "m", "f")
                    and w not in self.bounds.name_words):
                break
            if flag in ("a", "ad") and k + 1 < len(words) and words[k + 1][1][:1] == "v" and \
                    w not in self.bounds.name_words:
                break  # 园区企业星辰软件成功入选: an adverb before the verb ends the name
            end += len(w)
        return end

    def _is_short_name(self, name: str) -> bool:
        """A suffix-less name: 2+ characters, not one dictionary word, no generic word."""
        if len(name) < 2 or self.suffix_re.search(name) or name.endswith(self.bounds.institutions):
            return False
        words = segment(name)
        if any(w in self.bounds.generic_words or w in self.bounds.stop_words for w, _ in words):
            return False
        return len(words) > 1 or words[0][1] in _DISTINCT_POS

    # -- page furniture ---------------------------------------------------------------------
    def boilerplate_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of lines that are site furniture (navigation, copyright, file names)."""
        if self.rules.boilerplate is None:
            return []
        search = self._boilerplate_search
        out, pos = [], 0
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped and search(stripped):
                out.append((pos, pos + len(line)))
            pos += len(line) + 1
        return out

    # -- known names ----------------------------------------------------------------------
    def gazetteer_mentions(self, text: str) -> list[Mention]:
        """Names from the gazetteer files (华为, 中国联通…) where they stand as words."""
        if self.gazetteer_re is None:
            return []
        out = []
        for m in self.gazetteer_re.finditer(text):
            if not _word_aligned(text, m.start(), m.end()):
                continue
            entry = self.gazetteer[m.group()]
            out.append(Mention(m.start(), m.end(), entry.label, m.group(),
                               f"{entry.label}.gazetteer", extra={"id": entry.id}))
        return out

    # -- quoted names ---------------------------------------------------------------------
    def quoted_mentions(self, text: str) -> list[Mention]:
        out = []
        for m in re.finditer(r"[“「『《]([^“”「」『』《》\n]{3,40})[”」』》]", text):
            inner = m.group(1).strip()
            sm = None
            for hit in self.suffix_re.finditer(inner):
                sm = hit
            if not sm or sm.end() != len(inner) or not all(_NAME_CHAR.match(c) or c in "()（）"
                                                            for c in inner):
                continue
            typ, _ = self.suffix_info[sm.group()]
            if m.group().startswith("《") and typ != "Project":
                continue
            if "—" in inner and any(part in self.suffix_info for part in inner.split("—")):
                continue  # “众创空间—孵化器—加速器—产业园”: a chain of kinds
            if self._is_generic(inner[: sm.start()], typ):
                continue
            start = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
            out.append(Mention(start, start + len(inner), typ, inner, f"{typ}.quoted",
                               suffix=sm.group()))
        return out

    # -- aliases and further mentions -----------------------------------------------------------
    def alias_mentions(self, text: str, mentions: list[Mention]) -> list[Mention]:
        out = []
        for m in mentions:
            am = self._alias.match(text, m.end)
            if am:
                alias = am.group(1)
                m.extra.setdefault("aliases", []).append(alias)
                a_start = am.start(1)
                out.append(Mention(a_start, a_start + len(alias), m.type, alias,
                                   f"{m.type}.alias_jiancheng", key=m.text))
        return out

    def short_names(self, m: Mention) -> list[str]:
        """Short forms a document may use for an enterprise: core name without place or form."""
        return list(self._short_names(m))

    def _short_names(self, m: Mention) -> Iterator[str]:
        """`short_names`, longest first, each tested only when asked for."""
        if m.type != "Enterprise":
            return
        name = m.text
        core = name[: len(name) - len(m.suffix)] if m.suffix else name
        words = segment(core)
        i = 0
        while i < len(words) - 1 and (words[i][1] == "ns" or words[i][0] in self._place_endings):
            i += 1
        core = "".join(w for w, _ in words[i:])
        core = _BRACKETED.sub("", core)
        for tail in self.words.firm_trade_words:
            if core.endswith(tail) and len(core) - len(tail) >= 2:
                core = core[: -len(tail)]
                break
        cands = []
        if len(core) >= 2:
            cands.append(core)
        for n in range(len(core) - 1, 1, -1):
            cands.append(core[:n])
        # a short name is no dictionary word (数字, 电子, 现场 are words, 赣锋 is not)
        for c in cands:
            if c not in self.bounds.generic_words and (
                    len(words := segment(c)) > 1 or words[0][1] == "nz"):
                yield c

    # -- whole names from parts: fronts, owners, coordinations -------------------------------
    def _trim_fronts(self, text: str, found: list[Mention]) -> list[Mention]:
        """Names lose what cannot begin a name: a role noun and what precedes it (…供应商X集团),
        a dash and what precedes it, and leading words of `lead_words` (自X示范区, 促成X)."""
        words = self.words
        out = []
        for m in found:
            name, cut = m.text, 0
            for role in words.role_words:
                i = name.rfind(role)
                if 0 <= i and len(name) - (i + len(role)) >= 4:
                    cut = max(cut, i + len(role))
            for dash in words.dashes:
                i = name.rfind(dash)
                if 0 <= i and len(name) - (i + len(dash)) >= 3:
                    cut = max(cut, i + len(dash))
            rest = name[cut:]
            while True:
                w, flag = segment(rest)[0] if rest else ("", "")
                if w and (w in words.lead_words or self._verb_front(w, flag)) and \
                        len(rest) > len(w):
                    rest = rest[len(w):]
                    cut += len(w)
                    continue
                break
            rule = self.rules.suffixes.get(m.type)
            if rule is not None and rule.not_endings and rest.endswith(rule.not_endings) and \
                    not rest.endswith(self._kept_endings[m.type]):
                continue  # 智能基础设施: no platform (科技基础设施 is one)
            if m.type == "Platform" and m.suffix in (rule.weak if rule else ()):
                joint = max(rest.rfind(c) for c in words.single_conjunctions)
                if 0 < joint and len(rest) - joint - 1 - len(m.suffix) >= 2:
                    cut += joint + 1  # 中草药种植和智慧能源管理平台: a kind of platform's parts
                    rest = rest[joint + 1 :]
            if m.type == "Project" and not m.suffix and rest.endswith(words.industry_endings):
                continue  # 高端装备制造业: an industry listed among projects
            if m.suffix and (m.rule.endswith(".list") or m.rule in self._context_rules) and \
                    self.suffix_info.get(m.suffix, ("",))[0] == m.type and \
                    not self._is_name_after_cut(rest, m):
                continue  # 重大产业项目 from a list or a context: a kind, not a name
            if cut:
                if m.suffix and not self._is_name_after_cut(rest, m):
                    continue  # what is left is a kind, not a name (…供应商集团, 壮大|经开区)
                m = Mention(m.start + cut, m.end, m.type, rest, m.rule, list_id=m.list_id,
                            suffix=m.suffix, extra=m.extra)
            out.append(m)
        return out

    def _verb_front(self, w: str, flag: str) -> bool:
        """Whether a name's first word is a verb phrase glued on (培育出|河南…公司, 全力支持|
        一汽集团): a word that begins with a stop or lead word of two characters or more
        (jieba calls some such runs nouns, so their tags do not stop the leftward walk)."""
        if w in self.bounds.name_words:
            return False
        return len(w) > 2 and any(w.startswith(x) for x in self._fronts)

    def _is_name_after_cut(self, rest: str, m: Mention) -> bool:
        prefix = rest[: len(rest) - len(m.suffix)]
        return bool(prefix) and not self._is_generic(prefix, m.type, m.suffix)

    def _join_owned(self, text: str, found: list[Mention]) -> list[Mention]:
        """A firm's name right before a project's makes one Project (钢之星集团精密智造基地项目),
        and right before a firm's one firm (中国电建集团核电工程公司); a firm's name right
        before a park's names the firm's campus, a Project (比亚迪襄阳产业园)."""
        found = sorted(found, key=lambda m: m.start)
        out: list[Mention] = []
        zoned, parts = self.words.zoned_parks, self.words.zone_parts
        for m in found:
            prev = out[-1] if out else None
            if prev is not None and prev.end == m.start and prev.type == m.type == "Park" and \
                    prev.text.endswith(zoned) and m.suffix in parts:
                # 中国(云南)自由贸易试验区昆明片区: a sub-zone under its zone's name, one park
                out[-1] = Mention(prev.start, m.end, "Park", text[prev.start : m.end], m.rule,
                                  list_id=m.list_id, suffix=m.suffix, extra=dict(m.extra))
                continue
            if prev is not None and prev.end == m.start and prev.type == "Enterprise" and \
                    m.type in ("Project", "Enterprise", "Park"):
                typ = "Enterprise" if m.type == "Enterprise" else "Project"
                joined = Mention(prev.start, m.end, typ, text[prev.start : m.end], m.rule,
                                 list_id=m.list_id, suffix=m.suffix, extra=dict(m.extra))
                joined.extra["owner"] = prev.text
                out[-1] = joined
                continue
            out.append(m)
        return out

    def _platform_projects(self, text: str, found: list[Mention]) -> list[Mention]:
        """A platform's name followed by a Project suffix a few characters on names the project
        of building it (…研发孵化中心项目, …数据中心一期项目): one Project."""
        starts = {m.start for m in found}
        out = []
        for m in found:
            if m.type == "Platform":
                nxt = self._project_next.match(text, m.end)
                gap = text[m.end : nxt.end()] if nxt else ""
                if nxt is not None and not any(m.end < k < nxt.end() for k in starts) and \
                        not any(c in gap for c in self.words.single_conjunctions):
                    end = nxt.end()
                    m = Mention(m.start, end, "Project", text[m.start : end], "Project.suffix",
                                list_id=m.list_id, suffix=text[m.end : end], extra=m.extra)
            out.append(m)
        return out

    def _join_coordinated(self, text: str, sents: list[corpus.Sentence],
                          found: list[Mention]) -> list[Mention]:
        """A project named by coordinated parts is one Project when the parts before the last
        have no type suffix of their own (年产3万吨聚乳酸原料及3万吨聚乳酸下游制品项目)."""
        rule = self.rules.suffixes["Project"]
        found = sorted(found, key=lambda m: m.start)
        ends = {m.end: k for k, m in enumerate(found)}
        starts = [s.start for s in sents]
        drop: set[int] = set()
        for k, m in enumerate(found):
            if m.type != "Project" or not m.suffix:
                continue
            start = m.start
            lo = sents[bisect_right(starts, m.start) - 1].start if sents else 0
            while True:
                joint = next((c for c in self.words.part_joints
                              if text.startswith(c, start - len(c))), None)
                if joint is None:
                    break
                pos = start - len(joint)
                left = ends.get(pos)
                if m.list_id >= 0:
                    break  # 紫光低空经济全球总部、清控科创产业园: items of a list, each a name
                if left is not None:
                    lm = found[left]
                    if lm.type != "Project" or lm.suffix or lm.list_id >= 0:
                        break  # A项目及B项目, A公司和B项目: two names
                    new = lm.start
                    drop.add(left)
                else:
                    new = self._walk_left(text, max(lo, pos - rule.max_len), pos, rule)
                    part = text[new:pos]
                    if joint == "、" and len(part) > 4:
                        break  # (云望广场、…、清水社区美丽乡村建设项目: items of their own)
                    if len(part) < 2 or self.suffix_re.search(part) or \
                            any(o.start < pos and o.end > new for o in found):
                        break
                start = new
            if start < m.start:
                found[k] = Mention(start, m.end, m.type, text[start : m.end], m.rule,
                                   list_id=m.list_id, suffix=m.suffix, extra=m.extra)
        return [m for k, m in enumerate(found) if k not in drop]

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        secs = corpus.sections(text)
        sents = corpus.sentences(text, secs)
        doc._.pk_sections = secs
        doc._.pk_sentences = sents
        found = self.suffix_mentions(text, sents) + self.quoted_mentions(text) + \
            self.gazetteer_mentions(text)
        found = resolve_overlaps(found)
        # (resolve_overlaps leaves its own result as it is: only new mentions need it)
        more = self.context_mentions(text, sents, found)
        if more:
            found = resolve_overlaps(found + more)
        more = self.lists.list_mentions(text, sents, found)
        if more:
            found = resolve_overlaps(found + more)
        more = self.lists.neighbour_list_mentions(text, sents, found)
        if more:
            found = resolve_overlaps(found + more)
        more = self.lists.project_list_mentions(text, sents, found)
        if more:
            found = resolve_overlaps(found + more)
        found = self._trim_fronts(text, found)
        found = self._join_owned(text, found)
        found = self._join_coordinated(text, sents, found)
        found = self._platform_projects(text, found)
        # key = the name itself; aliases point at their entity's name
        for m in found:
            m.key = m.text
        aliases = self.alias_mentions(text, found)
        # a short name declared by 简称 anywhere names the same thing wherever it was found
        declared = {(a.type, a.text): a.key for a in aliases}
        for m in found:
            m.key = declared.get((m.type, m.text), m.key)
        names: dict[str, tuple[str, str]] = {}
        for m in found:
            names.setdefault(m.text, (m.type, m.key))
        for a in aliases:
            names.setdefault(a.text, (a.type, a.key))
        for m in found:
            if m.type == "Enterprise":
                shorts = self._short_names(m)  # (read only as far as needed)
                core = next(shorts, None)
                if core is None:
                    continue
                if core != m.text:
                    m.extra["core"] = core  # 法拉电子 for 法拉电子股份有限公司
                full = -1  # (how often the full name occurs, counted once if needed)
                for short in chain([core], shorts):
                    if short in names:
                        break
                    if full < 0:
                        full = text.count(m.text)
                    if text.count(short) > full:
                        names[short] = (m.type, m.key)
                        break
        mentions = resolve_overlaps(found + aliases + find_repeats(text, names, found))
        skip = self.boilerplate_spans(text)
        doc._.pk_boilerplate = skip
        if skip:
            mentions = [m for m in mentions
                        if not any(s <= m.start and m.end <= e for s, e in skip)]
        doc._.pk_mentions = mentions
        if len(doc):  # (the Doc of `annotate` has no tokens, so no spans)
            spans = (doc.char_span(m.start, m.end, label=m.type) for m in mentions)
            doc.ents = [s for s in spans if s is not None]
        return doc


def find_repeats(text: str, names: dict[str, tuple[str, str]],
                 taken: list[Mention]) -> list[Mention]:
    """Every further occurrence of a known name or alias becomes a mention of its entity."""
    if not names:
        return []
    occupied = sorted((m.start, m.end) for m in taken)
    starts = [s for s, _ in occupied]
    out = []
    for start, end, name in _occurrences(text, names):
        i = bisect_right(starts, start) - 1
        if (i >= 0 and occupied[i][1] > start) or (
                i + 1 < len(occupied) and occupied[i + 1][0] < end):
            continue
        if len(name) <= 4 and not _word_aligned(text, start, end):
            continue  # 高科 inside 高科技 is no mention of a firm called 高科
        typ, key = names[name]
        out.append(Mention(start, end, typ, name, f"{typ}.repeat", key=key))
    return out


def _occurrences(text: str, names: Iterable[str]) -> list[tuple[int, int, str]]:
    """Where names occur, scanning left to right, the longest name where several start, and
    no two overlapping: what a regex alternation of the names, longest first, finds.

    str.find per name instead of that regex: compiling a regex of every name of a document
    cost more than the search itself.
    """
    found = []
    for name in names:
        i = text.find(name)
        while i >= 0:
            found.append((i, -len(name), name))
            i = text.find(name, i + 1)
    found.sort()
    out = []
    last = 0
    for start, neg_len, name in found:
        if start >= last:
            last = start - neg_len
            out.append((start, last, name))
    return out


@lru_cache(maxsize=64)
def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled regex matching any of `words`, longest first."""
    return literal_pattern(words)


def _word_aligned(text: str, start: int, end: int) -> bool:
    """True when jieba puts word boundaries at `start` and `end` in the text around them."""
    lo, hi = max(0, start - 4), min(len(text), end + 4)
    cuts = {lo}
    pos = lo
    for w, _ in segment(text[lo:hi]):
        pos += len(w)
        cuts.add(pos)
    return (start in cuts or start == lo) and end in cuts


def resolve_overlaps(mentions: list[Mention]) -> list[Mention]:
    """The overlap policy: the longer span wins; on equal length the earlier rule's span."""
    starts: list[int] = []  # kept spans, sorted by start; they never overlap each other
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        i = bisect_right(starts, m.start)
        if i > 0 and kept[i - 1].end > m.start:
            continue
        if i < len(kept) and kept[i].start < m.end:
            continue
        starts.insert(i, m.start)
        kept.insert(i, m)
    return kept


@Language.factory("pk_entities", default_config={"patterns": None})
def make_entities(nlp: Language, name: str, patterns: str | None) -> EntityRecognizer:
    """Registered factory: the entity recognizer reads its rules from kg/patterns/.

    `patterns`: another folder shaped like kg/patterns to read instead (None: the shipped one).
    """
    return EntityRecognizer(load_rules(Path(patterns)) if patterns else None)

