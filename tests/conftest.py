"""Shared fixtures: the pipeline (offline segmenter), the seeds, and real builds made once per
session and reused read-only (a test that changes a build works on helpers.copy_build)."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from helpers import EXTRA, SEED_FILES, SEEDS, copy_corpus


@pytest.fixture(scope="session")
def nlp():
    """The default pipeline, built once per test session."""
    from kg.nlp.pipeline import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The project's seeds/ folder (read-only; seeds_copy or helpers.copy_corpus to change)."""
    return SEEDS


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """doc_id → decoded, normalised seed text."""
    from kg.corpus import read_document

    return {p.stem: read_document(p).text for p in SEED_FILES}


# --- real builds of the seeds and of the extra texts, one each per session -----------------------


@pytest.fixture(scope="session")
def seeds_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of seeds/*.txt in a temporary directory (same file names); the corpus of
    seeds_build, so only read it (copy_build gives a copy to change)."""
    return copy_corpus(tmp_path_factory.mktemp("seeds_copy"))


def _build(corpus: Path, out_dir: Path) -> types.SimpleNamespace:
    from kg.build.pipeline import build

    result = build([corpus], out_dir, html=False)
    return types.SimpleNamespace(corpus=corpus, out_dir=out_dir, ttl=out_dir / "kg.ttl",
                                 store_path=out_dir / "store", result=result)


@pytest.fixture(scope="session")
def seeds_build(seeds_copy: Path,
                tmp_path_factory: pytest.TempPathFactory) -> types.SimpleNamespace:
    """kg.build.pipeline.build over the seeds copy, once per session: corpus, out_dir, ttl,
    store_path, result. Read-only: a test that changes it works on helpers.copy_build."""
    return _build(seeds_copy, tmp_path_factory.mktemp("seeds_out"))


@pytest.fixture(scope="session")
def extra_build(tmp_path_factory: pytest.TempPathFactory) -> types.SimpleNamespace:
    """kg.build.pipeline.build over tests/gold/extra/*.txt, once per session (as seeds_build)."""
    source = copy_corpus(tmp_path_factory.mktemp("extra_copy"), sorted(EXTRA.glob("*.txt")))
    return _build(source, tmp_path_factory.mktemp("extra_out"))


@pytest.fixture(scope="session")
def seeds_store(seeds_build):  # type: ignore[no-untyped-def]
    """The seeds build's Oxigraph store, opened read-only with kg.store.open_store."""
    from kg.store import open_store

    return open_store(seeds_build.store_path)


@pytest.fixture(scope="session")
def seeds_nquads(seeds_store) -> bytes:  # type: ignore[no-untyped-def]
    """Every quad of the seeds store as N-Quads, exported once."""
    import io

    from kg.store import export

    buf = io.BytesIO()
    export(seeds_store, "nq", buf)
    return buf.getvalue()


@pytest.fixture(scope="session")
def seeds_memory_store(seeds_nquads):  # type: ignore[no-untyped-def]
    """The seeds graph in the rdflib backend (open_store("memory")), loaded once: read-only."""
    from kg.store import load_nquads, open_store

    store = open_store("memory")
    load_nquads(store, seeds_nquads)
    return store


@pytest.fixture(scope="session")
def seeds_ttl_graph(seeds_build):  # type: ignore[no-untyped-def]
    """The seeds build's kg.ttl parsed by rdflib (an independent reader of the same graph)."""
    from rdflib import Graph

    return Graph().parse(seeds_build.ttl, format="turtle")


@pytest.fixture
def writable_seeds_store(seeds_nquads):  # type: ignore[no-untyped-def]
    """A fresh in-memory, writable copy of the seeds store (kg.store.memory_store)."""
    from kg.store import memory_store

    return memory_store(seeds_nquads)


# --- `slow` tests run only with --slow ---------------------------------------------------------
# The marker is declared in pyproject.toml ([tool.pytest.ini_options] markers). A test is slow
# when it repeats at large what a default-run test already checks (the 20,000-node page in a
# browser, every page of every answer on the rdflib backend, the notebooks end to end).


def pytest_addoption(parser: pytest.Parser) -> None:
    """Offer --slow, which also runs the tests marked slow."""
    try:
        parser.addoption("--slow", action="store_true", default=False,
                         help="also run the tests marked slow")
    except ValueError:  # another plugin or conftest already offers --slow
        pass


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked slow unless --slow was given."""
    if config.getoption("--slow", default=False):
        return
    skip = pytest.mark.skip(reason="slow test: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# --- a real Virtuoso (Debian's virtuoso-opensource), started once per session on 127.0.0.1 -------


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A Virtuoso server with its own ini and files in a temporary folder; skipped if absent."""
    import virtuoso as vt  # tests/virtuoso.py

    reason = vt.missing()
    if reason:
        pytest.skip(reason)
    server = vt.start(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture
def virtuoso_url(virtuoso) -> str:  # type: ignore[no-untyped-def]
    """The SPARQL endpoint of the session's Virtuoso, emptied of parks-kg graphs and locks."""
    from kg.store import Changes, open_store

    store = open_store(virtuoso.sparql)
    store.break_lock()
    store.write(Changes(reset=True))
    return virtuoso.sparql
