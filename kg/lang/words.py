"""Words of short windows: jieba segmentation tagged from its dictionary, with places.

The entity rules decide name boundaries from these words; jieba is loaded once, its table
amended with every place of the division gazetteer, and windows are cached (they repeat).
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.lang.places import gazetteer
from kg.lang.rules import load_words

_POSSEG = None
# (script classes, not linguistic data: how an unknown word is tagged by its characters)
_HAN = re.compile(r"[\u3400-\u9fff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def jieba_table():  # type: ignore[no-untyped-def]
    """jieba's segmenter and its word → part-of-speech table, loaded once.

    Place names from the division gazetteer (every full name, and the short names of provinces
    and prefectures) are tagged ns whatever jieba's dictionary says: it calls 包头 a verb.
    """
    global _POSSEG
    if _POSSEG is None:
        import jieba  # heavy: jieba loads only when segmenting
        import jieba.posseg  # heavy: jieba loads only when segmenting

        jieba.setLogLevel(60)
        table = dict(jieba.posseg.dt.word_tag_tab)
        table.update(dict.fromkeys(places(), "ns"))
        _POSSEG = (jieba, table)
    return _POSSEG


def _tag(word: str, table: dict[str, str]) -> str:
    tag = table.get(word)
    if tag is not None:
        return tag
    if word.isdigit() or _NUMBER.fullmatch(word):
        return "m"
    if word.isascii() and word.isalnum():
        return "eng"
    if _HAN.match(word):
        return "nz"  # a word the dictionary does not know: most often a name (赣锋, 亿铂)
    return "x"


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Every division's full name, and the short names of provinces and prefectures."""

    out = set()
    for d in gazetteer().by_code.values():
        out.add(d.name)
        if d.short and d.level != "county":
            out.add(d.short)
    return frozenset(out)


@lru_cache(maxsize=65536)
def segment(window: str) -> tuple[tuple[str, str], ...]:
    """jieba words of a short window, tagged from jieba's dictionary (cached: windows repeat).

    Words the dictionary does not know (found by jieba's HMM) are tagged as names; this is
    five times faster than jieba.posseg's joint tagging and suits name boundaries better.
    """
    jieba, table = jieba_table()
    words = load_words()  # (words.toml [segmentation])
    leading, trailing = words.leading_chars, words.trailing_chars
    out: list[tuple[str, str]] = []
    for w in jieba.cut(window):
        # jieba's HMM glues function characters to unknown names (由该, 由氢擎): split them off
        while len(w) > 1 and w not in table and w[0] in leading:
            out.append((w[0], table.get(w[0], "p")))
            w = w[1:]
        tail = []  # …and function characters after them (江南园以… → 园|以)
        while len(w) > 1 and w not in table and w[-1] in trailing:
            tail.append((w[-1], table.get(w[-1], "p")))
            w = w[:-1]
        out.append((w, _tag(w, table)))
        out.extend(reversed(tail))
    return tuple(out)
