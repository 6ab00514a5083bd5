"""pk_anaphora: fold name variants into one entity and point 该高新区 / 园区 / 该公司 at theirs.

Parks: 西安高新技术产业开发区 = 西安国家高新区 = 西安高新区, and a name with a place prefix
(湖北随州高新区) = the one without (随州高新区); within a document also the same-park forms
(烟台经济技术开发区 = 烟台开发区, see `park_variant`). Each section (an article, or a part of one)
has a topic park: the park of its heading, else the park it names most when that is named at
least two times more than the first one, else the first park it names; bare 园区 or 高新区
refers to it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.lang.canon import park_canon
from kg.lang.rules import RuleSet, load_rules
from kg.lang.words import segment
from kg.nlp.spans import Mention, alternation, doc_text


def is_place_prefix(prefix: str, rules: RuleSet | None = None) -> bool:
    """True when every word of `prefix` is a place name (湖北, 江西省, 四川…).

    A word that ends a place name (省, 自治区: places.toml `endings`) counts as a place.
    """
    if not prefix:
        return False
    endings = (rules or load_rules()).places.endings
    words = segment(prefix)
    return all(f == "ns" or w in endings for w, f in words)


_BRACKET = re.compile(r"[(（]([^()（）]{1,8})[)）]")


def park_variant(name: str, rules: RuleSet) -> str:
    """The form under which one document's names of a park meet: short forms to the end
    (大庆国家高新技术产业开发区 → 大庆高新区), no designation in brackets or national prefix
    (西宁(国家级)经开区, 国家新乡经开区), 中国(云南)… as 云南…, and the same-park forms of
    suffixes.toml (烟台经济技术开发区 = 烟台开发区)."""
    for _ in range(3):  # (国家高新技术产业开发区 → 国家高新区 → 高新区)
        shorter = park_canon(name)
        if shorter == name:
            break
        name = shorter
    name = _BRACKET.sub(lambda m: "" if m.group(1) in rules.boundaries.designation_words
                        else m.group(0), name)
    words = rules.words
    for lead in words.national_prefixes:
        if name.startswith(lead) and len(name) > len(lead) + 4:
            name = name[len(lead) :]
    for lead in words.not_places:  # 中国(云南)自由贸易试验区 → 云南自由贸易试验区
        m = _BRACKET.match(name, len(lead)) if name.startswith(lead) else None
        if m is not None:
            name = m.group(1) + name[m.end() :]
    for long, short in rules.suffixes["Park"].same_park_forms:
        name = name.replace(long, short)
    return name


def group_parks(mentions: list[Mention], rules: RuleSet | None = None) -> dict[str, str]:
    """Map each park name to the key (longest name) of its group of variants."""
    rules = rules or load_rules()
    names = sorted({m.key for m in mentions if m.type == "Park"}, key=len)
    canon = {n: park_variant(n, rules) for n in names}
    parent = {n: n for n in names}

    def find(n: str) -> str:
        while parent[n] != n:
            n = parent[n]
        return n

    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ca, cb = canon[a], canon[b]
            same = ca == cb or (cb.endswith(ca) and is_place_prefix(cb[: -len(ca)], rules))
            if same:
                ra, rb = find(a), find(b)
                if ra != rb:
                    longer, shorter = (ra, rb) if len(ra) >= len(rb) else (rb, ra)
                    parent[shorter] = longer
    return {n: find(n) for n in names}


class AnaphoraResolver:
    """Rewrites mention keys to their entity and adds anaphor mentions with their antecedent."""

    def __init__(self, rules: RuleSet | None = None) -> None:
        self.rules = rules or load_rules()
        self.words = {w: a for a in self.rules.anaphora for w in a.words}
        self.pattern = re.compile(alternation(self.words))
        shared = self.rules.anaphor_words
        self.demonstratives = shared.demonstratives
        self.generic_before = shared.generic_before
        self._generic_len = max(map(len, self.generic_before), default=0)
        self.kinds = shared

    def topics(self, doc: Doc, parks: list[Mention]) -> list[str | None]:
        out: list[str | None] = []
        prev: str | None = None
        prev_bare = False  # the previous section was a heading alone (a two-line headline)
        for sec in doc._.pk_sections:
            inside = [m for m in parks if sec.start <= m.start < sec.end]
            head_end = sec.start + len(sec.heading) + 8
            in_head = [m for m in inside if m.start < head_end and sec.heading]
            if in_head:
                topic = in_head[0].key
            elif (sec.level >= 2 or prev_bare) and prev:
                topic = prev
            elif inside:
                counts: dict[str, int] = {}
                for m in inside:
                    counts[m.key] = counts.get(m.key, 0) + 1
                first = inside[0].key
                best = max(counts, key=lambda k: counts[k])
                # (a park named in passing first, 据A开发区消息…, is not what the section is about)
                topic = best if counts[best] > counts[first] + 1 else first
            else:
                topic = None  # a new article that names no park has no topic park
            out.append(topic)
            prev = topic
            prev_bare = bool(sec.heading) and sec.end - sec.start <= len(sec.heading) + 8
        return out

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        mentions: list[Mention] = doc._.pk_mentions or []
        groups = group_parks(mentions, self.rules)
        for m in mentions:
            if m.type == "Park":
                m.key = groups.get(m.key, m.key)
        parks = [m for m in mentions if m.type == "Park" and not m.anaphor]
        topics = self.topics(doc, parks)
        doc._.pk_topics = topics
        secs = doc._.pk_sections
        sec_starts = [s.start for s in secs]
        occupied = sorted([(m.start, m.end) for m in mentions] + (doc._.pk_boilerplate or []))
        occ_starts = [s for s, _ in occupied]
        by_type: dict[str, list[Mention]] = {}
        for m in mentions:
            by_type.setdefault(m.type, []).append(m)
        added: list[Mention] = []
        for hit in self.pattern.finditer(text):
            s, e = hit.start(), hit.end()
            i = bisect_right(occ_starts, s) - 1
            if i >= 0 and occupied[i][1] > s:
                continue
            if i + 1 < len(occupied) and occupied[i + 1][0] < e:
                continue
            # (an anaphor opening the text is left out too, as it always was)
            if s == 0 or text.endswith(self.generic_before, max(0, s - self._generic_len), s):
                continue
            rule = self.words[hit.group()]
            sec_idx = max(0, bisect_right(sec_starts, s) - 1)
            sec = secs[sec_idx]
            before = [m for m in by_type.get(rule.type, [])
                      if sec.start <= m.start and m.end <= s and not m.anaphor]
            word = hit.group()
            explicit = word.startswith(self.demonstratives)
            if explicit and rule.type == "Park":
                # 该高新区 points back at a 高新区, not at a 经开区 named in between
                kind = word[len(next(d for d in self.demonstratives if word.startswith(d))):]
                ends = self.kinds.endings(kind)
                same_kind = [m for m in before if m.text.endswith(ends)]
                before = same_kind or before
                # of those, the one the section names most (ties: the nearest): 该高新区 after
                # "玉溪高新区、曲靖经开区分别有…" still means the park the article is about
                counts = Counter(m.key for m in before)
                best = max(counts.values(), default=0)
                before = [m for m in before if counts[m.key] == best]
            antecedent: str | None = None
            if rule.topic and not explicit and topics[sec_idx]:
                antecedent = topics[sec_idx]
            elif before and (rule.topic or s - before[-1].end < 300):
                antecedent = before[-1].key
            elif rule.topic:
                antecedent = topics[sec_idx]
            if antecedent:
                added.append(Mention(s, e, rule.type, hit.group(), f"{rule.type}.anaphor",
                                     key=antecedent, anaphor=True))
        doc._.pk_mentions = sorted(mentions + added, key=lambda m: m.start)
        return doc


@Language.factory("pk_anaphora", default_config={"patterns": None})
def make_anaphora(nlp: Language, name: str, patterns: str | None) -> AnaphoraResolver:
    """Registered factory: anaphor words come from kg/patterns/entities/anaphora.toml.

    `patterns`: another folder shaped like kg/patterns to read instead (None: the shipped one).
    """
    return AnaphoraResolver(load_rules(Path(patterns)) if patterns else None)
