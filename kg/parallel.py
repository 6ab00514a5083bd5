"""Extraction on several cores: documents out to worker processes, records back in input order.

Each worker builds its own pipeline once (on its first document) and keeps it. A document goes
out as a small tuple of its fields (or as a file path the worker reads itself) and its record
comes back as one compact JSON string, which is cheaper to pickle than the dataclasses and
carries every field of the record, so a record made in a worker equals one made in process.
When asked (`graphs`), the worker also writes the document's N-Quads (all but the label quads,
which depend on every document: `kg.rdf.nquads_body`), so the main process only loads them.
At most a few documents per worker are in flight, so memory does not grow with the corpus.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any

from kg.corpus import Document
from kg.records import DocRecord, Entity, Evidence, Relation

IN_FLIGHT = 4  # documents queued per worker: enough to keep it busy, few enough to bound memory

_nlp: Any = None  # the worker's pipeline, built on its first document


def resolve_jobs(jobs: int | None) -> int:
    """The number of worker processes: `jobs`, or every core for 0 or None."""
    if not jobs:
        return os.cpu_count() or 1
    if jobs < 0:
        raise ValueError(f"jobs must be 0 (all cores) or more, not {jobs}")
    return jobs


def extract_parallel(documents: Iterable[Document | str | Path], jobs: int | None = 1, *,
                     pkuseg_model: str | Path | None = None,
                     start_method: str | None = None,
                     graphs: dict[str, bytes] | None = None) -> Iterator[DocRecord]:
    """One DocRecord per document or file path, in input order, extracted by `jobs` processes.

    `jobs=1` runs in this process; 0 or None uses every core. `start_method` is a
    multiprocessing start method (default: 'fork' where the platform has it, else 'spawn').
    A file that cannot be read raises `kg.errors.InputError`, as `kg.corpus.read_document` does.
    With `graphs`, each record's `kg.rdf.nquads_body` (UTF-8) is put there under its path
    before the record is yielded (the caller may pop it).
    """
    for rec, body in _records(documents, resolve_jobs(jobs), pkuseg_model, start_method,
                              graphs is not None):
        if graphs is not None and body is not None:
            graphs[rec.path] = body
        yield rec


def _records(documents: Iterable[Document | str | Path], n: int,
             pkuseg_model: str | Path | None, start_method: str | None, rdf: bool
             ) -> Iterator[tuple[DocRecord, bytes | None]]:
    if n == 1:
        from kg.extract import extract_one
        from kg.nlp import build_nlp

        nlp = None
        for item in documents:
            doc = item if isinstance(item, Document) else _read(item)
            if nlp is None:
                nlp = build_nlp(pkuseg_model=pkuseg_model)
            rec = extract_one(doc, nlp)
            yield rec, _body(rec) if rdf else None
        return
    methods = multiprocessing.get_all_start_methods()
    method = start_method or ("fork" if "fork" in methods else "spawn")
    model = None if pkuseg_model is None else str(pkuseg_model)
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(n, initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
        pending: deque[tuple[Document | None, Any]] = deque()
        for item in documents:
            if isinstance(item, Document):
                task: tuple[Any, ...] = astuple(item)
                pending.append((item, pool.apply_async(_work, (task, model, rdf))))
            else:
                pending.append((None, pool.apply_async(_work, (str(item), model, rdf))))
            if len(pending) >= n * IN_FLIGHT:
                yield _finish(*pending.popleft())
        while pending:
            yield _finish(*pending.popleft())


def _watch_parent(parent: int) -> None:
    """In a worker: end this process soon after the build that started it dies (SIGKILL)."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()


def _read(path: str | Path) -> Document:
    from kg.corpus import read_document

    return read_document(Path(path))


def _body(rec: DocRecord) -> bytes:
    from kg.rdf import nquads_body

    return nquads_body(rec).encode("utf-8", "replace")


def _work(task: tuple[Any, ...] | str, pkuseg_model: str | None, rdf: bool = False
          ) -> tuple[str, bytes | None]:
    """In a worker: extract one document (fields or path); its record as JSON (and N-Quads)."""
    global _nlp
    from kg.extract import extract_one

    if _nlp is None:
        from kg.nlp import build_nlp

        _nlp = build_nlp(pkuseg_model=pkuseg_model)
    doc = _read(task) if isinstance(task, str) else Document(*task)
    rec = extract_one(doc, _nlp)
    return encode(rec, text=isinstance(task, str)), _body(rec) if rdf else None


def _finish(doc: Document | None, result: Any) -> tuple[DocRecord, bytes | None]:
    data, body = result.get()
    rec = decode(data)
    if doc is not None:
        rec.text = doc.text
    return rec, body


def encode(rec: DocRecord, *, text: bool = False) -> str:
    """Every field of a record as one compact JSON string (the text only if asked)."""
    obj = {
        "doc_id": rec.doc_id, "title": rec.title, "path": rec.path, "sha256": rec.sha256,
        "entities": [[e.name, e.type, e.aliases, e.mentions, e.rule] for e in rec.entities],
        "relations": [[r.head, r.relation, r.tail, r.amount_cny, r.amount_text, r.qualifier,
                       [astuple(ev) for ev in r.evidence]] for r in rec.relations],
    }
    if text:
        obj["text"] = rec.text
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def decode(data: str) -> DocRecord:
    """The record `encode` wrote, field for field."""
    obj = json.loads(data)
    entities = [Entity(name, type_, aliases, [tuple(m) for m in mentions], rule)
                for name, type_, aliases, mentions, rule in obj["entities"]]
    relations = [Relation(head, rel, tail, cny, text, qualifier, [Evidence(*ev) for ev in evs])
                 for head, rel, tail, cny, text, qualifier, evs in obj["relations"]]
    return DocRecord(obj["doc_id"], entities, relations, title=obj["title"], path=obj["path"],
                     sha256=obj["sha256"], text=obj.get("text", ""))
