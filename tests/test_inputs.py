"""Inputs as they come: traditional characters, HTML pages, odd encodings, awkward folders."""

from __future__ import annotations

import json
import os

import pytest
from helpers import SEED_004

from kg.corpus import iter_files, read_document, to_simplified

SEED = SEED_004


def _paragraph() -> str:
    text = read_document(SEED).text
    return next(p for p in text.split("\n") if "内江高新区开工" in p)


def test_inputs_traditional_text_resolves_to_simplified_names(tmp_path, nlp):
    import opencc

    from kg.extract.extractor import extract

    simp = _paragraph()
    trad = opencc.OpenCC("s2t").convert(simp)
    assert trad != simp
    (tmp_path / "trad.txt").write_text(trad, encoding="utf-8")
    (tmp_path / "simp.txt").write_text(simp, encoding="utf-8")
    dt, ds = read_document(tmp_path / "trad.txt"), read_document(tmp_path / "simp.txt")
    assert dt.text == ds.text and dt.source_text == trad
    rt, rs = next(extract([dt], nlp)), next(extract([ds], nlp))
    assert [e.name for e in rt.entities] == [e.name for e in rs.entities]
    assert rt.relations, "the paragraph states relations"
    for r in rt.relations:
        ev = r.evidence[0]
        assert trad[ev.start : ev.end] == ev.sentence  # evidence keeps the original characters


def test_inputs_simplified_text_is_left_alone():
    text = read_document(SEED).text
    assert to_simplified(text) == text


def test_inputs_html_page_gives_its_text(tmp_path, nlp):
    from kg.extract.extractor import extract

    para = _paragraph()
    page = (f"<!DOCTYPE html><html><head><title>内江高新区新闻</title>"
            f"<style>p {{ color: red }}</style><script>var x = '比亚迪有限公司';</script></head>"
            f"<body><nav>首页 &gt; 园区动态</nav><p>{para}</p></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    doc = read_document(tmp_path / "page.html")
    assert para in doc.text and "color" not in doc.text and "var x" not in doc.text
    assert doc.title == "内江高新区新闻"
    rec = next(extract([doc], nlp))
    assert "比亚迪有限公司" not in {e.name for e in rec.entities}
    assert "西南氢能装备研发制造基地项目" in {e.name for e in rec.entities}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_inputs_encodings_give_the_same_text(tmp_path, encoding):
    para = _paragraph()
    path = tmp_path / f"doc-{encoding}.txt"
    path.write_bytes(para.encode(encoding))
    assert read_document(path).text == para


def test_inputs_fullwidth_digits_and_signs(tmp_path):
    path = tmp_path / "fw.txt"
    path.write_text("该项目总投资３１亿元，增长１２．５％。", encoding="utf-8")
    assert read_document(path).text == "该项目总投资31亿元，增长12.5%。"


def test_inputs_folder_with_loops_and_unreadable_parts(tmp_path):
    root = tmp_path / "corpus"
    (root / "a").mkdir(parents=True)
    (root / "a" / "one.txt").write_text(_paragraph(), encoding="utf-8")
    (root / "a" / "loop").symlink_to(root, target_is_directory=True)  # a symlink loop
    (root / "page.htm").write_text("<p>" + _paragraph() + "</p>", encoding="utf-8")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    locked = root / "locked"
    locked.mkdir()
    (locked / "secret.txt").write_text("x", encoding="utf-8")
    os.chmod(locked, 0)
    errors: list[str] = []
    try:
        files = list(iter_files([root], errors.append))
    finally:
        os.chmod(locked, 0o755)
    names = sorted(p.name for p in files)
    assert names[:2] == ["one.txt", "page.htm"]
    if os.geteuid() != 0:  # root reads any directory, so only others see the error
        assert errors and "locked" in errors[0]


def test_inputs_cli_extract_traditional_evidence(tmp_path):
    import opencc
    from click.testing import CliRunner

    from kg.cli import cli

    trad = opencc.OpenCC("s2t").convert(_paragraph())
    path = tmp_path / "trad.txt"
    path.write_text(trad, encoding="utf-8")
    res = CliRunner().invoke(cli, ["extract", str(path)])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert any(e["name"] == "西南氢能装备研发制造基地项目" for e in rec["entities"])
    assert all(r["evidence"]["sentence"] in trad for r in rec["relations"])
