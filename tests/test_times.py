"""kg/lang/times: time expressions of news text read into values and precisions, relative ones
resolved against a publication date (docs/extraction-format.md, "Time values")."""

from __future__ import annotations

from datetime import date

import pytest

from kg.lang.times import load_times, parse_date, precision_of

PUBLISHED = date(2024, 7, 2)

CASES = [
    ("2023年，园区地区生产总值突破2100亿元", "2023年", "2023", "year"),
    ("项目于2024年6月15日开工", "2024年6月15日", "2024-06-15", "day"),
    ("6月15日，项目签约", "6月15日", "2024-06-15", "day"),
    ("今年6月，项目签约", "今年6月", "2024-06", "month"),
    ("去年底累计达280家", "去年底", "2023", "year"),
    ("一季度实现新开工项目25项", "一季度", "2024-Q1", "quarter"),
    ("今年第一季度招商引资", "今年第一季度", "2024-Q1", "quarter"),
    ("上半年，固定资产投资同比增长15.1%", "上半年", "2024-H1", "half"),
    ("2023年下半年投产", "2023年下半年", "2023-H2", "half"),
    ("「十四五」期间建成", "「十四五」期间", "2021/2025", "range"),
    ("2020年至2023年累计", "2020年至2023年", "2020/2023", "range"),
    ("近三年引进项目", "近三年", "2021/2023", "range"),
    ("来源：火炬动态 2024-12-06", "2024-12-06", "2024-12-06", "day"),
    ("经开区78个项目开复工 24.04.2017 08:15", "24.04.2017", "2017-04-24", "day"),
    ("在11月1-3日举行的大会上", "11月1-3日", "2024-11-01/2024-11-03", "range"),
    ("上周,总投资5亿元的项目奠基", "上周", "2024-06-24/2024-06-30", "range"),
    ("项目于2021年12月份开工", "2021年12月", "2021-12", "month"),
    ("前三季度引进项目", "前三季度", "2024-Q1/2024-Q3", "range"),
    ("昨天签约", "昨天", "2024-07-01", "day"),
    ("1至4月累计进出口额达到57亿元", "1至4月", "2024-01/2024-04", "range"),
    ("今年1-6月，园区新签约项目18个", "今年1-6月", "2024-01/2024-06", "range"),
    ("去年1月-11月工业总产值", "去年1月-11月", "2023-01/2023-11", "range"),
]


@pytest.mark.parametrize(("text", "words", "value", "precision"), CASES)
def test_time_expressions(text: str, words: str, value: str, precision: str) -> None:
    hits = load_times().find(text, PUBLISHED)
    assert [(h.text, h.value, h.precision) for h in hits][:1] == [(words, value, precision)]
    assert text[hits[0].start:hits[0].end] == words


@pytest.mark.parametrize("text", ["近日，项目签约", "日前，园区举行", "目前，企业达86家",
                                  "3个月内完成", "较去年同期增长"])
def test_words_that_give_no_time(text: str) -> None:
    assert load_times().find(text, PUBLISHED) == []


def test_relative_words_need_a_publication_date() -> None:
    parser = load_times()
    assert parser.find("今年6月，上半年，6月15日", None) == []
    assert [h.value for h in parser.find("2023年6月，今年6月", None)] == ["2023-06"]


def test_a_month_later_than_the_publication_is_last_year() -> None:
    """12月28日 in an article of 5 February is the December before."""
    hit, = load_times().find("12月28日，项目开工", date(2025, 2, 5))
    assert hit.value == "2024-12-28"


def test_precision_and_date_of_a_value() -> None:
    assert precision_of("2024-H1") == "half"
    assert precision_of("2021/2025") == "range"
    assert parse_date("2024-06") == date(2024, 6, 15)
    assert parse_date("not a date") is None
