"""Extraction on several cores: documents out to worker processes, records back in input order.

With the 'fork' start method the pipeline is built and warmed up (jieba's dictionary, the
rules) once in this process before the workers start, so they share it instead of each
loading it; otherwise each worker builds its own on its first document. A document goes out
as a small tuple of its fields (or as a file path the worker reads itself) and its record
comes back as one compact JSON string, which is cheaper to pickle than the dataclasses and
carries every field of the record, so a record made in a worker equals one made in process.
When given a `kg.store.spool.Spool`, the worker also writes the document's N-Quads (all but the
label quads, which depend on every document: `kg.rdf.mapping.nquads_body`) to its own file in
the spool and sends back only where they are, so the main process never handles the bulk of the
graph.
At most a few documents per worker are in flight, so memory does not grow with the corpus.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any, NamedTuple

from kg.corpus import Document
from kg.errors import InputError
from kg.extract.records import DocRecord, Entity, Evidence, Relation
from kg.store.spool import Part, Spool

PER_TASK = 16  # documents sent to a worker at once: fewer messages, each worth the overhead
IN_FLIGHT = 2  # tasks queued per worker: enough to keep it busy, few enough to bound memory

_nlp: Any = None  # the pipeline of this process (a worker's, or the parent's before a fork)
_nlp_model: str | None = None  # the pkuseg model `_nlp` was built with
_WARM_UP = Document("warm-up", "", "该高新区的示例科技有限公司建设了示例研发中心，总投资3亿元。",
                    "", "utf-8", "")


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
                     graphs: Spool | None = None, text: bool = True, evidence: bool = True,
                     cache: Any = None, warn: Callable[[str], None] | None = None
                     ) -> Iterator[DocRecord]:
    """One DocRecord per document or file path, in input order, extracted by `jobs` processes.

    `jobs=1` runs in this process; 0 or None uses every core. `start_method` is a
    multiprocessing start method (default: 'fork' where the platform has it, else 'spawn').
    A file that cannot be read raises `kg.errors.InputError`, as `kg.corpus.read_document` does,
    or, given `warn`, is reported there (one line naming it) and skipped. With `graphs`, each
    record's `kg.rdf.mapping.nquads_body` (UTF-8) is in that spool under the record's path
    before the record is yielded. `text=False` leaves the text out of records of files read by
    workers (it need not come back to this process); `evidence=False` lets workers leave out
    mentions and evidence, which are the bulk of a record, when the spool or `cache` (an object
    with `put(record)`, called with the full record where it is made) keeps them.
    """
    opts = _Options(None if pkuseg_model is None else str(pkuseg_model),
                    None if graphs is None else str(graphs.root), text, evidence, cache)
    for rec in _records(documents, resolve_jobs(jobs), opts, start_method, graphs):
        if isinstance(rec, InputError):
            if warn is None:
                raise rec
            warn(str(rec))
        else:
            yield rec


class _Options(NamedTuple):
    model: str | None  # the pkuseg model
    spool: str | None  # the spool directory for N-Quads
    text: bool  # records of files read by workers carry their text
    evidence: bool  # records carry mentions and evidence
    cache: Any  # where full records are put (RecordCache), or None


def _records(documents: Iterable[Document | str | Path], n: int, opts: _Options,
             start_method: str | None, spool: Spool | None
             ) -> Iterator[DocRecord | InputError]:
    if n == 1:
        for item in documents:
            try:
                doc = item if isinstance(item, Document) else _read(item)
            except InputError as exc:
                yield exc
                continue
            rec, body = _extract(doc, opts)
            if spool is not None and body is not None:
                spool.put(rec.path, body)
            yield rec  # (whole: leaving out what `evidence=False` allows would cost time here)
        return
    methods = multiprocessing.get_all_start_methods()
    method = start_method or ("fork" if "fork" in methods else "spawn")
    if method == "fork":
        _pipeline(opts.model, warm=True)  # the workers inherit it, loaded
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(n, initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
        pending: deque[tuple[list[Document | None], Any]] = deque()
        batch: list[Document | None] = []
        tasks: list[tuple[Any, ...] | str] = []
        for item in documents:
            if isinstance(item, Document):
                tasks.append(astuple(item))
                batch.append(item)
            else:
                tasks.append(str(item))
                batch.append(None)
            if len(tasks) == PER_TASK:
                pending.append((batch, pool.apply_async(_work_many, (tasks, opts))))
                batch, tasks = [], []
            if len(pending) >= n * IN_FLIGHT:
                yield from _finish(*pending.popleft(), spool)
        if tasks:
            pending.append((batch, pool.apply_async(_work_many, (tasks, opts))))
        while pending:
            yield from _finish(*pending.popleft(), spool)


def _pipeline(model: str | None, *, warm: bool = False) -> Any:
    """This process's pipeline for `model`, built once (and run once on a short text)."""
    global _nlp, _nlp_model
    if _nlp is None or _nlp_model != model:
        from kg.nlp.pipeline import build_nlp

        _nlp, _nlp_model = build_nlp(pkuseg_model=model), model
        if warm:
            from kg.extract.extractor import extract_one

            extract_one(_WARM_UP, _nlp)
    return _nlp


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
    from kg.rdf.mapping import nquads_body

    return nquads_body(rec).encode("utf-8", "replace")


def _extract(doc: Document, opts: _Options) -> tuple[DocRecord, bytes | None]:
    """One document's record (put in the cache, if any) and its N-Quads (if asked)."""
    from kg.extract.extractor import extract_one

    rec = extract_one(doc, _pipeline(opts.model))
    if opts.cache is not None:
        opts.cache.put(rec)
    return rec, None if opts.spool is None else _body(rec)


def _work(task: tuple[Any, ...] | str, opts: _Options) -> tuple[str, Part | None]:
    """In a worker: extract one document (fields or path); its record as JSON, and where its
    N-Quads went when given a spool directory. An unreadable file gives its error instead."""
    try:
        doc = _read(task) if isinstance(task, str) else Document(*task)
    except InputError as exc:
        return str(exc), None
    rec, body = _extract(doc, opts)
    data = encode(rec, text=opts.text and isinstance(task, str), evidence=opts.evidence)
    if opts.spool is None or body is None:
        return data, None
    from kg.store.spool import append

    return data, append(opts.spool, body)


def _work_many(tasks: list[tuple[Any, ...] | str], opts: _Options
               ) -> list[tuple[str, Part | None]]:
    """In a worker: `_work` for each of a few documents (one message each way for all)."""
    return [_work(task, opts) for task in tasks]


def _finish(docs: list[Document | None], result: Any, spool: Spool | None
            ) -> Iterator[DocRecord | InputError]:
    for doc, (data, part) in zip(docs, result.get(), strict=True):
        if not data.startswith("{"):
            yield InputError(data)
            continue
        rec = decode(data)
        if doc is not None:
            rec.text = doc.text
        if spool is not None and part is not None:
            spool.add(rec.path, part)
        yield rec


def encode(rec: DocRecord, *, text: bool = False, evidence: bool = True) -> str:
    """Every field of a record as one compact JSON string (the text only if asked; mentions
    and evidence unless told not to)."""
    obj = {
        "doc_id": rec.doc_id, "title": rec.title, "path": rec.path, "sha256": rec.sha256,
        "entities": [[e.name, e.type, e.aliases, e.mentions if evidence else [], e.rule]
                     for e in rec.entities],
        "relations": [[r.head, r.relation, r.tail, r.amount_cny, r.amount_text, r.qualifier,
                       [astuple(ev) for ev in r.evidence] if evidence else []]
                      for r in rec.relations],
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
