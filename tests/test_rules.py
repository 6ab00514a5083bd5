"""Every rule's examples fire and its counterexamples do not; bad data files fail at load."""

from __future__ import annotations

import pytest

from kg.errors import RuleError
from kg.lang.rules import load_rules

RULES = load_rules()
REL_EXAMPLES = [(r.id, ex) for r in RULES.relations for ex in r.examples]
REL_COUNTER = [(r.id, ex) for r in RULES.relations for ex in r.counterexamples]
NAME_EXAMPLES = [(t, ex) for t, s in RULES.suffixes.items() for ex in s.examples]


def _relations(nlp, text):
    doc = nlp(text)
    return doc, [(h.head.key, h.relation, getattr(h.tail, "key", None) or h.tail.text, h.rule)
                 for h in doc._.pk_relations]


def _pairs(nlp, text, relation=None):
    """(head, relation, tail) of every relation found in `text` (of one relation if given)."""
    _, hits = _relations(nlp, text)
    return {(h, r, t) for h, r, t, _ in hits if relation in (None, r)}


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


@pytest.fixture
def patterns(tmp_path):
    """A copy of kg/patterns to edit: rules.load_rules(folder) reads it instead."""
    import shutil
    from importlib import resources

    target = tmp_path / "patterns"
    with resources.as_file(resources.files("kg") / "patterns") as src:
        shutil.copytree(src, target)
    return target


def _edit(folder, rel, old, new):
    """Replace `old` (which must occur) by `new` in the pattern file `rel` of `folder`."""
    path = folder / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_rules_bad_key_names_file_and_rule(patterns):
    import kg.lang.rules as rules

    _edit(patterns, "relations/hosts.toml", 'id = "hosts.located_in"\n',
          'id = "hosts.located_in"\ntrigerz = ["x"]\n')
    with pytest.raises(RuleError, match=r"hosts\.toml rule hosts\.\w+: unknown key\(s\) trigerz"):
        rules.load_relations(patterns)


def test_rules_unknown_type_is_rejected(patterns):
    import kg.lang.rules as rules

    _edit(patterns, "relations/built.toml", 'tail = ["Platform"]', 'tail = ["Factory"]')
    with pytest.raises(RuleError, match="unknown entity type 'Factory'"):
        rules.load_relations(patterns)


def test_rules_gazetteer_lines_are_validated(patterns):
    import kg.lang.rules as rules

    assert all(g.label in {"Park", "Enterprise", "Platform", "Project"} for g in RULES.gazetteer)
    (patterns / "entities" / "bad.jsonl").write_text('{"label": "Firm", "pattern": "华为"}\n',
                                                     encoding="utf-8")
    with pytest.raises(RuleError, match=r"bad\.jsonl:1: unknown label 'Firm'"):
        rules.load_gazetteer(patterns)


def test_rules_gazetteer_name_is_found_only_as_a_word(nlp):
    doc = nlp("依托拓维信息与华为在鲲鹏等领域的合作，华为专家到场。")
    hits = [m.text for m in doc._.pk_mentions if m.rule == "Enterprise.gazetteer"]
    assert hits.count("华为") == 2
    # a firm named only inside another name is no mention of its own
    doc = nlp("比亚迪新能源汽车整车制造、三星半导体12英寸闪存芯片扩产等项目相继建成投产。")
    assert not [m for m in doc._.pk_mentions if m.type == "Enterprise"]
    assert {m.text for m in doc._.pk_mentions if m.type == "Project"} == {
        "比亚迪新能源汽车整车制造", "三星半导体12英寸闪存芯片扩产"}


CONTEXT_EXAMPLES = [(c.id, c.type, ex) for c in RULES.contexts for ex in c.examples]


@pytest.mark.parametrize(("rule_id", "type_", "example"), CONTEXT_EXAMPLES,
                         ids=[c[0] for c in CONTEXT_EXAMPLES])
def test_rules_context_example_names(nlp, rule_id, type_, example):
    doc = nlp(example["text"])
    found = {(m.text, m.type, m.rule) for m in doc._.pk_mentions}
    assert (example["name"], type_, rule_id) in found, found


@pytest.mark.parametrize("text", ["科技型企业总数达171家。", "园区企业解决用工短缺问题。",
                                  "企业负责人介绍，数字化提升改造后效率提升。"])
def test_rules_context_needs_a_real_name(nlp, text):
    doc = nlp(text)
    assert not [m for m in doc._.pk_mentions if m.rule.startswith("Enterprise.") and
                m.rule in {c.id for c in RULES.contexts}]


@pytest.mark.parametrize("text", [
    "打造一批科创服务平台，新增一批科创载体。",
    "截至2021年底,阜新高新区建设重大共性技术平台4个,分别为三家企业的研发中心。",
    "在新余高新区，像赣锋这样的锂电新能源项目共有19个在建。",
    "共收到1949个海外参赛报名项目。",
])
def test_rules_kinds_are_no_names(nlp, text):
    """A phrase after 一批/这样的 or before a count names a kind of thing, not one thing."""
    doc = nlp(text)
    assert not [m.text for m in doc._.pk_mentions if m.type in ("Platform", "Project")]


@pytest.mark.parametrize(("text", "name"), [
    ("海沧区新增狄耐克智能科技股份有限公司、万泰凯瑞生物技术有限公司3个企业。",
     "万泰凯瑞生物技术有限公司"),
    ("湖北晶星科技股份有限公司年产3000吨氯代苯甲酸一期项目11个单体完成联合验收。",
     "湖北晶星科技股份有限公司年产3000吨氯代苯甲酸一期项目"),
    ("从一家老厂到如今的现代化企业，包头东宝生物技术股份有限公司能够将软胶原锻造出硬实力。",
     "包头东宝生物技术股份有限公司"),
    ("园区加快建设包头实验室。", "包头实验室"),
    ("包头安泰北方科技有限公司的技术人员正在安装调试设备。", "包头安泰北方科技有限公司"),
    ("重点推动总投资12亿元的徐工高端除冰雪项目。", "徐工高端除冰雪项目"),
])
def test_rules_names_keep_their_place_and_count(nlp, text, name):
    """Counts that count a list or the parts of a project, and place names jieba calls verbs."""
    doc = nlp(text)
    assert name in {m.text for m in doc._.pk_mentions}


def test_rules_invested_phrase_is_a_project(nlp):
    """What an amount is invested in is a project, even when its suffix says park."""
    doc = nlp("同时,占地260亩、投资7.8亿元的\n\n医药健康科创园全面投入使用。")
    assert ("医药健康科创园", "Project") in {(m.text, m.type) for m in doc._.pk_mentions}


def test_rules_topic_park_does_not_take_what_another_subject_builds(nlp):
    """In a park's article, "X研究院获批建设Y中心" makes Y X's; the park's own builds count."""
    pairs = _pairs(nlp, "# 西安高新区：硬科技之城\n\n西安高新区集聚了大批企业。"
                      "西北有色金属研究院成功获批建设国家先进稀有金属材料技术创新中心。"
                      "西安高新区建成陕西光子实验室。")
    assert ("西安高新区", "built", "陕西光子实验室") in pairs
    assert ("西安高新区", "built", "国家先进稀有金属材料技术创新中心") not in pairs


def test_rules_event_speakers_are_not_hosted(nlp):
    """Speakers and organisers of a forum in a park's article are no firms of the park."""
    pairs = _pairs(nlp, "# 江门高新区举办创新创业论坛\n\n江门高新区位于广东。"
                      "歌礼生物董事长吴劲梓围绕药物研发作主旨演讲。"
                      "江门安泰科技有限公司展示了新产品。")
    assert ("江门高新区", "hosts", "江门安泰科技有限公司") in pairs
    assert ("江门高新区", "hosts", "歌礼生物") not in pairs


@pytest.mark.parametrize(("text", "absent", "present"), [
    ("沁阳经开区成功创建河南省科技成果转化示范区。", "河南省科技成果转化示范区", "沁阳经开区"),
    ("西安聚力建设硬科技创新示范区，西安高新区再添新动能。", "硬科技创新示范区", "西安高新区"),
    ("东方红三期将投资10亿元建设现代中药产业园。", "中药产业园", None),
    ("项目已在潍坊高新区动力装备产业园开工。", None, "动力装备产业园"),
    ("园区载体包括新经济产业园、金庐软件园、泰豪软件园等。", None, "新经济产业园"),
])
def test_rules_titles_and_kinds_of_parks(nlp, text, absent, present):
    """Awarded titles and kinds of park are no parks; a sub-park named after its trade is."""
    parks = {m.text for m in nlp(text)._.pk_mentions if m.type == "Park"}
    assert absent is None or absent not in parks
    assert present is None or present in parks


def test_rules_counted_list_of_sub_parks(nlp):
    """"A、B两个园区" lists parks without 等, and each is part of the park that built them."""
    pairs = _pairs(nlp, "如今，沁阳科创园已建成沁南、沁北两个园区。")
    assert {("沁南", "partOf", "沁阳科创园"), ("沁北", "partOf", "沁阳科创园")} <= pairs


def test_rules_a_count_alone_makes_no_list(nlp):
    """Without 、 a count before a list head lists nothing ("引进了3家企业")."""
    doc = nlp("今年以来，园区引进了3家企业，新增两个园区。")
    assert not [m for m in doc._.pk_mentions if m.rule.endswith(".list")]


def test_rules_quoted_invested_phrase(nlp):
    """投资N万元建设的“X”: X is a project, the firm before it its investor, N its amount."""
    doc, hits = _relations(nlp, "近期，江西香海生物科技有限公司投资3100多万元建设的“智慧生产中心”"
                                "数字一体化平台迎来了一批企业家客人。")
    assert ("智慧生产中心", "Project") in {(m.text, m.type) for m in doc._.pk_mentions}
    pairs = {(h, r, t) for h, r, t, _ in hits}
    assert ("智慧生产中心", "investor", "江西香海生物科技有限公司") in pairs


def test_rules_firm_park_is_a_project(nlp):
    """A park named after the firm building it is the firm's project (…集团产业园签约)."""
    doc = nlp("江西北斗、通航数据中心揭牌，江西省数字集团产业园签约，产业集群不断壮大。"
              "广西邕芯科技有限公司在园区建设的封测项目也在加紧推进。")
    found = {(m.text, m.type) for m in doc._.pk_mentions}
    assert ("江西省数字集团产业园", "Project") in found
    assert ("广西邕芯科技有限公司", "Enterprise") in found  # "在园区" is no park of the firm's


def test_rules_two_line_headline_keeps_its_park(nlp):
    """A headline over two lines (park, then slogan): the article is about the headline's park."""
    pairs = _pairs(nlp, "厦门同翔高新城\n靠前服务助力产业发展\n\n◎本报记者 符晓波\n\n"
                      "春节假期刚过，福建省厦门火炬高新区同翔高新城就围绕重点项目主动发力。\n\n"
                      "厦门祥福兴科技股份有限公司总经理吴礼银介绍，企业生产的偏光片是核心组件。")
    assert ("厦门同翔高新城", "hosts", "厦门祥福兴科技股份有限公司") in pairs


@pytest.mark.parametrize(("text", "absent", "present"), [
    ("旨在打造先进数字赋能服务平台。", "先进数字赋能服务平台", None),
    ("园区提升科创平台能级，加快建设包头实验室。", "科创平台", "包头实验室"),
    ("重点建设智能制造赋能中心、智慧城"
     "市赋能中心和核心工业软件云平台。", None, "核心工业软件云平台"),
    ("先后建成国家综合性新药研发技"
     "术大平台等国家研发平台4个。", None, "国家综合性新药研发技术大平台"),
])
def test_rules_kinds_of_platform(nlp, text, absent, present):
    """A 平台 name needs a proper name, a national title, or names listed beside it."""
    found = {m.text for m in nlp(text)._.pk_mentions if m.type == "Platform"}
    assert absent is None or absent not in found
    assert present is None or present in found


def test_rules_listed_parks_sub_parks_or_peers(nlp):
    """Parks a park's article lists are its sub-parks; 高新区s listed with it are its peers."""
    pairs = _pairs(nlp, "# 南昌高新区：软件产业再提速\n\n南昌高新区软件产业发展迅速。"
                      "园区载体包括新经济产业园、金庐软件园、泰豪软件园等园区载体。"
                      "来自深圳高新区、中山火炬高新区、南昌高新区等园区代表参加。", "partOf")
    assert ("金庐软件园", "partOf", "南昌高新区") in pairs
    assert not any(h == "深圳高新区" for h, _, _ in pairs)


@pytest.mark.parametrize(("text", "name", "type_"), [
    ("春节期间，天马光电8.6代项目的"
     "600名工作人员值守在工作岗位上。", "天马光电8.6代项目", "Project"),
    ("施工方、内江高新投资有限责任公司工程部经理说。", "内江高新投资有限责任公司", "Enterprise"),
    ("内江高新区白马园区项目施工方介绍。", "白马园区项目", "Project"),
])
def test_rules_name_inner_parts(nlp, text, name, type_):
    """Decimal points, 高新 (an adverb to jieba) and a park's name may stand inside names."""
    assert (name, type_) in {(m.text, m.type) for m in nlp(text)._.pk_mentions}


def test_rules_platform_list_heads(nlp):
    """Names listed before 重大科技基础设施 or 研发平台 are platforms."""
    doc = nlp("科学院西安科学园集聚先进阿秒激光、高精度地基授时、"
              "长短波授时系统3个重大科技基础设施。")
    found = {m.text for m in doc._.pk_mentions if m.type == "Platform"}
    assert {"高精度地基授时", "长短波授时系统"} <= found


def test_rules_repeat_of_a_short_park_name_glued_to_a_preposition(nlp):
    """jieba glues 以 to an unknown name (江南园以…); the repeat still counts and leads."""
    pairs = _pairs(nlp, "泉州高新区目前下辖江南园、洛江园等2个园区。"
                      "江南园以智能装备为主导，集聚了泉州迅达智能装备有限公司。")
    assert ("江南园", "hosts", "泉州迅达智能装备有限公司") in pairs


@pytest.mark.parametrize(("text", "name", "type_"), [
    ("创新建立清洁能源改造项目研究院和设计院。", "清洁能源改造项目研究院", "Platform"),
    ("由潍坊鲁动精工机械有限公司投资建设的大缸径发动机缸体缸盖智能化改造项目已开工。",
     "大缸径发动机缸体缸盖智能化改造项目", "Project"),
])
def test_rules_inner_suffixes_and_named_upgrades(nlp, text, name, type_):
    """项目 inside a platform's name ends nothing; a named 改造项目 is a project."""
    assert (name, type_) in {(m.text, m.type) for m in nlp(text)._.pk_mentions}


def test_rules_subject_park_after_connective_or_chain(nlp):
    """"其中，X园…" and "在A高新区B园区，…": the sentence is about X园 / B园区."""
    pairs = _pairs(nlp, "# 兰州高新区：创新提速\n\n兰州高新区加快发展。"
                      "在兰州高新区雁滩园区，首批12家企业入驻，其中包括甘肃康润达生物科技有限公司。"
                      "其中，沙文生态科技产业园重点发展高端装备，集聚了贵州红枫精工机械有限公司。")
    assert ("雁滩园区", "hosts", "甘肃康润达生物科技有限公司") in pairs
    assert ("沙文生态科技产业园", "hosts", "贵州红枫精工机械有限公司") in pairs


def test_rules_sited_platform_builds_what_follows(nlp):
    """"位于X高新区的A实验室…与B大学共建C研究院": C is A's, A is the park's."""
    pairs = _pairs(nlp, "# 新余高新区：锂电之城\n\n新余高新区集聚锂电企业。"
                      "位于新余高新区的赣锋锂电材料及应用实验室被批复为江西省重点实验室，"
                      "与中南大学共建新余锂电产业技术研究院。")
    assert ("新余高新区", "built", "赣锋锂电材料及应用实验室") in pairs
    assert ("新余高新区", "built", "新余锂电产业技术研究院") not in pairs


def test_rules_list_neighbours_share_a_firms_type(nlp):
    """A、B、C等 with no head: listed beside a known firm, short names are firms; places not."""
    doc = nlp("东宝、国药、步长等10家上市企业相继落户。"
              "目前已形成以修正、东宝、东方红药业等为代表的医药产业集群。"
              "东宝赴北京、上海、深圳等地招商。")
    firms = {m.text for m in doc._.pk_mentions if m.type == "Enterprise"}
    assert {"修正", "东方红药业"} <= firms
    assert not {"上海", "深圳"} & {m.text for m in doc._.pk_mentions}


@pytest.mark.parametrize(("text", "name", "absent"), [
    ("助力横琴粤澳深度合作区建设。", "横琴粤澳深度合作区", "深度合作区"),
    ("乘佛中人才创新灯塔产业园、佛北战新产业园两大创新高地建设的东风。", "佛中人才创新灯塔产业园",
     "乘佛中人才创新灯塔产业园"),
    ("全力打造“众创空间—孵化器—加速器—产业园”全链条孵化体系。", None,
     "众创空间—孵化器—加速器—产业园"),
    ("双创载体、大学科技园、产业研究院建设提速。", None, "大学科技园"),
])
def test_rules_park_boundaries(nlp, text, name, absent):
    """A proper name before a place keeps the park whole; 乘 opens no name; chains are kinds."""
    parks = {m.text for m in nlp(text)._.pk_mentions if m.type == "Park"}
    assert name is None or name in parks
    assert absent not in parks


def test_rules_colon_list_of_firms(nlp):
    """"入选企业分别为：A、B、C。" lists firms without 等."""
    doc = nlp("昆明高新区入选企业分别为：滇晶光电、云岭基因、金马智造。")
    assert {"滇晶光电", "云岭基因", "金马智造"} <= {
        m.text for m in doc._.pk_mentions if m.type == "Enterprise"}


@pytest.mark.parametrize(("text", "name"), [
    ("该公司投资约12亿元建设氢燃料电池电堆生产基地项目。", "氢燃料电池电堆生产基地项目"),
    ("上党芯材年产1200万片Mini/Mi"
     "cro LED外延芯片扩产项目正式开工。", "Mini/Micro LED外延芯片扩产项目"),
])
def test_rules_amounts_end_names_and_latin_words_join(nlp, text, name):
    """An amount ends the name after it; "/" and spaces between Latin words stay inside."""
    found = {m.text for m in nlp(text)._.pk_mentions if m.type == "Project"}
    assert any(f.endswith(name) for f in found), found
    assert not any("亿元" in f for f in found)


def test_rules_invested_clause_goes_on_to_build(nlp):
    """"投资超20亿元，建设X项目": the amount is X's."""
    _, hits = _relations(nlp, "南宁智汇云数据科技有限公司投资超20亿元，建设东盟跨境数据中心项目。")
    assert any(h == "东盟跨境数据中心项目" and r == "invests" for h, r, _, _ in hits), hits


def test_rules_explicit_anaphor_points_at_the_salient_park_of_its_kind(nlp):
    """该高新区 after "玉溪高新区、曲靖经开区分别有…" is still the article's 高新区."""
    _, hits = _relations(nlp, "# 昆明高新区9家企业入选\n\n昆明高新区共有9家企业入选。"
                              "昆明高新区入选企业"
                              "分别为：滇晶光电、彩云数科。同期，玉溪高新区、曲靖经开区分别有3家、2家"
                              "企业入选。入选企业中，彩云数科位于该高新区马金铺片区。")
    parts = {(h, t) for h, r, t, _ in hits if r == "partOf"}
    assert ("马金铺片区", "昆明高新区") in parts, parts


def test_rules_firm_seated_elsewhere_is_not_hosted(nlp):
    """A parent firm "总部在上海" is not hosted by the article's park."""
    _, hits = _relations(nlp, "# 莫干山高新区：储能项目投产\n\n莫干山高新区储能产业加快发展。"
                              "陈立明说，我们母公司上海储宸能源集团有限公司总部在上海。"
                              "浙江储宸新能源科技有限公司已在园区投产。")
    tails = {t for h, r, t, _ in hits if r == "hosts"}
    assert "浙江储宸新能源科技有限公司" in tails
    assert "上海储宸能源集团有限公司" not in tails


@pytest.mark.parametrize(("text", "name", "type_", "absent"), [
    ("同日，位于园区的甘肃金陇新能源材料有限公司院士工作站揭牌。",
     "甘肃金陇新能源材料有限公司院士工作站", "Platform", None),
    ("图④ 英科科创(厦门)科技股份有限公司实验室一角。",
     "英科科创(厦门)科技股份有限公司", "Enterprise", "英科科创(厦门)科技股份有限公司实验室"),
    ("由兰州大学与兰州高新区共建的兰州高新区新材料概念验证中心也同步启用。",
     "兰州高新区新材料概念验证中心", "Platform", None),
    ("生物医药产业园园内建有新疆特色药用植物资源工程研究中心。",
     "新疆特色药用植物资源工程研究中心", "Platform", "园内建有新疆特色药用植物资源工程研究中心"),
    ("主旨演讲环节，新型研发机构北京启衡人工智能研究院副院长分享了进展。",
     "北京启衡人工智能研究院", "Platform", "新型研发机构北京启衡人工智能研究院"),
    ("港企加码苏州工业园区 创新药基地动工", "苏州工业园区", "Park", "港企加码苏州工业园区"),
    ("选择园区，一是这里离客户近，二是高新区的服务效率高。", None, None, "二是高新区"),
    ("北京启明氢能科技有限公司在园区设立的全资子公司大庆启明氢能装备有限公司投产。",
     "大庆启明氢能装备有限公司", "Enterprise", "全资子公司"),
])
def test_rules_blind_set_boundaries(nlp, text, name, type_, absent):
    """Boundary mechanisms found on the blind set: firm-named platforms, 建有/机构/一是 stop a
    name, a park starts at a gazetteer place, 全资子公司 is no firm."""
    found = {(m.text, m.type) for m in nlp(text)._.pk_mentions}
    assert name is None or (name, type_) in found, found
    assert absent is None or absent not in {t for t, _ in found}


@pytest.mark.parametrize(("text", "name", "absent"), [
    ("加快推进年产3万吨稀土抛光粉及配套原料项目、"
     "风电永磁直驱电机", "年产3万吨稀土抛光粉及配套原料项目", None),
    ("重点挖掘具有战略性、前瞻性的颠覆性技术方向和项目。", None, "颠覆性技术方向和项目"),
])
def test_rules_project_words(nlp, text, name, absent):
    """Short "idioms" of jieba's (抛光粉) stay in names; "…和项目" coordinates two nouns."""
    found = {m.text for m in nlp(text)._.pk_mentions if m.type == "Project"}
    assert name is None or name in found
    assert absent is None or absent not in found


def test_rules_forum_panel_firms_are_not_hosted(nlp):
    """Firms on a forum's panel (圆桌对话) are not the park's."""
    _, hits = _relations(nlp, "# 成都高新区举办算力论坛\n\n成都高新区算力产业加快集聚。"
                              "圆桌对话环节，上海澜图智能科技有限公司的负责人进行了交流。")
    assert not any(t == "上海澜图智能科技有限公司" for _, r, t, _ in hits if r == "hosts")


@pytest.mark.parametrize(("text", "absent"), [
    ("江门高新区:首个安全应急产业孵化器揭牌", "安全应急产业孵化器"),
    ("这一项目是内江市首个氢能装备制造项目。", "氢能装备制造项目"),
    ("累计深度对接北京、上海、深圳等地的优质产业项目超200个。", "累计深度对接北京"),
    ("优先保障重大战略性新兴产业项目用地。", "重大战略性新兴产业项目"),
    ("并加速建设优质公共服务和生活配套设施。", "优质公共服务和生活配套设施"),
])
def test_rules_descriptions_are_no_names(nlp, text, absent):
    """首个 + kind, places listed before 等地的…, phrases of generic words: no names."""
    assert absent not in {m.text for m in nlp(text)._.pk_mentions}


def test_rules_slogans_inner_projects_and_cited_titles(nlp):
    """“一企一平台” is a slogan; 项目 inside …项目熟化平台 ends nothing; a platform named in a
    document title (《共建X协议》) is cited, not built by the article's park."""
    doc, hits = _relations(nlp, "# 江门高新区：孵化器揭牌\n\n江门高新区加快建设。"
                                "按照“一企一平台”的布局推进。"
                                "孵化器定位为科教产融合创新项目熟化平台。"
                                "双方共同签署《共建江海智慧安全应急联合实验室协议》。")
    names = {m.text for m in doc._.pk_mentions}
    assert "一企一平台" not in names and "科教产融合创新项目" not in names
    assert not any(t == "江海智慧安全应急联合实验室" for _, r, t, _ in hits if r == "built")


@pytest.mark.parametrize(("text", "name", "absent"), [
    ("启动仪式主会场设在重庆启晟汽车零部件有限公司。", "重庆启晟汽车零部件有限公司",
     "主会场设在重庆启晟汽车零部件有限公司"),
    ("由重庆璧山高新区产业"
     "投资有限公司投资建设。", "重庆璧山高新区产业投资有限公司", "产业投资有限公司"),
    ("与重庆高新开发集团下属重庆科学城"
     "科技产业发展有限公司共同出资设立。", "重庆高新开发集团", None),
])
def test_rules_firm_boundaries_at_verbs_and_parks(nlp, text, name, absent):
    """设在 ends a name; a firm named after a park keeps the park; place + trade is a firm."""
    found = {m.text for m in nlp(text)._.pk_mentions if m.type == "Enterprise"}
    assert name in found, found
    assert absent is None or absent not in found


@pytest.mark.parametrize(("text", "name", "type_", "absent"), [
    ("杨凌农创客空间、西大青年创业工场获评国家备案众创空间。", "杨凌农创客空间", "Platform",
     "国家备案众创空间"),
    ("芜湖瑞驰汽车电子股份有限公司技术中心获认定。", "芜湖瑞驰汽车电子股份有限公司技术中心",
     "Platform", None),
    ("辽宁两大国家高新区——沈阳、大连等高新区协同发展。", None, None, "辽宁两大国家高新区"),
])
def test_rules_incubator_kinds_firm_centres_and_counted_parks(nlp, text, name, type_, absent):
    """创客空间/创业工场 are platforms, a firm's 技术中心 is named after it, 两大…高新区 counts."""
    found = {(m.text, m.type) for m in nlp(text)._.pk_mentions}
    assert name is None or (name, type_) in found, found
    assert absent is None or absent not in {t for t, _ in found}


def test_rules_sub_park_leads_its_paragraph(nlp):
    """A sub-park opening a paragraph holds the paragraph's firms, sentence after sentence."""
    pairs = _pairs(nlp, "# 滨海高新区：一区多园\n\n滨海高新区加快发展。\n\n"
                      "华苑科技园以软件和信息服务为主导。园内集聚了天津恒宇软件股份有限公司。\n\n"
                      "区内企业天津蓝鲸海工装备有限公司持续扩产。", "hosts")
    assert ("华苑科技园", "hosts", "天津恒宇软件股份有限公司") in pairs
    assert ("滨海高新区", "hosts", "天津蓝鲸海工装备有限公司") in pairs


def test_rules_compound_after_suffix_amount_spaces_and_quoted_neighbours(nlp):
    """高新城 inside 城市 is no park; "总投资 5.2 亿元" is an amount; "X高新区的“Y众创空间”"."""
    doc, hits = _relations(nlp, "项目将由湘潭高新城市建设投资有限公司投资建设。"
                                "福建汇鑫稀土永磁科技有限公司高性能钕"
                                "铁硼磁材扩产项目总投资 5.2 亿元。"
                                "众创空间方面，西安高新区的“光子谷众创空间”获得备案。")
    assert "湘潭高新城" not in {m.text for m in doc._.pk_mentions}
    assert ("福建汇鑫稀土永磁科技有限公司高性能钕铁硼磁材扩产项目", "invests") in {
        (h, r) for h, r, _, _ in hits}
    assert ("西安高新区", "built", "光子谷众创空间") in {(h, r, t) for h, r, t, _ in hits}


def test_rules_paragraph_park_ends_with_its_paragraph(nlp):
    """A sub-park leading one paragraph does not carry into the next, even when the next one
    opens with a sentence that names nothing."""
    pairs = _pairs(nlp, "# 滨海高新区：一区多园\n\n滨海高新区加快发展。\n\n"
                        "华苑科技园以软件和信息服务为主导。园内集聚了天津恒宇软件股份有限公司。\n\n"
                        "今年形势良好。天津蓝鲸海工装备有限公司持续扩产。", "hosts")
    assert ("华苑科技园", "hosts", "天津恒宇软件股份有限公司") in pairs
    assert ("滨海高新区", "hosts", "天津蓝鲸海工装备有限公司") in pairs


# --- rules wholly in data: what a linguist edits, and what the loader refuses -----------------


def test_rules_linguist_adds_suffix_trigger_and_currency_without_python(patterns):
    """A Park suffix, a hosts trigger and a currency added to a patterns folder take effect."""
    from kg.nlp.pipeline import build_nlp

    texts = {"suffix": "记者来到长沙岳麓智港感受科创脉动。",
             "trigger": "比亚迪新能源汽车项目安家西安高新区。",
             "currency": "投资约12亿卢布建设天马新材料项目。"}

    def seen(nlp):
        suffix = nlp(texts["suffix"])
        trigger = nlp(texts["trigger"])
        currency = nlp(texts["currency"])
        return ({(m.text, m.type) for m in suffix._.pk_mentions},
                {h.rule for h in trigger._.pk_relations},
                [(a.text, a.value, a.currency) for a in currency._.pk_amounts],
                {m.text for m in currency._.pk_mentions})

    names, rules, amounts, projects = seen(build_nlp())
    assert ("长沙岳麓智港", "Park") not in names
    assert "hosts.settle_in" not in rules
    assert amounts == [] and "天马新材料项目" not in projects

    _edit(patterns, "entities/suffixes.toml", '"合作区", "试验区",', '"合作区", "试验区", "智港",')
    _edit(patterns, "relations/hosts.toml", 'triggers = ["落户", "入驻",',
          'triggers = ["落户", "安家", "入驻",')
    _edit(patterns, "amounts.toml", 'JPY = ["日元"]', 'JPY = ["日元"]\nRUB = ["卢布"]')
    names, rules, amounts, projects = seen(build_nlp(patterns=patterns))
    assert ("长沙岳麓智港", "Park") in names
    assert "hosts.settle_in" in rules
    assert amounts == [("约12亿卢布", 1_200_000_000, "RUB")]
    assert "天马新材料项目" in projects  # the entity walk stops at the same new unit


@pytest.mark.parametrize(("rel", "old", "new", "message"), [
    # 园区 is a Park suffix: as a Platform anaphor it would point at parks and platforms at once
    ("entities/anaphora.toml", 'anaphors = ["该中心",', 'anaphors = ["园区", "该中心",',
     r"anaphora\.toml \[Platform\]: '园区' is a Platform anaphor here but a Park suffix in "
     r".*suffixes\.toml \[Park\]"),
    ("entities/anaphora.toml", 'list_heads = ["企业", "公司"]', 'list_heads = ["企业", "项目"]',
     r"anaphora\.toml \[Enterprise\]: '项目' is an Enterprise list head here but a Project "
     r"suffix in .*suffixes\.toml \[Project\]"),
    ("entities/suffixes.toml", '"云平台", "熟化平台",', '"云平台", "熟化平台", "园区",',
     r"suffixes\.toml \[Platform\]: '园区' is a Platform suffix here but a Park suffix in "
     r".*suffixes\.toml \[Park\]"),
    ("amounts.toml", 'USD = ["美元"]', 'USD = ["美元", "元"]',
     r"amounts\.toml \[currencies\]: '元' is a USD currency word here but a CNY currency word"),
    ("amounts.toml", '"多" = "more-than"', '"约" = "more-than"\n"多" = "more-than"',
     r"amounts\.toml \[qualifiers\.after\]: '约' is a 'more-than' qualifier here but a "
     r"'approx' qualifier in .*amounts\.toml \[qualifiers\.before\]"),
], ids=["anaphor-vs-suffix", "list-head-types", "suffix-types", "currency", "qualifier"])
def test_rules_word_with_conflicting_roles_is_rejected(patterns, rel, old, new, message):
    import kg.lang.rules as rules

    _edit(patterns, rel, old, new)
    with pytest.raises(RuleError, match=message):
        rules.load_rules(patterns)


def test_rules_same_word_in_two_roles_of_one_meaning_is_fine():
    """园区 is a Park suffix, a Park anaphor and a Park list head at once: no conflict."""
    park = {a.type: a for a in RULES.anaphora}["Park"]
    heads = {h.type: h for h in RULES.lists}["Park"]
    assert "园区" in park.words and "园区" in heads.heads
    assert "园区" in RULES.suffixes["Park"].weak


def test_rules_anaphor_kinds_derive_from_park_short_forms(patterns):
    """该高新区 may point at every long form that shortens to 高新区: one table, not two."""
    import kg.lang.rules as rules

    words = RULES.anaphor_words
    for long, short in RULES.suffixes["Park"].short_forms:
        assert long in words.endings(short)
    assert words.endings("示范区") == ("示范区",)
    _edit(patterns, "entities/suffixes.toml", '"经济技术开发区" = "经开区" }',
          '"经济技术开发区" = "经开区", "经济开发区" = "经开区" }')
    _edit(patterns, "entities/anaphora.toml", '"经开区" = ["经济开发区"], ', '')
    again = rules.load_rules(patterns).anaphor_words
    assert set(again.endings("经开区")) == set(words.endings("经开区"))


@pytest.mark.parametrize(("rel", "old", "new", "message"), [
    ("words.toml", "count_pattern = '", "count_pattern = '(", r"words\.toml \[lists\] "
     r"count_pattern: bad regular expression"),
    ("words.toml", "count_pattern = '", "count_pattern = '(\\d)?", r"words\.toml \[lists\] "
     r"count_pattern: use \(\?:…\), not a capturing group"),
    ("words.toml", 'etc = "等"', 'etc = "等等"', r"words\.toml \[lists\] etc: must be one"),
    ("words.toml", "[kinds]\n", "[kinds]\nverbs = []\n", r"words\.toml \[kinds\]: unknown key"),
    ("entities/suffixes.toml", '"国家高新区" = "高新区"', '"国家高新区" = "高新园"',
     r"suffixes\.toml \[Park\]: short_forms '国家高新区' = '高新园': both must be suffixes"),
    ("entities/anaphora.toml", '"科学城" = ["科技城"]', '"科学城" = ["科技楼"]',
     r"anaphora\.toml \[Park\]: kinds '科学城': every word must be a Park suffix"),
    ("amounts.toml", 'EUR = ["欧元"]', 'Euro = ["欧元"]', r"amounts\.toml \[currencies\]: "
     r"'Euro' is no ISO 4217 code"),
], ids=["regex", "group", "etc", "key", "short-form", "kind", "iso"])
def test_rules_words_and_tables_are_validated(patterns, rel, old, new, message):
    import kg.lang.rules as rules

    _edit(patterns, rel, old, new)
    with pytest.raises(RuleError, match=message):
        rules.load_rules(patterns)


# --- mechanisms measured on real news (sentences made up to show each shape) --------------

@pytest.mark.parametrize(("text", "present", "absent"), [
    # a firm's name right before a project's is part of the project's name
    ("新区开工的星河智造有限公司年产5万吨电池材料项目进展顺利。",
     {("星河智造有限公司年产5万吨电池材料项目", "Project")}, {("星河智造有限公司", "Enterprise")}),
    # coordinated parts without a suffix of their own make one project
    ("园区签约了锂电原料及储能电池制造项目。", {("锂电原料及储能电池制造项目", "Project")}, set()),
    # words that never begin a name, and a role noun before a firm's name
    ("各方促成紫阳环保有限公司落户。", {("紫阳环保有限公司", "Enterprise")},
     {("促成紫阳环保有限公司", "Enterprise")}),
    ("全球领先的气体供应商北辰气体集团在园区新建气站项目。", {("北辰气体集团", "Enterprise")},
     {("气体供应商北辰气体集团", "Enterprise")}),
    # a district in brackets after a park says where it is
    ("乌鲁木齐经济技术开发区(头屯河区)新签项目12个。",
     {("乌鲁木齐经济技术开发区", "Park")}, {("乌鲁木齐经济技术开发区(头屯河区)", "Park")}),
    # infrastructure is no platform; an industry listed among projects is no project
    ("园区将完善路侧智能基础设施建设。", set(), {("路侧智能基础设施", "Platform")}),
    ("重点引进高端装备制造业、电子信息产业等3大产业类项目。", set(),
     {("高端装备制造业", "Project"), ("电子信息产业", "Project")}),
    # what is listed among projects is a project, whatever its suffix
    ("截至目前，云城数据中心、远航新材料产业园等12个重点项目均已开工。",
     {("云城数据中心", "Project"), ("远航新材料产业园", "Project")}, set()),
    # zones without the usual suffixes
    ("项目落户银川综保区。", {("银川综保区", "Park")}, set()),
    # brands jieba calls places, in a list of firms
    ("这里集聚了吉利、申洲等龙头企业。", {("吉利", "Enterprise"), ("申洲", "Enterprise")}, set()),
])
def test_rules_real_news_mechanisms(nlp, text, present, absent):
    """Each mechanism mended on the real-news development texts, on a sentence of its shape."""
    found = {(m.text, m.type) for m in nlp(text)._.pk_mentions}
    assert present <= found, found
    assert not absent & found, found


def test_rules_bare_magnitude_after_an_investment_word_is_yuan(nlp):
    """总投资63亿 is 6.3 billion yuan; 63亿级 and 投资约12亿卢布 are no yuan amounts."""
    amounts = {a.text: (a.value, a.currency) for a in
               nlp("总投资63亿的星河项目开工。打造千亿级集群，63亿级产能。投资约12亿卢布。")._.pk_amounts}
    assert amounts.get("63亿") == (6_300_000_000, "CNY")
    assert not any(t.endswith("亿级") or "卢布" in t for t in amounts)
    assert not any(a.endswith("12亿") for a in amounts)
