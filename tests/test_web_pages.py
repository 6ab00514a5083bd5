"""Web pages read like a reader would (kg.corpus.web): the article without the site's
navigation, related-article lists, sidebars, share bars and footers, end to end through
`kg extract`; the whole-page text when the extractor finds nothing or is missing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.corpus import read_document
from kg.corpus import web as web_module
from kg.corpus.web import main_text, page_text

ARTICLE = [
    "5月20日，总投资12亿元的秦岭智算中心项目正式落户西安高新区。该项目由陕西秦岭数据科技有限公司"
    "投资建设，主要建设高性能计算集群和数据存储中心。",
    "据介绍，项目建成后将为区内人工智能、集成电路等产业提供算力服务，预计年产值可达8亿元。"
    "西安高新区相关负责人表示，将全力做好项目服务保障工作，推动项目早日投产。",
    "近年来，西安高新区围绕硬科技产业持续发力，不断优化营商环境，吸引了一批重点项目相继落地。",
]
SIDEBAR = ["比亚迪入驻西安高新区", "华为云计算数据中心落户贵安新区",
           "宁德时代在苏州工业园区投资建设电池基地"]
FURNITURE = ["首页", "招商引资", "当前位置", "分享到", "【字体", "版权所有", "ICP备", "公网安备",
             "责任编辑", "相关新闻"] + SIDEBAR


def _page(article: list[str] = ARTICLE) -> str:
    body = "".join(f"<p>{p}</p>" for p in article)
    links = "".join(f'<li><a href="/a{i}.html">{t}</a></li>' for i, t in enumerate(SIDEBAR))
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>秦岭智算中心项目落户西安高新区_高新区管委会</title>"
        "<style>.nav li{float:left}</style>"
        "<script>var share = {title: '比亚迪入驻西安高新区'};</script></head><body>"
        '<div class="header"><ul class="nav"><li><a href="/">首页</a></li>'
        '<li><a href="/yq/">园区动态</a></li><li><a href="/zs/">招商引资</a></li></ul></div>'
        '<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/yq/">园区动态</a>'
        " &gt; 正文</div>"
        '<div class="main"><div class="article"><h1>秦岭智算中心项目落户西安高新区</h1>'
        '<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a>'
        "【字体：大 中 小】</div>"
        f'<div class="content">{body}</div><div class="editor">责任编辑：李明</div></div>'
        f'<div class="side"><h3>相关新闻</h3><ul>{links}</ul></div></div>'
        '<div class="footer"><p>版权所有：西安高新区管委会</p>'
        "<p>陕ICP备12345678号-1　陕公网安备61019002000123号</p></div></body></html>"
    )


def test_web_pages_keep_the_article_and_drop_the_furniture():
    text, title = page_text(_page())
    assert title == "秦岭智算中心项目落户西安高新区_高新区管委会"
    for para in ARTICLE:
        assert para in text
    assert text.startswith("秦岭智算中心项目落户西安高新区\n")  # the headline leads
    for bit in FURNITURE:
        assert bit not in text, bit


@pytest.mark.parametrize("extractor", ["readability", "trafilatura"])
def test_web_pages_each_installed_extractor_drops_the_sidebar(extractor):
    if extractor == "trafilatura":
        pytest.importorskip("trafilatura")
    text = main_text(_page(), extractor=extractor)
    assert text is not None and all(p in text for p in ARTICLE)
    assert not any(link in text for link in SIDEBAR)


def test_web_pages_fall_back_to_the_whole_page_when_the_extractor_finds_nothing():
    page = "<html><body><div>园区动态</div><p>西安高新区</p></body></html>"
    assert main_text(page) is None
    assert page_text(page)[0] == "园区动态\n\n西安高新区\n"


def test_web_pages_fall_back_when_the_extractor_is_not_installed(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "readability", None)  # import readability → ImportError
    text, _ = page_text(_page())
    assert all(p in text for p in ARTICLE) and "比亚迪入驻西安高新区" in text


def _facts(result_stdout: str) -> set[tuple[str, str, str]]:
    rec = json.loads(result_stdout)
    return {(r["head"], r["relation"], r.get("tail", "")) for r in rec["relations"]}


def test_issue15_sidebar_link_is_not_a_fact_end_to_end(tmp_path, monkeypatch):
    page = tmp_path / "news.html"
    page.write_text(_page(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(page)])
    assert result.exit_code == 0, result.output
    facts = _facts(result.stdout)
    assert ("西安高新区", "hosts", "秦岭智算中心项目") in facts
    assert not any("比亚迪" in h or "比亚迪" in t for h, _, t in facts), facts
    # the same page read whole (the fallback, as before the extractor) has the sidebar's fact
    monkeypatch.setitem(web_module._RUN, "readability", lambda html: None)
    whole = CliRunner().invoke(cli, ["extract", str(page)])
    assert any("比亚迪" in t for _, _, t in _facts(whole.stdout)), "the test guards nothing"


def test_web_pages_read_document_uses_the_extractor(tmp_path):
    path = tmp_path / "news.htm"
    path.write_text(_page(), encoding="utf-8")
    doc = read_document(path)
    assert "比亚迪" not in doc.text and ARTICLE[2] in doc.text and doc.warnings == ()
