"""kg.store and incremental builds: every backend answers alike; builds are incremental, safe
against failure and Ctrl-C, locked against a second writer, and exact (= a full rebuild)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from helpers import SEED_FILES, copy_build
from rdflib import Dataset, Graph

import kg.build.pipeline as pipeline
from kg.build.pipeline import RecordCache, build, fingerprint
from kg.cli import cli
from kg.corpus import read_document
from kg.errors import KgError, StoreError
from kg.extract.records import DocRecord, Entity, Evidence, Relation
from kg.formats import plain
from kg.queries import Query, load_query, run_page, run_query, stored_queries
from kg.store import (
    STATS_GRAPH,
    OxigraphStore,
    load_nquads,
    open_store,
    stored_documents,
)

SEEDS = SEED_FILES


def _quad_set(store) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(q) for q in store.quads(merged=False)}


def _norm_quads(store) -> set[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    return {(str(q.subject), str(q.predicate), _value(q.object), q.graph_name.value)
            for q in store.quads(merged=False)}


def _value(term) -> str:  # type: ignore[no-untyped-def]
    """A term's value, numbers compared by value (Virtuoso stores 5E9 decimals as integers)."""
    text = plain(term)
    try:
        return str(Decimal(text).normalize()) if text and text[0] in "-0123456789" else text
    except ArithmeticError:
        return text


def _rows(rows) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[_value(t) for t in row] for row in rows]


def _cases(store) -> list[tuple[str, Query, dict[str, str]]]:  # type: ignore[no-untyped-def]
    """Every stored query with each choice of parameters: real labels for required parameters
    and each type for an optional `type`; keyed by the query's name and the parameters."""
    names = [r[0].value for r in run_query(store, load_query("parks-ranked"))[1]][:3]
    names += [r[1].value for r in run_query(store, load_query("entities-by-type"))[1]][:3]
    cases = []
    for name, q in stored_queries().items():
        required = [p for p in q.params.values() if p.required]
        choices: list[dict[str, str]] = [{}]
        if required:
            choices = [{p.name: v for p in required} for v in names]
        if "type" in q.params:
            choices += [{"type": t} for t in ("Park", "Enterprise", "Region", "x\" } #")]
        cases += [(f"{name} {params}", q, params) for params in choices]
    return cases


def _pages(store, q: Query, params: dict[str, str]) -> list[list[list[str]]]:  # type: ignore[no-untyped-def]
    """The rows of each page of 4 rows (or keys), until a page says no more follow."""
    pages, offset, more = [], 0, True
    while more:
        page = run_page(store, q, params, limit=4, offset=offset)
        pages.append(_rows(page.rows))
        offset, more = offset + 4, page.more
    return pages


def _answers(store) -> dict[str, list[list[str]]]:  # type: ignore[no-untyped-def]
    """Every stored query's rows on a store for each case, and its pages one after the other."""
    out = {}
    for key, q, params in _cases(store):
        out[key] = _rows(run_query(store, q, params)[1])
        out[key + " paged"] = [row for page in _pages(store, q, params) for row in page]
    return out


# --- backends ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_answers(seeds_store) -> dict[str, list[list[str]]]:  # type: ignore[no-untyped-def]
    return _answers(seeds_store)


def test_store_every_oxigraph_backend_gives_the_same_answers(seeds_nquads, seeds_store,
                                                             seeds_answers, tmp_path):
    reference = seeds_answers
    assert any(rows for rows in reference.values())
    assert all(rows for key, rows in reference.items() if key.startswith("parks-ranked"))
    assert any(rows for key, rows in reference.items() if key.startswith("park-enterprises"))
    for key, rows in reference.items():
        if key.endswith(" paged"):
            assert rows == reference[key.removesuffix(" paged")], key
    stores = {"oxigraph-memory": OxigraphStore()}
    disk = open_store(tmp_path / "store", writable=True)
    stores["disk"] = disk
    for store in stores.values():
        load_nquads(store, seeds_nquads)
    for name, store in stores.items():
        assert _quad_set(store) == _quad_set(seeds_store), name
        got = _answers(store)
        assert got.keys() == reference.keys()
        for key, rows in reference.items():
            assert got[key] == rows, f"{name}: {key}"
    disk.close()


def _assert_answers_as_oxigraph(store, seeds_store, seeds_answers,  # type: ignore[no-untyped-def]
                                skip: frozenset[str] = frozenset()) -> None:
    """`store` answers every case as the seeds store does, and gives the first and the last
    page of 4 of each query's first case as expected: Oxigraph's pages where the engine pages
    (by row or by key), else the whole answer cut in slices of 4 rows (a remote store).
    Queries named in `skip` are left out (and not required)."""
    cases = _cases(store)
    assert {key for key, _, _ in cases} == {k for k in seeds_answers if not k.endswith(" paged")}
    paged = set(skip)
    for key, q, params in cases:
        if q.name in skip:
            continue
        whole = seeds_answers[key]
        assert _rows(run_query(store, q, params)[1]) == whole, key
        if q.name in paged:
            continue
        paged.add(q.name)
        if getattr(store, "pages_in_engine", True):
            want = _pages(seeds_store, q, params)
        else:
            want = [whole[i:i + 4] for i in range(0, len(whole), 4)] or [[]]
        for i in sorted({0, len(want) - 1}):
            page = run_page(store, q, params, limit=4, offset=4 * i)
            assert _rows(page.rows) == want[i], f"{key}, page {i + 1} of {len(want)}"
            assert page.more == (i < len(want) - 1), f"{key}, page {i + 1} of {len(want)}"
    assert paged == set(stored_queries())


# rdflib takes 18 s for one answer of zone-type-activity and 1-2 s for the other register
# queries (over the register's 2,546 zones), times every case and page: the default run
# leaves them to --slow, which checks them with every page
RDFLIB_SLOW = frozenset({"zone-type-activity", "zones-unmentioned", "parks-by-zone",
                         "zone-list"})


def test_store_rdflib_backend_gives_the_same_answers(seeds_memory_store, seeds_store,
                                                     seeds_answers, request):
    """The rdflib backend ("memory") as Oxigraph: every case, and the first and last page of
    each query. rdflib evaluates the whole query for every page (0.3 s a page of the big
    lists), so walking all 200-odd pages of every case is left to
    test_store_every_page_alike (--slow), as are the queries of RDFLIB_SLOW."""
    assert _quad_set(seeds_memory_store) == _quad_set(seeds_store)
    skip = frozenset() if request.config.getoption("--slow") else RDFLIB_SLOW
    _assert_answers_as_oxigraph(seeds_memory_store, seeds_store, seeds_answers, skip)


def _loaded_virtuoso(url: str, nquads: bytes):  # type: ignore[no-untyped-def]
    remote = open_store(url, writable=True)
    load_nquads(remote, nquads, fingerprint="test")
    return remote


def test_store_virtuoso_gives_the_same_answers(seeds_nquads, seeds_store, seeds_answers,
                                               virtuoso_url):
    """Virtuoso as Oxigraph: every case, and the first and last page of each query (every
    page of every case: test_store_every_page_alike, --slow)."""
    remote = _loaded_virtuoso(virtuoso_url, seeds_nquads)
    try:
        assert stored_documents(remote) == stored_documents(seeds_store)
        assert remote.fingerprint() == "test"
        _assert_answers_as_oxigraph(remote, seeds_store, seeds_answers)
        # the same statements come back (numbers by value: Virtuoso keeps 5E9 as an integer)
        assert _norm_quads(remote) == _norm_quads(seeds_store)
    finally:
        remote.close()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["memory", "virtuoso"])
def test_store_every_page_alike(backend, seeds_memory_store, seeds_nquads, seeds_answers,
                                request):
    """Every page of every case, walked one after the other, on the backends whose default
    test looks at the first and the last page only."""
    if backend == "memory":
        store = seeds_memory_store
    else:
        store = _loaded_virtuoso(request.getfixturevalue("virtuoso_url"), seeds_nquads)
    try:
        got = _answers(store)
    finally:
        if backend != "memory":
            store.close()
    assert got.keys() == seeds_answers.keys()
    for key, rows in seeds_answers.items():
        assert got[key] == rows, f"{backend}: {key}"


def test_store_remote_lock_refuses_a_second_writer(virtuoso_url):
    first = open_store(virtuoso_url, writable=True)
    try:
        with pytest.raises(StoreError, match="another build is writing"):
            open_store(virtuoso_url, writable=True)
    finally:
        first.close()
    open_store(virtuoso_url, writable=True).close()  # released


def test_store_remote_digest_auth_from_environment(virtuoso, virtuoso_url, monkeypatch,
                                                   seeds_nquads):
    auth = virtuoso.sparql_auth
    monkeypatch.setenv("KG_STORE_USER", "dba")
    monkeypatch.setenv("KG_STORE_PASSWORD", "wrong")
    with pytest.raises(StoreError, match="HTTP 401"):
        open_store(auth).select("ASK {}")
    monkeypatch.setenv("KG_STORE_PASSWORD", "dba")
    store = open_store(auth, writable=True)
    load_nquads(store, seeds_nquads)
    store.close()
    assert stored_documents(open_store(virtuoso_url))
    with pytest.raises(StoreError, match="KG_STORE_USER"):
        open_store(auth.replace("http://", "http://dba:dba@"))


def test_store_unreachable_endpoint_is_one_line():
    with pytest.raises(StoreError) as info:
        open_store("http://127.0.0.1:9/sparql").select("ASK {}")
    assert "cannot reach" in str(info.value) and "\n" not in str(info.value)


# --- incremental builds ---------------------------------------------------------------------------


def _tree(path: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(path)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in path.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def incremental(seeds_build, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Seeds built (a copy of the session's build), built again unchanged, then changed (edit,
    delete, add) and built again."""
    work = tmp_path_factory.mktemp("incremental")
    copy = copy_build(seeds_build, work)
    corpus, out = copy.corpus, copy.out
    first = seeds_build.result
    files = {"ttl": (out / "kg.ttl").read_bytes(), "store": _tree(out / "store")}
    second = build([corpus], out, html=False)
    after_second = {"ttl": (out / "kg.ttl").read_bytes(), "store": _tree(out / "store")}
    edited, deleted = SEEDS[0].name, SEEDS[1].name
    text = read_document(corpus / edited).text
    (corpus / edited).write_text(text + "\n" + read_document(SEEDS[3]).text.split("\n")[2],
                                 encoding="utf-8")
    (corpus / deleted).unlink()
    (corpus / "new_article.txt").write_text(read_document(SEEDS[4]).text[:600],
                                            encoding="utf-8")
    third = build([corpus], out, html=False)
    shutil.copytree(out / "cache", work / "full" / "cache")  # a fresh store, the same records
    full = build([corpus], work / "full", html=False, rebuild=True)
    return type("Run", (), dict(work=work, corpus=corpus, out=out, first=first, second=second,
                                third=third, full=full, files=files,
                                after_second=after_second, deleted=deleted))


def test_store_second_build_extracts_nothing_and_writes_nothing(incremental):
    assert incremental.first.extracted == len(SEEDS)
    assert incremental.second.extracted == 0 and incremental.second.unchanged
    assert incremental.after_second == incremental.files  # same files, same inodes and times


def test_store_changed_corpus_extracts_only_new_and_changed(incremental):
    third = incremental.third
    assert third.extracted == 2  # the edited file and the new one
    assert third.removed == 1
    docs = stored_documents(open_store(incremental.out / "store"))
    assert set(docs) == {p.stem for p in incremental.corpus.glob("*.txt")}
    assert incremental.deleted.removesuffix(".txt") not in docs


def test_store_incremental_graph_equals_full_rebuild(incremental):
    inc = open_store(incremental.out / "store")
    full = open_store(incremental.work / "full" / "store")
    assert _quad_set(inc) == _quad_set(full)
    assert {str(t) for t in inc.quads(merged=True)} == {str(t) for t in full.quads(merged=True)}
    a = Graph().parse(incremental.out / "kg.ttl")
    b = Graph().parse(incremental.work / "full" / "kg.ttl")
    assert set(a) == set(b)


def _record(doc: Path, names: list[str]) -> DocRecord:
    """A hand-made record for a file: each name a Park mentioned at its first occurrence."""
    d = read_document(doc)
    ents = []
    for n in names:
        start = d.text.index(n)
        ents.append(Entity(n, "Park", mentions=[(start, start + len(n))]))
    ev = Evidence(d.text[: len(names[0]) + 4], 0, len(names[0]) + 4, "partOf.test")
    rels = [Relation(names[0], "partOf", names[-1], evidence=[ev])] if len(names) > 1 else []
    return DocRecord(d.doc_id, ents, rels, d.title, d.path, d.sha256, d.text)


def test_store_label_change_rewrites_unchanged_documents(tmp_path):
    """b.txt gives a park a longer name: a.txt's graph (unchanged) must carry the new label."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    a, b = corpus / "a.txt", corpus / "b.txt"
    a.write_text("西安高新区和长安园区。\n", encoding="utf-8")
    b.write_text("西安高新区发布新政。\n", encoding="utf-8")
    cache = RecordCache(tmp_path / "out" / "cache", fingerprint()[0])
    cache.put(_record(a, ["西安高新区", "长安园区"]))
    cache.put(_record(b, ["西安高新区"]))
    first = build([corpus], tmp_path / "out", html=False)
    assert first.extracted == 0  # every record came from the cache
    b.write_text("西安国家高新区发布新政。西安高新技术产业开发区也来了。\n", encoding="utf-8")
    cache.put(_record(b, ["西安高新技术产业开发区", "西安国家高新区"]))
    second = build([corpus], tmp_path / "out", html=False)
    assert second.extracted == 0 and second.replaced == 2  # b changed, a relabelled
    full = build([corpus], tmp_path / "out", html=False, rebuild=True,
                 store_path=tmp_path / "full_store")  # same cache, a fresh store
    assert full.extracted == 0 and full.entities == {"Park": 2}  # distinct: 西安…, 长安园区
    inc = open_store(tmp_path / "out" / "store")
    assert _quad_set(inc) == _quad_set(open_store(tmp_path / "full_store"))
    a_labels = {q.object.value for q in inc.quads(merged=False)
                if q.graph_name.value.endswith("/graph/a")
                and q.predicate.value.endswith("rdf-schema#label")}
    assert "西安高新技术产业开发区" in a_labels and "西安高新区" not in a_labels


def test_store_rebuild_flag_starts_clean(incremental):
    full = incremental.full
    assert full.replaced == full.documents and not full.unchanged
    assert full.extracted == 0  # the records cache still serves every document


# --- failures, interruptions and locks ------------------------------------------------------


@pytest.fixture
def built_once(seeds_build, tmp_path):  # type: ignore[no-untyped-def]
    """A copy of the seeds build with one seed file changed (not built yet)."""
    copy = copy_build(seeds_build, tmp_path)
    corpus, out = copy.corpus, copy.out
    before = _quad_set(open_store(out / "store"))
    (corpus / SEEDS[0].name).write_text("西安高新区新增企业。\n", encoding="utf-8")
    return corpus, out, before


@pytest.mark.parametrize("exc", [KeyboardInterrupt, OSError, RuntimeError])
def test_store_interrupted_write_leaves_previous_graph(built_once, monkeypatch, exc):
    corpus, out, before = built_once
    ttl = (out / "kg.ttl").read_bytes()

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise exc("interrupted")

    monkeypatch.setattr(pipeline, "_stage_outputs", boom)
    with pytest.raises((exc, KgError)):
        build([corpus], out, html=False)
    store = open_store(out / "store")
    assert _quad_set(store) == before
    assert run_query(store, load_query("parks-ranked"))[1]
    assert (out / "kg.ttl").read_bytes() == ttl
    assert sorted(p.name for p in out.iterdir()) == [".store.lock", "cache", "kg.ttl", "store"]


def test_store_interrupted_extraction_leaves_previous_graph(built_once, monkeypatch):
    corpus, out, before = built_once

    def boom(docs, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "extract_records", boom)
    with pytest.raises(KeyboardInterrupt):
        build([corpus], out, html=False)
    assert _quad_set(open_store(out / "store")) == before


def test_store_second_writer_is_refused_with_a_clear_message(built_once):
    corpus, out, before = built_once
    holder = open_store(out / "store", writable=True)
    try:
        with pytest.raises(StoreError, match="another build is writing this store"):
            build([corpus], out, html=False)
        result = CliRunner().invoke(cli, ["build", str(corpus), "-o", str(out), "--no-html"])
        assert result.exit_code != 0
        assert len(result.stderr.strip().splitlines()) == 1
        assert "another build is writing" in result.stderr
        assert run_query(open_store(out / "store"), load_query("parks-ranked"))[1]  # readable
    finally:
        holder.close()
    assert _quad_set(open_store(out / "store")) == before


def test_store_remote_build_is_incremental(seeds_build, tmp_path, virtuoso_url):
    shutil.copytree(seeds_build.out_dir / "cache", tmp_path / "out" / "cache")
    corpus = seeds_build.corpus
    out = tmp_path / "out"
    first = build([corpus], out, html=False, store_path=virtuoso_url)
    second = build([corpus], out, html=False, store_path=virtuoso_url)
    assert first.replaced == len(SEEDS) and first.extracted == 0
    assert second.unchanged and second.extracted == 0
    remote = open_store(virtuoso_url)
    assert _norm_quads(remote) == _norm_quads(open_store(seeds_build.store_path))
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "parks-ranked", "--store", virtuoso_url,
                                 "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"]["bindings"]
    nt = runner.invoke(cli, ["export", "--format", "nt", "--store", virtuoso_url])
    assert nt.exit_code == 0, nt.stderr
    local = open_store(seeds_build.store_path)
    got = {(str(t.subject), str(t.predicate), _value(t.object))
           for t in ox.parse(nt.stdout_bytes, format=ox.RdfFormat.N_TRIPLES)}
    assert got == {(str(t.subject), str(t.predicate), _value(t.object))
                   for t in local.quads(merged=True)}


# --- export -------------------------------------------------------------------------------

FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_store_export_round_trips_every_format(fmt, seeds_build, tmp_path):
    store = open_store(seeds_build.store_path)
    target = tmp_path / f"kg.{fmt}"
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "-o", str(target),
                                      "--store", str(seeds_build.store_path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    if fmt in ("nq", "trig", "jsonld"):
        ds = Dataset()
        ds.parse(target, format=FORMATS[fmt])
        got = {(str(s), str(p), str(o), str(g)) for s, p, o, g in ds.quads((None,) * 4)}
        want = {(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value)
                for q in store.quads(merged=False)}
        assert got == want
        assert any(g == STATS_GRAPH for *_, g in got)
    else:
        g = Graph().parse(target, format=FORMATS[fmt])
        assert len(g) == sum(1 for _ in store.quads(merged=True))
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left


def test_store_export_to_stdout_streams_ntriples(seeds_build):
    result = CliRunner().invoke(cli, ["export", "--format", "nt", "--store",
                                      str(seeds_build.store_path)])
    assert result.exit_code == 0, result.stderr
    triples = list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == sum(1 for _ in open_store(seeds_build.store_path).quads(merged=True))


def test_store_export_errors_are_one_line(seeds_build, tmp_path):
    runner = CliRunner()
    bad = runner.invoke(cli, ["export", "--format", "xml", "--store",
                              str(seeds_build.store_path)])
    assert bad.exit_code != 0 and "unknown export format 'xml'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    missing = runner.invoke(cli, ["export", "--store", str(tmp_path / "none")])
    assert missing.exit_code != 0 and "no graph store here" in missing.stderr
    (tmp_path / "dir").mkdir()
    isdir = runner.invoke(cli, ["export", "-o", str(tmp_path / "dir"), "--store",
                                str(seeds_build.store_path)])
    assert isdir.exit_code != 0 and "is a directory" in isdir.stderr


def test_store_graph_formats_go_to_views_hook(seeds_build, tmp_path):
    target = tmp_path / "kg.graphml"
    result = CliRunner().invoke(cli, ["export", "--format", "graphml", "-o", str(target),
                                      "--store", str(seeds_build.store_path)])
    assert result.exit_code == 0, result.stderr
    assert "<graphml" in target.read_text(encoding="utf-8")
