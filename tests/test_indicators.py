"""pk_indicators and the records' observations: park figures read from sentences as the seeds
and real news write them, and scored against the time gold of the seeds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.corpus import Document
from kg.extract.extractor import extract_one
from kg.extract.records import Observation

ROOT = Path(__file__).resolve().parent.parent


def observations(nlp, text: str, published: str | None = None) -> list[Observation]:
    doc = Document("t", "t.txt", text, "0" * 64, "utf-8", "")
    return extract_one(doc, nlp, published=published).observations


def rows(obs: list[Observation]) -> list[tuple]:
    return [(o.park, o.indicator, o.value, o.unit, o.period.value if o.period else None,
             o.growth_pct) for o in obs]


def test_a_year_opens_a_list_of_figures(nlp) -> None:
    text = ("2021年，阜新高新区实现地区生产总值75.92亿元，同比增长48.69%；规模以上工业总产值实现"
            "254.99亿元，同比增长60.65%；固定资产投资实现53.53亿元，同比增长19.78%。")
    assert rows(observations(nlp, text)) == [
        ("阜新高新区", "gdp", 7_592_000_000, "CNY", "2021", 48.69),
        ("阜新高新区", "industrial_output", 25_499_000_000, "CNY", "2021", 60.65),
        ("阜新高新区", "fixed_asset_investment", 5_353_000_000, "CNY", "2021", 19.78)]


def test_from_x_to_y_is_two_observations(nlp) -> None:
    text = "3年来，西安高新区GDP从2020年的2410亿元增至2023年的3333亿元。"
    assert rows(observations(nlp, text)) == [
        ("西安高新区", "gdp", 241_000_000_000, "CNY", "2020", None),
        ("西安高新区", "gdp", 333_300_000_000, "CNY", "2023", None)]


def test_counts_of_enterprises(nlp) -> None:
    text = "截至2021年底，阜新高新区拥有科技型中小企业79家、高新技术企业66家、瞪羚企业14家。"
    assert rows(observations(nlp, text)) == [
        ("阜新高新区", "tech_smes", 79, "count", "2021", None),
        ("阜新高新区", "high_tech_enterprises", 66, "count", "2021", None),
        ("阜新高新区", "gazelles", 14, "count", "2021", None)]


def test_percent_dollars_and_a_change_alone(nlp) -> None:
    assert rows(observations(nlp, "西安高新区全社会研发投入强度达5.09%。")) == [
        ("西安高新区", "rnd_intensity", 5.09, "percent", None, None)]
    assert rows(observations(nlp, "2023年，常州高新区实际使用外资总量累计达158亿美元。")) == [
        ("常州高新区", "foreign_capital_used", 15_800_000_000, "USD", "2023", None)]
    text = "2021年，通化医药高新区实现规模以上工业产值同比增长10.38%，工业增加值同比下降6.06%。"
    assert rows(observations(nlp, text)) == [
        ("通化医药高新区", "industrial_output", None, "CNY", "2021", 10.38),
        ("通化医药高新区", "industrial_value_added", None, "CNY", "2021", -6.06)]


@pytest.mark.parametrize("text", [
    "力争到2025年，西安高新区地区生产总值达到5000亿元。",  # a target
    "常州高新区是国家级高新区。2023年，常州市GDP突破1万亿元。",  # a city's figure
    "西安高新区亩均税收102万元。",  # per area
    "常州高新区实现高新技术产业产值2575亿元。",  # a slice of the park
    "包头稀土高新区的项目建成后可实现产值10亿元。",  # a capacity
])
def test_figures_that_are_no_park_observation(nlp, text: str) -> None:
    assert observations(nlp, text) == []


def test_a_relative_period_needs_a_publication_date(nlp) -> None:
    text = "上半年，北京经济技术开发区固定资产投资同比实现15.1%的增长。"
    assert observations(nlp, text) == []
    assert rows(observations(nlp, text, published="2024-07-02")) == [
        ("北京经济技术开发区", "fixed_asset_investment", None, "CNY", "2024-H1", 15.1)]


def test_an_anaphor_names_the_park(nlp) -> None:
    text = "长春净月高新区位于长春市东南部。2021年，园区完成地区生产总值436.29亿元。"
    obs, = observations(nlp, text)
    assert (obs.park, obs.indicator, obs.value) == ("长春净月高新区", "gdp", 43_629_000_000)
    assert obs.evidence is not None and text[obs.evidence.start:obs.evidence.end] == \
        obs.evidence.sentence


def test_kg_eval_times_on_the_seeds() -> None:
    """The seeds' figures against their time gold: the scores the closing note reports."""
    run = subprocess.run([sys.executable, "-m", "kg", "eval", "seeds", "--gold",
                          "tests/gold/seeds.jsonl", "--times", "tests/gold/time-seeds.jsonl",
                          "--json"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    times = json.loads(run.stdout)["times"]
    assert times["observations"]["f1"] >= 0.85
    assert times["publication_dates"]["accuracy"] == 1.0
    assert times["fact_times"]["total"] == 10


def test_a_range_of_months_opening_the_sentence_is_the_period(nlp) -> None:
    """「今年1-9月，…，园区工业总产值突破140亿元」: the months of the year so far."""
    obs = observations(nlp, "南湖高新区召开工作会议。今年1-9月，南湖高新区新签约亿元以上项目18个，"
                            "园区工业总产值突破140亿元。", "2018-10-20")
    assert ("industrial_output", 14000000000, "2018-01/2018-09") in [
        (o.indicator, o.value, o.period.value if o.period else None) for o in obs]


def test_counts_in_ten_thousands_and_foreign_direct_investment(nlp) -> None:
    """「市场主体突破20万户」 is 200000; 外商直接投资 and 引进外资 are foreign capital used."""
    text = "截至目前，南湖高新区市场主体突破20万户，外商直接投资6.8亿美元。"
    assert rows(observations(nlp, text)) == [
        ("南湖高新区", "enterprises", 200000, "count", None, None),
        ("南湖高新区", "foreign_capital_used", 680_000_000, "USD", None, None)]
    text = "南湖高新区成立以来已经累计引进外资40亿美元。"
    assert rows(observations(nlp, text)) == [
        ("南湖高新区", "foreign_capital_used", 4_000_000_000, "USD", None, None)]


def test_enterprises_a_verb_counts(nlp) -> None:
    """「共引进甲科技、乙科技等企业12家」 and 「产业园已落地企业76家」 count the park's firms;
    a sector's firms (集聚数字经济企业2500家) are a slice."""
    text = "目前，南湖高新区共引进甲乙科技、丙丁科技等企业12家。"
    assert rows(observations(nlp, text)) == [
        ("南湖高新区", "enterprises", 12, "count", None, None)]
    text = "南湖大数据产业园位于南湖高新区。产业园已落地企业76家。"
    assert [(o.indicator, o.value) for o in observations(nlp, text)] == [("enterprises", 76)]
    assert observations(nlp, "目前，南湖高新区已集聚数字经济企业2500家。") == []


def test_a_city_opening_a_sentence_takes_the_figures_after_it(nlp) -> None:
    """「2023年，西安市…。国家高新技术企业…突破1.3万家」: the city's, not the park's before."""
    text = ("南湖高新区是国家级高新区。2023年，南湖市全社会研发投入强度达到5.56%。"
            "国家高新技术企业突破1.3万家。")
    assert observations(nlp, text) == []


def test_new_counts_are_left_out_and_the_total_after_them_kept(nlp) -> None:
    """「新认定…131家」「净增…49家」 are flows, not the park's stock: only the 累计 total."""
    text = "2021年，南湖高新区净增高新技术企业49家，累计达280余家。"
    assert rows(observations(nlp, text)) == [
        ("南湖高新区", "high_tech_enterprises", 280, "count", "2021", None)]
    text = "2021年，南湖高新区新增科技型中小企业1328家、高新技术企业198家。"
    assert observations(nlp, text) == []


def test_a_threshold_passed_and_the_figure_after_it(nlp) -> None:
    """「首破1000亿元，达1041亿元」 is 1041亿元; 「首次突破千亿元大关」 alone is 1000亿元; an
    amount per area is no total."""
    text = "2020年，南湖高新区地区生产总值首破1000亿元，达1041亿元，同比增长7.8%。"
    assert rows(observations(nlp, text)) == [
        ("南湖高新区", "gdp", 104_100_000_000, "CNY", "2020", 7.8)]
    text = "2018年，南湖高新区地区生产总值首次突破千亿元大关。"
    assert rows(observations(nlp, text)) == [
        ("南湖高新区", "gdp", 100_000_000_000, "CNY", "2018", None)]
    assert observations(nlp, "南湖高新区单位土地GDP达25亿元/平方公里。") == []


def test_more_words_of_the_vocabulary(nlp) -> None:
    """国科小 (tech SMEs) and 地方公共财政预算收入 (fiscal revenue)."""
    text = "2012年，南湖高新区入库国科小1435家，地方公共财政预算收入185亿元。"
    assert rows(observations(nlp, text)) == [
        ("南湖高新区", "tech_smes", 1435, "count", "2012", None),
        ("南湖高新区", "fiscal_revenue", 18_500_000_000, "CNY", "2012", None)]


def test_verb_before_the_count_and_words_of_ratio_and_rank(nlp) -> None:
    """「集聚超2.5万家企业」; 国家级专精特新企业 are the 小巨人; 「R&D经费支出占GDP比重8.1%」
    is the R&D intensity; 科技型上市企业 names no city (上市)."""
    text = ("南湖高新区从百业待兴到集聚超2.5万家企业。南湖高新区国家级专精特新企业达173家，"
            "R&D经费支出占GDP比重8.1%。科技型上市企业达15家。")
    assert rows(observations(nlp, text)) == [
        ("南湖高新区", "little_giants", 173, "count", None, None),
        ("南湖高新区", "rnd_intensity", 8.1, "percent", None, None),
        ("南湖高新区", "listed_companies", 15, "count", None, None),
        ("南湖高新区", "enterprises", 25000, "count", None, None)]


def test_periods_of_stocks_and_of_figures_after_a_day(nlp) -> None:
    """A stock count takes no period from an earlier sentence; 「10月28日，…公布前三季度经济数据：
    GDP总量达2292.2亿元」 is of the first three quarters; 「总数突破7619家」 is a total."""
    text = ("今年上半年，南湖高新区入库国科小1435家，瞪羚企业40家。科技型上市企业达15家。")
    assert [(o.indicator, o.period.value if o.period else None)
            for o in observations(nlp, text, "2023-07-10")] == [
        ("tech_smes", "2023-H1"), ("gazelles", "2023-H1"), ("listed_companies", None)]
    text = "10月28日，南湖高新区公布前三季度经济数据：GDP总量达2292.2亿元，同比增长6.7%。"
    assert rows(observations(nlp, text, "2025-10-29")) == [
        ("南湖高新区", "gdp", 229_220_000_000, "CNY", "2025-Q1/2025-Q3", 6.7)]
    text = "2015年，南湖高新区新增科技型中小企业1328家，总数突破7619家。"
    assert rows(observations(nlp, text)) == [
        ("南湖高新区", "tech_smes", 7619, "count", "2015", None)]


def test_a_change_of_a_count_a_period_in_brackets_and_selections(nlp) -> None:
    """「市场主体数量增长15%」 is a change alone; 「GDP 905亿元(2013年)」 is of 2013; 「10家企业入选
    …“小巨人”企业名单」 is a selection, no stock; 「进出口货物10万吨、货值6亿美元」 no trade."""
    text = "2022年上半年，南湖高新区市场主体数量增长15%。"
    assert rows(observations(nlp, text)) == [
        ("南湖高新区", "enterprises", None, "count", "2022-H1", 15)]
    assert rows(observations(nlp, "南湖高新区GDP 905亿元(2013年)。")) == [
        ("南湖高新区", "gdp", 90_500_000_000, "CNY", "2013", None)]
    assert observations(nlp, "南湖高新区10家企业入选第四批专精特新“小巨人”企业名单。") == []
    assert observations(nlp, "南湖高新区1月-5月进出口货物10.44万吨、货值约6.27亿美元。",
                        "2022-06-19") == []


def test_a_news_lead_before_the_opening_time_and_a_split_indicator(nlp) -> None:
    """「本报讯 今年一季度，南湖高新区规上工业实现增加值44.99亿元…；全区GDP增长11.0%」: the
    quarter is the period of both; 规上工业实现增加值 is industrial value added."""
    text = ("本报讯 今年一季度，南湖高新区规上工业实现增加值44.99亿元，同比增长18.6%；"
            "全区GDP增长11.0%。")
    assert rows(observations(nlp, text, "2014-04-24")) == [
        ("南湖高新区", "industrial_value_added", 4_499_000_000, "CNY", "2014-Q1", 18.6),
        ("南湖高新区", "gdp", None, "CNY", "2014-Q1", 11.0)]


def test_a_figure_in_the_name_of_an_event_is_none(nlp) -> None:
    """「2022年南湖高新区GDP超千亿元新闻发布会举行」 names a press conference."""
    assert observations(nlp, "2022年南湖高新区GDP超千亿元新闻发布会举行。") == []
