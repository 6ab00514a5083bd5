"""Names in lists: "A、B和C等N家企业", "入选企业分别为：A、B", "A、B两个园区", and short names
listed beside a firm the document already names ("以修正、东宝、东方红药业等为代表的…").

A list head (kg/patterns/entities/anaphora.toml `list_heads`) gives the listed names their
type; the first item's left edge is found by the recognizer's leftward walk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from kg import corpus
from kg.lang.words import places, segment
from kg.nlp.spans import Mention, alternation

if TYPE_CHECKING:
    from kg.nlp.entities import EntityRecognizer

# The shapes of lists are engine logic; their words (conjunctions, 等, counts, head nouns) come
# from words.toml [lists] and anaphora.toml `list_heads`. What none of the list patterns (bar
# the colon list) crosses: the lists of a sentence lie in its stretches between these
# punctuation marks, and only a stretch with a 等 or a count can hold one.
_BREAK = re.compile(r"[，,。；;：:！？\s“”]")
_UP_TO_BREAK = re.compile(r".*[，,。；;：:！？\s“”]", re.S)  # (to the last one: .* backtracks)


def _stretch_matches(pattern: re.Pattern[str], text: str, lo: int, hi: int,
                     anchors: Iterable[int], needs: str = "") -> Iterator[re.Match[str]]:
    """`pattern.finditer(text, lo, hi)` for a pattern whose matches cross no _BREAK and hold
    one of `anchors` (rising positions), and `needs` if given: searched only in the stretches
    holding both."""
    done = lo
    for a in anchors:
        if a < done:
            continue
        left = _UP_TO_BREAK.match(text, done, a)
        start = left.end() if left else done
        right = _BREAK.search(text, a, hi)
        end = right.start() if right else hi
        if not needs or text.find(needs, start, end) >= 0:
            yield from pattern.finditer(text, start, end)
        done = end


def _places(text: str, char: str, lo: int, hi: int) -> Iterator[int]:
    """Where `char` stands in text[lo:hi], left to right."""
    i = text.find(char, lo, hi)
    while i >= 0:
        yield i
        i = text.find(char, i + 1, hi)


class ListFinder:
    """List constructions of one recognizer's rules."""

    def __init__(self, rec: EntityRecognizer) -> None:
        self.rec = rec
        words = rec.rules.words
        head_alt = alternation(rec.list_heads)
        etc = self.etc = words.etc  # 等: what closes a list before its count and head
        e = re.escape(etc)
        joins = words.single_conjunctions  # 和及与
        self.etc_words = words.etc_words
        self.modifier_chars = words.modifier_chars
        self.modifier_verbs = words.modifier_verbs
        self.list_sep = re.compile(rf"、|{alternation(words.conjunctions)}")
        self.list_re = re.compile(
            r"((?:[^、，,。；;：:！？\s“”]{2,32}、)+[^、，,。；;：:！？\s“”]{2,32}?"
            rf"|[^、，,。；;：:！？\s“”]{{2,24}}?(?:{'|'.join(joins)})[^、，,。；;：:！？\s“”]{{2,24}}?"
            rf"|[^、，,。；;：:！？\s“”{joins}]{{2,24}})"
            rf"{e}(?:{words.count_pattern.pattern})"
            rf"([^、，,。；;：:！？\s“”{e}]{{0,6}}?|[^，,。；;：:！？\s“”{e}]{{0,20}}?)"
            rf"({head_alt})"
        )
        # quick tests before the costly list patterns: 等 with a head after it, a count word
        self.head_after = re.compile(rf"{e}[^，,。；;：:！？]{{0,30}}?(?:{head_alt})")
        # (a list head with a break in it would let a list cross a break)
        self._stretched = not any(_BREAK.search(h) for h in rec.list_heads)
        # "入选企业分别为：A、B、C。": a head noun and a colon open a list of two or more
        self.colon_list_re = re.compile(
            rf"({head_alt})(?:(?:{alternation(w for w in words.colon_openers if len(w) > 1)})"
            rf"[:：]?|(?:{alternation(words.colon_openers)})?[:：])"
            r"((?:[^、，,。；;：:！？\s“”]{2,32}、)+[^、，,。；;：:！？\s“”]{2,32})(?=[。；;，,]|$)"
        )
        # "上市公司8家（A、B、C）": a head noun and a count, then the names in brackets
        self.bracket_list_re = re.compile(
            rf"({head_alt})(?:\d+|[一二三四五六七八九十两]+)(?:余|多)?(?:家|个|项|座|所)"
            r"[(（]((?:[^、，,。；;：:！？\s“”()（）]{2,32}、)+[^、，,。；;：:！？\s“”()（）]{2,32})[)）]")
        # "A、B两个园区": without 等 a count closes only a list of two or more; `counted` finds
        # such a count (a quick test, and where the stretches to search are)
        alone = words.count_alone_pattern.pattern
        self.counted = words.count_alone_pattern
        self.count_list_re = re.compile(
            rf"((?:[^、，,。；;：:！？\s“”]{{2,24}}、)+[^、，,。；;：:！？\s“”{e}]{{2,24}}?)"
            rf"(?<=[\u3400-\u9fff])(?:{alone})([^、，,。；;：:！？\s“”{e}]{{0,10}}?)({head_alt})"
        )
        # "A、B、C等" with no list head after it
        self.bare_list_re = re.compile(
            rf"((?:[^、，,。；;：:！？\s“”]{{2,12}}、)+[^、，,。；;：:！？\s“”{e}]{{2,12}}?){e}")
        # the same with names as long as the list items of list_re: lists of projects
        self.long_bare_list_re = re.compile(
            rf"((?:[^、，,。；;：:！？\s“”]{{2,32}}、)+[^、，,。；;：:！？\s“”{e}]{{2,32}}?){e}")

    def list_mentions(self, text: str, sents: list[corpus.Sentence],
                      known: list[Mention]) -> list[Mention]:
        out: list[Mention] = []
        list_id = 0
        for sent in sents:
            etc = self.etc
            if "、" not in sent.text and etc not in sent.text:
                continue  # (every list has 等 or 、: most sentences need no regex)
            st = sent.text
            found = self._matches(self.list_re, st, _places(st, etc, 0, len(st))) \
                if etc in st and self.head_after.search(st) else iter(())
            counted = self._matches(self.count_list_re, st,
                                    (c.start() for c in self.counted.finditer(st)), "、") \
                if "、" in st and self.counted.search(st) else iter(())
            for m in [*found, *counted]:
                if sent.text[m.end(1) - 1 : m.end(1) + len(etc)] in self.etc_words:
                    continue  # 高等研究院: 等 belongs to a word, it ends no list
                if any(ch in m.group(2) for ch in self.modifier_chars) or any(
                        f[:1] in "pvcdr" and f not in ("vn", "c") and
                        w not in self.rec.bounds.name_words
                        and w not in self.modifier_verbs for w, f in segment(m.group(2))):
                    continue  # "等多方面对拟上市企业", "等地的优质产业项目": no modifiers of names
                typ = self.rec.list_heads[m.group(3)]
                body_start = sent.start + m.start(1)
                items: list[tuple[int, int]] = []
                pos = 0
                body = m.group(1)
                last_comma = body.rfind("、")
                seps = [s for s in self.list_sep.finditer(body)
                        if s.group() == "、" or s.start() > last_comma]
                for sep in seps + [None]:
                    end = sep.start() if sep else len(body)
                    items.append((body_start + pos, body_start + end))
                    pos = sep.end() if sep else pos
                # the first item's left boundary: walk back as for a suffix name
                s0, e0 = items[0]
                rule = self.rec.rules.suffixes[typ]
                new_s0 = self.rec._walk_left(text, s0, e0, rule, strip_verbs=False)
                if e0 - new_s0 >= 2:
                    items[0] = (new_s0, e0)
                list_id += 1
                for s, e in items:
                    item = self._item(text, s, e, typ, known, list_id, 32,
                                      led=(s, e) == items[0])
                    if item is not None:
                        out.append(item)
        out += self._colon_list_mentions(text, sents, known + out, list_id)
        list_id = max((m.list_id for m in out), default=list_id)
        return out + self._bracket_list_mentions(text, sents, known + out, list_id)

    def _bracket_list_mentions(self, text: str, sents: list[corpus.Sentence],
                               known: list[Mention], list_id: int) -> list[Mention]:
        """Names listed in brackets after a head noun and its count (上市公司8家（A、B、C）)
        take the head noun's type."""
        return self._headed_list_mentions(self.bracket_list_re, text, sents, known, list_id)

    def _matches(self, pattern: re.Pattern[str], text: str, anchors: Iterable[int],
                 needs: str = "") -> Iterator[re.Match[str]]:
        """`pattern.finditer(text)` for a list pattern whose matches hold one of `anchors`
        (and `needs`)."""
        if not self._stretched:
            return pattern.finditer(text)
        return _stretch_matches(pattern, text, 0, len(text), anchors, needs)

    def _colon_list_mentions(self, text: str, sents: list[corpus.Sentence],
                             known: list[Mention], list_id: int) -> list[Mention]:
        """Names listed after "企业分别为：" take the head noun's type."""
        return self._headed_list_mentions(self.colon_list_re, text, sents, known, list_id)

    def _headed_list_mentions(self, pattern: re.Pattern[str], text: str,
                              sents: list[corpus.Sentence], known: list[Mention],
                              list_id: int) -> list[Mention]:
        """The items of each list `pattern` finds (group 1 its head noun, group 2 the items
        split at 、), typed as the head noun; `known` and the items found before keep their
        spans."""
        out: list[Mention] = []
        for sent in sents:
            if "、" not in sent.text:
                continue
            for m in pattern.finditer(text, sent.start, sent.end):
                typ = self.rec.list_heads[m.group(1)]
                list_id += 1
                pos = m.start(2)
                for part in m.group(2).split("、"):
                    item = self._item(text, pos, pos + len(part), typ, known + out, list_id, 32)
                    pos += len(part) + 1
                    if item is not None:
                        out.append(item)
        return out

    def _item(self, text: str, s: int, e: int, typ: str, known: list[Mention], list_id: int,
              max_len: int, led: bool = False) -> Mention | None:
        """The list item text[s:e] as a new mention of `typ`, or None: no name, or a name found
        already (which then joins the list; a park listed among projects becomes one). `led`:
        the list's first item, which a park found already may open."""
        name = text[s:e].strip()
        rec = self.rec
        if not (2 <= len(name) <= max_len) or rec._is_generic(name, typ) or \
                name in rec.list_heads:
            return None  # (…、新型研发机构等创新平台: a kind among names)
        if any(ch in name for ch in "，。“”《》" + self.modifier_chars) or \
                name.endswith(rec.bounds.institutions) or \
                typ == "Park" and all(w in places() for w, _ in segment(name)):
            return None  # universities are no firms, 沈阳、大连等高新区 lists cities
        hit = next((k for k in known if k.start <= s and e <= k.end), None)
        lead = None if hit or not led else self._leading_park(text, s, e, known)
        if lead is not None:
            # "A开发区X、Y等新建项目": the park heads the list; the item is what follows it
            s, name = lead.end, text[lead.end : e].strip()
            if len(name) < 2 or rec._is_generic(name, typ):
                return None
        if hit:
            hit.list_id = list_id
            if typ == "Project" and hit.type != "Project":
                # what the text lists among projects is a project (…产业园等项目, …大数据中心、
                # …等78个重点项目; a firm's name listed so names its project)
                hit.type, hit.rule = "Project", "Project.list"
            return None
        if typ != "Project" and rec.suffix_re.search(name):
            return None
        return Mention(s, e, typ, name, f"{typ}.list", list_id=list_id)

    def _leading_park(self, text: str, s: int, e: int, known: list[Mention]) -> Mention | None:
        """A park found already that opens the list item text[s:e] and leaves a name after it
        (东湖开发区晨光物流中心、…等新建项目: the list is the park's, the park no item); not where
        what is left names a park too (X科学城Y科技园一期 is one name)."""
        for k in known:
            if k.type == "Park" and not k.anaphor and k.start == s and k.end <= e - 2:
                rest = text[k.end : e]
                parks = self.rec.rules.suffixes["Park"]
                if any(w in rest for w in (*parks.strong, *parks.weak)):
                    return None
                return k
        return None

    def project_list_mentions(self, text: str, sents: list[corpus.Sentence],
                              known: list[Mention]) -> list[Mention]:
        """Names listed (A、B、C等) with two or more projects named by their 项目 are projects.

        "包括A项目、B项目、C产业园、D实验室等": the text lists C and D among projects, so they
        are projects (as `_item` makes a park listed under a 项目 head one); a name found
        nowhere else becomes a Project mention.
        """
        suffix = self.rec.rules.suffixes["Project"].strong
        out: list[Mention] = []
        list_id = max((k.list_id for k in known), default=0)
        for sent in sents:
            if self.etc not in sent.text or "、" not in sent.text:
                continue
            for m in _stretch_matches(self.long_bare_list_re, text, sent.start, sent.end,
                                      _places(text, self.etc, sent.start, sent.end), "、"):
                if text[m.end(1) - 1 : m.end(1) + len(self.etc)] in self.etc_words:
                    continue
                body_start = m.start(1)
                items, pos = [], body_start
                for sep in re.finditer("、", m.group(1)):
                    items.append((pos, body_start + sep.start()))
                    pos = body_start + sep.end()
                items.append((pos, m.end(1)))
                exact = {(k.start, k.end): k for k in known}
                s0, e0 = items[0]  # (its left edge: where a name found already starts)
                first = next((k for k in known if k.end == e0 and s0 <= k.start < e0), None)
                if first is not None:
                    items[0] = (first.start, e0)
                projects = sum(1 for s, e in items if (k := exact.get((s, e))) is not None
                               and k.type == "Project" and k.suffix in suffix)
                if projects < 2 or len(items) < 3:
                    continue
                list_id += 1  # (a list: its items are not joined into one name, and share edges)
                for i, (s, e) in enumerate(items):
                    if i == 0 and first is None:
                        continue  # (the first item's left edge is not known)
                    hit = exact.get((s, e))
                    if hit is not None:
                        if hit.type in ("Park", "Platform") and not hit.anaphor:
                            hit.type, hit.rule = "Project", "Project.list_neighbour"
                        if hit.type == "Project" and hit.list_id < 0:
                            hit.list_id = list_id
                        continue
                    name = text[s:e]
                    if any(a < e and s < b for a, b in exact) or \
                            self.rec._is_generic(name, "Project") or \
                            any(ch in name for ch in "的“”《》"):
                        continue
                    out.append(Mention(s, e, "Project", name, "Project.list_neighbour",
                                       list_id=list_id))
        return out

    def neighbour_list_mentions(self, text: str, sents: list[corpus.Sentence],
                                known: list[Mention]) -> list[Mention]:
        """Short names listed (A、B、C等) beside a name the document already typed take its type.

        "以修正、东宝、东方红药业等为代表的…": 东宝 is a firm named earlier, so 修正 and 东方红药业
        are firms too. Only firms spread this way; lists with a head noun are list_mentions'
        job.
        """
        types = {m.text: m.type for m in known if m.type == "Enterprise"}
        if not types:
            return []
        out: list[Mention] = []
        taken = sorted((m.start, m.end) for m in known)
        for sent in sents:
            if self.etc not in sent.text or "、" not in sent.text:
                continue
            for m in _stretch_matches(self.bare_list_re, text, sent.start, sent.end,
                                      _places(text, self.etc, sent.start, sent.end), "、"):
                body_start = m.start(1)
                items, pos = [], body_start
                for sep in re.finditer("、", m.group(1)):
                    items.append((pos, body_start + sep.start()))
                    pos = body_start + sep.end()
                items.append((pos, m.end(1)))
                s0, e0 = items[0]
                items[0] = (self.rec._walk_left(text, s0, e0, self.rec.rules.suffixes["Enterprise"],
                                            strip_verbs=False), e0)
                found = {types[text[s:e]] for s, e in items if text[s:e] in types}
                if len(found) != 1:
                    continue
                typ = found.pop()
                for s, e in items:
                    name = text[s:e]
                    if name in types or any(a < e and s < b for a, b in taken) or \
                            not self.rec._is_short_name(name) or \
                            all(f == "ns" for _, f in segment(name)):
                        continue  # 北京、上海、深圳等: places, whatever else is listed
                    out.append(Mention(s, e, typ, name, f"{typ}.list_neighbour"))
        return out
