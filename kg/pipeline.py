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
    for path in iter_files(paths):
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
    from kg.rdf import to_graph
    from kg.store import write_store

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
    union = union_graph(ds)
    ttl = out_dir / "kg.ttl"
    atomic_write(ttl, union.serialize(format="turtle").encode("utf-8"))
    result.outputs.append(ttl)
    store = store_path or out_dir / "store"
    result.quads = write_store(ds.serialize(format="nquads").encode("utf-8"), store)
    result.outputs.append(store)
    if html:
        from kg.views import render

        page = out_dir / "graph.html"
        render(union, page, title="parks-kg: " + ", ".join(str(p) for p in paths))
        result.outputs.append(page)
    return result


def union_graph(ds: object):  # type: ignore[no-untyped-def]
    """All named graphs of a Dataset merged into one rdflib Graph (prefixes kept)."""
    from rdflib import Graph

    g = Graph()
    for prefix, ns in ds.namespaces():  # type: ignore[attr-defined]
        g.bind(prefix, ns)
    for s, p, o, _ in ds.quads((None, None, None, None)):  # type: ignore[attr-defined]
        g.add((s, p, o))
    return g
