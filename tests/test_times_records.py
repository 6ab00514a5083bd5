"""The issue-16 record fields (articles, fact times, observations) survive their JSON form."""

from __future__ import annotations

import json

from kg.extract.records import (
    Article,
    DocRecord,
    Evidence,
    Observation,
    Relation,
    TimeValue,
    precision_of,
    read_jsonl,
)


def test_precision_follows_the_value_form() -> None:
    assert [precision_of(v) for v in ("2024-06-15", "2024-06", "2024-Q1", "2024-H2", "2023",
                                      "2021/2025")] == ["day", "month", "quarter", "half",
                                                        "year", "range"]


def test_a_record_with_dates_and_observations_reads_back_the_same() -> None:
    sentence = "园区高新技术企业达到125家"
    rec = DocRecord(
        "d1",
        relations=[Relation("沁阳经开区", "hosts", "某某项目",
                            evidence=[Evidence(sentence, 3, 17, "r")],
                            time=TimeValue("2024-06", "month", "今年6月"))],
        articles=[Article("标题", "2024-07-02", "day", "2024年07月02日", 0, 40, "date_line")],
        observations=[Observation("沁阳经开区", "high_tech_enterprises", 125, "count",
                                  TimeValue("2023", "year", "2023年"), None, sentence, "125家",
                                  Evidence(sentence, 3, 17, "indicator"))])
    back = next(read_jsonl([rec.dumps()]))
    assert back.dumps() == rec.dumps()
    assert back.relations[0].time == TimeValue("2024-06", "month", "今年6月")
    assert back.observations[0].period == TimeValue("2023", "year", "2023年")
    assert back.fact_times()[0].tail == "某某项目"


def test_a_record_without_the_new_fields_prints_as_before() -> None:
    rec = DocRecord("d2", relations=[Relation("项目A", "invests", amount_cny=100,
                                              amount_text="100元")])
    assert set(json.loads(rec.dumps())) == {"doc_id", "entities", "relations"}
    assert "time" not in json.loads(rec.dumps())["relations"][0]


def test_gold_times_keyed_apart_are_read() -> None:
    line = json.dumps({"doc_id": "g", "times": [
        {"head": "项目A", "relation": "invests", "tail": "5亿元",
         "time": {"value": "2024-Q1", "precision": "quarter", "text": "一季度"}}],
        "observations": [{"park": "P", "indicator": "gdp", "value": 3.3e11, "unit": "CNY",
                          "period": "2023", "growth_pct": None, "text": "t"}]},
        ensure_ascii=False)
    rec = next(read_jsonl([line]))
    assert rec.fact_times()[0].time.precision == "quarter"
    assert rec.observations[0].period.precision == "year"
    assert rec.observations[0].value == 3.3e11
