"""Records with dates, fact times and park observations, built by hand from the seeds' own
sentences (seeds/003, the 火炬动态 issue of 2022-11-30, and seeds/001 on 西安高新区), for the
tests of the issue-16 graph: mapping, shapes, stored queries and the page."""

from __future__ import annotations

from pathlib import Path

from kg.extract.records import (
    Article,
    DocRecord,
    Entity,
    Evidence,
    Observation,
    Relation,
    TimeValue,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TORCH = SEEDS / "003_8040f1ee83f0eccc.txt"
XIAN = SEEDS / "001_c29b91b09ab244c6.txt"


def _sentence(text: str, words: str, rule: str) -> Evidence:
    """The evidence of the sentence of `text` holding `words`, at its real offsets."""
    at = text.index(words)
    start = max(text.rfind("。", 0, at), text.rfind("\n", 0, at)) + 1
    end = text.index("。", at) + 1
    return Evidence(text[start:end], start, end, rule)


def torch_record() -> DocRecord:
    """seeds/003: parks of the 火炬动态 issue, its date, two dated facts and five figures."""
    text = TORCH.read_text(encoding="utf-8")
    fuxin_gdp = _sentence(text, "阜新高新区实现地区生产总值75.92亿元", "observation.value")
    changchun = _sentence(text, "高企总数达到333家", "observation.value")
    huangshi = _sentence(text, "净增高新技术企业49家", "observation.value")
    foshan = _sentence(text, "高新技术企业存量达到3602家", "observation.value")
    projects = _sentence(text, "总投资12亿元的徐工高端除冰雪项目", "invests.total")
    base = _sentence(text, "2021年获批国家火炬有色金属材料特色产业基地", "built.approved")
    y2021 = TimeValue("2021", "year", "2021年")
    return DocRecord(
        doc_id=TORCH.stem, path=str(TORCH), sha256="0" * 64, text=text,
        entities=[
            Entity("阜新高新区", "Park"), Entity("长春净月高新区", "Park", ["净月高新区"]),
            Entity("黄石大冶湖高新区", "Park"), Entity("佛山高新区", "Park"),
            Entity("徐工高端除冰雪项目", "Project"), Entity("嘉寓光伏组件项目", "Project"),
            Entity("国家火炬有色金属材料特色产业基地", "Platform"),
        ],
        relations=[
            Relation("阜新高新区", "hosts", "徐工高端除冰雪项目", evidence=[projects],
                     time=TimeValue("2021/2022", "range", "近年来")),
            Relation("阜新高新区", "hosts", "嘉寓光伏组件项目", evidence=[projects]),
            Relation("徐工高端除冰雪项目", "invests", amount_cny=1200000000,
                     amount_text="12亿元", evidence=[projects]),
            Relation("嘉寓光伏组件项目", "invests", amount_cny=360000000, amount_text="3.6亿元",
                     evidence=[projects]),
            Relation("黄石大冶湖高新区", "built", "国家火炬有色金属材料特色产业基地",
                     evidence=[base], time=y2021),
        ],
        articles=[Article("火炬动态", "2022-11-30", "day", "2022年11月30日", 0, len(text))],
        observations=[
            Observation("阜新高新区", "gdp", 7592000000, "CNY", y2021, 48.69,
                        "2021年，阜新高新区实现地区生产总值75.92亿元，同比增长48.69%",
                        "75.92亿元", fuxin_gdp),
            Observation("阜新高新区", "fixed_asset_investment", 5353000000, "CNY", y2021, 19.78,
                        "固定资产投资实现53.53亿元，同比增长19.78%", "53.53亿元", fuxin_gdp),
            Observation("净月高新区", "high_tech_enterprises", 333, "count", y2021, None,
                        "高企总数达到333家", "333家", changchun),
            Observation("黄石大冶湖高新区", "high_tech_enterprises", 280, "count", y2021, None,
                        "累计达280余家", "280余家", huangshi),
            Observation("佛山高新区", "high_tech_enterprises", 3602, "count", None, None,
                        "高新技术企业存量达到3602家", "3602家", foshan),
        ])


def xian_record() -> DocRecord:
    """seeds/001: 西安高新区's GDP of 2020 and 2023 (one clause, two observations)."""
    text = XIAN.read_text(encoding="utf-8")
    gdp = _sentence(text, "GDP从2020年的2410亿元增至2023年的3333亿元", "observation.from_to")
    clause = "GDP从2020年的2410亿元增至2023年的3333亿元"
    return DocRecord(
        doc_id=XIAN.stem, path=str(XIAN), sha256="1" * 64, text=text,
        entities=[Entity("西安高新区", "Park", ["高新区"])],
        articles=[Article("将硬科技关键变量转化为新质生产力最大增量", None, None, None, 0,
                          len(text))],
        observations=[
            Observation("西安高新区", "gdp", 333300000000, "CNY",
                        TimeValue("2023", "year", "2023年"), None, clause, "3333亿元", gdp),
            Observation("西安高新区", "gdp", 241000000000, "CNY",
                        TimeValue("2020", "year", "2020年"), None, clause, "2410亿元", gdp),
        ])


def records() -> list[DocRecord]:
    """Both records."""
    return [torch_record(), xian_record()]
