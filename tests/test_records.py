"""kg.extract.records: the DocRecord JSONL contract (extraction-format.md) and the gold files."""

from __future__ import annotations

import json

import pytest
from helpers import GOLD as GOLD_DIR
from helpers import SEEDS

from kg.corpus import read_document
from kg.extract.records import (
    ENTITY_TYPES,
    RELATIONS,
    DocRecord,
    Entity,
    Evidence,
    Relation,
    read_jsonl,
)

GOLD = GOLD_DIR / "seeds.jsonl"


def _record() -> DocRecord:
    sent = "近日，新余高新区4家企业上榜。"
    return DocRecord(
        doc_id="004_50c721a1e63a8171",
        entities=[
            Entity("新余高新区", "Park", ["新余高新技术产业开发区", "园区"],
                   [(4, 9), (90, 95)], "Park.suffix"),
            Entity("江西赣锋锂业集团股份有限公司", "Enterprise", ["赣锋"]),
            Entity("年产2万吨电池级碳酸锂项目", "Project"),
        ],
        relations=[
            Relation("新余高新区", "hosts", "江西赣锋锂业集团股份有限公司",
                     evidence=[Evidence(sent, 100, 100 + len(sent), "hosts.list"),
                               Evidence("赣锋落户新余高新区。", 300, 310, "hosts.settle_in")]),
            Relation("年产2万吨电池级碳酸锂项目", "invests", amount_cny=5_360_000_000,
                     amount_text="约53.6亿元", qualifier="approx"),
            Relation("新余高新区", "hosts", "年产2万吨电池级碳酸锂项目"),
        ],
    )


def test_records_docrecord_round_trips_through_dumps_and_read_jsonl():
    rec = _record()
    line = rec.dumps()
    assert "\n" not in line
    back = list(read_jsonl([line]))
    assert back == [rec]
    assert back[0].dumps() == line


def test_records_dumps_is_json_in_the_documented_shape():
    rec = _record()
    line = rec.dumps()
    assert "新余高新区" in line  # UTF-8 kept readable, not \u-escaped
    obj = json.loads(line)
    assert obj["doc_id"] == rec.doc_id
    assert [e["name"] for e in obj["entities"]] == [e.name for e in rec.entities]
    assert all(set(e) >= {"name", "type", "aliases"} for e in obj["entities"])
    for rel, robj in zip(rec.relations, obj["relations"], strict=True):
        assert robj["head"] == rel.head and robj["relation"] == rel.relation
        if rel.relation == "invests":
            assert "tail" not in robj
            assert robj["amount_cny"] == rel.amount_cny
            assert robj["amount_text"] == rel.amount_text
        else:
            assert robj["tail"] == rel.tail
    ev = obj["relations"][0]["evidence"]
    first = rec.relations[0].evidence[0]
    assert (ev["sentence"], ev["start"], ev["end"]) == (first.sentence, first.start, first.end)


def test_records_read_jsonl_skips_blank_lines():
    a, b = _record(), DocRecord(doc_id="other")
    assert list(read_jsonl(["", a.dumps(), "   ", b.dumps(), ""])) == [a, b]


@pytest.mark.parametrize("bad", [
    pytest.param("{not json", id="not-json"),
    pytest.param('{"entities": []}', id="no-doc-id"),
    pytest.param('{"doc_id": "x", "entities": [{"type": "Park"}]}', id="entity-without-name"),
    pytest.param('{"doc_id": "x", "relations": [{"head": "A"}]}', id="relation-without-name"),
    pytest.param('{"doc_id": "x", "relations": [{"head": "A", "relation": "hosts", "tail": "B",'
                 ' "evidence": {"sentence": "s", "start": "zero", "end": 1}}]}',
                 id="evidence-offset-not-int"),
    pytest.param("[1, 2]", id="json-list"),
    pytest.param("null", id="json-null"),
])
def test_records_read_jsonl_bad_line_raises_value_error_naming_source_and_line(bad):
    lines = [_record().dumps(), "", bad, DocRecord(doc_id="after").dumps()]
    with pytest.raises(ValueError) as info:
        list(read_jsonl(lines, source="gold/x.jsonl"))
    assert "gold/x.jsonl:3" in str(info.value)


def _gold() -> list[DocRecord]:
    return list(read_jsonl(GOLD.read_text(encoding="utf-8").splitlines(), source=str(GOLD)))


def test_records_gold_seeds_parse_one_record_per_seed():
    gold = _gold()
    ids = [g.doc_id for g in gold]
    assert len(ids) == len(set(ids))
    assert set(ids) == {p.stem for p in SEEDS.glob("*.txt")}
    lines = [ln for ln in GOLD.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(lines) == len(gold)


def _gold_ids() -> list[str]:
    return [g.doc_id for g in _gold()]


@pytest.mark.parametrize("doc_id", _gold_ids())
def test_records_gold_names_and_aliases_occur_in_seed_text(doc_id):
    rec = next(g for g in _gold() if g.doc_id == doc_id)
    text = read_document(SEEDS / f"{doc_id}.txt").text
    missing = [form for e in rec.entities for form in [e.name, *e.aliases] if form not in text]
    assert missing == []


@pytest.mark.parametrize("doc_id", _gold_ids())
def test_records_gold_types_and_relations_are_known(doc_id):
    rec = next(g for g in _gold() if g.doc_id == doc_id)
    assert {e.type for e in rec.entities} <= set(ENTITY_TYPES)
    assert {r.relation for r in rec.relations} <= set(RELATIONS)
    names = [e.name for e in rec.entities]
    assert len(names) == len(set(names)), "one object per real-world thing per document"


@pytest.mark.parametrize("doc_id", _gold_ids())
def test_records_gold_relation_ends_are_entities_of_the_document(doc_id):
    rec = next(g for g in _gold() if g.doc_id == doc_id)
    names = {e.name for e in rec.entities}
    raw = {json.loads(ln)["doc_id"]: json.loads(ln)
           for ln in GOLD.read_text(encoding="utf-8").splitlines() if ln.strip()}[doc_id]
    for rel, robj in zip(rec.relations, raw["relations"], strict=True):
        assert rel.head in names, rel
        if rel.relation == "invests":
            assert rel.tail is None
            has_cny = isinstance(robj.get("amount_cny"), int) and robj["amount_cny"] > 0
            assert has_cny or {"amount", "currency"} <= set(robj), robj
        else:
            assert rel.tail in names, rel
