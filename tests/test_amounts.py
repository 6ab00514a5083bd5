"""pk_amounts: numbers, units and qualifiers as the seeds and news write them, in yuan."""

from __future__ import annotations

import pytest

CASES = [
    ("该项目总投资约53.6亿元。", "约53.6亿元", 5_360_000_000, "approx"),
    ("投资3100多万元建设", "3100多万元", 31_000_000, "more-than"),
    ("该项目总投资31亿元", "31亿元", 3_100_000_000, ""),
    ("计划投资三千五百万元", "三千五百万元", 35_000_000, ""),
    ("总投资超10亿元", "超10亿元", 1_000_000_000, "more-than"),
    ("近5亿元的投资", "近5亿元", 500_000_000, "nearly"),
    ("投资2亿元以上", "2亿元以上", 200_000_000, "more-than"),
    ("投资十二亿元", "十二亿元", 1_200_000_000, ""),
    ("奖励资金5000余万元", "5000余万元", 50_000_000, "more-than"),
    ("合同额1,200万元", "1,200万元", 12_000_000, ""),
    ("投资两亿元", "两亿元", 200_000_000, ""),
    ("投资额达78亿元", "78亿元", 7_800_000_000, ""),
]


@pytest.mark.parametrize(("text", "surface", "yuan", "qualifier"), CASES)
def test_amounts_normalised_to_yuan(nlp, text, surface, yuan, qualifier):
    doc = nlp(text)
    amounts = doc._.pk_amounts
    assert [(a.text, a.value, a.qualifier) for a in amounts] == [(surface, yuan, qualifier)]
    a = amounts[0]
    assert doc.text[a.start : a.end] == a.text


def test_amounts_other_currency_kept_apart(nlp):
    doc = nlp("实际使用外资总量累计达158亿美元")
    (a,) = doc._.pk_amounts
    assert (a.value, a.currency) == (15_800_000_000, "USD")


def test_amounts_batch_total_is_no_project_investment(nlp):
    doc = nlp("今年以来，内江高新区已成功签约12个项目，涉及高端装备制造，总投资约108亿元。")
    assert not [h for h in doc._.pk_relations if h.relation == "invests"]
