"""spaCy components of parks-kg, one per module; importing this package registers them all.

Components read `doc.text` and keep their results on `doc._` extensions with the `pk_` prefix,
as character-offset records, so that they work with any tokenizer (char, pkuseg).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc


@dataclass
class Mention:
    """A typed span of the document text; `key` groups the mentions of one entity."""

    start: int
    end: int
    type: str
    text: str
    rule: str
    key: str = ""
    anaphor: bool = False
    list_id: int = -1
    suffix: str = ""
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class Amount:
    """A money amount in the text, normalised to yuan (or to `currency` units when not CNY)."""

    start: int
    end: int
    text: str
    value: int
    currency: str
    qualifier: str


@dataclass
class RelationHit:
    """A relation found by a rule, between two mentions (or a mention and an amount)."""

    head: Mention
    relation: str
    tail: Mention | Amount
    rule: str
    sent_start: int
    sent_end: int
    context: tuple[int, int] | None = None  # a second sentence that names the head, if apart


def doc_text(doc: Doc) -> str:
    """The Doc's text, built once: `Doc.text` joins every token again on each call."""
    text = doc.user_data.get("pk_text")
    if text is None:
        text = doc.user_data["pk_text"] = doc.text
    return text


# Punctuation that ends a clause: the script's marks, not linguistic data (no word list).
_CLAUSE_MARKS = "，,；;。：:\n"
_CLAUSE_MARK = re.compile("[，,；;。：:\n]")
_UP_TO_CLAUSE_MARK = re.compile(".*[，,；;。：:\n]", re.S)  # (to the last one: .* backtracks)


def literal_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of `words`, the longest where several start at one place.

    The same matches as `"|".join(words sorted longest first)`, written as a trie
    (高(?:新(?:区|城)|铁新城)…): the regex engine tries each branch in turn at every place
    where a word could start, and a trie has far fewer branches than the word list.
    """
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + branch(sub) for ch, sub in node.items() if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" not in node:
            return body
        return (body if len(alts) > 1 else f"(?:{body})") + "?"  # (longer words first)

    return re.compile(branch(trie) if trie else "(?!)")  # (no words: it matches nothing)


def alternation(words: Iterable[str]) -> str:
    """`words` escaped and joined by |, longest first: the body of a regex group of words."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def clause_start(text: str, pos: int) -> int:
    """Start of the clause holding `pos` (after the last ，；。： or line break)."""
    if pos < 0:  # (slice semantics: counted from the end)
        return max(text.rfind(c, 0, pos) for c in _CLAUSE_MARKS) + 1
    # look back in growing windows: a mark absent from the text would otherwise cost a scan
    # of everything before `pos` on every call
    hi, width = pos, 32
    while hi > 0:
        lo = max(0, hi - width)
        last = _UP_TO_CLAUSE_MARK.match(text, lo, hi)
        if last is not None:
            return last.end()
        hi, width = lo, width * 4
    return 0


def clause_end(text: str, pos: int) -> int:
    """End of the clause holding `pos` (at the next ，；。： or line break)."""
    if pos < 0:  # (slice semantics: counted from the end)
        ends = [i for i in (text.find(c, pos) for c in _CLAUSE_MARKS) if i != -1]
        return min(ends) if ends else len(text)
    m = _CLAUSE_MARK.search(text, pos)
    return m.start() if m else len(text)


for _name, _default in (
    ("pk_sentences", None),
    ("pk_sections", None),
    ("pk_mentions", None),
    ("pk_amounts", None),
    ("pk_topics", None),
    ("pk_relations", None),
    ("pk_boilerplate", None),
):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)

