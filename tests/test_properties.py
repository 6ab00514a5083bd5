"""Properties that hold for any input: extraction never raises, evidence points where it says."""

from __future__ import annotations

import pytest
from helpers import SEED_004
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.corpus import Document, decode
from kg.errors import InputError
from kg.extract.extractor import CHUNK_CHARS, chunks, extract_one

SEED_TEXT = SEED_004.read_text(encoding="utf-8")
# pieces of real text, so that generated inputs contain names, amounts and triggers
PIECES = [p for p in SEED_TEXT.replace("\n", "。").split("。") if p][:80]
ALPHABET = ("高新区有限公司项目实验室中心园区投资亿元万元约多超该在位于落户的"
            "、，。；：“”《》()（）\n 0123456789AIX·—")

text_strategy = st.one_of(
    st.text(alphabet=ALPHABET, max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=8).map("。".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(alphabet=ALPHABET, max_size=30)),
             max_size=10).map("".join),
    st.text(max_size=200),
)


def _doc(text: str) -> Document:
    return Document("p", "p.txt", text, "0" * 64, "utf-8", "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_strategy)
def test_properties_extraction_never_raises_and_evidence_is_exact(nlp, text):
    rec = extract_one(_doc(text), nlp)
    for e in rec.entities:
        for s, end in e.mentions:
            assert text[s:end] in [e.name, *e.aliases]
    forms = {e.name: [e.name, *e.aliases] for e in rec.entities}
    for r in rec.relations:
        for ev in r.evidence:
            assert text[ev.start : ev.end] == ev.sentence
        quoted = "".join(ev.sentence for ev in r.evidence)
        ends = [r.head] if r.relation == "invests" else [r.head, r.tail]
        for name in ends:  # each end is named in the sentences the relation quotes
            assert any(f in quoted for f in forms[name]), (name, quoted)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_properties_decoding_succeeds_or_says_why_in_one_line(data):
    try:
        text, enc = decode(data, "x.txt")
    except InputError as exc:
        msg = str(exc)
        assert msg.startswith("x.txt: ") and "\n" not in msg
    else:
        assert isinstance(text, str) and text.strip() and enc


def test_properties_long_text_is_read_in_pieces(nlp):
    text = (SEED_TEXT + "\n") * (CHUNK_CHARS // len(SEED_TEXT) + 2)
    pieces = list(chunks(text))
    assert len(pieces) > 1 and "".join(p for _, p in pieces) == text
    assert all(text[off : off + len(p)] == p for off, p in pieces)
    whole = extract_one(_doc(text), nlp)
    single = extract_one(_doc(SEED_TEXT), nlp)
    assert {e.name for e in single.entities} <= {e.name for e in whole.entities}
    for r in whole.relations:
        for ev in r.evidence:
            assert text[ev.start : ev.end] == ev.sentence


@pytest.mark.parametrize("line", ["项目" * 20000, "西安高新区" + "，" * 50000 + "比亚迪有限公司"])
def test_properties_very_long_lines(nlp, line):
    rec = extract_one(_doc(line), nlp)
    assert rec.doc_id == "p"
