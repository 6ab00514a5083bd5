"""The build: files → records → RDF → store, Turtle and an HTML view, nothing half-written.

Every output is written to a temporary file beside its target and renamed into place, so an
interrupted build leaves the previous outputs as they were.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.corpus import Document, iter_files, read_document
from kg.errors import InputError, KgError
from kg.records import DocRecord


@dataclass
class BuildResult:
    """What a build produced and what it had to skip."""

    documents: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)
    quads: int = 0
    skipped: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


def atomic_write(path: Path, data: bytes) -> None:
    """Write bytes to `path` through a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_documents(paths: Iterable[Path], warn: Callable[[str], None]) -> Iterator[Document]:
    """Read every file under `paths`, reporting each unreadable one through `warn`."""
    for path in iter_files(paths, warn):
        try:
            yield read_document(path)
        except InputError as exc:
            warn(str(exc))


def extract_records(documents: Iterable[Document], *, pkuseg_model: str | Path | None = None
                    ) -> Iterator[DocRecord]:
    """Run the extraction pipeline over documents, one record per document."""
    from kg.extract import extract
    from kg.nlp import build_nlp

    yield from extract(documents, build_nlp(pkuseg_model=pkuseg_model))


def build(paths: list[Path], out_dir: Path, *, store_path: Path | None = None,
          pkuseg_model: str | Path | None = None, html: bool = True,
          warn: Callable[[str], None] = lambda s: None,
          progress: Callable[[Iterable[Document]], Iterable[Document]] | None = None
          ) -> BuildResult:
    """Extract every file under `paths` and write out_dir/kg.ttl, the store and graph.html."""
    from kg.link import add_links
    from kg.rdf import to_graph

    result = BuildResult()

    def _warn(msg: str) -> None:
        result.skipped.append(msg)
        warn(msg)

    docs = list(read_documents(paths, _warn))
    if not docs:
        raise KgError("no readable documents in " + ", ".join(map(str, paths)))
    seq: Iterable[Document] = progress(docs) if progress else docs
    records = list(extract_records(seq, pkuseg_model=pkuseg_model))
    result.documents = len(records)
    for rec in records:
        for e in rec.entities:
            result.entities[e.type] = result.entities.get(e.type, 0) + 1
        for r in rec.relations:
            result.relations[r.relation] = result.relations.get(r.relation, 0) + 1
    ds = to_graph(records)
    add_links(ds)  # regions + Wikidata IDs into graphs id:graph/derived/* (kg.link, issue 5)
    union = union_graph(ds)
    _commit_outputs(ds, union, out_dir, store_path or out_dir / "store", html, result,
                    title="parks-kg: " + ", ".join(str(p) for p in paths))
    return result


def _commit_outputs(ds: object, union: object, out_dir: Path, store: Path, html: bool,
                    result: BuildResult, *, title: str) -> None:
    """Write every output beside its target first, then rename them all: all or nothing."""
    from kg.store import build_store, swap_dir

    if out_dir.exists() and not out_dir.is_dir():
        raise KgError(f"{out_dir}: exists and is not a directory; choose another --out")
    ttl, page = out_dir / "kg.ttl", out_dir / "graph.html"
    for target in (ttl, page) if html else (ttl,):
        if target.is_dir():
            raise KgError(f"{target}: is a directory; remove it or choose another --out")
    if store.exists() and not store.is_dir():
        raise KgError(f"{store}: exists and is not a store directory")
    staged: list[Path] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        ttl_tmp = _stage(out_dir, "kg.ttl")
        staged.append(ttl_tmp)
        ttl_tmp.write_bytes(union.serialize(format="turtle").encode("utf-8"))  # type: ignore
        page_tmp = None
        if html:
            from kg.views import render

            page_tmp = _stage(out_dir, "graph.html")
            staged.append(page_tmp)
            render(union, page_tmp, title=title)  # type: ignore[arg-type]
        nquads = ds.serialize(format="nquads").encode("utf-8")  # type: ignore[attr-defined]
        store_tmp, result.quads = build_store(nquads, store.parent, store.name)
        staged.append(store_tmp)
        # commit: renames only
        os.replace(ttl_tmp, ttl)
        if page_tmp is not None:
            os.replace(page_tmp, page)
        swap_dir(store_tmp, store)
    except OSError as exc:
        raise KgError(f"{exc.filename or out_dir}: cannot write output "
                      f"({exc.strerror or exc})") from None
    finally:
        for p in staged:
            if p.is_dir():
                import shutil

                shutil.rmtree(p, ignore_errors=True)
            elif p.exists():
                p.unlink()
    result.outputs += [ttl, store] + ([page] if html else [])


def _stage(out_dir: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    return Path(tmp)


def union_graph(ds: object):  # type: ignore[no-untyped-def]
    """All named graphs of a Dataset merged into one rdflib Graph (prefixes kept)."""
    from rdflib import Graph

    g = Graph()
    for prefix, ns in ds.namespaces():  # type: ignore[attr-defined]
        g.bind(prefix, ns)
    for s, p, o, _ in ds.quads((None, None, None, None)):  # type: ignore[attr-defined]
        g.add((s, p, o))
    return g
