"""The embedded store: Oxigraph on disk (a directory, with a build lock and crash recovery) or in
memory; each write is one transaction."""

from __future__ import annotations

import fcntl
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from kg.errors import QueryError, StoreError
from kg.rdf.graphs import BUILD_GRAPH, DERIVED_PREFIX, STATS_GRAPH, STATS_NS
from kg.store.base import Changes, Rows, _fingerprint_quad, _ox, count_quads
from kg.store.stats import _stats_updates, rank_triples


class OxigraphStore:
    """Oxigraph on disk (a directory) or in memory (no path).

    On disk, reading needs nothing and writing takes a lock file beside the directory. A write
    is all-or-nothing for the whole build: it checkpoints the store into a new directory (hard
    links, so cheap), changes the copy and renames it into place. Readers see the old graph
    until the rename; a failure, a crash or Ctrl-C leaves the old directory untouched.
    `query()` and iteration behave like pyoxigraph's Store, for code written against it.
    """

    def __init__(self, path: Path | None = None, *, writable: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.location = str(self.path) if self.path is not None else "oxigraph-memory"
        self._lock: IO[bytes] | None = None
        self._db: Any = _ox().Store() if self.path is None else None
        if self.path is None:
            return
        if writable:
            self._lock = _take_lock(self.path)
            _recover(self.path)
        elif not (self.path / "CURRENT").is_file():
            if _has_store_files(self.path):
                raise _damaged(self.path, "its CURRENT file is missing")
            raise StoreError(f"{self.path}: no graph store here; run `kg build` first or "
                             "pass --store")

    def _read(self) -> Any:
        if self._db is None:
            assert self.path is not None
            if not (self.path / "CURRENT").is_file():
                if _has_store_files(self.path):
                    raise _damaged(self.path, "its CURRENT file is missing")
                return _ox().Store()
            self._db = _open_read_only(self.path)
        return self._db

    def __len__(self) -> int:
        return count_quads(self)

    def __iter__(self) -> Iterator[Any]:
        return self.quads(merged=False)

    def database(self) -> Any:
        """The pyoxigraph Store itself, for reads that stream (its default graph is the merged
        graph): views, statistics and validation of a large store."""
        return self._read()

    def query(self, sparql: str, **_: Any) -> Any:
        """pyoxigraph's Store.query on the merged graph (which already is the union)."""
        return self._read().query(sparql)

    def select(self, sparql: str) -> Rows | bool:
        return _ox_select(self._read(), sparql)

    def fingerprint(self) -> str | None:
        return _ox_fingerprint(self._read())

    def quads(self, *, merged: bool) -> Iterator[Any]:
        yield from _ox_quads(self._read(), merged=merged)

    def write(self, changes: Changes, *, before_commit: Callable[[Any], None] | None = None
              ) -> None:
        if self.path is None:
            db = _ox().Store()
            if not changes.reset:
                db.extend(self._db)
            _ox_apply(db, changes)
            if before_commit is not None:
                before_commit(_OxView(db))
            self._db = db
            return
        if self._lock is None:
            raise StoreError(f"{self.path}: opened read-only")
        parent = self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            stage = Path(tempfile.mkdtemp(prefix=f".{self.path.name}-new-", dir=parent))
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot write the store ({exc.strerror})") from None
        db = None
        try:
            self._db = None
            if (self.path / "CURRENT").is_file() and not changes.reset:
                os.rmdir(stage)
                src = _open_read_only(self.path)
                src.backup(str(stage))
                del src
            db = _ox().Store(str(stage))
            _ox_apply(db, changes)
            db.flush()
            if before_commit is not None:
                view = _OxView(db)
                try:
                    before_commit(view)
                finally:
                    view.detach()  # a traceback holding the view must not hold the database
            db.optimize()
            db = None  # closed: the directory can move
            swap_dir(stage, self.path)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot write the store ({exc})") from None
        finally:
            db = None  # close the staged database before removing it
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)

    def close(self) -> None:
        if self.path is not None:
            self._db = None
        if self._lock is not None:
            _HELD_LOCKS.discard(self._lock)
            self._lock.close()
            self._lock = None


def _open_read_only(path: Path) -> Any:
    """The pyoxigraph Store at `path`, read-only; a store RocksDB finds damaged (a truncated or
    missing file) is reported as such, naming the directory."""
    try:
        return _ox().Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the store ({exc})") from None
    except RuntimeError as exc:  # RocksDB's "Corruption: …", "IO error: …"
        raise _damaged(path, _first_line(exc)) from None


def _damaged(path: Path, reason: str) -> StoreError:
    return StoreError(f"{path}: the graph store is damaged ({reason}); make it again with "
                      "`kg build --rebuild`")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _has_store_files(path: Path) -> bool:
    """Whether the directory holds files of a RocksDB database (so a missing CURRENT file
    means a damaged store, not no store)."""
    try:
        return any(f.suffix in (".sst", ".log") or f.name.startswith(("MANIFEST-", "OPTIONS-"))
                   for f in path.iterdir())
    except OSError:
        return False


class _OxView:
    """A pyoxigraph database seen through the read side of the Store protocol."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def detach(self) -> None:
        """Drop the reference to the database (it can then close)."""
        self._db = None

    def select(self, sparql: str) -> Rows | bool:
        return _ox_select(self._db, sparql)

    def quads(self, *, merged: bool) -> Iterator[Any]:
        yield from _ox_quads(self._db, merged=merged)


def _ox_fingerprint(db: Any) -> str | None:
    ox = _ox()
    for q in db.quads_for_pattern(None, ox.NamedNode(STATS_NS + "fingerprint"), None,
                                  ox.NamedNode(BUILD_GRAPH)):
        return str(q.object.value)
    return None


def _lock_path(path: Path) -> Path:
    return path.parent / f".{path.name}.lock"


def _take_lock(path: Path) -> IO[bytes]:
    """An exclusive lock on `path`'s lock file; a second writer is refused with a message."""
    lock = _lock_path(path)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fh = open(lock, "a+b")  # noqa: SIM115 - held until close()
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the lock file {lock} ({exc.strerror})") from None
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().decode("utf-8", "replace").strip() or "another process"
        fh.close()
        raise StoreError(f"{path}: another build is writing this store ({holder}); wait for "
                         "it to finish or choose another --store") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}".encode())
    fh.flush()
    _HELD_LOCKS.add(fh)
    return fh


# Lock files this process holds. A flock belongs to the open file, which a forked child (an
# extraction worker) shares: the child closes its copies, so that the lock ends with the build
# that took it, whatever becomes of its workers.
_HELD_LOCKS: set[IO[bytes]] = set()


def _close_inherited_locks() -> None:
    for fh in _HELD_LOCKS:
        try:
            fh.close()  # the child's descriptor only: the parent keeps its lock
        except OSError:
            pass
    _HELD_LOCKS.clear()


def _ox_select(db: Any, sparql: str) -> Rows | bool:
    try:
        result = db.query(sparql)
    except SyntaxError as exc:
        raise QueryError(str(exc).splitlines()[0]) from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(str(exc).splitlines()[0]) from None
    if type(result).__name__ == "QueryBoolean" or isinstance(result, bool):
        return bool(result)
    if not hasattr(result, "variables"):
        raise QueryError("only SELECT and ASK queries can be shown as rows")
    names = [v.value for v in result.variables]
    return names, [[sol[i] for i in range(len(names))] for sol in result]


def _ox_quads(db: Any, *, merged: bool) -> Iterator[Any]:
    ox = _ox()
    if merged:
        for q in db.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            yield q.triple
        return
    names = sorted((g for g in db.named_graphs() if g.value != BUILD_GRAPH),
                   key=lambda g: g.value)
    for g in names:
        yield from db.quads_for_pattern(None, None, None, g)


def _ox_apply(db: Any, changes: Changes) -> None:
    """Apply changes to a private pyoxigraph store, keeping the default graph = the merge."""
    ox = _ox()
    for g in sorted(changes.remove | set(changes.add)):
        _ox_drop(db, g)
    _ox_drop(db, STATS_GRAPH)

    def added(graphs: Mapping[str, bytes]) -> Iterator[Any]:
        for g in sorted(graphs):  # one graph's bytes at a time (a spool reads them then)
            name = ox.NamedNode(g)
            for q in ox.parse(graphs[g], format=ox.RdfFormat.N_QUADS):
                yield ox.Quad(q.subject, q.predicate, q.object, name)
                yield ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())

    # not one transaction, and need not be: `db` is a private copy (on disk) or a new store
    _bulk_extend(db, added(changes.add))
    if changes.derive is not None:
        for g in sorted(g.value for g in db.named_graphs()
                        if g.value.startswith(DERIVED_PREFIX)):
            _ox_drop(db, g)
        _bulk_extend(db, added(changes.derive(db)))
    for update in _stats_updates(None):
        db.update(update)
    db.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{STATS_GRAPH}> {{ ?s ?p ?o }} }}")
    ranks = rank_triples(lambda q: _ox_select(db, q))
    db.bulk_extend([ox.Quad(t.subject, t.predicate, t.object, g) for t in ranks
                    for g in (ox.NamedNode(STATS_GRAPH), ox.DefaultGraph())])
    if changes.fingerprint is not None:
        db.remove_graph(ox.NamedNode(BUILD_GRAPH))
        db.add(_fingerprint_quad(changes.fingerprint))


BULK_QUADS = 250_000  # quads per bulk load: pyoxigraph holds a whole call's quads in memory


def _bulk_extend(db: Any, quads: Iterable[Any]) -> None:
    """Bulk-load quads a slice at a time, so memory does not grow with the graph.

    (Measured on a 1M-quad build: one call peaked at 1.4 GB, slices of 200k at 0.48 GB, for a
    quarter more time.)
    """
    it = iter(quads)
    while part := list(itertools.islice(it, BULK_QUADS)):
        db.bulk_extend(part)


def _ox_drop(db: Any, graph: str) -> None:
    """Remove a named graph and every triple of it that no other named graph holds."""
    ox = _ox()
    g = ox.NamedNode(graph)
    db.update(f"""DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }}
        FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER (?h != <{graph}>) }} }}""")
    db.remove_graph(g)


def _recover(path: Path) -> None:
    """Under the lock, undo what a build killed mid-write left: the previous store put back if
    it was moved aside and the new one not yet in place, staged and old copies removed."""
    parent = path.parent
    if not parent.is_dir():
        return
    old = sorted((p for p in parent.glob(f".{path.name}-old-*") if p.is_dir()),
                 key=lambda p: p.stat().st_mtime)
    if not path.exists() and old:
        os.replace(old.pop(), path)
    for stale in [*old, *parent.glob(f".{path.name}-new-*")]:
        shutil.rmtree(stale, ignore_errors=True)


def swap_dir(new: Path, path: Path) -> None:
    """Put directory `new` at `path`, removing what was there only once `new` is in place."""
    old = None
    if path.exists():
        if not path.is_dir():
            raise StoreError(f"{path}: exists and is not a store directory")
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}-old-", dir=path.parent))
        os.rmdir(old)
        os.replace(path, old)
    os.replace(new, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)



if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)
