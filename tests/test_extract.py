"""Extraction on real seed sentences: entities, aliases, anaphora and relations end to end."""

from __future__ import annotations

import pytest

from kg.corpus import Document, read_document
from kg.extract.extractor import extract, to_record

ENTITY_CASES = [
    ("近日，位于湖北随州高新区的湖北晶星科技股份有限公司年产3000吨氯代苯甲腈和年产3000吨氯代苯甲酸一期项目11个单体完成联合验收。",
     # a firm's name written right before its project's is part of the project's name
     {("湖北随州高新区", "Park"),
      ("湖北晶星科技股份有限公司年产3000吨氯代苯甲腈和年产3000吨氯代苯甲酸一期项目", "Project")}),
    ("图为8月底，在位于宁夏永宁工业园区的宁夏坚盾新材料有限公司生产车间，工作人员使用激光雕刻机加工铝板。",
     {("宁夏永宁工业园区", "Park"), ("宁夏坚盾新材料有限公司", "Enterprise")}),
    ("西北有色金属研究院成功获批建设国家先进稀有金属材料技术创新中心。",
     {("西北有色金属研究院", "Platform"), ("国家先进稀有金属材料技术创新中心", "Platform")}),
    ("近3年，诺瓦星云、爱科赛博、陕西华达等20家企业实现上市,西安高新区上市企业达77家。",
     {("诺瓦星云", "Enterprise"), ("爱科赛博", "Enterprise"), ("陕西华达", "Enterprise"),
      ("西安高新区", "Park")}),
    ("过去一年，海沧区科技进步奖项捷报频传：安捷利美维电子(厦门)有限责任公司获国家科学技术进步奖二等奖。",
     {("安捷利美维电子(厦门)有限责任公司", "Enterprise")}),
]

NOT_ENTITIES = [
    "会议全面系统解读了新版国家高新区综合评价指标体系。",
    "今年上半年，全区8个江苏省重大项目全部实现开工；新增入库项目28个。",
    "长春高新区与其他16家国家级高新区共同交流。",
]


@pytest.mark.parametrize(("text", "expected"), ENTITY_CASES)
def test_extract_entities_on_seed_sentences(nlp, text, expected):
    doc = nlp(text)
    found = {(m.text, m.type) for m in doc._.pk_mentions if not m.anaphor}
    assert expected <= found, found - expected


@pytest.mark.parametrize("text", NOT_ENTITIES)
def test_extract_generic_phrases_are_no_entities(nlp, text):
    doc = nlp(text)
    names = {m.text for m in doc._.pk_mentions if not m.anaphor}
    assert not {n for n in names if n.endswith(("国家高新区", "入库项目", "重大项目"))}, names


def _record(nlp, text: str, doc_id: str = "t"):
    document = Document(doc_id, f"{doc_id}.txt", text, "0" * 64, "utf-8", "")
    return to_record(nlp(text), document)


def test_extract_alias_jiancheng_and_anaphor(nlp):
    text = ("当前，新余高新区江西赣锋循环科技有限公司(以下简称“赣锋”)年产2万吨电池级碳酸锂及8万吨"
            "电池级磷酸铁项目正在加紧建设中。据介绍，该项目10月即可进入试产。"
            "在新余高新区，像赣锋这样的项目共有19个。")
    rec = _record(nlp, text)
    ents = {e.name: e for e in rec.entities}
    firm = ents["江西赣锋循环科技有限公司"]
    assert "赣锋" in firm.aliases and len(firm.mentions) == 3
    assert "该项目" in ents["年产2万吨电池级碳酸锂及8万吨电池级磷酸铁项目"].aliases
    rels = {(r.head, r.relation, r.tail) for r in rec.relations}
    assert ("新余高新区", "hosts", "江西赣锋循环科技有限公司") in rels


def test_extract_park_variants_fold_into_one(nlp):
    text = ("四川内江高新区举行签约仪式。不久前，西南氢能装备研发制造基地项目在内江高新区开工。"
            "该项目总投资31亿元。内江高新区相关负责人介绍，该高新区将不断拓展应用场景。")
    rec = _record(nlp, text)
    parks = [e for e in rec.entities if e.type == "Park"]
    assert [p.name for p in parks] == ["四川内江高新区"]
    assert {"内江高新区", "该高新区"} <= set(parks[0].aliases)
    rels = {(r.head, r.relation, r.tail, r.amount_cny) for r in rec.relations}
    assert ("四川内江高新区", "hosts", "西南氢能装备研发制造基地项目", None) in rels
    assert ("西南氢能装备研发制造基地项目", "invests", None, 3_100_000_000) in rels


def test_extract_sub_park_chain(nlp):
    rec = _record(nlp, "图为在四川内江高新区白马园区，四川绿建筑钢构有限公司的工人在加工钢构件。")
    rels = {(r.head, r.relation, r.tail) for r in rec.relations}
    assert ("白马园区", "partOf", "四川内江高新区") in rels


def test_extract_evidence_offsets_point_at_sentences(nlp, seeds_dir):
    docs = [read_document(p) for p in sorted(seeds_dir.glob("*.txt"))]
    for document, rec in zip(docs, extract(docs, nlp), strict=True):
        assert rec.doc_id == document.doc_id
        for r in rec.relations:
            assert r.evidence, r
            for ev in r.evidence:
                assert document.text[ev.start : ev.end] == ev.sentence
                assert ev.rule.startswith(r.relation + ".")
        for e in rec.entities:
            for start, end in e.mentions:
                form = document.text[start:end]
                assert form == e.name or form in e.aliases


def test_extract_record_is_the_documented_format(nlp, seeds_dir):
    import json

    document = read_document(seeds_dir / "004_50c721a1e63a8171.txt")
    line = next(extract([document], nlp)).dumps()
    obj = json.loads(line)
    # the issue-16 fields of docs/extraction-format.md ("Dates and observations") beside them
    assert set(obj) - {"articles", "observations"} == {"doc_id", "entities", "relations"}
    assert [a["title"] for a in obj["articles"]][0] == "新余高新区：培育壮大科创“生力军”"
    assert obj["doc_id"] == "004_50c721a1e63a8171"
    for e in obj["entities"]:
        assert {"name", "type", "aliases"} <= set(e)
        assert e["type"] in {"Park", "Enterprise", "Platform", "Project"}
    for r in obj["relations"]:
        assert r["relation"] in {"hosts", "built", "invests", "investor", "partOf"}
        assert "evidence" in r and {"sentence", "start", "end", "rule"} <= set(r["evidence"])
        if r["relation"] == "invests":
            assert isinstance(r["amount_cny"], int) and r["amount_text"]
        else:
            assert r["tail"] in {e["name"] for e in obj["entities"]}


def test_extract_is_deterministic(nlp, seeds_dir):
    document = read_document(seeds_dir / "001_c29b91b09ab244c6.txt")
    assert next(extract([document], nlp)).dumps() == next(extract([document], nlp)).dumps()


def test_extract_pkuseg_model_trained_here(tmp_path):
    """Train a tiny spacy-pkuseg model offline and run the whole pipeline with it."""
    spacy_pkuseg = pytest.importorskip("spacy_pkuseg")
    from kg.nlp.pipeline import build_nlp

    lines = ["不久 前 ， 西南 氢能 装备 研发 制造 基地 项目 在 内江 高新区 开工 。",
             "位于 新余 高新区 的 江西 亿铂 电子 科技 有限公司 在 美国 上市 。",
             "新余 高新区 4 家 企业 上榜 。"] * 20
    (tmp_path / "train.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "test.txt").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    model = tmp_path / "model"
    spacy_pkuseg.train(str(tmp_path / "train.txt"), str(tmp_path / "test.txt"), str(model),
                       train_iter=2)
    nlp = build_nlp(pkuseg_model=model)
    doc = nlp("不久前，西南氢能装备研发制造基地项目在内江高新区开工。")
    tokens = [t.text for t in doc]
    # words, not characters (the user dictionary holds the register's 内江高新区 whole)
    assert "项目" in tokens and any(t.endswith("高新区") for t in tokens)
    assert {(e.text, e.label_) for e in doc.ents} >= {
        ("西南氢能装备研发制造基地项目", "Project"), ("内江高新区", "Park")}
    hits = {(h.head.key, h.relation, h.tail.key) for h in doc._.pk_relations}
    assert ("内江高新区", "hosts", "西南氢能装备研发制造基地项目") in hits


def test_extract_bad_pkuseg_model_is_a_clear_error(tmp_path):
    from kg.errors import KgError
    from kg.nlp.pipeline import build_nlp

    with pytest.raises(KgError, match="no such pkuseg model"):
        build_nlp(pkuseg_model=tmp_path / "missing")


def test_extract_page_furniture_yields_no_entities(nlp):
    text = ("中国高新技术产业导报网 | 首页 > 园区动态 > 正文\n"
            "贵阳高新区：软件企业加速集聚\n"
            "本报讯 近日，贵州华云数智科技有限公司落户贵阳高新区。\n"
            "W020241106384512.jpg\n"
            "主办单位：贵阳国家高新技术产业开发区管理委员会　版权所有 未经授权禁止复制\n")
    rec = _record(nlp, text)
    mentions = [tuple(m) for e in rec.entities for m in e.mentions]
    furniture_start = text.index("W0202")
    assert all(end <= furniture_start for _, end in mentions), mentions
    assert all(not (0 <= s < text.index("\n")) for s, _ in mentions)
    assert {e.name for e in rec.entities} >= {"贵州华云数智科技有限公司", "贵阳高新区"}
