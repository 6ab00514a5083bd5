"""build_nlp: the one place that knows the pipeline's segmenter and the order of its components.

The default segmenter splits Chinese into characters and Latin letters or digits into runs: it
needs no model and is fast. With a spacy-pkuseg model (`pkuseg_model`), spaCy's own `zh`
tokenizer segments words instead. The rule components read characters, not tokens, so they
give the same entities with either segmenter.
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
from kg.nlp import amounts, anaphora, entities, relations  # noqa: F401  (registers the pk_ factories)

PIPES = ("pk_entities", "pk_zones", "pk_amounts", "pk_anaphora", "pk_relations")
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


def annotate(nlp: Language, text: str) -> Doc:
    """Run the pk_ components over `text` and return the Doc; what extraction calls.

    With the default segmenter the Doc gets no tokens: the components read characters and the
    records read only their pk_ extensions, so one token per character (about a tenth of the
    time) would be built for nothing; `doc.ents` then stays empty. `nlp(text)` still gives the
    full Doc. With a pkuseg model the text is segmented as before.
    """
    if not isinstance(nlp.tokenizer, CharTokenizer):
        return nlp(text)
    doc = Doc(nlp.vocab, words=[])
    doc.user_data["pk_text"] = text
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def build_nlp(*, pkuseg_model: str | Path | None = None,
              patterns: str | Path | None = None) -> Language:
    """A blank `zh` Language with the pk_ components; pkuseg segmentation when a model is given.

    `patterns`: a folder shaped like kg/patterns (a copy with edits) whose rules the components
    apply instead of the shipped ones.
    """
    if pkuseg_model is None:
        nlp = spacy.blank("zh")
        nlp.tokenizer = CharTokenizer(nlp.vocab)
    else:
        path = Path(pkuseg_model)
        if not path.exists():
            raise KgError(f"{path}: no such pkuseg model (a directory made by spacy_pkuseg.train)")
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
        try:
            nlp.tokenizer.initialize(pkuseg_model=str(path))
        except Exception as exc:  # spacy-pkuseg raises bare Exceptions on bad models
            raise KgError(f"{path}: cannot load pkuseg model ({exc})") from None
    config = {"patterns": str(patterns)} if patterns is not None else {}
    for name in PIPES:
        nlp.add_pipe(name, config=config)
    return nlp
