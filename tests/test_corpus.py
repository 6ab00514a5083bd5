"""kg.corpus: decoding, normalisation, sections and sentences, on the seed files and tmp files."""

from __future__ import annotations

import hashlib
import re

import pytest
from helpers import SEED_004, SEED_FILES

from kg.corpus import decode, normalise, read_document, sections, sentences
from kg.errors import InputError

SEED_PATHS = SEED_FILES

END_PUNCT = "。！？!?；;"
CLOSERS = "”’」』）)"


def _paragraph() -> str:
    """The first long paragraph of seed 004 (Chinese with ASCII digits and punctuation)."""
    text = SEED_004.read_bytes().decode("utf-8")
    para = next(p for p in text.split("\n") if len(p) > 80)
    assert any("\u4e00" <= c <= "\u9fff" for c in para)
    return para


ENCODINGS = {
    "utf-8": lambda s: s.encode("utf-8"),
    "utf-8-bom": lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
    "gb18030": lambda s: s.encode("gb18030"),
    "utf-16-le-bom": lambda s: s.encode("utf-16"),  # Python writes a BOM, little-endian here
    "utf-16-be-bom": lambda s: b"\xfe\xff" + s.encode("utf-16-be"),
}


def test_corpus_seed_paths_exist():
    assert len(SEED_PATHS) == 5
    assert SEED_004 in SEED_PATHS


@pytest.mark.parametrize("encoding", ENCODINGS, ids=list(ENCODINGS))
def test_corpus_decode_gives_same_text_for_every_encoding(encoding):
    para = _paragraph()
    data = ENCODINGS[encoding](para)
    text, _ = decode(data, "para.txt")
    assert text == para


@pytest.mark.parametrize("encoding", ENCODINGS, ids=list(ENCODINGS))
def test_corpus_read_document_same_text_for_every_encoding(encoding, tmp_path):
    raw = SEED_004.read_bytes().decode("utf-8")
    path = tmp_path / SEED_004.name
    path.write_bytes(ENCODINGS[encoding](raw))
    assert read_document(path).text == read_document(SEED_004).text


def test_corpus_gb18030_bytes_are_not_utf8():
    """Guards the GB18030 case above: the bytes really need the fallback."""
    with pytest.raises(UnicodeDecodeError):
        _paragraph().encode("gb18030").decode("utf-8")


EMPTY_CASES = [
    pytest.param(b"", id="empty"),
    pytest.param(b" \n\t\r\n  ", id="ascii-whitespace"),
    pytest.param(b"\xef\xbb\xbf", id="utf8-bom-only"),
    pytest.param(b"\xef\xbb\xbf \r\n", id="utf8-bom-whitespace"),
    pytest.param(" \n \n".encode("utf-16"), id="utf16-whitespace"),
    pytest.param("\u3000\u3000\n".encode(), id="ideographic-space"),
]


@pytest.mark.parametrize("data", EMPTY_CASES)
def test_corpus_empty_or_whitespace_file_raises_input_error_naming_it(data, tmp_path):
    path = tmp_path / "blank_file.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert "blank_file.txt" in str(info.value)


BINARY_CASES = [
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4,
                 id="png-like"),
    pytest.param(bytes(range(1, 32)) * 200, id="control-bytes"),
    pytest.param(b"\xff\xfe" + b"\x00\x00\x01\x00\x02\x00\x03\x00" * 64,
                 id="utf16-bom-then-nul"),
]


@pytest.mark.parametrize("data", BINARY_CASES)
def test_corpus_binary_file_raises_input_error_naming_it(data, tmp_path):
    path = tmp_path / "picture.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert "picture.txt" in str(info.value)


def test_corpus_normalise_maps_fullwidth_digits_and_letters_to_ascii():
    assert normalise("２０２４年") == "2024年"
    assert normalise("ＡＩ产业") == "AI产业"
    assert normalise("ａｂｃＸＹＺ０９") == "abcXYZ09"


def test_corpus_normalise_keeps_length_without_crlf():
    s = "２０２４年，ＡＩ与５Ｇ产业园区　落户西安高新区。\n第二行ａｂ"
    assert "\r\n" not in s
    out = normalise(s)
    assert len(out) == len(s)
    # characters that are not full-width ASCII forms stay where they were
    for a, b in zip(s, out, strict=True):
        if not ("\uff01" <= a <= "\uff5e" or a == "\u3000"):
            assert a == b


def test_corpus_normalise_unifies_line_ends():
    assert normalise("a\r\nb\rc\n") == "a\nb\nc\n"


@pytest.mark.parametrize("path", SEED_PATHS, ids=[p.stem for p in SEED_PATHS])
def test_corpus_normalise_keeps_seed_length_and_is_idempotent(path):
    raw = path.read_bytes().decode("utf-8-sig")
    out = normalise(raw)
    if "\r\n" not in raw:
        assert len(out) == len(raw)
    assert normalise(out) == out


@pytest.mark.parametrize("path", SEED_PATHS, ids=[p.stem for p in SEED_PATHS])
def test_corpus_sentences_offsets_slice_to_their_text_in_order(path):
    text = read_document(path).text
    sents = sentences(text)
    assert sents
    for s in sents:
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
    for a, b in zip(sents, sents[1:], strict=False):
        assert a.end <= b.start


@pytest.mark.parametrize("path", SEED_PATHS, ids=[p.stem for p in SEED_PATHS])
def test_corpus_sentences_cover_every_visible_character(path):
    text = read_document(path).text
    covered = bytearray(len(text))
    for s in sentences(text):
        covered[s.start : s.end] = b"\x01" * (s.end - s.start)
    lost = [i for i, c in enumerate(text) if not c.isspace() and not covered[i]]
    assert lost == []


@pytest.mark.parametrize("path", SEED_PATHS, ids=[p.stem for p in SEED_PATHS])
def test_corpus_sentences_split_at_line_breaks_and_end_punctuation(path):
    text = read_document(path).text
    for s in sentences(text):
        # a line break stays inside a sentence only where a page broke it mid-sentence
        for m in re.finditer(r"\n+", s.text):
            assert s.text[: m.start()].rstrip()[-1] in "的、，,和与及在对为将从向被把", s.text
        core = s.text.rstrip(CLOSERS).rstrip(END_PUNCT)
        assert not re.search(f"[{END_PUNCT}]", core), s.text


@pytest.mark.parametrize("path", SEED_PATHS, ids=[p.stem for p in SEED_PATHS])
def test_corpus_sentences_lie_inside_their_section(path):
    text = read_document(path).text
    secs = sections(text)
    last = 0
    for s in sentences(text, secs):
        assert last <= s.section < len(secs)
        last = s.section
        assert secs[s.section].start <= s.start and s.end <= secs[s.section].end


@pytest.mark.parametrize("path", SEED_PATHS, ids=[p.stem for p in SEED_PATHS])
def test_corpus_sections_are_contiguous_and_cover_the_text(path):
    text = read_document(path).text
    secs = sections(text)
    assert secs[0].start == 0
    assert secs[-1].end == len(text)
    for a, b in zip(secs, secs[1:], strict=False):
        assert a.end == b.start
        assert a.start < a.end


def test_corpus_sections_start_at_markdown_headings():
    text = read_document(SEED_004).text
    headings = []  # (offset, level, heading text) of every "# " line, read off the text itself
    pos = 0
    for line in text.split("\n"):
        m = re.match(r"(#{1,6}) +(\S.*?)\s*$", line)
        if m:
            headings.append((pos, len(m.group(1)), m.group(2)))
        pos += len(line) + 1
    assert len(headings) >= 3  # seed 004 is a page of several articles with headings
    by_start = {s.start: s for s in sections(text)}
    for offset, level, heading in headings:
        assert offset in by_start, heading
        assert by_start[offset].heading == heading
        assert by_start[offset].level >= 1
        if level == 1:  # a top-level "# " heading is never a sub-heading
            assert by_start[offset].level == 1


def test_corpus_read_document_doc_id_and_sha256(tmp_path):
    doc = read_document(SEED_004)
    assert doc.doc_id == SEED_004.stem
    assert doc.sha256 == hashlib.sha256(SEED_004.read_bytes()).hexdigest()
    # the hash is of the file's bytes, not of the decoded text
    gb = tmp_path / "other.name.txt"
    gb.write_bytes(SEED_004.read_bytes().decode("utf-8").encode("gb18030"))
    gdoc = read_document(gb)
    assert gdoc.doc_id == "other.name"
    assert gdoc.sha256 == hashlib.sha256(gb.read_bytes()).hexdigest()
    assert gdoc.sha256 != doc.sha256
    assert gdoc.text == doc.text


def test_corpus_read_document_missing_path_raises_input_error_naming_it(tmp_path):
    missing = tmp_path / "no_such_article.txt"
    with pytest.raises(InputError) as info:
        read_document(missing)
    assert str(missing) in str(info.value)


def test_corpus_read_document_directory_raises_input_error_naming_it(tmp_path):
    folder = tmp_path / "a_folder.txt"
    folder.mkdir()
    with pytest.raises(InputError) as info:
        read_document(folder)
    assert str(folder) in str(info.value)


def test_corpus_line_broken_mid_sentence_is_one_sentence():
    """A scraped page breaks a sentence after 的: the two lines make one sentence."""
    from kg.corpus import sentences

    text = "同时，占地260亩、投资7.8亿元的\n\n\n医药健康科创园全面投入使用。\n下一段落。"
    got = [s.text for s in sentences(text)]
    assert got[0].startswith("同时") and got[0].endswith("投入使用。")
    assert got[1] == "下一段落。"
    assert [s.text for s in sentences("标题\n正文。")] == ["标题", "正文。"]
