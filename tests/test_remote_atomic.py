"""A document graph in the SPARQL server (Virtuoso) is old or new, never half written.

Against the session's real Virtuoso: what the server itself guarantees (a failed request keeps
its earlier operations; one failed operation of a document's size keeps nothing), and what
kg.store.remote adds on top (each document staged, then published by one operation): readers
through `kg query --store http…` during a build, a writer killed with SIGKILL mid-document,
and a publish that fails in the server.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from helpers import SEED_FILES, copy_corpus

COPIES = 8  # names per seed text: a 40-document corpus
CHARS = 1500  # characters kept of each seed text
ADDED = "\n西安高新区新增一家示例科技有限公司。\n"  # appended to every document of version B
KG = Path(sys.executable).with_name("kg")
DOCS = "https://w3id.org/parks-kg/id/graph/"
STAGING = "https://w3id.org/parks-kg/id/staging/"
# per document as the merged graph shows it: its sha256 values and its mentions
STATE = """PREFIX pk: <https://w3id.org/parks-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id (COUNT(DISTINCT ?sha) AS ?shas) (SAMPLE(?sha) AS ?one) (COUNT(DISTINCT ?m) AS ?men)
WHERE { ?d a pk:Document ; dcterms:identifier ?id .
        OPTIONAL { ?d pk:sha256 ?sha } OPTIONAL { ?m pk:inDocument ?d } } GROUP BY ?id"""
SIZES = f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
    FILTER (STRSTARTS(STR(?g), "{DOCS}") && !STRSTARTS(STR(?g), "{DOCS}derived/")) }}
    GROUP BY ?g"""


def _post(url: str, kind: str, text: str) -> tuple[int, bytes]:
    body = urllib.parse.urlencode({kind: text}).encode()
    req = urllib.request.Request(url, data=body,
                                 headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _count(url: str, graph: str) -> int:
    status, body = _post(url, "query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> "
                                       "{ ?s ?p ?o } }")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def _triples(prefix: str, n: int) -> str:
    return " ".join(f"<urn:{prefix}{i}> <urn:p> {i} ." for i in range(n))


# --- what Virtuoso guarantees --------------------------------------------------------------


def test_virtuoso_keeps_the_first_operations_of_a_failed_request(virtuoso_url):
    """Two operations in one request, the second failing: the first stays (no rollback)."""
    g = "urn:test:two-ops"
    _post(virtuoso_url, "update", f"DROP SILENT GRAPH <{g}>")
    status, _ = _post(virtuoso_url, "update",
                      f"INSERT DATA {{ GRAPH <{g}> {{ {_triples('a', 3)} }} }} ; "
                      "LOAD <http://127.0.0.1:9/nothing.nt>")
    assert status == 500
    assert _count(virtuoso_url, g) == 3
    _post(virtuoso_url, "update", f"DROP SILENT GRAPH <{g}>")


def test_virtuoso_one_failed_operation_of_a_document_s_size_keeps_nothing(virtuoso_url):
    """One DELETE/INSERT operation (the shape kg.store.remote publishes with) that fails on a
    late row of 5,000: the old graph is whole, nothing of the new one is there."""
    stage, target = "urn:test:stage", "urn:test:target"
    for g in (stage, target):
        _post(virtuoso_url, "update", f"DROP SILENT GRAPH <{g}>")
    for i in range(0, 5000, 500):
        body = " ".join(f"<urn:new{j}> <urn:p> {j} ." for j in range(i, i + 500))
        status, _ = _post(virtuoso_url, "update", f"INSERT DATA {{ GRAPH <{stage}> {{ {body} }} }}")
        assert status == 200
    old = _triples("old", 300)
    _post(virtuoso_url, "update", f"INSERT DATA {{ GRAPH <{target}> {{ {old} }} }}")
    status, body = _post(virtuoso_url, "update", f"""
        DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <{target}> {{ ?a ?b ?c }} }}
        WHERE {{ {{ GRAPH <{target}> {{ ?s ?p ?o }} }}
                 UNION {{ GRAPH <{stage}> {{ ?a ?b ?c }}
                          FILTER (IF(?c = 4900, bif:signal('22023', 'fails mid-way'), true))
               }} }}""")
    assert status == 500 and b"fails mid-way" in body
    assert _count(virtuoso_url, target) == 300
    status, body = _post(virtuoso_url, "query",
                         f"ASK {{ GRAPH <{target}> {{ <urn:new1> ?p ?o }} }}")
    assert json.loads(body)["boolean"] is False
    for g in (stage, target):
        _post(virtuoso_url, "update", f"DROP SILENT GRAPH <{g}>")


# --- what parks-kg adds ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> types.SimpleNamespace:
    """Two versions of a 40-document corpus (B appends a sentence to every document), each
    built locally: per document, its sha256, mentions and graph size in A and in B; and B's
    record cache, so that a remote build of B only writes."""
    from kg.build.pipeline import build
    from kg.store import open_store

    short = copy_corpus(tmp_path_factory.mktemp("short"), SEED_FILES, chars=CHARS)
    a, b = tmp_path_factory.mktemp("version_a"), tmp_path_factory.mktemp("version_b")
    for path in sorted(short.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for i in range(COPIES):
            (a / f"{path.stem}_{i:02d}.txt").write_text(text, encoding="utf-8")
            (b / f"{path.stem}_{i:02d}.txt").write_text(text + ADDED, encoding="utf-8")
    out = {}
    expect: dict[str, dict[str, tuple[str, int]]] = {}
    sizes: dict[str, dict[str, int]] = {}
    for name, corpus in (("a", a), ("b", b)):
        out[name] = tmp_path_factory.mktemp(f"out_{name}")
        build([corpus], out[name], html=False, jobs=2)
        store = open_store(out[name] / "store")
        try:
            _, rows = store.select(STATE)
            expect[name] = {r[0].value: (r[2].value, int(r[3].value)) for r in rows}
            _, rows = store.select(SIZES)
            sizes[name] = {r[0].value: int(r[1].value) for r in rows}
        finally:
            store.close()
    assert len(expect["a"]) == len(SEED_FILES) * COPIES
    # every document differs between A and B in its hash, mentions and graph size
    assert all(expect["a"][d][0] != expect["b"][d][0] and expect["a"][d][1] < expect["b"][d][1]
               for d in expect["a"])
    assert len(sizes["a"]) == len(expect["a"])
    assert all(sizes["a"][g] < sizes["b"][g] for g in sizes["a"])
    return types.SimpleNamespace(a=a, b=b, out=out, expect=expect, sizes=sizes)


def _check_state(versions: types.SimpleNamespace, state: dict[str, tuple[int, str, int]],
                 sizes: dict[str, int]) -> tuple[int, int]:
    """Every document old (A) or new (B), whole; returns how many of each."""
    assert set(state) == set(versions.expect["a"]), "a document is missing"
    new = 0
    for doc, (shas, sha, mentions) in state.items():
        assert shas == 1, f"{doc}: {shas} sha256 values in the merged graph"
        assert (sha, mentions) in (versions.expect["a"][doc], versions.expect["b"][doc]), \
            f"{doc}: half written ({mentions} mentions)"
        new += (sha, mentions) == versions.expect["b"][doc]
    assert set(sizes) == set(versions.sizes["a"])
    for g, n in sizes.items():
        assert n in (versions.sizes["a"][g], versions.sizes["b"][g]), f"{g}: {n} triples"
    return len(state) - new, new


def _state_by_cli(url: str) -> dict[str, tuple[int, str, int]]:
    """The documents as a reader sees them through `kg query --store URL`."""
    out = subprocess.run([str(KG), "query", "--store", url, "--format", "json", "--limit", "0",
                          "-e", STATE], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["results"]["bindings"]
    return {r["id"]["value"]: (int(r["shas"]["value"]), r["one"]["value"] if "one" in r else "",
                               int(r["men"]["value"])) for r in rows}


def _state(url: str) -> dict[str, tuple[int, str, int]]:
    """The documents as the merged graph shows them, asked directly: fast, and without the
    retries kg.store makes, so it may see a document being published half old, half new."""
    status, body = _post(url, "query", STATE)
    assert status == 200, body
    rows = json.loads(body)["results"]["bindings"]
    return {r["id"]["value"]: (int(r["shas"]["value"]), r["one"]["value"] if "one" in r else "",
                               int(r["men"]["value"])) for r in rows}


def _sizes(url: str) -> dict[str, int]:
    """The size of each document graph, read through kg.store (as `kg query` reads)."""
    from kg.store import open_store

    store = open_store(url)
    try:
        _, rows = store.select(SIZES)
    finally:
        store.close()
    return {r[0].value: int(r[1].value) for r in rows}


def _staged(url: str) -> bool:
    status, body = _post(url, "query", f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} "
                                       f"FILTER STRSTARTS(STR(?g), \"{STAGING}\") }}")
    return bool(json.loads(body)["boolean"])


def _build_into(url: str, corpus: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(KG), "build", str(corpus), "-o", str(out), "--no-html",
                             "--store", url, *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_remote_readers_and_a_killed_writer_see_whole_documents(versions, tmp_path,
                                                                virtuoso_url):
    """Build A into Virtuoso; build B while readers query through `kg query --store` and
    kill that writer with SIGKILL while it has a document staged: every reader saw each
    document whole (A or B), the store after the kill holds each whole, and the next build
    finishes B exactly as the local build of B."""
    from kg.store import open_store

    out = tmp_path / "out"
    first = _build_into(virtuoso_url, versions.a, out)
    assert first.wait(300) == 0, first.stderr.read() if first.stderr else ""
    old, new = _check_state(versions, _state_by_cli(virtuoso_url), _sizes(virtuoso_url))
    assert new == 0
    shutil.rmtree(out / "cache")
    shutil.copytree(versions.out["b"] / "cache", out / "cache")  # B's records: the build writes

    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append(_check_state(versions, _state_by_cli(virtuoso_url),
                                         _sizes(virtuoso_url)))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertions below
                errors.append(exc)
                return

    thread = threading.Thread(target=reader)
    thread.start()
    writer = _build_into(virtuoso_url, versions.b, out)
    try:
        deadline = time.monotonic() + 240
        # wait until a few documents are published, then until one is staged
        while sum(sha == versions.expect["b"][d][0]
                  for d, (_, sha, _) in _state(virtuoso_url).items()) < 3:
            assert writer.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline
        while not _staged(virtuoso_url):
            assert writer.poll() is None, "the build ended before it could be killed"
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(30)
        time.sleep(1.0)  # readers go on reading the store the killed writer left
    finally:
        stop.set()
        thread.join(60)
        if writer.poll() is None:
            writer.kill()
    assert not errors, errors[0]
    assert len(seen) >= 3
    # killed with a document staged: its staging graph is left, or its publish request was
    # in the server, which finished it; either way each document is whole
    old, new = _check_state(versions, _state_by_cli(virtuoso_url), _sizes(virtuoso_url))
    assert 3 <= new < len(versions.expect["b"]) and old > 0

    again = _build_into(virtuoso_url, versions.b, out, "--break-lock")
    assert again.wait(300) == 0, again.stderr.read() if again.stderr else ""
    assert not _staged(virtuoso_url)
    assert _check_state(versions, _state_by_cli(virtuoso_url), _sizes(virtuoso_url))[0] == 0
    remote, local = open_store(virtuoso_url), open_store(versions.out["b"] / "store")
    try:
        assert _norm_quads(remote) == _norm_quads(local)
    finally:
        remote.close()
        local.close()


def test_remote_publish_failing_in_the_server_leaves_the_old_document(versions, tmp_path,
                                                                      virtuoso_url):
    """The server fails the publish operation of the 5th document part-way (a SQL error raised
    on one of its staged triples): that document and every later one stay as in A, the
    earlier ones are B, the build fails in one line, and a rebuild completes B."""
    from kg.build.pipeline import build
    from kg.errors import StoreError
    from kg.store import remote as remote_mod

    out = tmp_path / "out"
    assert build([versions.a], out, html=False, store_path=virtuoso_url).replaced
    shutil.rmtree(out / "cache")
    shutil.copytree(versions.out["b"] / "cache", out / "cache")

    publish = remote_mod.RemoteStore._publish
    calls = {"n": 0}

    def failing(self, graph: str, stage: str | None) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] != 5:
            return publish(self, graph, stage)
        mentions = "<https://w3id.org/parks-kg/ontology#inDocument>"
        text = self._update  # the requests publish sends, a failure put in its new rows
        sent: list[str] = []
        self._update = sent.append
        publish(self, graph, stage)
        del self._update
        where = f"GRAPH <{stage}> {{ ?ns ?np ?no }}"
        ops = [op.replace(where, f"{where} FILTER (IF(?np = {mentions}, "
                          "bif:signal('22023', 'fails mid-way'), true))") for op in sent]
        assert ops != sent
        for op in ops:
            text(op)

    remote_mod.RemoteStore._publish = failing  # type: ignore[method-assign]
    try:
        with pytest.raises(StoreError, match="fails mid-way") as info:
            build([versions.b], out, html=False, store_path=virtuoso_url)
    finally:
        remote_mod.RemoteStore._publish = publish  # type: ignore[method-assign]
    assert "\n" not in str(info.value).strip()
    old, new = _check_state(versions, _state_by_cli(virtuoso_url), _sizes(virtuoso_url))
    assert new == 4 and old == len(versions.expect["b"]) - 4
    res = build([versions.b], out, html=False, store_path=virtuoso_url, break_lock=True)
    assert res.replaced == old
    assert _check_state(versions, _state_by_cli(virtuoso_url), _sizes(virtuoso_url))[0] == 0


def _norm_quads(store) -> set[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """Quads with numbers compared by value: Virtuoso writes 5E9 decimals back as integers."""
    from decimal import Decimal, InvalidOperation

    from kg.formats import plain

    def value(term) -> str:  # type: ignore[no-untyped-def]
        text = plain(term)
        try:
            return str(Decimal(text).normalize()) if text[:1] in "-0123456789" else text
        except (InvalidOperation, ArithmeticError):
            return text

    return {(str(q.subject), str(q.predicate), value(q.object), q.graph_name.value)
            for q in store.quads(merged=False)}
