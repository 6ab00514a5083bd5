"""pk_zones (issue 19 item 2): register names the suffix rules miss become Park mentions, and
names that are no one zone's (产业集聚区, 科技产业园) or that the rules found already do not."""

from __future__ import annotations

import pytest

from kg.corpus import Document
from kg.extract.extractor import extract_one
from kg.nlp.pipeline import PIPES, annotate, build_nlp
from kg.nlp.zones import RULE, zone_phrases


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def _parks(nlp, text: str) -> list[tuple[str, str]]:
    doc = annotate(nlp, text)
    return [(m.text, m.rule) for m in doc._.pk_mentions if m.type == "Park"]


def test_zones_component_runs_after_the_rules() -> None:
    assert PIPES.index("pk_zones") == PIPES.index("pk_entities") + 1


def test_zones_customs_zone_without_a_park_suffix_is_found(nlp) -> None:
    # 上海金桥出口加工区 written without its city; 出口加工区 is no Park suffix of the rules
    parks = _parks(nlp, "浦东金桥出口加工区与昆山综合保税区签约，共建物流通道。")
    assert ("金桥出口加工区", RULE) in parks
    assert ("昆山综合保税区", "Park.suffix") in parks  # the rules' mention stands


def test_zones_every_later_occurrence_is_a_mention_of_one_entity(nlp) -> None:
    text = "金桥出口加工区今年进出口增长。企业在金桥出口加工区设立仓库。"
    assert [p for p in _parks(nlp, text) if p[0] == "金桥出口加工区"] == [
        ("金桥出口加工区", RULE)] * 2
    rec = extract_one(Document("t", "t.txt", text, "0" * 64, "utf-8", ""), nlp)
    parks = [e for e in rec.entities if e.type == "Park"]
    assert [(e.name, len(e.mentions)) for e in parks] == [("金桥出口加工区", 2)]


def test_zones_generic_or_shared_forms_are_no_mentions(nlp) -> None:
    phrases = zone_phrases()
    # forms of the register, yet names of many zones or of none in particular
    assert "产业集聚区" in phrases.forms or "科技产业园" in phrases.forms
    assert not phrases.names_one_zone("产业集聚区")
    assert not phrases.names_one_zone("科技产业园")
    assert all(rule != RULE for _, rule in _parks(nlp, "推动产业集聚区和科技产业园建设。"))


def test_zones_text_without_zones_is_left_as_the_rules_made_it(nlp) -> None:
    text = "华为公司在深圳投资建设研发中心。"
    with_zones = annotate(nlp, text)._.pk_mentions
    bare = build_nlp()
    bare.remove_pipe("pk_zones")
    assert [(m.start, m.end, m.type) for m in with_zones] == \
        [(m.start, m.end, m.type) for m in annotate(bare, text)._.pk_mentions]


def test_zones_register_zone_in_a_list_of_projects_is_a_park(nlp) -> None:
    # the list's head word (项目) types every item a Project; a register zone among them is a park
    text = ("今年将推进哈尔滨大连港冷链物流中心、哈尔滨综合保税区、哈尔滨铁路集装箱中心站"
            "等重点项目建设。")
    got = {m.text: m.type for m in annotate(nlp, text)._.pk_mentions}
    assert got["哈尔滨综合保税区"] == "Park"
    assert got["哈尔滨大连港冷链物流中心"] == got["哈尔滨铁路集装箱中心站"] == "Project"
    bare = build_nlp()
    bare.remove_pipe("pk_zones")
    assert {m.text: m.type for m in annotate(bare, text)._.pk_mentions}["哈尔滨综合保税区"] == \
        "Project"
