"""Phrases that name a kind of thing, not one thing: "建设一批A、B", "重大共性技术平台4个",
"获批成为湖北省级高新区", "与A研究所、B大学合作". Suffix names found there are dropped.
"""

from __future__ import annotations

import re

from kg import corpus
from kg.lang.rules import Boundaries, Words
from kg.nlp.spans import Mention, alternation, clause_end, clause_start


class KindPatterns:
    """The patterns of words.toml [kinds], built once per recognizer (the punctuation classes
    in them are the script's, not linguistic data)."""

    def __init__(self, words: Words) -> None:
        self.count_before = words.count_before_pattern  # 3个创新平台
        self.count_after = words.count_after_pattern  # "平台4个，" (not "项目11个单体")
        # between a quantifier or copula and a phrase: a verb or a clause boundary cuts the link
        self.verbish = re.compile(rf"[，,。；;：:]|{alternation(words.link_verbs)}")
        self.predicate_end = re.compile(  # not "成为X成员"
            rf"[，,。；;、：:！？)）\n]|{alternation(words.predicate_ends)}|$")
        self.institutes = words.institute_suffixes
        joins = words.single_conjunctions
        self.joins = ("、", *joins)
        self.item_sep = re.compile("|".join(("、", *joins)))
        self.etc_tail = re.compile(f"{re.escape(words.etc)}.*$")


def drop_kinds(bounds: Boundaries, text: str, sent: corpus.Sentence, found: list[Mention],
               pats: KindPatterns) -> list[Mention]:
    """Leave out phrases that name a kind of thing: after 一批/这样的…, before a count."""
    if not found:
        return found
    quants = bounds.quantifiers
    kind = []
    for k, m in enumerate(found):
        if m.type == "Enterprise":
            kind.append(False)  # a firm's name is a name (一批…企业 never reaches here)
            continue
        left = text[max(sent.start, m.start - 4) : m.start]
        right = text[m.end : min(sent.end, m.end + 8)]
        in_list = k > 0 and text[found[k - 1].end : m.start] == "、"
        if left.endswith(quants) or pats.count_before.search(left) or (
                not in_list and pats.count_after.match(right)):
            kind.append(True)
            continue
        predicate_end = pats.predicate_end.match(text, m.end) is not None
        # the clause before the phrase matters after a 、 or for a predicate (else it is "")
        clause = text[max(sent.start, clause_start(text, m.start)) : m.start] \
            if text[m.start - 1 : m.start] == "、" or (
                predicate_end and m.type in ("Park", "Platform")) else ""
        kind.append(_after_quantified_list(bounds, pats, clause)
                    or (predicate_end and _predicate(bounds, pats, m, clause))
                    or _among_institutions(bounds, pats, text, sent, m))
    # a list joined by 、 shares the fate of its members (建设一批A、B、C)
    for k in range(1, len(found)):
        if text[found[k - 1].end : found[k].start] == "、":
            kind[k] = kind[k] or kind[k - 1]
    for k in range(len(found) - 2, -1, -1):
        if text[found[k].end : found[k + 1].start] == "、":
            kind[k] = kind[k] or kind[k + 1]
    return [m for m, is_kind in zip(found, kind, strict=True) if not is_kind]


def _after_quantified_list(bounds: Boundaries, pats: KindPatterns, clause: str) -> bool:
    """True when the clause so far is 一批/多个… and a list leading up to the phrase."""
    if not clause.endswith("、"):
        return False
    best = max((clause.rfind(q) + len(q) for q in bounds.quantifiers if q in clause), default=-1)
    return best >= 0 and clause.endswith("、") and not pats.verbish.search(clause[best:])


def _predicate(bounds: Boundaries, pats: KindPatterns, m: Mention, clause: str) -> bool:
    """A park or platform phrase after 作为/成为/定位为 in its clause says what a thing is."""
    if m.type not in ("Park", "Platform"):
        return False
    hit = max((clause.rfind(c) + len(c) for c in bounds.copulas if c in clause), default=-1)
    return hit >= 0 and not pats.verbish.search(clause[hit:])


def _among_institutions(bounds: Boundaries, pats: KindPatterns, text: str,
                        sent: corpus.Sentence, m: Mention) -> bool:
    """A platform listed with universities (与A研究所、B大学合作) is an institution too."""
    if m.type != "Platform" or not m.text.endswith(pats.institutes):
        return False
    lo = max(sent.start, clause_start(text, m.start))
    hi = min(sent.end, clause_end(text, m.end))
    items = pats.item_sep.split(pats.etc_tail.sub("", text[m.end : hi]))
    before = re.split(r"、", text[lo : m.start])
    neighbours = []
    if text[m.end : m.end + 1] in pats.joins and len(items) > 1:
        neighbours.append(items[1])
    if text[m.start - 1 : m.start] == "、" and len(before) > 1:
        neighbours.append(before[-2])
    return any(n.endswith(bounds.institutions) for n in neighbours)

