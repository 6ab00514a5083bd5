"""Shared fixtures: the pipeline (offline segmenter), seed paths, and a doc helper."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def nlp():
    """The default pipeline, built once per test session."""
    from kg.nlp.pipeline import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """doc_id → decoded, normalised seed text."""
    from kg.corpus import read_document

    return {p.stem: read_document(p).text for p in sorted(SEEDS.glob("*.txt"))}


# --- a real build of the seeds, shared by test_queries, test_formats and test_cli ---------------


@pytest.fixture(scope="session")
def seeds_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of seeds/*.txt in a temporary directory (same file names)."""
    import shutil

    target = tmp_path_factory.mktemp("seeds_copy")
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def seeds_build(seeds_copy: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """kg.build.pipeline.build over the seeds copy, once per session: out_dir, ttl, store_path,
    result."""
    import types

    from kg.build.pipeline import build

    out_dir = tmp_path_factory.mktemp("seeds_out")
    result = build([seeds_copy], out_dir, html=False)
    return types.SimpleNamespace(out_dir=out_dir, ttl=out_dir / "kg.ttl",
                                 store_path=out_dir / "store", result=result)


@pytest.fixture(scope="session")
def extra_build(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """kg.build.pipeline.build over tests/gold/extra/*.txt, once per session (as seeds_build)."""
    import shutil
    import types

    from kg.build.pipeline import build

    source = tmp_path_factory.mktemp("extra_copy")
    for path in sorted((ROOT / "tests" / "gold" / "extra").glob("*.txt")):
        shutil.copyfile(path, source / path.name)
    out_dir = tmp_path_factory.mktemp("extra_out")
    result = build([source], out_dir, html=False)
    return types.SimpleNamespace(out_dir=out_dir, ttl=out_dir / "kg.ttl",
                                 store_path=out_dir / "store", result=result)


@pytest.fixture(scope="session")
def seeds_store(seeds_build):  # type: ignore[no-untyped-def]
    """The seeds build's Oxigraph store, opened read-only with kg.store.open_store."""
    from kg.store import open_store

    return open_store(seeds_build.store_path)


@pytest.fixture(scope="session")
def seeds_ttl_graph(seeds_build):  # type: ignore[no-untyped-def]
    """The seeds build's kg.ttl parsed by rdflib (an independent reader of the same graph)."""
    from rdflib import Graph

    return Graph().parse(seeds_build.ttl, format="turtle")


@pytest.fixture
def writable_seeds_store(seeds_store):  # type: ignore[no-untyped-def]
    """A fresh in-memory, writable copy of the seeds store (kg.store.memory_store)."""
    import io

    from kg.store import export, memory_store

    buf = io.BytesIO()
    export(seeds_store, "nq", buf)
    return memory_store(buf.getvalue())


# --- `slow` tests run only with --slow (e.g. the 20,000-node page in a real browser) ------------


def pytest_addoption(parser: pytest.Parser) -> None:
    try:
        parser.addoption("--slow", action="store_true", default=False,
                         help="also run the tests marked slow")
    except ValueError:  # another plugin or conftest already offers --slow
        pass


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a heavy test that runs only with --slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
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
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import virtuoso as vt

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
