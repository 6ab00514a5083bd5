"""spaCy components of parks-kg, one per module; importing this package registers them all.

Components read `doc.text` and keep their results on `doc._` extensions with the `pk_` prefix,
as character-offset records, so that they work with any tokenizer (char, pkuseg).
"""

from __future__ import annotations

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


def clause_start(text: str, pos: int) -> int:
    """Start of the clause holding `pos` (after the last ，；。： or line break)."""
    return max(text.rfind(c, 0, pos) for c in "，,；;。：:\n") + 1


def clause_end(text: str, pos: int) -> int:
    """End of the clause holding `pos` (at the next ，；。： or line break)."""
    ends = [i for i in (text.find(c, pos) for c in "，,；;。：:\n") if i != -1]
    return min(ends) if ends else len(text)


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


from kg.components import amounts, anaphora, entities, relations  # noqa: E402,F401
