"""build_nlp: the one place that knows the pipeline's segmenter and the order of its components.

Two things segment. The rule components read characters and cut short windows into words
(kg.lang.words: jieba, or pkuseg with `segmenter="pkuseg"`). The Doc's own tokens come from a
tokenizer that splits Chinese into characters and Latin letters or digits into runs (needs no
model, fast) unless a pkuseg model is used: with `segmenter="pkuseg"` (the installed converted
CTB8 model, or `pkuseg_model`) or `pkuseg_model` alone, spaCy's own `zh` tokenizer segments the
Doc with it. `pkuseg_model` alone leaves the windows to jieba, so entities stay as they were.
"""

from __future__ import annotations

import re
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

import kg.nlp.zones  # noqa: F401  (registers pk_zones: register names, docs/register.md)
from kg.errors import KgError
from kg.lang.words import pkuseg_segmenter, use_segmenter
from kg.nlp import (  # noqa: F401  (registers the pk_ factories)
    amounts,
    anaphora,
    entities,
    indicators,
    relations,
)

PIPES = ("pk_entities", "pk_zones", "pk_amounts", "pk_anaphora", "pk_relations",
         "pk_indicators")
# (tokenisation by script: Latin runs, numbers, spaces, one token per other character;
# engine logic, not linguistic data)
_TOKEN = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?|\s+|.", re.S)


class CharTokenizer:
    """Offline default: one token per Chinese character, Latin and digit runs kept whole."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words = _TOKEN.findall(text)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data["pk_text"] = text
        return doc

    def to_bytes(self, **kwargs: object) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: object) -> CharTokenizer:
        return self


def annotate(nlp: Language, text: str, *, articles: list | None = None) -> Doc:
    """Run the pk_ components over `text` and return the Doc; what extraction calls.

    With the default segmenter the Doc gets no tokens: the components read characters and the
    records read only their pk_ extensions, so one token per character (about a tenth of the
    time) would be built for nothing; `doc.ents` then stays empty. `nlp(text)` still gives the
    full Doc. With a pkuseg model the text is segmented as before. `articles`
    (kg.corpus.articles.find_articles of the text) date the text for the time words; without
    them the components find the articles themselves.
    """
    chosen = nlp.meta.get("pk_segmenter")
    if chosen:  # the words this pipeline was built with, should another build have changed them
        use_segmenter(*chosen)
    if not isinstance(nlp.tokenizer, CharTokenizer):
        if articles is None:
            return nlp(text)
        doc = nlp.make_doc(text)
        doc.user_data["pk_articles"] = articles
        for _name, proc in nlp.pipeline:
            doc = proc(doc)
        return doc
    doc = Doc(nlp.vocab, words=[])
    doc.user_data["pk_text"] = text
    if articles is not None:
        doc.user_data["pk_articles"] = articles
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def build_nlp(*, pkuseg_model: str | Path | None = None,
              patterns: str | Path | None = None, segmenter: str | None = None) -> Language:
    """A blank `zh` Language with the pk_ components; pkuseg segmentation when a model is given.

    `segmenter`: "jieba" or "pkuseg" for the components' words (default: $KG_SEGMENTER, else
    kg.lang.words.DEFAULT_SEGMENTER); it is set for this process. `patterns`: a folder shaped
    like kg/patterns (a copy with edits) whose rules the components apply instead.
    """
    if pkuseg_model is not None and not Path(pkuseg_model).exists():
        raise KgError(f"{pkuseg_model}: no such pkuseg model (a directory made by "
                      "spacy_pkuseg.train or `kg models install pkuseg`)")
    name = use_segmenter(segmenter, pkuseg_model)
    if pkuseg_model is None and name != "pkuseg":
        nlp = spacy.blank("zh")
        nlp.tokenizer = CharTokenizer(nlp.vocab)
    else:
        seg = pkuseg_segmenter(None if pkuseg_model is None else str(pkuseg_model))
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
        # the words' segmenter (model and user dictionary) tokenizes the Doc too: loaded once
        nlp.tokenizer.pkuseg_seg = seg
    nlp.meta["pk_segmenter"] = [name, None if pkuseg_model is None else str(pkuseg_model)]
    config = {"patterns": str(patterns)} if patterns is not None else {}
    for name in PIPES:
        nlp.add_pipe(name, config=config)
    return nlp
