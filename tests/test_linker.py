"""kg.wikidata.linker: the online linker on a table of cases, served by a local stand-in for
Wikidata.

The cases (tests/wikidata_server.py) are a clean match, a wrong-class candidate, an ambiguous
name, a place QID offered for a park, namesakes located elsewhere, a region confirmed by its
division code, and names Wikidata does not know. Precision and recall are measured on them.
"""

from __future__ import annotations

import csv
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT
from rdflib import RDF, RDFS, Dataset, Literal
from wikidata_server import FakeWikidata, case_entities, case_searches

from kg.cli import cli
from kg.derive.links import LINKS_GRAPH, Node, add_links, read_decisions, store_nodes
from kg.queries import load_query, run_query
from kg.store import memory_store, write_store
from kg.vocab import ID, PK
from kg.wikidata.client import WikidataClient
from kg.wikidata.linker import Linker, link_online, precision_recall, review_rows

# (type, name, the right Wikidata item or None): the nodes of the test graph. Parks are placed
# from their names by the build hook, so their regions (and the regions' QIDs) are real.
CASES = [
    ("Park", "西安高新区", "Q900001"),  # a clean match under the long name
    ("Park", "长春高新区", "Q900012"),  # the listed company of that name must be rejected
    ("Park", "通化医药高新区", None),  # only a company carries the name: wrong class
    ("Park", "杭州高新区", "Q900071"),  # the city (a place QID) is offered too
    ("Park", "两江新区", "Q900091"),  # the class item 国家级新区 is offered too
    ("Park", "沁阳经开区", None),  # nothing found
    ("Park", "宁夏永宁工业园区", None),
    ("Park", "杭州高新区(滨江)", None),
    ("Enterprise", "东宝", "Q900031"),  # two firms of that name: ambiguous, left to review
    ("Enterprise", "芯鸿数智科技有限公司", None),
    ("Enterprise", "华为", None),  # linked offline already: not looked up
    ("Region", "沁阳市", "Q900041"),  # confirmed by its division code
    ("Region", "永宁县", "Q900051"),  # a namesake in 江西 is located elsewhere
    ("Region", "滨江区", "Q900061"),  # a namesake in another city is located elsewhere
    ("Region", "两江新区", None),  # both candidates are new-area classes, not regions
]


def _dataset() -> Dataset:
    ds = Dataset()
    g = ds.graph(ID["graph/cases"])
    for n, (type_, name, _) in enumerate(CASES):
        if type_ == "Region":
            continue  # regions come from the parks' names
        node = ID[f"{type_.lower()}/{n}"]
        g.add((node, RDF.type, PK[type_]))
        g.add((node, RDFS.label, Literal(name, lang="zh")))
    add_links(ds, user_table=Path("/nonexistent/links.csv"))
    return ds


def _nquads(ds: Dataset) -> bytes:
    return ds.serialize(format="nquads").encode("utf-8")


@pytest.fixture(scope="module")
def case_store():
    return memory_store(_nquads(_dataset()))


@pytest.fixture
def fake():
    with FakeWikidata(case_entities(), case_searches()) as server:
        yield server


def _client(fake: FakeWikidata, cache: Path) -> WikidataClient:
    return WikidataClient(fake.url, cache_dir=cache, min_interval=0, timeout=2, backoff=0.01)


def _expected(nodes: list[Node]) -> dict[str, str | None]:
    want = {(t, n): q for t, n, q in CASES}
    return {node.iri: want[(node.type, node.label)] for node in nodes
            if (node.type, node.label) in want}


def test_linker_store_nodes_carry_regions_and_offline_links(case_store):
    nodes = {(n.type, n.label): n for n in store_nodes(case_store)}
    xian = nodes[("Park", "西安高新区")]
    assert set(xian.places) == {("西安市", "Q5826"), ("陕西省", "Q47974")}
    binjiang = nodes[("Region", "滨江区")]
    assert binjiang.code == "330108" and binjiang.qid is None
    assert set(binjiang.places) == {("杭州市", "Q4970"), ("浙江省", "Q16967")}
    assert nodes[("Enterprise", "华为")].qid == "Q160120"
    assert {(t, n) for t, n, _ in CASES} <= set(nodes)


def test_linker_cases_precision_and_recall(case_store, fake, tmp_path):
    out = link_online(case_store, _client(fake, tmp_path / "cache"),
                      user_table=tmp_path / "links.csv", review=tmp_path / "review.csv")
    by_name = {p.node.label + "/" + p.node.type: p for p in out.proposals}
    assert "华为/Enterprise" not in by_name  # already linked: never looked up
    verdicts = {k: (p.status, p.candidates[0].qid if p.status == "link" else None)
                for k, p in by_name.items()}
    assert verdicts["西安高新区/Park"] == ("link", "Q900001")
    assert verdicts["长春高新区/Park"] == ("link", "Q900012")
    assert verdicts["通化医药高新区/Park"] == ("none", None)
    assert verdicts["杭州高新区/Park"] == ("link", "Q900071")
    assert verdicts["两江新区/Park"] == ("link", "Q900091")
    assert verdicts["东宝/Enterprise"] == ("review", None)
    assert verdicts["沁阳市/Region"] == ("link", "Q900041")
    assert verdicts["永宁县/Region"] == ("link", "Q900051")
    assert verdicts["滨江区/Region"] == ("link", "Q900061")
    assert verdicts["两江新区/Region"] == ("none", None)
    precision, recall, errors = precision_recall(out.proposals, _expected(
        [p.node for p in out.proposals]))
    assert precision == 1.0, errors  # never a wrong link
    assert recall == pytest.approx(7 / 8), errors  # 东宝 waits for a person
    assert errors == [next(p.node.iri for p in out.proposals if p.node.label == "东宝")
                      + ": missed Q900031"]


def test_linker_reasons_explain_rejections(case_store, fake, tmp_path):
    out = link_online(case_store, _client(fake, tmp_path / "cache"),
                      user_table=tmp_path / "links.csv", review=tmp_path / "review.csv")
    cands = {(p.node.label, c.qid): c for p in out.proposals for c in p.candidates}
    assert cands[("长春高新区", "Q900011")].veto == (
        "instance of 上市公司 (Q900101), not a Park")
    assert cands[("杭州高新区", "Q4970")].veto == "Q4970 is 杭州市 (place) in the shipped table"
    assert cands[("两江新区", "Q15911903")].veto.endswith("(park-class) in the shipped table")
    assert cands[("永宁县", "Q900052")].veto == (
        "located in 江西省 (Q57052), not in 宁夏回族自治区 / 银川市")
    good = cands[("西安高新区", "Q900001")]
    assert good.score == 1.0 and good.reasons == [
        "label 西安高新技术产业开发区 = name", "instance of 国家级高新技术产业开发区 (Q900100)",
        "in 西安市 (Q5826)", "country China"]
    assert cands[("沁阳市", "Q900041")].reasons[-1] == "division code 410882"
    dongbao = [c for (name, _), c in cands.items() if name == "东宝"]
    assert [c.score for c in dongbao] == [0.8, 0.8]
    assert "ambiguous: Q900032 scores 0.8" in dongbao[0].reasons


def test_linker_review_file_lists_candidates_for_a_person(case_store, fake, tmp_path):
    review = tmp_path / "review.csv"
    out = link_online(case_store, _client(fake, tmp_path / "cache"),
                      user_table=tmp_path / "links.csv", review=review)
    assert out.written == [review] and not (tmp_path / "links.csv").exists()
    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    assert rows == review_rows(out.proposals)
    assert list(rows[0]) == ["decision", "type", "name", "qid", "wikidata_label",
                             "wikidata_description", "score", "reasons", "node"]
    accepted = {(r["name"], r["qid"]) for r in rows if r["decision"] == "accept"}
    assert accepted == {("西安高新区", "Q900001"), ("长春高新区", "Q900012"),
                        ("杭州高新区", "Q900071"), ("两江新区", "Q900091"),
                        ("沁阳市", "Q900041"), ("永宁县", "Q900051"), ("滨江区", "Q900061")}
    dongbao = [r for r in rows if r["name"] == "东宝"]
    assert [(r["qid"], r["decision"]) for r in dongbao] == [("Q900031", ""), ("Q900032", "")]
    assert dongbao[0]["wikidata_description"] == "包头的一家明胶生产企业"


def test_linker_without_review_records_only_links_above_threshold(case_store, fake, tmp_path):
    table = tmp_path / "links.csv"
    out = link_online(case_store, _client(fake, tmp_path / "cache"), user_table=table)
    assert out.recorded == 7 and out.written == [table]
    rows = read_decisions(table)
    assert {(d.name, d.qid, d.decision) for d in rows} == {
        ("西安高新区", "Q900001", "auto"), ("长春高新区", "Q900012", "auto"),
        ("杭州高新区", "Q900071", "auto"), ("两江新区", "Q900091", "auto"),
        ("沁阳市", "Q900041", "auto"), ("永宁县", "Q900051", "auto"),
        ("滨江区", "Q900061", "auto")}
    assert all(d.score == "1.00" and d.reasons for d in rows)
    # a second run skips the nodes decided now and looks up only the rest
    again = link_online(case_store, _client(fake, tmp_path / "cache"), user_table=table)
    assert {p.node.label for p in again.proposals} == {
        "通化医药高新区", "沁阳经开区", "宁夏永宁工业园区", "杭州高新区(滨江)", "东宝",
        "芯鸿数智科技有限公司", "两江新区"}


def test_linker_second_run_makes_no_request(case_store, fake, tmp_path):
    first = link_online(case_store, _client(fake, tmp_path / "cache"),
                        user_table=tmp_path / "a.csv", review=tmp_path / "a-review.csv")
    sent = len(fake.log)
    assert first.requests == sent > 0
    second = link_online(case_store, _client(fake, tmp_path / "cache"),
                         user_table=tmp_path / "b.csv", review=tmp_path / "b-review.csv")
    assert len(fake.log) == sent and second.requests == 0 and second.cache_hits > 0
    assert (tmp_path / "a-review.csv").read_bytes() == (tmp_path / "b-review.csv").read_bytes()


def test_linker_threshold_is_a_setting(fake, tmp_path):
    node = Node("n", "Enterprise", "东宝")
    loose = Linker(_client(fake, tmp_path / "c"), threshold=0.5).propose(node)
    assert loose.status == "review"  # two candidates within the margin: still no link
    node = Node("r", "Region", "沁阳市", code="410882")  # no linked parent: location unchecked
    strict = Linker(_client(fake, tmp_path / "c"), threshold=1.0).propose(node)
    assert strict.status == "link" and strict.candidates[0].score == 1.0


def test_linker_a_place_never_lands_on_a_park_online(fake, tmp_path):
    # 沁阳市 the county-level city is not in the shipped table: its class vetoes it for a park
    node = Node("p", "Park", "沁阳市", places=(("焦作市", "Q404429"),))
    p = Linker(_client(fake, tmp_path / "c")).propose(node)
    assert p.status == "none"
    assert p.candidates[0].veto == "instance of 县级市 (Q900114), not a Park"


def test_linker_rejected_qid_is_not_proposed_again(fake, tmp_path):
    node = Node("n", "Region", "永宁县", code="640121", places=(("银川市", "Q211243"),))
    p = Linker(_client(fake, tmp_path / "c")).propose(node, rejected={"Q900051"})
    assert [c.qid for c in p.candidates] == ["Q900052"] and p.status == "none"


# --- the whole workflow through the command line -----------------------------------------------


def test_linker_cli_review_accept_and_build(fake, tmp_path, monkeypatch):
    ds = _dataset()
    write_store(_nquads(ds), tmp_path / "out" / "store")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_LINKS", raising=False)
    common = ["--store", "out/store", "--api-url", fake.url, "--cache-dir", "cache",
              "--delay", "0"]
    run = CliRunner().invoke(cli, ["link", "--online", "--review", "review.csv", *common])
    assert run.exit_code == 0, run.output
    assert "14 node(s) looked up" in run.output and "7 linkable, 1 to review" in run.output
    assert "wrote review.csv" in run.output
    # a person decides: 东宝 is the one in 包头; 滨江区's link is turned down
    rows = list(csv.DictReader(open("review.csv", encoding="utf-8")))
    for r in rows:
        if (r["name"], r["qid"]) == ("东宝", "Q900031"):
            r["decision"] = "accept"
        if (r["name"], r["qid"]) == ("东宝", "Q900032"):
            r["decision"] = "reject"
        if r["name"] == "滨江区":
            r["decision"] = "reject" if r["qid"] == "Q900061" else ""
    with open("review.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    res = CliRunner().invoke(cli, ["link", "--accept", "review.csv"])
    assert res.exit_code == 0, res.output
    assert "wikidata-links.csv: 7 accepted, 2 rejected" in res.output
    # the next build applies the user table first
    add_links(ds)
    links = ds.graph(LINKS_GRAPH)
    got = {str(o) for s, o in links.subject_objects(PK.wikidata)}
    assert {"Q900001", "Q900012", "Q900071", "Q900091", "Q900041", "Q900051",
            "Q900031"} <= got
    assert "Q900061" not in got and "Q900032" not in got
    # looking up again asks Wikidata nothing: decided nodes are skipped, the rest is cached
    again = CliRunner().invoke(cli, ["link", "--online", "--review", "r2.csv", *common])
    assert again.exit_code == 0, again.output
    assert "(0 request(s)" in again.output


def test_linker_cli_online_failure_is_one_line(fake, tmp_path, monkeypatch):
    write_store(_nquads(_dataset()), tmp_path / "out" / "store")
    monkeypatch.chdir(tmp_path)
    fake.script = ["404"]  # not worth retrying (retries are tested in test_wikidata.py)
    res = CliRunner().invoke(cli, ["link", "--online", "--store", "out/store", "--api-url",
                                   fake.url, "--cache-dir", "cache", "--delay", "0"],
                             env={"KG_LINKS": "links.csv"})
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln.startswith("Error")]
    assert lines == ["Error: Wikidata API: HTTP 404 Not Found for wbsearchentities"]
    assert "Traceback" not in res.output
    assert not Path("links.csv").exists()


# --- the stored query that joins with Wikidata over SERVICE ------------------------------------


class _Sparql(BaseHTTPRequestHandler):
    """A SPARQL endpoint that answers any query with two rows in SPARQL 1.1 JSON results."""

    received: list[str] = []

    def do_POST(self) -> None:  # noqa: N802
        n = int(self.headers.get("Content-Length", "0"))
        _Sparql.received.append(self.rfile.read(n).decode("utf-8"))
        body = json.dumps({"head": {"vars": ["item", "name_en", "population"]}, "results": {
            "bindings": [
                {"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q5826"},
                 "name_en": {"type": "literal", "value": "Xi'an", "xml:lang": "en"},
                 "population": {"type": "literal", "value": "13000000", "datatype":
                                "http://www.w3.org/2001/XMLSchema#decimal"}},
                {"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q47974"},
                 "name_en": {"type": "literal", "value": "Shaanxi", "xml:lang": "en"}},
            ]}}).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_linker_network_query_needs_allow_service_and_joins_on_qid(seeds_store):
    from kg.errors import QueryError

    path = ROOT / "queries" / "network" / "wikidata-join.rq"
    q = load_query(str(path))
    assert q.description.startswith("Needs the network")
    with pytest.raises(QueryError, match="--allow-service"):
        run_query(seeds_store, q)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sparql)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        local = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        q.text = q.text.replace("https://query.wikidata.org/sparql", local)
        names, rows = run_query(seeds_store, q, allow_service=True)
    finally:
        server.shutdown()
        server.server_close()
    assert names == ["region", "level", "parks", "qid", "name_en", "population"]
    got = {r[0].value: (r[1].value, r[3].value, r[4].value, r[5] and r[5].value) for r in rows}
    assert got == {"西安市": ("prefecture", "Q5826", "Xi'an", "13000000"),
                   "陕西省": ("province", "Q47974", "Shaanxi", None)}
    sent = _Sparql.received[-1]  # only the bounded pattern goes to the remote endpoint
    assert "<http://www.wikidata.org/prop/direct/P150>" in sent and "pk:" not in sent
    assert "parks-kg" not in sent
