"""kg.wikidata.client: the API client against a local server (timeouts, 429, retries, cache,
rate)."""

from __future__ import annotations

import pytest
from wikidata_server import FakeWikidata, entity

from kg.errors import LinkError
from kg.wikidata.client import USER_AGENT, WikidataClient, parse_entity, parse_search

# Responses written out literally, in the shapes the Wikibase API documents (not built by the
# helpers the other tests use), so that the parsers are checked against the format itself.
SEARCH_RESPONSE = {
    "searchinfo": {"search": "西安"},
    "search": [
        {"id": "Q5826", "title": "Q5826", "pageid": 6312,
         "concepturi": "http://www.wikidata.org/entity/Q5826", "repository": "wikidata",
         "url": "//www.wikidata.org/wiki/Q5826",
         "display": {"label": {"value": "西安市", "language": "zh"},
                     "description": {"value": "陕西省省会", "language": "zh"}},
         "label": "西安市", "description": "陕西省省会",
         "match": {"type": "alias", "language": "zh", "text": "西安"}, "aliases": ["西安"]},
        {"id": "Q900001", "title": "Q900001", "pageid": 1000001,
         "concepturi": "http://www.wikidata.org/entity/Q900001", "repository": "wikidata",
         "url": "//www.wikidata.org/wiki/Q900001",
         "display": {"label": {"value": "西安高新技术产业开发区", "language": "zh"}},
         "label": "西安高新技术产业开发区",
         "match": {"type": "label", "language": "zh", "text": "西安高新技术产业开发区"}},
    ],
    "search-continue": 2,
    "success": 1,
}

ENTITIES_RESPONSE = {
    "entities": {
        "Q900001": {
            "pageid": 1000001, "ns": 0, "title": "Q900001", "lastrevid": 2000000001,
            "modified": "2025-06-01T00:00:00Z", "type": "item", "id": "Q900001",
            "labels": {"zh": {"language": "zh", "value": "西安高新技术产业开发区"},
                       "en": {"language": "en", "value": "Xi'an Hi-Tech Zone"}},
            "descriptions": {"zh": {"language": "zh", "value": "国家级高新区"}},
            "aliases": {"zh": [{"language": "zh", "value": "西安高新区"}]},
            "claims": {
                "P31": [{"mainsnak": {"snaktype": "value", "property": "P31",
                                      "hash": "0d6a4a0a7e8e7a4b2a3e",
                                      "datavalue": {"value": {"entity-type": "item",
                                                              "numeric-id": 900100,
                                                              "id": "Q900100"},
                                                    "type": "wikibase-entityid"},
                                      "datatype": "wikibase-item"},
                         "type": "statement", "id": "Q900001$6A1B2C3D-0000-4000-8000-000000000001",
                         "rank": "normal"}],
                "P131": [
                    {"mainsnak": {"snaktype": "value", "property": "P131",
                                  "datavalue": {"value": {"entity-type": "item",
                                                          "numeric-id": 5826, "id": "Q5826"},
                                                "type": "wikibase-entityid"},
                                  "datatype": "wikibase-item"},
                     "type": "statement", "rank": "preferred",
                     "id": "Q900001$6A1B2C3D-0000-4000-8000-000000000002"},
                    {"mainsnak": {"snaktype": "value", "property": "P131",
                                  "datavalue": {"value": {"entity-type": "item",
                                                          "numeric-id": 900999},
                                                "type": "wikibase-entityid"},
                                  "datatype": "wikibase-item"},
                     "type": "statement", "rank": "deprecated",
                     "id": "Q900001$6A1B2C3D-0000-4000-8000-000000000003"},
                ],
                "P17": [{"mainsnak": {"snaktype": "somevalue", "property": "P17",
                                      "datatype": "wikibase-item"},
                         "type": "statement", "rank": "normal",
                         "id": "Q900001$6A1B2C3D-0000-4000-8000-000000000004"}],
                "P442": [{"mainsnak": {"snaktype": "value", "property": "P442",
                                       "datavalue": {"value": "61 01 71", "type": "string"},
                                       "datatype": "external-id"},
                          "type": "statement", "rank": "normal",
                          "id": "Q900001$6A1B2C3D-0000-4000-8000-000000000005"}],
            },
            "sitelinks": {},
        },
        "Q999999999": {"id": "Q999999999", "missing": ""},
    },
    "success": 1,
}


def test_wikidata_parse_search_reads_the_documented_shape():
    hits = parse_search(SEARCH_RESPONSE)
    assert [h.id for h in hits] == ["Q5826", "Q900001"]
    assert (hits[0].label, hits[0].description) == ("西安市", "陕西省省会")
    assert (hits[0].match_type, hits[0].match_text, hits[0].aliases) == ("alias", "西安", ("西安",))
    assert (hits[1].label, hits[1].description, hits[1].match_type) == (
        "西安高新技术产业开发区", "", "label")


def test_wikidata_parse_entity_reads_claims_and_skips_deprecated_and_valueless():
    ents = ENTITIES_RESPONSE["entities"]
    item = parse_entity(ents["Q900001"])
    assert item is not None
    assert item.label() == "西安高新技术产业开发区" and item.label("en") == "Xi'an Hi-Tech Zone"
    assert item.names() == ["西安高新技术产业开发区", "西安高新区", "Xi'an Hi-Tech Zone"]
    assert item.descriptions == {"zh": "国家级高新区"}
    assert item.claims == {"P31": ["Q900100"], "P131": ["Q5826"], "P442": ["61 01 71"]}
    assert parse_entity(ents["Q999999999"]) is None


# --- over HTTP -----------------------------------------------------------------------------------


def _client(fake: FakeWikidata, tmp_path, **kw) -> tuple[WikidataClient, list[float]]:
    waits: list[float] = []
    opts = {"cache_dir": tmp_path / "cache", "min_interval": 0.0, "timeout": 0.3,
            "backoff": 0.05, "retries": 3, "sleep": waits.append}
    opts.update(kw)
    return WikidataClient(fake.url, **opts), waits


@pytest.fixture
def fake():
    ents = {"Q5826": entity("Q5826", "西安市", en="Xi'an", aliases=("西安",), P31="Q900111"),
            "Q900111": entity("Q900111", "地级市", en="prefecture-level city")}
    with FakeWikidata(ents, {"西安": ["Q5826"]}) as server:
        yield server


def test_wikidata_search_sends_the_documented_parameters_and_user_agent(fake, tmp_path):
    client, _ = _client(fake, tmp_path)
    hits = client.search("西安")
    assert [(h.id, h.label, h.match_type) for h in hits] == [("Q5826", "西安市", "alias")]
    (req,) = fake.log
    assert req["path"] == "/w/api.php"  # the configured base URL, path included
    assert req["params"] == {"action": "wbsearchentities", "search": "西安", "language": "zh",
                             "uselang": "zh", "type": "item", "limit": "7", "format": "json"}
    assert req["user_agent"] == USER_AGENT
    assert req["user_agent"].startswith("parks-kg/") and "https://" in req["user_agent"]


def test_wikidata_entities_in_batches_of_fifty_missing_ones_left_out(fake, tmp_path):
    client, _ = _client(fake, tmp_path)
    ids = ["Q5826", *[f"Q{800000 + i}" for i in range(59)]]
    got = client.entities(ids)
    assert set(got) == {"Q5826"}
    assert got["Q5826"].claims == {"P31": ["Q900111"]}
    assert [len(r["params"]["ids"].split("|")) for r in fake.log] == [50, 10]
    assert fake.log[0]["params"]["props"] == "labels|descriptions|aliases|claims"


def test_wikidata_second_run_is_served_from_the_cache(fake, tmp_path):
    first, _ = _client(fake, tmp_path)
    a = (first.search("西安"), first.entities(["Q5826", "Q900111"]))
    sent = len(fake.log)
    again, _ = _client(fake, tmp_path)
    b = (again.search("西安"), again.entities(["Q900111", "Q5826"]))
    assert a == b
    assert len(fake.log) == sent == 2 and again.requests == 0 and again.cache_hits == 3
    other = WikidataClient(fake.url.replace("/w/api.php", "/api.php"),
                           cache_dir=tmp_path / "cache", min_interval=0)
    with pytest.raises(LinkError):  # another base URL is another cache; its path is wrong
        other.search("西安")


def test_wikidata_timeout_is_retried_with_backoff(fake, tmp_path):
    fake.script = ["timeout"]
    fake.stall = 0.8
    client, waits = _client(fake, tmp_path, timeout=0.2)
    assert [h.id for h in client.search("西安")] == ["Q5826"]
    assert client.requests == 2 and len(fake.log) == 2
    assert waits == [0.05]  # backoff before the second attempt


def test_wikidata_429_is_retried_after_the_time_it_asks(fake, tmp_path):
    fake.script = ["429", "429"]
    client, waits = _client(fake, tmp_path)
    assert [h.id for h in client.search("西安")] == ["Q5826"]
    assert client.requests == 3
    assert waits == [0.0, 0.0]  # Retry-After: 0 overrides the backoff


def test_wikidata_maxlag_and_503_are_retried(fake, tmp_path):
    fake.script = ["maxlag", "503"]
    client, waits = _client(fake, tmp_path)
    assert set(client.entities(["Q5826"])) == {"Q5826"}
    assert client.requests == 3 and waits == [0.0, 0.1]


def test_wikidata_gives_up_in_one_line_and_caches_no_error(fake, tmp_path):
    fake.script = ["503", "503", "503"]
    client, waits = _client(fake, tmp_path)
    with pytest.raises(LinkError) as info:
        client.search("西安")
    assert str(info.value) == ("Wikidata API: HTTP 503 after 3 attempts (wbsearchentities); "
                               "try again later")
    assert waits == [0.05, 0.1]  # exponential backoff
    assert [h.id for h in client.search("西安")] == ["Q5826"]  # the failure was not cached


def test_wikidata_other_http_errors_are_not_retried(fake, tmp_path):
    fake.script = ["404"]
    client, _ = _client(fake, tmp_path)
    with pytest.raises(LinkError, match="HTTP 404"):
        client.search("西安")
    assert len(fake.log) == 1


def test_wikidata_api_error_is_reported(fake, tmp_path):
    client, _ = _client(fake, tmp_path)
    with pytest.raises(LinkError, match="Unrecognized value for parameter"):
        client._call({"action": "wbnothing", "format": "json"})


def test_wikidata_requests_are_rate_limited(fake, tmp_path):
    import time

    client, _ = _client(fake, tmp_path, min_interval=0.15, sleep=time.sleep)
    for term in ("西安", "西安市", "陕西"):
        client.search(term)
    times = [r["time"] for r in fake.log]
    assert len(times) == 3
    assert all(b - a >= 0.14 for a, b in zip(times, times[1:], strict=False))


def test_wikidata_unreachable_server_fails_cleanly(tmp_path):
    client = WikidataClient("http://127.0.0.1:9/w/api.php", min_interval=0, retries=2,
                            backoff=0, sleep=lambda s: None, timeout=0.5)
    with pytest.raises(LinkError) as info:
        client.search("西安")
    assert "cannot connect" in str(info.value) and "after 2 attempts" in str(info.value)


def test_wikidata_base_url_must_be_http():
    with pytest.raises(LinkError, match="must start with http"):
        WikidataClient("ftp://example.org/api.php")
