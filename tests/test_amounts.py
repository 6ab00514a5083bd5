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


@pytest.mark.parametrize(("text", "surface", "value", "currency"), [
    ("投资500万欧元", "500万欧元", 5_000_000, "EUR"),
    ("该项目总投资3000万港元，", "3000万港元", 30_000_000, "HKD"),
    ("投资约30亿日元建设", "约30亿日元", 3_000_000_000, "JPY"),
    ("投资额达1.2亿美元", "1.2亿美元", 120_000_000, "USD"),
    ("总投资2万亿元", "2万亿元", 2_000_000_000_000, "CNY"),
])
def test_amounts_carry_the_iso_code_of_their_unit(nlp, text, surface, value, currency):
    """欧元/港元/日元/美元 amounts get their own ISO code, counted in that currency's unit."""
    (a,) = nlp(text)._.pk_amounts
    assert (a.text, a.value, a.currency) == (surface, value, currency)


def test_amounts_in_any_currency_are_invested_with_their_code(nlp):
    """An amount in another currency is invested with its ISO code (extraction-format.md:
    amount + currency instead of amount_cny), counted in its own unit."""
    def invested(text):
        return [(h.tail.text, h.tail.currency, h.tail.value)
                for h in nlp(text)._.pk_relations if h.relation == "invests"]

    assert invested("总投资30亿元的天马新材料项目开工。") == [("30亿元", "CNY", 3000000000)]
    assert invested("总投资30亿日元的天马新材料项目开工。") == [("30亿日元", "JPY", 3000000000)]


def test_amounts_units_are_one_table_for_amounts_and_names(nlp):
    """Every unit comes from amounts.toml currencies × magnitudes, and ends a name before it."""
    from kg.lang.rules import load_rules

    units = load_rules().amounts.units
    assert {(u, c.multiplier, c.code) for u, c in units.items() if c.code == "CNY"} == {
        ("元", 1, "CNY"), ("万元", 10_000, "CNY"), ("亿元", 100_000_000, "CNY"),
        ("万亿元", 1_000_000_000_000, "CNY")}
    for unit in ("亿元", "万美元", "欧元", "亿港元", "日元"):
        doc = nlp(f"投资约12{unit}建设天马新材料项目。")
        assert [m.text for m in doc._.pk_mentions] == ["天马新材料项目"], unit
        assert [a.text for a in doc._.pk_amounts] == [f"约12{unit}"], unit


def test_amounts_batch_total_is_no_project_investment(nlp):
    doc = nlp("今年以来，内江高新区已成功签约12个项目，涉及高端装备制造，总投资约108亿元。")
    assert not [h for h in doc._.pk_relations if h.relation == "invests"]
