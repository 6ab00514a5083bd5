"""kg/corpus/articles: the articles of a file and their publication dates, and the side file
of dates a user gives (kg extract --dates)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.corpus import read_document
from kg.corpus.articles import find_articles, read_date_file
from kg.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


def _articles(name: str) -> list:
    path = next((ROOT / "seeds").glob(f"{name}_*.txt"))
    return find_articles(read_document(path).text)


def test_a_newsletter_issue_date_dates_every_article() -> None:
    arts = _articles("003")
    titles = [a.title for a in arts]
    assert "长春净月高新区:砥砺十年攀高峰" in titles
    assert "阜新高新区：形塑五大主导产业" in titles
    assert "科创高地加速崛起" not in " ".join(t or "" for t in titles)  # a sub-heading
    assert {a.published for a in arts} == {"2022-11-30"}
    assert arts[0].text == "2022年第20期(总第549期) 2022年11月30日"


def test_kicker_and_title_lines_make_one_title_and_a_byline_none() -> None:
    assert [a.title for a in _articles("002")][0] == \
        "加大政策、金融、人才支持力度 南昌高新区以硬举措提升“软”实力"
    titles = [a.title for a in _articles("001")]
    assert "南昌高新区 33个项目获省级专项政策支持" in titles
    assert all(t != "熊晖" and not (t or "").startswith("熊晖") for t in titles)
    assert all(a.published is None for a in _articles("001"))


@pytest.mark.parametrize(("text", "value", "source"), [
    ("长春北湖科技园开园 打造创新发展新引擎\n\n来源: 长春日报 2014-09-09 13:44:55\n\n正文。",
     "2014-09-09", "date_line"),
    ("总投资超千亿元 合肥经开区107个重大项目集中开工\n\n2020年05月08日14:51  来源:人民网\n\n正文。",
     "2020-05-08", "date_line"),
    ("新华社成都6月7日电 2023年，成都高新区签约重点项目12个。", "2023-06-07", "dateline"),
    ("新华社成都6月7日电 2023年，成都高新区实现地区生产总值3000亿元。", "2024-06-07", "dateline"),
    ("正文第一段。\n" + "又一段，说了很多。\n" * 8 + "来源：火炬动态 2024-12-06", "2024-12-06",
     "source_line"),
])
def test_publication_dates(text: str, value: str, source: str) -> None:
    art, = find_articles(text)
    assert (art.published, art.precision, art.source) == (value, "day", source)
    assert text[art.date_start:art.date_end] in (art.text, art.text.strip())


def test_a_side_date_fills_only_what_the_text_lacks(tmp_path: Path) -> None:
    undated, = find_articles("上半年，北京经济技术开发区固定资产投资同比增长15.1%。",
                             side_date="2024-07-02")
    assert (undated.published, undated.source) == ("2024-07-02", "side_file")
    dated, = find_articles("标题\n\n2020-05-08 来源:人民网\n\n正文。", side_date="2024-07-02")
    assert dated.published == "2020-05-08"


def test_date_file_rows_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "dates.csv"
    good.write_text("path,date\ntexts/a.txt,2024-07-02\nb.txt,2024-06\n", encoding="utf-8")
    dates = read_date_file(good)
    assert dates["a.txt"] == "2024-07-02" and dates["a"] == "2024-07-02"
    assert dates["b.txt"] == "2024-06"
    bad = tmp_path / "bad.csv"
    bad.write_text("a.txt,2024-13-45\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv:1: not a date"):
        read_date_file(bad)


def test_kg_extract_dates_option(tmp_path: Path) -> None:
    text = tmp_path / "news.txt"
    text.write_text("上半年，北京经济技术开发区固定资产投资同比增长15.1%。\n", encoding="utf-8")
    dates = tmp_path / "dates.csv"
    dates.write_text("news.txt,2024-07-02\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kg", "extract", "--dates", str(dates),
                          str(text)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    rec = json.loads(run.stdout)
    assert rec["articles"][0]["published"] == "2024-07-02"
    obs, = rec["observations"]
    assert (obs["indicator"], obs["period"], obs["growth_pct"]) == \
        ("fixed_asset_investment", "2024-H1", 15.1)
    dates.write_text("news.txt,July\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kg", "extract", "--dates", str(dates),
                          str(text)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode != 0 and run.stdout == ""
    assert "dates.csv:1: not a date" in run.stderr and "Traceback" not in run.stderr


def test_an_html_page_dated_by_its_meta_tags(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻</title>'
        '<meta property="article:published_time" content="2024-07-02T10:15:00+08:00">'
        "</head><body><h1>南昌高新区上半年固定资产投资增长</h1><p>上半年，南昌高新区固定资产投资"
        "同比增长15.1%。</p></body></html>", encoding="utf-8")
    doc = read_document(page)
    assert doc.published == "2024-07-02"
    art, = find_articles(doc.text, meta_date=doc.published)
    assert (art.published, art.source) == ("2024-07-02", "meta")


@pytest.mark.parametrize(("url", "date"), [
    ("https://cn.dailyeconomic.com/bj/2024/10/12/4506.html", "2024-10-12"),
    ("http://hkcd.com/content_p/2022-02/10/content_129852.html", "2022-02-10"),
    ("http://m.shangol.cn/xinwen/2023/0305/36036.html", "2023-03-05"),
    ("http://tibet.cn/cn/Instant/local/202211/t20221107_7303703.html", "2022-11-07"),
    ("http://cnmzppw.com/tv/20220525150233.html", "2022-05-25"),
    ("http://58188.com/news/2013/6-13/8752.html", "2013-06-13"),
    ("https://js.news.163.com/24/1105/11/JG7R4C4004249CTR.html", "2024-11-05"),
    ("https://czybbs.com/zuozhe/202508-21822.html", "2025-08"),
    ("http://xiamen.021cf.cn/index.php/post/68.html", None),
])
def test_real_corpus_dates_from_urls(url: str, date: str | None) -> None:
    """scripts/real_corpus.py dates: the side file of the real texts, read from page URLs."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("real_corpus", ROOT / "scripts" /
                                                  "real_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.url_date(url) == date


def test_a_build_dates_files_from_a_side_file_and_rebuilds_under_other_dates(
        tmp_path: Path) -> None:
    """kg.build.pipeline.build(dates=…): the side file reaches the graph; other dates, other
    records (the cache of one set of dates is not served under another)."""
    from kg.build.pipeline import build

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "news.txt").write_text(
        "今年6月，南昌高新区举行项目集中签约仪式，江西省转化医学研究院项目落户南昌高新区。\n",
        encoding="utf-8")
    out = tmp_path / "out"
    first = build([corpus], out, html=False, dates={"news.txt": "2024-07-02"})
    ttl = (out / "kg.ttl").read_text(encoding="utf-8")
    assert first.extracted == 1 and "2024-07-02" in ttl and "2024-06" in ttl
    second = build([corpus], out, html=False, dates={"news.txt": "2023-07-02"})
    ttl = (out / "kg.ttl").read_text(encoding="utf-8")
    assert second.extracted == 1 and "2023-07-02" in ttl and "2024-07-02" not in ttl


def test_a_reprint_page_date_gives_way_to_the_dateline_below_it() -> None:
    """A page date months after the dateline under it is the reprint's: the report's date is
    the dateline's; a paper printed the day after its 讯 keeps its own date."""
    reprint = ("某市高新区签约12个项目\n时间:2015-09-30 08:00 来源:某某网\n"
               "某某网合肥6月12日电 11日，某市高新区签约12个项目。\n")
    art = find_articles(reprint)[0]
    assert (art.published, art.source) == ("2015-06-12", "dateline")
    paper = ("某市高新区签约12个项目\n某某日报 2015年06月13日\n"
             "本报6月12日讯 11日，某市高新区签约12个项目。\n")
    assert find_articles(paper)[0].published == "2015-06-13"


def test_a_date_split_over_a_year_line_and_a_day_line() -> None:
    """「2021」 over 「03/18」 over 「13:12」: one date line, and the figures start no article."""
    text = ("某某片区首批项目集中开工 总投资近50亿元\n2021\n03/18\n13:12\n\n"
            "本报讯 记者获悉，某某片区于3月15日组织首批项目集中开工。\n")
    arts = find_articles(text)
    assert len(arts) == 1
    assert (arts[0].published, arts[0].text) == ("2021-03-18", "2021 03/18")


def test_a_dateline_after_a_year_reported_whole_is_of_the_year_after() -> None:
    """「本报1月6日电 2002年…工业总产值首次突破千亿元」: a whole year's result is reported after
    that year ends; a table row holding a date is no date line."""
    text = ("某市开发区工业产值逾千亿\n本报某市1月6日电 2002年某市开发区工业总产值首次突破千亿元，"
            "达到1030亿元。\n")
    assert find_articles(text)[0].published == "2003-01-06"
    text = ("某市开发区举行签约仪式\n本报某市1月6日电 2002年某市开发区签约项目12个。\n")
    assert find_articles(text)[0].published == "2002-01-06"
    assert find_articles("某市开发区\n建立 | 1988年7月23日 |\n面积 | 5.98平方公里 |\n")[0] \
        .published is None
