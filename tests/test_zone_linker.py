"""Register zones reconciled with Wikidata (issue 19 item 4, kg.wikidata.zones), against the
local stand-in for Wikidata's API: a zone is linked under its name, province and type; a
candidate of another type or province is vetoed; the review file goes to a person; accepted
decisions go into the zone link table, and a build gives the zone and its parks the item."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Dataset, Literal
from rdflib.namespace import SKOS
from wikidata_server import CHINA, FakeWikidata, entity

from kg.cli import cli
from kg.derive import zones as dz
from kg.derive.links import LINKS_GRAPH, ZONES_GRAPH, add_links
from kg.errors import LinkError
from kg.lang.zones import zones
from kg.rdf.mapping import zone_iri
from kg.store import write_store
from kg.vocab import ID, PK, WD
from kg.wikidata.client import WikidataClient
from kg.wikidata.zones import accept_zones, link_zones, read_zone_table

ZHEJIANG, SHAANXI, CHONGQING = "Q16967", "Q47974", "Q11725"  # as kg/data/wikidata.csv
HIGHTECH, ETDZ, BONDED, FIRM = "Q910100", "Q910101", "Q910102", "Q910103"


def _entities() -> dict[str, dict]:
    return {e["id"]: e for e in [
        entity(HIGHTECH, "国家级高新技术产业开发区", en="national high-tech zone"),
        entity(ETDZ, "国家级经济技术开发区", en="national economic and technological "
               "development zone"),
        entity(BONDED, "综合保税区", en="comprehensive bonded zone"),
        entity(FIRM, "公司", en="business"),
        entity(ZHEJIANG, "浙江省"), entity(SHAANXI, "陕西省"), entity(CHONGQING, "重庆市"),
        # 杭州: the zone, and a firm named after it
        entity("Q910001", "杭州高新技术产业开发区", aliases=("杭州高新区",), P31=HIGHTECH,
               P131=ZHEJIANG, P17=CHINA),
        entity("Q910002", "杭州高新区", P31=FIRM, P17=CHINA),
        # 西安: the zone, and a bonded zone of the same city offered under its name
        entity("Q910011", "西安经济技术开发区", P31=ETDZ, P131=SHAANXI, P17=CHINA),
        entity("Q910012", "西安经开区综合保税区", aliases=("西安经济技术开发区",), P31=BONDED,
               P131=SHAANXI, P17=CHINA),
        # 南川工业园区 of 重庆, offered for 青海's namesake
        entity("Q910021", "南川工业园区", P31=ETDZ, P131=CHONGQING, P17=CHINA),
    ]}


SEARCHES = {
    "杭州高新技术产业开发区": ["Q910001"],
    "杭州高新区": ["Q910002", "Q910001"],
    "西安经济技术开发区": ["Q910012", "Q910011"],
    "青海南川工业园区": ["Q910021"],
    "南川工业园区": ["Q910021"],
}
ZONES = ["杭州高新技术产业开发区", "西安经济技术开发区", "青海南川工业园区", "宁波保税区"]


@pytest.fixture
def fake():
    with FakeWikidata(_entities(), SEARCHES) as server:
        yield server


def _client(fake: FakeWikidata, cache: Path) -> WikidataClient:
    return WikidataClient(fake.url, cache_dir=cache, min_interval=0, timeout=2, backoff=0.01)


def _register(names: list[str]) -> list:
    by_name = {z.name: z for z in zones()}
    return [by_name[n] for n in names]


def test_zone_linker_links_by_name_province_and_type(fake, tmp_path):
    out = link_zones(_client(fake, tmp_path / "cache"), _register(ZONES),
                     review=tmp_path / "review.csv", table=tmp_path / "zone_links.csv")
    got = {p.node.label: p for p in out.proposals}
    assert {k: p.status for k, p in got.items()} == {
        "杭州高新技术产业开发区": "link", "西安经济技术开发区": "link",
        "青海南川工业园区": "none", "宁波保税区": "none"}
    hz = got["杭州高新技术产业开发区"]
    assert hz.candidates[0].qid == "Q910001"
    assert "class names its type 高新技术产业开发区" in hz.candidates[0].explain()
    assert "in 浙江省 (Q16967)" in hz.candidates[0].explain()
    firm = next(c for c in hz.candidates if c.qid == "Q910002")
    assert firm.veto.startswith("instance of 公司")
    xa = got["西安经济技术开发区"]
    assert xa.candidates[0].qid == "Q910011"
    bonded = next(c for c in xa.candidates if c.qid == "Q910012")
    assert bonded.veto == "a class names 海关特殊监管区域, not 经济技术开发区"
    nanchuan = got["青海南川工业园区"].candidates[0]
    assert nanchuan.veto.startswith("located in 重庆市")
    # the review file: every candidate, the linkable ones marked accept for a person to check
    rows = list(csv.DictReader(open(tmp_path / "review.csv", encoding="utf-8")))
    assert {(r["name"], r["qid"], r["decision"]) for r in rows} >= {
        ("杭州高新技术产业开发区", "Q910001", "accept"),
        ("西安经济技术开发区", "Q910011", "accept"),
        ("西安经济技术开发区", "Q910012", ""), ("青海南川工业园区", "Q910021", "")}
    assert all(r["node"].startswith(str(ID["zone/"])) for r in rows)


def test_zone_linker_accept_then_build_gives_zone_and_park_the_item(fake, tmp_path,
                                                                    monkeypatch):
    # a built graph naming 杭州's zone as 杭州高新区
    ds = Dataset()
    g = ds.graph(ID["graph/doc"])
    g.add((ID["park/h"], RDF.type, PK.Park))
    g.add((ID["park/h"], RDFS.label, Literal("杭州高新区", lang="zh")))
    add_links(ds, user_table=tmp_path / "none.csv")
    write_store(ds.serialize(format="nquads").encode("utf-8"), tmp_path / "out" / "store")
    monkeypatch.chdir(tmp_path)
    common = ["--store", "out/store", "--api-url", fake.url, "--cache-dir", "cache",
              "--delay", "0", "--zone-table", "zone_links.csv"]
    run = CliRunner().invoke(cli, ["link", "--online", "--zones", "named", "--review",
                                   "review.csv", *common])
    assert run.exit_code == 0, run.output
    assert "1 zone(s) looked up" in run.output and "1 linkable" in run.output
    # a person accepts the proposal and rejects the firm
    rows = list(csv.DictReader(open("review.csv", encoding="utf-8")))
    for r in rows:
        r["decision"] = "accept" if r["qid"] == "Q910001" else "reject"
    with open("review.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    res = CliRunner().invoke(cli, ["link", "--accept", "review.csv", "--zones", "named",
                                   "--zone-table", "zone_links.csv"])
    assert res.exit_code == 0, res.output
    assert "1 accepted, 1 rejected" in res.output
    table = read_zone_table(Path("zone_links.csv"))
    assert {(z.name, z.qid, z.decision) for z in table} == {
        ("杭州高新技术产业开发区", "Q910001", "accept"),
        ("杭州高新技术产业开发区", "Q910002", "reject")}
    # a build reading that table: the zone and the park that is it get the item
    monkeypatch.setattr(dz, "zone_links_path", lambda: tmp_path / "zone_links.csv")
    dz.zone_qids.cache_clear()
    try:
        add_links(ds, user_table=tmp_path / "none.csv")
    finally:
        dz.zone_qids.cache_clear()
    zone = zone_iri("330000", "杭州高新技术产业开发区")
    assert (zone, SKOS.exactMatch, WD.Q910001) in ds.graph(ZONES_GRAPH)
    assert (ID["park/h"], PK.wikidata, Literal("Q910001")) in ds.graph(LINKS_GRAPH)
    # an accepted zone is not looked up again
    again = CliRunner().invoke(cli, ["link", "--online", "--zones", "named", "--review",
                                     "r2.csv", *common])
    assert again.exit_code == 0 and "0 zone(s) looked up" in again.output


def test_zone_linker_table_refuses_bad_rows(tmp_path):
    head = "name,qid,decision,score,reasons\n"
    cases = [
        ("没有这个开发区,Q1,accept,,\n", "is no zone of kg/data/zones.csv"),
        ("杭州高新技术产业开发区,X1,accept,,\n", "is not a Wikidata item id"),
        ("杭州高新技术产业开发区,Q1,maybe,,\n", "decision 'maybe'"),
        ("杭州高新技术产业开发区,Q1,accept,,\n杭州高新技术产业开发区,Q2,accept,,\n",
         "already has Q1"),
        ("杭州高新技术产业开发区,Q1,accept,,\n西安经济技术开发区,Q1,accept,,\n", "Q1 is already"),
    ]
    for body, message in cases:
        path = tmp_path / "t.csv"
        path.write_text(head + body, encoding="utf-8")
        with pytest.raises(LinkError, match=message):
            read_zone_table(path)
    # a bad review leaves the table as it was
    table = tmp_path / "zone_links.csv"
    table.write_text(head + "西安经济技术开发区,Q5,accept,,\n", encoding="utf-8")
    review = tmp_path / "review.csv"
    review.write_text("decision,type,name,qid,wikidata_label,wikidata_description,score,"
                      "reasons,node\naccept,Park,杭州高新技术产业开发区,Q5,,,0.9,,\n",
                      encoding="utf-8")
    with pytest.raises(LinkError, match="Q5 is already"):
        accept_zones(review, table)
    assert table.read_text(encoding="utf-8") == head + "西安经济技术开发区,Q5,accept,,\n"


def test_zone_linker_shipped_table_is_valid_and_says_what_was_reviewed():
    shipped = read_zone_table(dz.zone_links_path())
    assert all(z.decision in ("accept", "reject") for z in shipped)
    assert dz.zone_qids() == {z.name: z.qid for z in shipped if z.decision == "accept"}
