"""A stand-in for Wikidata's action API on 127.0.0.1, for the tests of kg.wikidata.client and
kg.wikidata.linker.

It answers `action=wbsearchentities` and `action=wbgetentities` (format=json) with bodies of
the shapes the Wikibase API documents:

    wbsearchentities → {"searchinfo": {"search": …}, "search": [hit, …], "success": 1}
      hit = {"id", "title", "pageid", "concepturi", "repository", "url",
             "display": {"label": {"value", "language"}, "description": {…}},
             "label", "description", "match": {"type", "language", "text"}, "aliases"?}
    wbgetentities → {"entities": {"Q1": entity | {"id": "Q1", "missing": ""}}, "success": 1}
      entity = {"pageid", "ns", "title", "lastrevid", "modified", "type": "item", "id",
                "labels": {lang: {"language", "value"}}, "descriptions": {…},
                "aliases": {lang: [{"language", "value"}, …]},
                "claims": {"P31": [statement, …]}, "sitelinks": {}}
      statement = {"mainsnak": {"snaktype": "value", "property", "hash",
                                "datavalue": {"value": {"entity-type": "item",
                                                        "numeric-id", "id"},
                                              "type": "wikibase-entityid"},
                                "datatype": "wikibase-item"},
                   "type": "statement", "id": "Q1$…", "rank": "normal"}
    errors → {"error": {"code", "info", "*"}, "servedby"}

`script` queues what the next requests get instead of a normal answer: "timeout" (answer
after the client gave up), "429" (Too Many Requests with Retry-After: 0), "503", "maxlag"
(the API's maxlag error), or "404".
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _text(lang: str, value: str) -> dict[str, str]:
    return {"language": lang, "value": value}


def statement(subject: str, prop: str, value: str) -> dict[str, Any]:
    """A statement of `subject`: an item value (Q…), or a string (external-id) otherwise."""
    if value.startswith("Q") and value[1:].isdigit():
        datavalue = {"value": {"entity-type": "item", "numeric-id": int(value[1:]), "id": value},
                     "type": "wikibase-entityid"}
        datatype = "wikibase-item"
    else:
        datavalue = {"value": value, "type": "string"}
        datatype = "external-id"
    digest = hashlib.sha1(f"{subject}{prop}{value}".encode()).hexdigest()
    guid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    return {"mainsnak": {"snaktype": "value", "property": prop, "hash": digest,
                         "datavalue": datavalue, "datatype": datatype},
            "type": "statement", "id": f"{subject}${guid.upper()}", "rank": "normal"}


def entity(qid: str, zh: str = "", *, en: str = "", aliases: tuple[str, ...] = (),
           description: str = "", **claims: str | list[str]) -> dict[str, Any]:
    """An item as wbgetentities returns it; claims given as P31="Q…" or P131=["Q…", …]."""
    labels = {}
    if zh:
        labels["zh"] = _text("zh", zh)
    if en:
        labels["en"] = _text("en", en)
    return {
        "pageid": int(qid[1:]) + 100000, "ns": 0, "title": qid, "lastrevid": 2000000000,
        "modified": "2025-06-01T00:00:00Z", "type": "item", "id": qid,
        "labels": labels,
        "descriptions": {"zh": _text("zh", description)} if description else {},
        "aliases": {"zh": [_text("zh", a) for a in aliases]} if aliases else {},
        "claims": {p: [statement(qid, p, v) for v in ([vs] if isinstance(vs, str) else vs)]
                   for p, vs in claims.items()},
        "sitelinks": {},
    }


def hit(ent: dict[str, Any], matched: str, *, language: str = "zh") -> dict[str, Any]:
    """A wbsearchentities result for an entity, matched on its label or one of its aliases."""
    qid = ent["id"]
    label = ent["labels"].get(language, ent["labels"].get("en", {})).get("value", "")
    desc = ent["descriptions"].get(language, {}).get("value", "")
    out: dict[str, Any] = {
        "id": qid, "title": qid, "pageid": ent["pageid"],
        "concepturi": f"http://www.wikidata.org/entity/{qid}", "repository": "wikidata",
        "url": f"//www.wikidata.org/wiki/{qid}",
        "display": {"label": {"value": label, "language": language}},
        "label": label,
        "match": {"type": "label" if matched == label else "alias", "language": language,
                  "text": matched},
    }
    if desc:
        out["display"]["description"] = {"value": desc, "language": language}
        out["description"] = desc
    if matched != label:
        out["aliases"] = [matched]
    return out


class FakeWikidata:
    """The server: `entities` by QID, `searches` by search string → list of QIDs."""

    def __init__(self, entities: dict[str, dict[str, Any]] | None = None,
                 searches: dict[str, list[str]] | None = None) -> None:
        self.entities = dict(entities or {})
        self.searches = dict(searches or {})
        self.script: list[str] = []
        self.log: list[dict[str, Any]] = []  # one entry per request received
        self.stall = 1.0  # seconds a "timeout" answer waits
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.02})

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/w/api.php"

    def __enter__(self) -> FakeWikidata:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The status and JSON body for one request's parameters."""
        action = params.get("action")
        if action == "wbsearchentities":
            term = params.get("search", "")
            limit = int(params.get("limit", "7"))
            found = [q for q in self.searches.get(term, []) if q in self.entities]
            hits = [hit(self.entities[q], term, language=params.get("language", "zh"))
                    for q in found[:limit]]
            body: dict[str, Any] = {"searchinfo": {"search": term}, "search": hits,
                                    "success": 1}
            if len(found) > limit:
                body["search-continue"] = limit
            return 200, body
        if action == "wbgetentities":
            ids = [i for i in params.get("ids", "").split("|") if i]
            ents = {q: self.entities.get(q, {"id": q, "missing": ""}) for q in ids}
            return 200, {"entities": ents, "success": 1}
        return 200, {"error": {"code": "unknown_action",
                               "info": f"Unrecognized value for parameter \"action\": {action}.",
                               "*": "See https://www.wikidata.org/w/api.php for API usage."},
                     "servedby": "mw-api-ext.fake"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                query = urllib.parse.urlparse(self.path).query
                params = dict(urllib.parse.parse_qsl(query))
                with fake._lock:
                    fake.log.append({"params": params, "time": time.monotonic(),
                                     "user_agent": self.headers.get("User-Agent", ""),
                                     "path": urllib.parse.urlparse(self.path).path})
                    step = fake.script.pop(0) if fake.script else "ok"
                if urllib.parse.urlparse(self.path).path != "/w/api.php":
                    step = "404"
                if step == "timeout":
                    time.sleep(fake.stall)
                if step in ("429", "503", "404"):
                    self._send(int(step), {"error": {"code": "http", "info": step}},
                               {"Retry-After": "0"} if step == "429" else {})
                    return
                if step == "maxlag":
                    self._send(200, {"error": {"code": "maxlag", "info": "Waiting for a "
                                               "database server: 6 seconds lagged.",
                                               "host": "db1", "lag": 6, "type": "db",
                                               "*": "See https://www.mediawiki.org/w/api.php"},
                                     "servedby": "mw-api-ext.fake"}, {"Retry-After": "0"})
                    return
                status, body = fake.answer(params)
                self._send(status, body, {})

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on a stalled answer

            def log_message(self, *args: object) -> None:
                pass

        return Handler


# --- the cases of tests/test_linker.py: nodes, what Wikidata holds, and the right answers ------
# Items from the verified table keep their real QIDs (Q5826 西安市 …); every other item here is
# made up for the tests (Q900xxx) and says nothing about Wikidata.

CHINA = "Q148"


def case_entities() -> dict[str, dict[str, Any]]:
    """Every item the linker cases can see."""
    e = [
        # places of the verified table, with the P131 chain the location check walks
        entity(CHINA, "中华人民共和国", en="People's Republic of China"),
        entity("Q47974", "陕西省", en="Shaanxi", P31="Q900110", P131=CHINA, P17=CHINA),
        entity("Q5826", "西安市", en="Xi'an", aliases=("西安",), P31="Q900111", P131="Q47974",
               P17=CHINA, P442="61 01"),
        entity("Q45208", "吉林省", en="Jilin", P31="Q900110", P131=CHINA, P17=CHINA),
        entity("Q92161", "长春市", en="Changchun", P31="Q900111", P131="Q45208", P17=CHINA),
        entity("Q16967", "浙江省", en="Zhejiang", P31="Q900110", P131=CHINA, P17=CHINA),
        entity("Q4970", "杭州市", en="Hangzhou", aliases=("杭州高新区",), P31="Q900111",
               P131="Q16967", P17=CHINA),
        entity("Q43684", "河南省", en="Henan", P31="Q900110", P131=CHINA, P17=CHINA),
        entity("Q404429", "焦作市", en="Jiaozuo", P31="Q900111", P131="Q43684", P17=CHINA),
        entity("Q57448", "宁夏回族自治区", en="Ningxia", P31="Q900112", P131=CHINA, P17=CHINA),
        entity("Q211243", "银川市", en="Yinchuan", P31="Q900111", P131="Q57448", P17=CHINA),
        entity("Q57052", "江西省", en="Jiangxi", P31="Q900110", P131=CHINA, P17=CHINA),
        entity("Q11725", "重庆市", en="Chongqing", P31="Q900113", P131=CHINA, P17=CHINA),
        # classes (made up), judged by their labels and superclasses
        entity("Q900110", "中华人民共和国省份", en="province of China"),
        entity("Q900111", "地级市", en="prefecture-level city"),
        entity("Q900112", "自治区", en="autonomous region of China"),
        entity("Q900113", "直辖市", en="direct-administered municipality"),
        entity("Q900114", "县级市", en="county-level city"),
        entity("Q900115", "市辖区", en="district of China"),
        entity("Q900116", "县", en="county of China"),
        entity("Q900100", "国家级高新技术产业开发区",
               en="national high-tech industrial development zone", P279="Q900104"),
        entity("Q900104", "", en="special zone", P279="Q1073535"),
        entity("Q900102", "", en="science and technology zone of China", P279="Q900100"),
        entity("Q900101", "上市公司", en="public company", P279="Q900105"),
        entity("Q900105", "企业", en="business"),
        entity("Q15911903", "国家级新区", en="state-level new area", P31="Q900107"),
        entity("Q900107", "", en="type of administrative division"),
        # 1. 西安高新区: a clean match under the long name; the city turns up too (a place)
        entity("Q900001", "西安高新技术产业开发区", en="Xi'an Hi-Tech Industries Development Zone",
               P31="Q900100", P131="Q900201", P17=CHINA),
        entity("Q900201", "雁塔区", P31="Q900115", P131="Q5826", P17=CHINA),
        # 2. 长春高新区: the listed company of that name (wrong class) and the zone itself
        entity("Q900011", "长春高新技术产业(集团)股份有限公司", aliases=("长春高新",),
               P31="Q900101", P17=CHINA),
        entity("Q900012", "长春高新技术产业开发区", P31="Q900102", P131="Q92161", P17=CHINA),
        # 3. 通化医药高新区: only a company of that name exists
        entity("Q900021", "通化医药高新区", description="通化市的一家投资公司",
               P31="Q900101", P131=CHINA, P17=CHINA),
        # 4. 东宝: two Chinese firms go by it, equally well (ambiguous)
        entity("Q900031", "东宝", description="包头的一家明胶生产企业",
               aliases=("东宝生物技术股份有限公司",), P31="Q900101", P17=CHINA),
        entity("Q900032", "东宝", description="通化的一家制药企业",
               aliases=("通化东宝药业股份有限公司",), P31="Q900101", P17=CHINA),
        # 5. 沁阳市: a region confirmed by its division code
        entity("Q900041", "沁阳市", en="Qinyang", P31="Q900114", P131="Q404429", P17=CHINA,
               P442="41 08 82"),
        # 6. 永宁县: the one in Ningxia, and a namesake in Jiangxi (located elsewhere)
        entity("Q900051", "永宁县", en="Yongning County", P31="Q900116", P131="Q211243",
               P17=CHINA, P442="64 01 21"),
        entity("Q900052", "永宁县", description="江西省的一个历史县", P31="Q900116",
               P131="Q57052", P17=CHINA),
        # 7. 滨江区: Hangzhou's district, and one of another city
        entity("Q900061", "滨江区", en="Binjiang District", P31="Q900115", P131="Q4970",
               P17=CHINA, P442="33 01 08"),
        entity("Q900062", "滨江区", description="某市的市辖区", P31="Q900115", P131="Q900063",
               P17=CHINA),
        entity("Q900063", "某市", P31="Q900111", P17=CHINA),
        # 9. 杭州高新区: the city carries the name as an alias; the zone sits two steps down
        entity("Q900071", "杭州高新技术产业开发区", P31="Q900100", P131="Q900061", P17=CHINA),
        # 10. 两江新区: the class item itself turns up beside the new area
        entity("Q900091", "两江新区", en="Liangjiang New Area", P31="Q15911903",
               P131="Q11725", P17=CHINA),
    ]
    return {x["id"]: x for x in e}


def case_searches() -> dict[str, list[str]]:
    """What wbsearchentities finds for each string the cases search."""
    return {
        "西安高新区": [],
        "西安高新技术产业开发区": ["Q900001", "Q5826"],
        "长春高新区": ["Q900011"],
        "长春高新技术产业开发区": ["Q900012", "Q900011"],
        "通化医药高新区": ["Q900021"],
        "通化医药高新技术产业开发区": [],
        "东宝": ["Q900031", "Q900032"],
        "沁阳市": ["Q900041"],
        "永宁县": ["Q900052", "Q900051"],
        "滨江区": ["Q900062", "Q900061"],
        "芯鸿数智科技有限公司": [],
        "杭州高新区": ["Q4970"],
        "杭州高新技术产业开发区": ["Q900071"],
        "两江新区": ["Q15911903", "Q900091"],
    }
