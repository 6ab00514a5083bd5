"""Extraction on a Dask cluster: documents out to a running scheduler, records back in input order.

The same shape as `kg.build.parallel.extract_parallel`, with Dask's scheduler and workers in
place of a process pool on one machine (PyPI `dask` + `distributed`, the extra `cluster`).
Workers may not share this machine's file system, so this process reads each file and sends its
bytes; a worker decodes them exactly as `kg.corpus.read_document` decodes a file (same name,
same sha256), extracts with the same pipeline (`kg.nlp.pipeline.build_nlp`,
`kg.extract.extractor.extract_one`) and sends back the record as compact JSON with its text and
evidence, and the record cache's file of it. This process writes that file into the cache and
makes the record's N-Quads but labels (`kg.rdf.mapping.nquads_body`) into the spool. Why not
N-Quads from the workers: they are ~21 times the text (120 KB for a 5.6 KB article) against
~15 KB for record, text and cache file, and making them here costs 0.2 ms a document; why the
cache file from the workers: checking that a record survives its JSON form costs ~1 ms, which
here, serially, would cap the cluster at ~5 workers (docs/cluster.md has the measurements).
So only this machine needs the build's directory: workers write nothing.

Faults: a task whose worker dies (SIGKILL, a lost machine) is run again on another worker by the
scheduler; a task that raises is retried `RETRIES` times. A document the pipeline fails on is
reported through `warn` with its path, as an unreadable file is, and the build goes on. At most
`IN_FLIGHT` batches per worker thread are out at once, so memory does not grow with the corpus.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import astuple
from pathlib import Path
from typing import Any, NamedTuple

from kg.build.cache import RecordCache, fingerprint
from kg.build.parallel import decode, encode
from kg.corpus import Document, read_document
from kg.corpus.articles import side_date
from kg.errors import InputError, KgError
from kg.extract.records import DocRecord, from_json
from kg.files import atomic_write
from kg.lang.words import segmenter_name
from kg.rdf.mapping import nquads_body
from kg.store.spool import Spool

PER_TASK = 64  # documents per task at most: a task costs the client and scheduler ~10 ms CPU
TASKS_PER_THREAD = 4  # a known number of documents is cut in at least this many tasks a thread
IN_FLIGHT = 2  # tasks queued per worker thread: keeps it busy, bounds memory
RETRIES = 2  # reruns of a task that raised (a worker that died is handled by the scheduler)
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler and see a worker

_local = threading.local()  # a worker thread's pipeline: spaCy pipelines are not shared


# a record as JSON, its record cache file, the warnings of reading it, the Document sent,
# the side-file date it was extracted under
_Result = tuple[str, bytes | None, tuple[str, ...], Document | None, str | None]


class ClusterError(KgError):
    """A Dask scheduler that cannot be reached or has no workers, or Dask not installed."""


class _Options(NamedTuple):
    model: str | None  # the pkuseg model (a path on the workers, or a name)
    text: bool  # records carry their text (the client makes N-Quads from it)
    evidence: bool  # records carry mentions and evidence
    cache: bool  # send the record cache's file of each record too
    segmenter: str | None = None  # the words' segmenter (the client's choice, not the worker's)


def extract_cluster(documents: Iterable[Document | str | Path], address: str, *,
                    pkuseg_model: str | Path | None = None, graphs: Spool | None = None,
                    text: bool = True, evidence: bool = True, cache: Any = None,
                    warn: Callable[[str], None] | None = None,
                    note: Callable[[str], None] | None = None,
                    per_task: int | None = None,
                    dates: dict[str, str] | None = None) -> Iterator[DocRecord]:
    """One DocRecord per document or file path, in input order, extracted on the Dask
    cluster whose scheduler is at `address` (tcp://HOST:PORT).

    Arguments as `kg.build.parallel.extract_parallel`'s: with `graphs`, each record's
    N-Quads but labels are in that spool under its path before the record is yielded; `cache`
    (an object with `put(record)`) gets every full record here, where the build's files are.
    A file is a path or a `kg.build.parallel.Source` (a path and its document id). A file
    that cannot be read, or a document a worker fails on, raises `InputError` or, given
    `warn`, is reported there (one line naming its path) and skipped; `note` receives the
    warnings of reading a file (before its record). An unreachable scheduler raises
    `ClusterError`. `per_task` documents go in one task (default: up to `PER_TASK`, fewer when
    a known number of documents would leave workers idle). `dates` (a side file of
    publication dates, `kg.corpus.articles.read_date_file`) dates the files whose text shows
    none: each document's date is looked up here and travels with it.
    """
    client = _connect(address)
    opts = _Options(None if pkuseg_model is None else str(pkuseg_model),
                    text or graphs is not None, evidence or graphs is not None or cache is not None,
                    isinstance(cache, RecordCache), segmenter_name())
    try:
        threads = max(1, sum(client.nthreads().values()))
        if per_task is None:
            known = len(documents) if isinstance(documents, Sized) else None
            per_task = PER_TASK if known is None else min(
                PER_TASK, max(1, known // (threads * TASKS_PER_THREAD)))
        for rec in _records(client, documents, opts, threads * IN_FLIGHT, max(1, per_task),
                            dates):
            if isinstance(rec, InputError):
                if warn is None:
                    raise rec
                warn(str(rec))
                continue
            data, cached, notes, doc, published = rec
            if note is not None:
                for line in notes:
                    note(line)
            full = decode(data)
            if doc is not None:  # sent as fields: its text was here all along
                full.text = doc.text
            if isinstance(cache, RecordCache):
                if cached is not None:  # None: the record would not survive its JSON form
                    try:
                        atomic_write(cache.path_of(full.sha256, published), cached)
                    except OSError:
                        pass  # as RecordCache.put: a cache that cannot be written costs time
            elif cache is not None:
                cache.put(full, published)
            if graphs is not None:
                graphs.put(full.path, nquads_body(full).encode("utf-8", "replace"))
            if not text and doc is None:
                full.text = ""
            yield full
    finally:
        client.close()


def _connect(address: str) -> Any:
    """A client of the scheduler at `address` that sees at least one worker."""
    try:
        from distributed import Client  # optional: dask only for --cluster
    except ImportError:
        raise ClusterError("--cluster needs Dask: pip install 'parks-kg[cluster]'") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterError(f"{address}: cannot reach the Dask scheduler ({reason}); start "
                           "one with `dask scheduler` or check the address") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError):
        client.close()
        raise ClusterError(f"{address}: the Dask scheduler has no workers; start some with "
                           f"`dask worker {address}`") from None
    mine = _code()
    try:
        theirs = client.run(_code)
    except Exception as exc:  # a worker without parks-kg fails to unpickle the function
        client.close()
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterError(f"{address}: a worker cannot run this parks-kg ({first}); install "
                           "the same parks-kg on every worker and restart them") from None
    other = sorted(w for w, fp in theirs.items() if fp != mine)
    if other:
        client.close()
        raise ClusterError(f"{address}: worker {other[0]} runs other extraction code or rules "
                           f"than this machine ({len(other)} of {len(theirs)}); install the same "
                           "parks-kg on every worker and restart them")
    return client


def _code() -> str:
    """The extraction fingerprint of this process's parks-kg: workers must share the client's,
    or their records would differ from a local build's (and poison the record cache)."""

    return fingerprint()[0]


def _records(client: Any, documents: Iterable[Document | str | Path], opts: _Options,
             in_flight: int, per_task: int, dates: dict[str, str] | None = None
             ) -> Iterator[_Result | InputError]:
    """What workers send back for each document (or its error), in input order."""
    pending: deque[tuple[list[Document | None], list[str], list[str | None], Any]] = deque()
    batch: list[Document | None] = []
    names: list[str] = []
    when: list[str | None] = []
    tasks: list[tuple[Any, ...]] = []

    def submit() -> None:
        future = client.submit(_work_many, tasks, opts, retries=RETRIES, pure=False)
        pending.append((batch, names, when, future))

    for item in documents:
        if isinstance(item, Document):
            published = side_date(dates, item.path, item.doc_id)
            tasks.append(("doc", published, *astuple(item)))
            batch.append(item)
            names.append(item.path)
            when.append(published)
        else:
            name = str(getattr(item, "path", item))  # a Source is a path and an id
            try:
                data = Path(name).read_bytes()
            except FileNotFoundError:
                yield InputError(f"{name}: no such file")
                continue
            except IsADirectoryError:
                yield InputError(f"{name}: is a directory, expected a file")
                continue
            except OSError as exc:
                yield InputError(f"{name}: cannot read ({exc.strerror})")
                continue
            doc_id = getattr(item, "doc_id", None)
            published = side_date(dates, name, Path(name).stem if doc_id is None else doc_id)
            tasks.append(("file", published, name, data, doc_id))
            batch.append(None)
            names.append(name)
            when.append(published)
        if len(tasks) == per_task:
            submit()
            batch, names, when, tasks = [], [], [], []
        if len(pending) >= in_flight:
            yield from _finish(*pending.popleft())
    if tasks:
        submit()
    while pending:
        yield from _finish(*pending.popleft())


def _finish(docs: list[Document | None], names: list[str], when: list[str | None], future: Any
            ) -> Iterator[_Result | InputError]:
    """The results of one task, each document's record JSON and N-Quads or its error."""
    try:
        results = future.result()
    except Exception as exc:  # the task died on every worker it met (KilledWorker) or raised
        kind = type(exc).__name__
        for name in names:
            yield InputError(f"{name}: not extracted, its batch failed on the cluster ({kind}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''})")
        return
    finally:
        future.release()
    for doc, published, (data, cached, notes) in zip(docs, when, results, strict=True):
        yield InputError(data) if not data.startswith("{") else (data, cached, notes, doc,
                                                                  published)


class _SentPath(type(Path())):  # type: ignore[misc]
    """A path whose bytes came over the network: `kg.corpus.read_document` reads them as the
    file's, so names, warnings and the sha256 are those of the file on the client."""

    _sent: bytes = b""

    def read_bytes(self) -> bytes:
        return self._sent


def _pipeline(model: str | None, segmenter: str | None = None) -> Any:
    """This worker thread's pipeline for `model` and `segmenter`, built on its first document."""
    if getattr(_local, "model", ...) != (model, segmenter) or getattr(_local, "nlp", None) is None:
        from kg.nlp.pipeline import build_nlp  # heavy: spaCy loads only when extracting

        _local.nlp = build_nlp(pkuseg_model=model, segmenter=segmenter)
        _local.model = (model, segmenter)
    return _local.nlp


def _work(task: tuple[Any, ...], opts: _Options) -> tuple[str, bytes | None, tuple[str, ...]]:
    """On a worker: one document's record (under the side-file date the task gives) as JSON,
    its record cache file (if asked) and the warnings of reading it, or a one-line error
    naming its path (undecodable, or the pipeline failed on it)."""
    from kg.extract.extractor import extract_one  # heavy: spaCy loads only when extracting

    kind, published, fields = task[0], task[1], task[2:]
    name = fields[0] if kind == "file" else fields[1]
    try:
        if kind == "file":
            path = _SentPath(name)
            path._sent = fields[1]
            doc = read_document(path) if fields[2] is None else read_document(
                path, doc_id=fields[2])  # type: ignore[call-arg]
        else:
            doc = Document(*fields)
        rec = extract_one(doc, _pipeline(opts.model, opts.segmenter), published=published)
        data = encode(rec, text=opts.text and kind == "file", evidence=opts.evidence)
        notes = tuple(doc.warnings) if kind == "file" else ()
        return data, _cache_file(rec) if opts.cache else None, notes
    except InputError as exc:
        return str(exc), None, ()
    except Exception as exc:  # one document's failure must not cost the others theirs

        first = str(exc).splitlines()[0] if str(exc) else ""
        return (f"{name}: extraction failed on worker {socket.gethostname()} "
                f"({type(exc).__name__}: {first})"), None, ()


def _cache_file(rec: DocRecord) -> bytes | None:
    """What `kg.build.pipeline.RecordCache.put` would write for `rec`, made here on the worker
    (it checks the record survives its JSON form: the costly part); None when it would not."""

    obj = rec.to_json()
    obj["title"] = rec.title
    back = from_json(json.loads(json.dumps(obj)))
    if back.entities != rec.entities or back.relations != rec.relations:
        return None
    return json.dumps(obj, ensure_ascii=False).encode()


def _work_many(tasks: list[tuple[Any, ...]], opts: _Options
               ) -> list[tuple[str, bytes | None, tuple[str, ...]]]:
    """On a worker: `_work` for each document of a task."""
    return [_work(task, opts) for task in tasks]
