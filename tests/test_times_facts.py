"""Fact times on relations: the time a fact's sentence gives, resolved against its article's
publication date (seed 003, a newsletter of 30 November 2022, and news sentences)."""

from __future__ import annotations

from pathlib import Path

from kg.corpus import Document, read_document
from kg.extract.extractor import extract_one

ROOT = Path(__file__).resolve().parent.parent


def test_fact_times_of_a_dated_newsletter(nlp) -> None:
    path = next((ROOT / "seeds").glob("003_*.txt"))
    rec = extract_one(read_document(path), nlp)
    times = {(r.head, r.relation, r.tail): r.time for r in rec.relations if r.time}
    t = times[("佛山高新区", "hosts", "粤海智能制造产业园项目")]
    assert (t.value, t.precision, t.text) == ("2022-05", "month", "今年5月")
    t = times[("黄石大冶湖高新区", "built", "铝型材和芳香产业研究院")]
    assert (t.value, t.precision) == ("2021", "year")


def test_the_event_date_of_a_signing_reaches_the_projects_listed_after_it(nlp) -> None:
    text = ("6月26日，济南高新区章锦片区举行重点招商项目签约仪式。此次共签约14个项目。"
            "其中，智能交通产业园二期项目落户章锦片区。")
    doc = Document("t", "t.txt", text, "0" * 64, "utf-8", "")
    rec = extract_one(doc, nlp, published="2018-06-29")
    timed = [(r.tail, r.time.value, r.time.precision) for r in rec.relations
             if r.relation == "hosts" and r.time]
    assert ("智能交通产业园二期项目", "2018-06-26", "day") in timed


def test_a_dateline_is_no_fact_time_and_a_year_in_a_name_is_less_than_a_day(nlp) -> None:
    text = ("本报8月17日讯 8月16日，沈抚新区组织举行2019年第二批重点项目集中开工仪式，"
            "华为人工智能产业基地项目落户沈抚新区。")
    doc = Document("t", "t.txt", text, "0" * 64, "utf-8", "")
    rec = extract_one(doc, nlp, published="2019-08-17")
    times = [r.time for r in rec.relations if r.relation == "hosts" and r.time]
    assert times and all(t.value == "2019-08-16" for t in times)


def _times(nlp, text: str, published: str) -> list[tuple[str, str, str]]:
    doc = Document("t", "t.txt", text, "0" * 64, "utf-8", "")
    rec = extract_one(doc, nlp, published=published)
    return [(r.tail, r.time.value, r.time.precision) for r in rec.relations
            if r.relation == "hosts" and r.time]


def test_a_day_without_its_month_before_an_event_word(nlp) -> None:
    """「6日集中开工」「9日在…举行」: the day of the publication's month dates the event."""
    timed = _times(nlp, "南湖高新区2022年第二季度重大项目6日集中开工。"
                        "6日集中开工的重大项目有11个，包括智能装备产业园项目等。", "2022-06-07")
    assert ("智能装备产业园项目", "2022-06-06", "day") in timed


def test_the_event_date_after_yu_or_a_quote_and_after_a_dateless_lead(nlp) -> None:
    """「又于3月15日组织…集中开工」 and 「某某日报讯 (记者…)15日至16日，…举行推介会」 date the
    projects listed after them, though the time does not open the sentence."""
    timed = _times(nlp, "本报讯 记者从南湖高新区获悉，经过前期签约，南湖高新区又于3月15日"
                        "组织了首批项目集中开工。其中，智能装备产业园项目落户南湖高新区。",
                   "2021-03-18")
    assert ("智能装备产业园项目", "2021-03-15", "day") in timed
    timed = _times(nlp, "某某日报讯 (记者张三、通讯员李四)15日至16日，"
                        "南湖高新区在深圳举行招商推介会。其中，智能装备产业园项目落户南湖高新区。",
                   "2017-08-18")
    assert ("智能装备产业园项目", "2017-08-15/2017-08-16", "range") in timed


def test_a_sentence_opening_with_xiangmu_dates_the_project_named_before(nlp) -> None:
    """「项目于2021年12月份开工」 after the project's own paragraph: its start dates it."""
    timed = _times(nlp, "智能装备产业园项目位于南湖高新区。\n项目于2021年12月份开工，"
                        "建成后将服务全省。", "2022-03-01")
    assert ("智能装备产业园项目", "2021-12", "month") in timed


def test_today_under_a_lead_that_dates_the_event_and_a_fairs_year(nlp) -> None:
    """「某某网讯 4月7日…签约仪式举行…。今天签约的包括…」 in a page dated the 15th: 今天 is the
    7th; 「在2019某某投资贸易洽谈会上…签订了20个项目」 dates the projects listed after it."""
    timed = _times(nlp, "某某网讯 4月7日南湖高新区投资说明暨签约仪式举行，完成了6大项目的集中签约。"
                        "今天签约的包括智能装备产业园项目等6大项目，落户南湖高新区。", "2011-04-15")
    assert ("智能装备产业园项目", "2011-04-07", "day") in timed
    timed = _times(nlp, "本报讯 连日来，在2019南湖国际投资贸易洽谈会上，南湖高新区签订了20个项目。"
                        "其中，智能装备产业园项目将在南湖高新区建设。", "")
    assert ("智能装备产业园项目", "2019", "year") in timed
    timed = _times(nlp, "本报讯 记者从2024南湖创新大会上了解到，南湖高新区发展迅速。"
                        "其中，智能装备产业园项目落户南湖高新区。", "")
    assert timed == []  # news heard at a fair, no deal made there
