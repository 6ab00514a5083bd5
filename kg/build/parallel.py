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
A file a worker reads may come with warnings (`kg.corpus.Document.warnings`: an uncertain
encoding, no Chinese text…); they travel back with its record and reach the caller's `note`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any, NamedTuple

from kg.corpus import Document, read_document
from kg.corpus.articles import side_date
from kg.errors import InputError
from kg.extract.records import DocRecord, Entity, Evidence, Relation, TimeValue, from_json
from kg.lang.words import segmenter_name
from kg.store.spool import Part, Spool, append

PER_TASK = 16  # documents sent to a worker at once: fewer messages, each worth the overhead
IN_FLIGHT = 2  # tasks queued per worker: enough to keep it busy, few enough to bound memory

_nlp: Any = None  # the pipeline of this process (a worker's, or the parent's before a fork)
_nlp_model: tuple[str | None, str] | None = None  # the pkuseg model and segmenter of `_nlp`
_WARM_UP = Document("warm-up", "", "该高新区的示例科技有限公司建设了示例研发中心，总投资3亿元。",
                    "", "utf-8", "")


def resolve_jobs(jobs: int | None) -> int:
    """The number of worker processes: `jobs`, or every core for 0 or None."""
    if not jobs:
        return os.cpu_count() or 1
    if jobs < 0:
        raise ValueError(f"jobs must be 0 (all cores) or more, not {jobs}")
    return jobs


class Source(NamedTuple):
    """A file to read where it is extracted, under the document id its build gives it."""

    path: str
    doc_id: str


class _Note(str):
    """A warning about a file that was read (not an error: its record follows)."""


Item = Document | Source | str | Path


def extract_parallel(documents: Iterable[Item], jobs: int | None = 1, *,
                     pkuseg_model: str | Path | None = None,
                     start_method: str | None = None,
                     graphs: Spool | None = None, text: bool = True, evidence: bool = True,
                     cache: Any = None, warn: Callable[[str], None] | None = None,
                     note: Callable[[str], None] | None = None,
                     dates: dict[str, str] | None = None) -> Iterator[DocRecord]:
    """One DocRecord per document or file path, in input order, extracted by `jobs` processes.

    A file is a path (its id the file name without extension) or a `Source` naming its id.

    `jobs=1` runs in this process; 0 or None uses every core. `start_method` is a
    multiprocessing start method (default: 'fork' where the platform has it, else 'spawn').
    A file that cannot be read raises `kg.errors.InputError`, as `kg.corpus.read_document` does,
    or, given `warn`, is reported there (one line naming it) and skipped. With `graphs`, each
    record's `kg.rdf.mapping.nquads_body` (UTF-8) is in that spool under the record's path
    before the record is yielded. `text=False` leaves the text out of records of files read by
    workers (it need not come back to this process); `evidence=False` lets workers leave out
    mentions and evidence, which are the bulk of a record, when the spool or `cache` (an object
    with `put(record)`, called with the full record where it is made) keeps them. `note`
    receives the warnings of the files read here or by workers (before their record).
    `dates` (kg.corpus.articles.read_date_file) dates the files whose text shows no date.
    """
    opts = _Options(None if pkuseg_model is None else str(pkuseg_model),
                    None if graphs is None else str(graphs.root), text, evidence, cache, dates)
    for rec in _records(documents, resolve_jobs(jobs), opts, start_method, graphs):
        if isinstance(rec, InputError):
            if warn is None:
                raise rec
            warn(str(rec))
        elif isinstance(rec, _Note):
            if note is not None:
                note(str(rec))
        else:
            yield rec


class _Options(NamedTuple):
    model: str | None  # the pkuseg model
    spool: str | None  # the spool directory for N-Quads
    text: bool  # records of files read by workers carry their text
    evidence: bool  # records carry mentions and evidence
    cache: Any  # where full records are put (RecordCache), or None
    dates: dict[str, str] | None = None  # a side file of publication dates, by path


def _records(documents: Iterable[Item], n: int, opts: _Options,
             start_method: str | None, spool: Spool | None
             ) -> Iterator[DocRecord | InputError | _Note]:
    if n == 1:
        for item in documents:
            try:
                doc = item if isinstance(item, Document) else _read(item)
            except InputError as exc:
                yield exc
                continue
            if not isinstance(item, Document):
                yield from map(_Note, doc.warnings)
            rec, body = _extract(doc, opts, side_date(opts.dates, doc.path, doc.doc_id))
            if spool is not None and body is not None:
                spool.put(rec.path, body)
            yield rec  # (whole: leaving out what `evidence=False` allows would cost time here)
        return
    methods = multiprocessing.get_all_start_methods()
    method = start_method or ("fork" if "fork" in methods else "spawn")
    if method == "fork":
        _pipeline(opts.model, warm=True)  # the workers inherit it, loaded
    ctx = multiprocessing.get_context(method)
    # each task carries its document's side-file date, not the whole date file
    dates, opts = opts.dates, opts._replace(dates=None)
    with ctx.Pool(n, initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
        pending: deque[tuple[list[Document | None], Any]] = deque()
        batch: list[Document | None] = []
        tasks: list[tuple[tuple[Any, ...] | Source | str, str | None]] = []
        for item in documents:
            if isinstance(item, Document):
                tasks.append((astuple(item), side_date(dates, item.path, item.doc_id)))
                batch.append(item)
            else:
                task = item if isinstance(item, Source) else str(item)
                tasks.append((task, side_date(dates, *_names(task))))
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
    """This process's pipeline for `model` and the segmenter chosen ($KG_SEGMENTER), built once
    (and run once on a short text)."""
    global _nlp, _nlp_model
    key = (model, segmenter_name())
    if _nlp is None or _nlp_model != key:
        from kg.nlp.pipeline import build_nlp  # heavy: spaCy loads only when extracting

        _nlp, _nlp_model = build_nlp(pkuseg_model=model, segmenter=key[1]), key
        if warm:
            from kg.extract.extractor import extract_one  # heavy: spaCy loads only when extracting

            extract_one(_WARM_UP, _nlp)
    return _nlp


def _watch_parent(parent: int) -> None:
    """In a worker: end this process soon after the build that started it dies (SIGKILL)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()


def _names(item: Source | str) -> tuple[str, str]:
    """The path and document id a file will be read under (its id: the file name's stem)."""
    if isinstance(item, Source):
        return item.path, item.doc_id
    return item, Path(item).stem


def _read(item: Source | str | Path) -> Document:

    if isinstance(item, Source):
        return read_document(Path(item.path), doc_id=item.doc_id)
    return read_document(Path(item))


def _body(rec: DocRecord) -> bytes:
    # start-up: the RDF mapping loads in workers that write N-Quads
    from kg.rdf.mapping import nquads_body

    return nquads_body(rec).encode("utf-8", "replace")


def _extract(doc: Document, opts: _Options, published: str | None = None
             ) -> tuple[DocRecord, bytes | None]:
    """One document's record under the side-file date `published` (put in the cache, if any,
    under that date) and its N-Quads (if asked)."""
    from kg.extract.extractor import extract_one  # heavy: spaCy loads only when extracting

    rec = extract_one(doc, _pipeline(opts.model), published=published)
    if opts.cache is not None:
        opts.cache.put(rec, published)
    return rec, None if opts.spool is None else _body(rec)


def _work(job: tuple[tuple[Any, ...] | Source | str, str | None], opts: _Options
          ) -> tuple[str, Part | None, tuple[str, ...]]:
    """In a worker: extract one document (fields, path or Source) under its side-file date;
    its record as JSON, where its N-Quads went when given a spool directory, and the warnings
    of reading the file. An unreadable file gives its error instead."""
    task, published = job
    read = isinstance(task, str | Source)
    try:
        doc = _read(task) if read else Document(*task)  # type: ignore[arg-type]
    except InputError as exc:
        return str(exc), None, ()
    notes = doc.warnings if read else ()
    rec, body = _extract(doc, opts, published)
    data = encode(rec, text=opts.text and read, evidence=opts.evidence)
    if opts.spool is None or body is None:
        return data, None, notes

    return data, append(opts.spool, body), notes


def _work_many(tasks: list[tuple[tuple[Any, ...] | Source | str, str | None]], opts: _Options
               ) -> list[tuple[str, Part | None, tuple[str, ...]]]:
    """In a worker: `_work` for each of a few documents (one message each way for all)."""
    return [_work(task, opts) for task in tasks]


def _finish(docs: list[Document | None], result: Any, spool: Spool | None
            ) -> Iterator[DocRecord | InputError | _Note]:
    for doc, (data, part, notes) in zip(docs, result.get(), strict=True):
        yield from map(_Note, notes)
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
    # issue 16: the dates and observations, in their record form (present only when found)
    times = [[i, r.time.to_json()] for i, r in enumerate(rec.relations) if r.time is not None]
    if times:
        obj["times"] = times
    if rec.articles:
        obj["articles"] = [a.to_json() for a in rec.articles]
    if rec.observations:
        obj["observations"] = [o.to_json() for o in rec.observations]
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def decode(data: str) -> DocRecord:
    """The record `encode` wrote, field for field."""
    obj = json.loads(data)
    entities = [Entity(name, type_, aliases, [tuple(m) for m in mentions], rule)
                for name, type_, aliases, mentions, rule in obj["entities"]]
    relations = [Relation(head, rel, tail, cny, text, qualifier, [Evidence(*ev) for ev in evs])
                 for head, rel, tail, cny, text, qualifier, evs in obj["relations"]]
    for i, when in obj.get("times", []):
        relations[i].time = TimeValue.from_json(when)
    extra = from_json({"doc_id": obj["doc_id"], "articles": obj.get("articles", []),
                       "observations": obj.get("observations", [])})
    return DocRecord(obj["doc_id"], entities, relations, title=obj["title"], path=obj["path"],
                     sha256=obj["sha256"], text=obj.get("text", ""), articles=extra.articles,
                     observations=extra.observations)
