"""pk_zones: Park names of the register of development zones, wherever a text writes them.

The suffix rules of pk_entities find names that end like a park (…高新区, …园区); zones of the
register that end otherwise (…台商投资区, …保税港区, …边境经济合作区) or whose left edge the
rules miss are found here: every register name and every short form kg.lang.zones derives from
it (杭州高新技术产业开发区 → 杭州高新区, 西安经开区) is looked up in the text. The suffix rules
keep precedence: a register name is added only where it overlaps no mention pk_entities found,
or where it covers such Park mentions whole (厦门海沧台商投资区 over 海沧台商投资区). The phrase
table is data: the register (kg/data/zones.csv) and the rules of kg/patterns/zones.toml.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.lang.words import places, segment
from kg.lang.zones import zone_index
from kg.nlp.entities import find_repeats, resolve_overlaps
from kg.nlp.spans import Mention, doc_text

RULE = "Park.register"
MIN_FORM = 4  # characters: shorter forms are too often other words
# parts of speech of jieba that make a word a proper name (a place, a person, a brand)
_DISTINCT_POS = frozenset({"nr", "nrt", "nrfg", "nz", "ns", "nt"})


class ZonePhrases:
    """Every name the register's zones are written with, looked up by their last character."""

    def __init__(self, forms: set[str]) -> None:
        self.forms = frozenset(f for f in forms if len(f) >= MIN_FORM)
        lengths: dict[str, set[int]] = {}
        for form in self.forms:
            lengths.setdefault(form[-1], set()).add(len(form))
        self.lengths = {c: sorted(ls, reverse=True) for c, ls in lengths.items()}

    @staticmethod
    @lru_cache(maxsize=4096)
    def names_one_zone(form: str) -> bool:
        """True when `form` names one zone of the register and holds a proper name or a place
        (产业集聚区 names many zones; 科技产业园, after its places are dropped, no one)."""
        index = zone_index()
        if index.resolve(form) is None:
            return False
        return any(f in _DISTINCT_POS or w in places() for w, f in segment(form))

    def find(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of the register names in `text`, longest first where they overlap."""
        hits: list[tuple[int, int]] = []
        for end in range(1, len(text) + 1):
            for size in self.lengths.get(text[end - 1], ()):
                start = end - size
                if start >= 0 and text[start:end] in self.forms and \
                        self.names_one_zone(text[start:end]):
                    hits.append((start, end))
                    break  # (the longest form ending here)
        kept: list[tuple[int, int]] = []
        for start, end in sorted(hits, key=lambda h: (h[0] - h[1], h[0])):
            if all(end <= s or start >= e for s, e in kept):
                kept.append((start, end))
        return sorted(kept)


@lru_cache(maxsize=1)
def zone_phrases() -> ZonePhrases:
    """The phrase table of the shipped register: all names and short forms of every zone."""
    forms: set[str] = set()
    for table in zone_index().tables:
        forms.update(table)
    return ZonePhrases(forms)


class ZoneRecognizer:
    """Adds Park mentions of register names that pk_entities' rules did not find."""

    def __init__(self, phrases: ZonePhrases | None = None) -> None:
        self.phrases = phrases or zone_phrases()

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        mentions: list[Mention] = list(doc._.pk_mentions or [])
        skip = doc._.pk_boilerplate or []
        added: list[Mention] = []
        drop: set[int] = set()
        rekey: dict[str, str] = {}  # the entities of covered mentions become the register name's
        retype: set[tuple[str, str]] = set()  # (type, key) of entities a register name is
        for start, end in self.phrases.find(text):
            if any(s <= start and end <= e for s, e in skip):
                continue
            inside = [i for i, m in enumerate(mentions) if m.start < end and start < m.end]
            if len(inside) == 1 and (mentions[inside[0]].start, mentions[inside[0]].end) == \
                    (start, end) and mentions[inside[0]].type != "Park":
                # a list's head typed a register zone otherwise (哈尔滨综合保税区 among projects)
                retype.add((mentions[inside[0]].type, mentions[inside[0]].key))
                continue
            if any(not (start <= mentions[i].start and mentions[i].end <= end) or
                   mentions[i].type != "Park" or
                   (mentions[i].start, mentions[i].end) == (start, end) for i in inside):
                continue  # the rules' mention stands: it crosses this name or is it
            drop.update(inside)
            name = text[start:end]
            rekey.update((mentions[i].key, name) for i in inside)
            added.append(Mention(start, end, "Park", name, RULE, key=name))
        for m in mentions:
            if (m.type, m.key) in retype:
                m.type = "Park"
        if not added:
            return doc
        kept = [m for i, m in enumerate(mentions) if i not in drop]
        for m in kept:
            if m.type == "Park" and m.key in rekey:
                m.key = rekey[m.key]
        names = {m.text: ("Park", m.key) for m in added}
        more = find_repeats(text, names, kept + added)
        doc._.pk_mentions = resolve_overlaps(kept + added + more)
        return doc


@Language.factory("pk_zones", default_config={"patterns": None})
def make_zones(nlp: Language, name: str, patterns: str | None) -> ZoneRecognizer:
    """Registered factory: register names as Park mentions (the register is the shipped one
    whatever `patterns` says: it is data of kg/data, not a pattern file)."""
    return ZoneRecognizer()
