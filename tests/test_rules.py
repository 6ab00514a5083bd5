"""Every rule's examples fire and its counterexamples do not; bad data files fail at load."""

from __future__ import annotations

import pytest

from kg.errors import RuleError
from kg.rules import load_rules

RULES = load_rules()
REL_EXAMPLES = [(r.id, ex) for r in RULES.relations for ex in r.examples]
REL_COUNTER = [(r.id, ex) for r in RULES.relations for ex in r.counterexamples]
NAME_EXAMPLES = [(t, ex) for t, s in RULES.suffixes.items() for ex in s.examples]


def _relations(nlp, text):
    doc = nlp(text)
    return doc, [(h.head.key, h.relation, getattr(h.tail, "key", None) or h.tail.text, h.rule)
                 for h in doc._.pk_relations]


@pytest.mark.parametrize(("rule_id", "example"), REL_EXAMPLES,
                         ids=[f"{r}-{i}" for i, (r, _) in enumerate(REL_EXAMPLES)])
def test_rules_relation_example_fires(nlp, rule_id, example):
    doc, hits = _relations(nlp, example["text"])
    rel = rule_id.split(".")[0]
    found = [(h, t) for h, r, t, _ in hits if r == rel]
    assert (example["head"], example["tail"]) in found, hits
    assert any(rid == rule_id for _, _, _, rid in hits), hits


@pytest.mark.parametrize(("rule_id", "text"), REL_COUNTER,
                         ids=[f"{r}-{i}" for i, (r, _) in enumerate(REL_COUNTER)])
def test_rules_relation_counterexample_silent(nlp, rule_id, text):
    _, hits = _relations(nlp, text)
    assert not any(rid == rule_id for _, _, _, rid in hits), hits


@pytest.mark.parametrize(("type_", "example"), NAME_EXAMPLES,
                         ids=[f"{t}-{i}" for i, (t, _) in enumerate(NAME_EXAMPLES)])
def test_rules_suffix_example_names(nlp, type_, example):
    doc = nlp(example["text"])
    names = {(m.text, m.type) for m in doc._.pk_mentions}
    assert (example["name"], type_) in names, names


def test_rules_every_relation_has_rules():
    assert {r.relation for r in RULES.relations} == {
        "hosts", "built", "invests", "investor", "partOf"}
    assert len({r.id for r in RULES.relations}) == len(RULES.relations)


def test_rules_bad_key_names_file_and_rule(monkeypatch):
    import kg.rules as rules

    real = rules._read_toml

    def fake(rel):
        data = real(rel)
        if rel == "relations/hosts.toml":
            data["rule"][0]["trigerz"] = ["x"]
        return data

    monkeypatch.setattr(rules, "_read_toml", fake)
    with pytest.raises(RuleError, match=r"hosts\.toml rule hosts\.\w+: unknown key\(s\) trigerz"):
        rules.load_relations()


def test_rules_unknown_type_is_rejected(monkeypatch):
    import kg.rules as rules

    real = rules._read_toml

    def fake(rel):
        data = real(rel)
        if rel == "relations/built.toml":
            data["tail"] = ["Factory"]
        return data

    monkeypatch.setattr(rules, "_read_toml", fake)
    with pytest.raises(RuleError, match="unknown entity type 'Factory'"):
        rules.load_relations()
