"""Encodings decided by evidence (kg.corpus.encoding): every encoding a Chinese news file comes
in reads back exactly, doubtful readings warn, and error offsets are the real ones."""

from __future__ import annotations

import pytest

from kg.corpus import decode_file, read_document
from kg.corpus.encoding import detect
from kg.errors import InputError

SIMP = ("西安高新区管委会消息，陕西秦岭数据科技有限公司投资建设的智能计算中心项目近日签约落户，"
        "总投资12亿元，主要建设高性能计算集群和数据存储中心。\n"
        "项目建成后将为区内人工智能、集成电路等产业提供算力服务，预计年产值8亿元。\n")
TRAD = ("西安高新區管委會消息，陝西秦嶺數據科技有限公司投資建設的智能計算中心項目近日簽約落戶，"
        "總投資12億元，主要建設高性能計算集群和數據存儲中心。\n"
        "項目建成後將為區內人工智能、集成電路等產業提供算力服務，預計年產值8億元。\n")
HKSCS = TRAD.replace("近日", "近日（啲）")  # 啲 is in Big5-HKSCS, not in plain Big5

CASES = [  # (id, text, bytes, the encoding read)
    ("utf-8", SIMP, SIMP.encode("utf-8"), "utf-8"),
    ("utf-8-bom", SIMP, SIMP.encode("utf-8-sig"), "utf-8"),
    ("utf-16-le-bom", SIMP, b"\xff\xfe" + SIMP.encode("utf-16-le"), "utf-16"),
    ("utf-16-be-bom", SIMP, b"\xfe\xff" + SIMP.encode("utf-16-be"), "utf-16"),
    ("utf-16-le", SIMP, SIMP.encode("utf-16-le"), "utf-16-le"),
    ("utf-16-be", SIMP, SIMP.encode("utf-16-be"), "utf-16-be"),
    ("utf-32-le-bom", SIMP, b"\xff\xfe\x00\x00" + SIMP.encode("utf-32-le"), "utf-32"),
    ("utf-32-be-bom", SIMP, b"\x00\x00\xfe\xff" + SIMP.encode("utf-32-be"), "utf-32"),
    ("utf-32-le", SIMP, SIMP.encode("utf-32-le"), "utf-32-le"),
    ("gb18030", SIMP, SIMP.encode("gb18030"), "gb18030"),
    ("gbk", SIMP, SIMP.encode("gbk"), "gb18030"),
    ("gbk-traditional", TRAD, TRAD.encode("gbk"), "gb18030"),
    ("big5", TRAD, TRAD.encode("big5"), "big5"),
    ("big5-hkscs", HKSCS, HKSCS.encode("big5hkscs"), "big5hkscs"),
]


@pytest.mark.parametrize(("text", "data", "encoding"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_encodings_each_reads_back_exactly_without_warning(text, data, encoding):
    res = detect(data, "news.txt")
    assert res.text.lstrip("\ufeff") == text
    assert res.encoding == encoding
    assert res.warnings == () and res.confidence >= 0.7


def test_encodings_hkscs_bytes_are_not_plain_big5():
    """Guards the Big5-HKSCS case above: plain Big5 cannot read it."""
    with pytest.raises(UnicodeDecodeError):
        HKSCS.encode("big5hkscs").decode("big5")


def test_issue15_big5_file_is_read_as_big5_not_gb18030_gibberish(tmp_path, nlp):
    from kg.extract.extractor import extract

    path = tmp_path / "big5.txt"
    path.write_bytes(TRAD.encode("big5"))
    assert TRAD.encode("big5").decode("gb18030")  # the old reading: valid, and gibberish
    doc = read_document(path)
    assert doc.encoding == "big5" and doc.source_text == TRAD and doc.warnings == ()
    assert "西安高新区" in doc.text  # simplified for the rules
    rec = next(extract([doc], nlp))
    assert {"西安高新区", "陕西秦岭数据科技有限公司"} <= {e.name for e in rec.entities}


def test_issue15_invalid_utf8_offset_is_the_real_one(tmp_path):
    good = SIMP.encode("utf-8")
    at = len(SIMP[:20].encode("utf-8"))
    data = good[:at] + b"\xff" + good[at:]
    res = detect(data, "cut.txt")
    assert res.encoding == "utf-8" and res.text.replace("\ufffd", "") == SIMP
    assert any(f"invalid UTF-8 at byte {at}" in w for w in res.warnings), res.warnings


def test_encodings_broken_utf8_after_bom_names_the_file_offset():
    data = b"\xef\xbb\xbf" + SIMP.encode("utf-8")
    at = 3 + len(SIMP[:10].encode("utf-8"))
    with pytest.raises(InputError, match=rf"broken UTF-8 .*at byte {at}\)"):
        detect(data[:at] + b"\xff" + data[at:], "bom.txt")


def test_encodings_two_encodings_in_one_file_warn():
    data = (SIMP * 3).encode("gb18030") + (TRAD * 3).encode("big5")
    res = detect(data, "joined.txt")
    assert any("two encodings" in w for w in res.warnings), res.warnings
    assert res.confidence < 0.7


@pytest.mark.parametrize(("data", "says"), [
    pytest.param(b"The park signed agreements with twelve companies.\n" * 4, "no Chinese",
                 id="no-chinese"),
    # a file mangled once already and saved as UTF-8: valid, and mostly U+FFFD
    pytest.param(("\ufffd" * 60 + "园区" + "\ufffd" * 60).encode("utf-8"), "replacement",
                 id="mostly-replacement"),
    # high bytes no encoding reads as Chinese
    pytest.param(b"\xfa\xfb\xfc\xfd\xfe\x8a\x8b\x8c\x8d\x8e\x8f\x90" * 20, "uncertain",
                 id="no-encoding-fits"),
])
def test_encodings_text_that_cannot_be_the_article_warns(data, says):
    from kg.corpus.encoding import content_warnings

    res = decode_file(data, "odd.txt")
    warnings = list(res.warnings) + content_warnings(res.text, "odd.txt", res.encoding)
    assert any(says in w and w.startswith("odd.txt: ") for w in warnings), warnings


def test_encodings_read_document_reports_warnings_and_passes_them_on(tmp_path):
    path = tmp_path / "english.txt"
    path.write_text("Nothing but English here.\n", encoding="utf-8")
    seen: list[str] = []
    doc = read_document(path, warn=seen.append)
    assert list(doc.warnings) == seen and any("no Chinese" in w for w in seen)


def test_encodings_html_page_declaring_big5_is_read_as_big5(tmp_path):
    page = (f"<html><head><meta charset=\"big5\"><title>新聞</title></head><body>"
            f"<p>{TRAD}</p></body></html>")
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("big5"))
    doc = read_document(path)
    assert doc.encoding == "big5" and "西安高新区" in doc.text


def test_encodings_utf8_text_has_no_warnings_and_full_confidence():
    res = detect(SIMP.encode("utf-8"), "a.txt")
    assert (res.encoding, res.confidence, res.warnings) == ("utf-8", 1.0, ())
