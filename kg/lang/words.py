"""Words of short windows: jieba's or pkuseg's segmentation, tagged from jieba's dictionary.

The entity rules decide name boundaries from these words. The segmenter is jieba (the default)
or spacy-pkuseg with the converted CTB8 news model (`kg models install pkuseg`), chosen by
`use_segmenter` (what `build_nlp` calls) or $KG_SEGMENTER. Either is loaded once; the tag
table is jieba's, amended with every place of the division gazetteer; windows are cached.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.errors import KgError
from kg.lang.places import gazetteer
from kg.lang.rules import load_words
from kg.lang.segmenters import DEFAULT_SEGMENTER, SEGMENTER_ENV, SEGMENTERS
from kg.lang.zones import zone_index

_POSSEG = None
_CUT: tuple[str, str | None, Callable[[str], Iterable[str]]] | None = None  # (name, model, cut)
# wikidata.csv kinds whose names go into pkuseg's user dictionary with the firm lexicon
_USER_DICT_KINDS = ("enterprise", "organisation")
# (script classes, not linguistic data: how an unknown word is tagged by its characters)
_HAN = re.compile(r"[\u3400-\u9fff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SPACES = re.compile(r"(\s+)")


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


def segmenter_name(name: str | None = None) -> str:
    """`name`, else $KG_SEGMENTER, else the default; checked against SEGMENTERS."""
    name = name or os.environ.get(SEGMENTER_ENV) or DEFAULT_SEGMENTER
    if name not in SEGMENTERS:
        raise KgError(f"segmenter {name!r} (from --segmenter or ${SEGMENTER_ENV}): expected "
                      f"one of {', '.join(SEGMENTERS)}")
    return name


def user_words() -> list[str]:
    """pkuseg's user dictionary: the firm lexicon (patterns/entities/enterprises.jsonl), the
    names and aliases of the firms and organisations in data/wikidata.csv, and the register's
    zone names with their short forms that keep the places (杭州高新区, not bare 高新区)."""
    base = resources.files("kg")
    out = set()
    lexicon = base / "patterns" / "entities" / "enterprises.jsonl"
    for ln in lexicon.read_text(encoding="utf-8").splitlines():
        if ln.strip():
            out.add(json.loads(ln)["pattern"])
    rows = csv.DictReader((base / "data" / "wikidata.csv").read_text(encoding="utf-8")
                          .splitlines())
    for r in rows:
        if r["kind"] in _USER_DICT_KINDS:
            out.add(r["label"])
            out.update(a for a in r["aliases"].split("|") if a)
    exact, kept, _dropped = zone_index().tables
    out.update(exact)
    out.update(kept)
    return sorted(w for w in out if len(w) > 1)


def pkuseg_model_path(model: str | Path | None = None) -> Path:
    """`model`, else the installed CTB8 model; an error saying how to install it if none."""
    from kg.lang.segmenters import pkuseg_installed

    path = Path(model) if model else pkuseg_installed()
    if path is None:
        raise KgError("pkuseg: no model installed; run `kg models install pkuseg` "
                      "(or give --pkuseg-model DIR)")
    if not path.is_dir():
        raise KgError(f"{path}: no such pkuseg model directory")
    return path


def pkuseg_segmenter(model: str | Path | None = None):  # type: ignore[no-untyped-def]
    """spacy-pkuseg on `model` (default: the installed CTB8 model) with `user_words()`."""
    return _load_pkuseg(str(pkuseg_model_path(model)))


@lru_cache(maxsize=4)
def _load_pkuseg(path: str):  # type: ignore[no-untyped-def]
    from kg.lang.segmenters import load_spacy_pkuseg  # heavy: numpy, srsly

    try:
        return load_spacy_pkuseg(Path(path), user_words())
    except Exception as exc:  # spacy-pkuseg raises bare Exceptions on bad models
        raise KgError(f"{path}: cannot load pkuseg model ({exc})") from None


def use_segmenter(name: str | None = None, model: str | Path | None = None) -> str:
    """Make `segment` cut windows with segmenter `name` (pkuseg: on `model`); its name.

    The choice is per process (the rule components call `segment`); a change empties the
    window cache.
    """
    global _CUT
    name = segmenter_name(name)
    # (pkuseg: the model's path, resolved each time: the installed one may change)
    key = str(pkuseg_model_path(model)) if name == "pkuseg" else None
    if _CUT is not None and _CUT[:2] == (name, key):
        return name
    if name == "pkuseg":
        cut = _keep_spaces(_load_pkuseg(key).cut)
    else:
        cut = jieba_table()[0].cut
    _CUT = (name, key, cut)
    segment.cache_clear()
    return name


def _keep_spaces(cut: Callable[[str], list[str]]) -> Callable[[str], Iterable[str]]:
    """pkuseg drops white space; the rules count characters, so runs of it become words."""

    def cut_all(window: str) -> Iterable[str]:
        for piece in _SPACES.split(window):
            if not piece:
                continue
            if piece.isspace():
                yield piece
            else:
                yield from cut(piece)

    return cut_all


def _cutter() -> Callable[[str], Iterable[str]]:
    if _CUT is None:
        use_segmenter()
    assert _CUT is not None
    return _CUT[2]


@lru_cache(maxsize=65536)
def segment(window: str) -> tuple[tuple[str, str], ...]:
    """The words of a short window, tagged from jieba's dictionary (cached: windows repeat).

    Words the dictionary does not know (found by jieba's HMM or pkuseg's model) are tagged as
    names; this is five times faster than jieba.posseg's joint tagging and suits name
    boundaries better.
    """
    cut = _cutter()
    _jieba, table = jieba_table()
    words = load_words()  # (words.toml [segmentation])
    leading, trailing = words.leading_chars, words.trailing_chars
    out: list[tuple[str, str]] = []
    for w in cut(window):
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
