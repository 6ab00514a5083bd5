"""Rule mechanisms that fix a class of real-news errors, shown on sentences written in its shape.

Each test pairs what the mechanism must drop or add with what must stay (docs/rule-changes.md).
"""

from __future__ import annotations


def _pairs(nlp, text, relation=None):
    """(head, relation, tail) of every relation found in `text` (of one relation if given)."""
    doc = nlp(text)
    return {(h.head.key, h.relation, getattr(h.tail, "key", None) or h.tail.text)
            for h in doc._.pk_relations if relation in (None, h.relation)}


def test_parent_group_is_not_hosted_by_the_topic_park(nlp):
    """A parent group named before 旗下/下属/全资子公司 is not placed; its subsidiary is."""
    pairs = _pairs(nlp, "# 宜兴经开区项目建设提速\n\n宜兴经开区位于江苏南部。"
                      "江苏恒瑞控股集团有限公司旗下的宜兴远航精密制造有限公司已在此投产。", "hosts")
    assert ("宜兴经开区", "hosts", "宜兴远航精密制造有限公司") in pairs
    assert ("宜兴经开区", "hosts", "江苏恒瑞控股集团有限公司") not in pairs


def test_firms_a_delegation_visits_are_not_hosted(nlp):
    """走访/考察 in a park's article: the delegation visits firms elsewhere."""
    pairs = _pairs(nlp, "# 宜兴经开区赴外地招商\n\n宜兴经开区位于江苏南部。"
                      "代表团走访了华辰重工集团有限公司，洽谈合作。"
                      "宜兴华美涂料有限公司入驻园区。", "hosts")
    assert ("宜兴经开区", "hosts", "宜兴华美涂料有限公司") in pairs
    assert ("宜兴经开区", "hosts", "华辰重工集团有限公司") not in pairs


def test_a_name_cut_at_its_longest_length_keeps_its_first_word(nlp):
    """A park name longer than its type's max_len is not cut inside its place name."""
    doc = nlp("近年来，株洲国家轨道交通装备高新技术产业化基地集聚了一批企业。")
    parks = [e.text for e in doc.ents if e.label_ == "Park"]
    assert "株洲国家轨道交通装备高新技术产业化基地" in parks
    assert not any(p.startswith("洲") for p in parks)


def test_a_short_firm_name_does_not_take_the_adverb_or_title_after_it(nlp):
    """Right edges: 成功/顺利 before a verb and 副 of a title are not part of the name."""
    doc = nlp("日前，园区企业星辰软件成功入选省级专精特新企业名单。"
              "晨光控股副总裁李明介绍了项目进度。")
    firms = {e.text for e in doc.ents if e.label_ == "Enterprise"}
    assert "星辰软件" in firms and "星辰软件成功" not in firms
    assert "晨光控股" in firms and "晨光控股副" not in firms


def test_projects_listed_after_their_head_noun_may_have_long_names(nlp):
    """项目分别是A、B、C: items without 项目 are projects, long ones included."""
    doc = nlp("今年开工的重点项目分别是滨江大道东延段快速路及配套管网改造提升工程、"
              "科创园区配套学校建设工程、城北片区雨污分流改造。")
    projects = {e.text for e in doc.ents if e.label_ == "Project"}
    assert {"滨江大道东延段快速路及配套管网改造提升工程", "科创园区配套学校建设工程",
            "城北片区雨污分流改造"} <= projects


def test_free_trade_zones_and_their_sub_zones_are_parks(nlp):
    """自由贸易试验区 is a park suffix; a 片区 written after its zone is one park, whole name."""
    doc = nlp("中国（湖北）自由贸易试验区襄阳片区今年新签约项目30个。"
              "江苏自贸试验区成立五年来，制度创新成果丰硕。")
    parks = {e.text for e in doc.ents if e.label_ == "Park"}
    assert "中国（湖北）自由贸易试验区襄阳片区" in parks and "襄阳片区" not in parks
    assert "江苏自贸试验区" in parks


def test_a_platform_name_followed_by_project_names_a_project(nlp):
    """…孵化中心项目, …数据中心一期项目: the project of building a platform is a Project."""
    doc = nlp("清溪科学城创新孵化中心项目完成竣工验收。"
              "招商银行西部数据中心一期项目主体结构封顶。")
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("清溪科学城创新孵化中心项目", "Project") in ents
    assert ("招商银行西部数据中心一期项目", "Project") in ents


def test_news_outlets_are_no_firms(nlp):
    """A newspaper group is not annotated, though its name ends in 集团; a firm's group is."""
    doc = nlp("江城晚报报业集团与江城智造集团有限公司签署合作协议。")
    firms = {e.text for e in doc.ents if e.label_ == "Enterprise"}
    assert "江城智造集团有限公司" in firms
    assert not any("报业集团" in f for f in firms)


def test_a_page_printed_with_pinyin_is_read_without_it(nlp, tmp_path):
    """产(chǎn)业(yè)园: the rules read the page without its pinyin; names and evidence are
    given back as the page writes them."""
    from kg.corpus import read_document
    from kg.extract.extractor import extract_one

    path = tmp_path / "pinyin.txt"
    path.write_text("# 滨江新材料产(chǎn)业(yè)园项目签约\n\n"
                    "滨江新材料产(chǎn)业(yè)园位于江苏。"
                    "江苏恒瑞新材料科技有限公(gōng)司入驻滨江新材料产(chǎn)业(yè)园。\n",
                    encoding="utf-8")
    rec = extract_one(read_document(path), nlp)
    names = {(e.name, e.type) for e in rec.entities}
    assert ("滨江新材料产(chǎn)业(yè)园", "Park") in names
    assert ("江苏恒瑞新材料科技有限公(gōng)司", "Enterprise") in names
    text = path.read_text(encoding="utf-8")
    hosts = [r for r in rec.relations if r.relation == "hosts"]
    assert any(r.tail == "江苏恒瑞新材料科技有限公(gōng)司" for r in hosts)
    evidence = [ev for r in hosts for ev in r.evidence]
    assert all(text[ev.start : ev.end] == ev.sentence for ev in evidence)
    assert any("有限公(gōng)司入驻" in ev.sentence for ev in evidence)


def test_a_park_name_qualified_by_a_bracketed_place_is_a_name(nlp):
    """张江(贵安)高科技产业园: a bracketed place makes a proper name of a designation word."""
    doc = nlp("翠微(贵安)高科技产业园建设如火如荼。全国高科技产业园发展论坛举行。")
    parks = {e.text for e in doc.ents if e.label_ == "Park"}
    assert "翠微(贵安)高科技产业园" in parks
    assert not any(p.startswith("全国") for p in parks)


def test_a_county_short_name_begins_a_park_name(nlp):
    """正定, 元氏: county short names jieba reads as other words still begin a park's name."""
    doc = nlp("县长、正定高新技术产业开发区管委会主任出席。"
              "会议在元氏国家级高新技术产业开发区举行。")
    parks = {e.text for e in doc.ents if e.label_ == "Park"}
    assert {"正定高新技术产业开发区", "元氏国家级高新技术产业开发区"} <= parks


def test_a_park_heading_a_list_hosts_its_items(nlp):
    """东湖开发区A、B等新建项目: the park opening a list's first item is no part of it; the
    items are the park's, not the article's topic park's."""
    pairs = _pairs(nlp, "# 江城新区项目建设提速\n\n按片区看，江城高新区星河智能装备基地、"
                      "蓝海新材料等新建项目12个；东湖开发区晨光物流中心、远洋冷链仓储等续建项目8个。",
                   "hosts")
    assert {("江城高新区", "hosts", "星河智能装备基地"), ("江城高新区", "hosts", "蓝海新材料"),
            ("东湖开发区", "hosts", "晨光物流中心"),
            ("东湖开发区", "hosts", "远洋冷链仓储")} <= pairs
    assert not any(head == "江城新区" for head, _, _ in pairs)


def test_a_park_name_inside_a_listed_park_project_stays_whole(nlp):
    """X科学城Y科技园一期 is one listed name: what follows the park names a park as well."""
    doc = nlp("今年开工的有科学会堂、城市中心一期等城市建设类项目，"
              "以及宏远科学城大健康科技园一期、智能网联汽车等产业发展类项目。")
    projects = {e.text for e in doc.ents if e.label_ == "Project"}
    assert "大健康科技园一期" not in projects


def test_what_a_county_does_is_not_hosted_by_the_topic_park(nlp):
    """今年，衡阳县将推进A、B: a sentence whose subject is a county or city (or 该县) is about
    that place; a sentence about the park still gives the park its projects."""
    pairs = _pairs(nlp, "# 江城经开区项目建设提速\n\n江城经开区位于湖南中部。"
                      "今年，衡阳县将重点推进星河智能装备基地项目建设。"
                      "同时，该县加快推进远洋冷链仓储项目。"
                      "今年，晨光物流中心项目正式开工。", "hosts")
    assert ("江城经开区", "hosts", "晨光物流中心项目") in pairs
    assert not {("江城经开区", "hosts", "星河智能装备基地项目"),
                ("江城经开区", "hosts", "远洋冷链仓储项目")} & pairs


def test_firms_a_delegation_calls_on_are_not_hosted(nlp):
    """访问/拜访 like 走访: the firms a park's delegation calls on elsewhere are not its own."""
    pairs = _pairs(nlp, "# 江城高新区赴沪招商\n\n江城高新区位于湖北东部。"
                      "招商期间，高新区代表团先后访问了星海重工集团、蓝天传媒有限公司等企业。"
                      "江城远航精密制造有限公司入驻园区。", "hosts")
    assert ("江城高新区", "hosts", "江城远航精密制造有限公司") in pairs
    assert not {("江城高新区", "hosts", "星海重工集团"),
                ("江城高新区", "hosts", "蓝天传媒有限公司")} & pairs


def test_names_listed_with_projects_are_projects(nlp):
    """包括A项目、B项目、C产业园、D中心等: names listed beside two or more 项目 are projects,
    each its own name (not joined across 、), and the park that hosts one hosts them all."""
    doc = nlp("# 江城高新区重大项目集中开工\n\n江城高新区位于湖北东部。"
              "据介绍，集中开工的重大项目有9个，包括星河算力平台项目、蓝海新能源零部件项目、"
              "远航智能装备产业园、临江医学检测实验室、白沙海洋科创中心等，涵盖多个领域。")
    projects = {m.text for m in doc._.pk_mentions if m.type == "Project"}
    assert {"星河算力平台项目", "蓝海新能源零部件项目", "远航智能装备产业园",
            "临江医学检测实验室", "白沙海洋科创中心"} <= projects
    assert not any("、" in p for p in projects)


def test_a_firm_named_after_another_city_is_not_hosted_by_the_topic_park(nlp):
    """A firm whose name begins with a city outside the topic park's (深圳… in a Xiangyang park)
    is an investor from elsewhere unless its clause places it (引进, 落户…)."""
    pairs = _pairs(nlp, "# 襄阳高新区新能源项目开工\n\n襄阳高新区位于湖北北部。"
                      "深圳市星海电子有限公司投资建设的热管理系统生产基地项目开工。"
                      "园区今年引进了杭州远航精密制造有限公司。", "hosts")
    assert ("襄阳高新区", "hosts", "深圳市星海电子有限公司") not in pairs
    assert ("襄阳高新区", "hosts", "杭州远航精密制造有限公司") in pairs


def test_one_parks_names_meet_and_the_park_named_most_is_the_topic(nlp):
    """烟台经济技术开发区 … 烟台开发区 are one park; a park named in passing first is not the
    section's topic when another is named at least two times more."""
    doc = nlp("据临江开发区消息，江城经济技术开发区今年新签约项目12个。"
              "江城开发区位于湖北东部。江城开发区星河智能装备基地项目正式开工，"
              "江城开发区远航精密制造有限公司入驻园区。")
    keys = {m.key for m in doc._.pk_mentions if m.type == "Park" and "江城" in m.text}
    assert keys == {"江城经济技术开发区"}
    assert doc._.pk_topics[0] == "江城经济技术开发区"


def test_a_verb_glued_to_a_firms_name_is_cut_off(nlp):
    """培育出|X股份有限公司, 全力支持|X集团: a verb (or a word jieba makes of one and what follows)
    is no part of the name after it."""
    doc = nlp("园区今年培育出江城众创科技股份有限公司等一批企业。"
              "这个项目将全力支持江城汽车集团发展。")
    firms = {e.text for e in doc.ents if e.label_ == "Enterprise"}
    assert {"江城众创科技股份有限公司", "江城汽车集团"} <= firms
    assert not any(f.startswith(("培育", "全力")) for f in firms)


def test_an_official_announcing_a_start_is_no_project_name(nlp):
    """市长X宣布项目开工, 副市长X出席: the official and the verb are no project; a named project
    in the same text still is."""
    doc = nlp("开工仪式上，副市长王建国宣布项目开工，市领导李明出席项目签约。"
              "星河智能装备基地项目总投资10亿元。")
    projects = {e.text for e in doc.ents if e.label_ == "Project"}
    assert projects == {"星河智能装备基地项目"}


def test_classes_of_projects_are_no_project_names(nlp):
    """重大|工程项目, X领域项目, 众多…项目: a class of projects, not one; a named one stays."""
    doc = nlp("全市梳理了“十四五”时期重大工程项目清单，公布省级重点工程项目名单，"
              "聚焦新材料领域项目，吸引众多世界500强项目落户。星河智能装备基地项目开工。")
    projects = {e.text for e in doc.ents if e.label_ == "Project"}
    assert projects == {"星河智能装备基地项目"}


def test_platforms_a_project_builds_are_not_the_topic_parks(nlp):
    """X项目将建设A研究院、B工作站: the platforms are the project's parts, not built by the topic
    park; a platform the park builds is still its own."""
    pairs = _pairs(nlp, "# 江城高新区重大项目签约\n\n江城高新区位于湖北东部。"
                      "星河电缆研发生产基地项目将建设智慧电网研究院、高端线缆博士工作站。"
                      "园区内还建成了湖北星火工业设计研究院。", "built")
    assert ("江城高新区", "built", "湖北星火工业设计研究院") in pairs
    assert not {("江城高新区", "built", "智慧电网研究院"),
                ("江城高新区", "built", "高端线缆博士工作站")} & pairs


def test_a_platform_being_built_is_a_project(nlp):
    """X研究院于…开工建设: a platform under construction is a project; a platform named inside a
    project's name (X中心一期项目…封顶) is left to that project."""
    doc = nlp("星河材料研究院于2023年8月开工建设。蓝海数据中心一期项目主体结构封顶。"
              "园区建成了临江检测研究院。")
    types = {m.text: m.type for m in doc._.pk_mentions}
    assert types.get("星河材料研究院") == "Project"
    assert types.get("蓝海数据中心一期项目") == "Project"
    assert types.get("临江检测研究院") == "Platform"


def test_names_in_brackets_after_a_head_and_count_are_listed(nlp):
    """上市公司3家（A、B、C）: the names in brackets after a list head and its count take the
    head noun's type."""
    doc = nlp("# 江城新区招商成效显著\n\n江城新区位于湖北东部。"
              "全年累计招引上市公司3家（星河精密、蓝海雷射、远航科技），新签约项目48个。")
    firms = {m.text for m in doc._.pk_mentions if m.type == "Enterprise"}
    assert {"星河精密", "蓝海雷射", "远航科技"} <= firms


def test_batch_totals_are_no_project_and_no_investment(nlp):
    """总投资X亿元的10个签约项目 names a count of projects, and X before A、B等N个项目 is the
    list's total: neither is a Project nor an invests; one project's own amount stays."""
    doc = nlp("活动现场签约总投资42.5亿元的12个签约项目。"
              "总投资近80亿元的晨光产业园、远山材料产业园和蓝湾智造产业园等6个产业园项目同日开工。"
              "总投资3亿元的星河电池项目同日开工。")
    names = {m.text for m in doc._.pk_mentions if m.type == "Project"}
    assert "12个签约项目" not in names
    invests = {(r.head.key, r.tail.text) for r in doc._.pk_relations if r.relation == "invests"}
    assert invests == {("星河电池项目", "3亿元")}


def test_an_investment_in_another_currency_keeps_its_currency(nlp):
    """总投资5亿美元的X项目: the project invests an amount in dollars (amount + currency, no
    amount_cny), as a yuan amount of another project stays in yuan."""
    from kg.corpus import Document
    from kg.extract.extractor import to_record

    text = "总投资6亿元的蓝海电池项目同日开工。总投资2亿美元的华芯芯片项目落户江城高新区。"
    rec = to_record(nlp(text), Document("t", "t.txt", text, "0" * 64, "utf-8", ""))
    invests = {r.head: r.to_json() for r in rec.relations if r.relation == "invests"}
    assert invests["华芯芯片项目"]["currency"] == "USD"
    assert invests["华芯芯片项目"]["amount"] == 200000000
    assert "amount_cny" not in invests["华芯芯片项目"]
    assert invests["蓝海电池项目"]["amount_cny"] == 600000000
