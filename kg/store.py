"""The graph store: an embedded Oxigraph database on disk, replaced whole and atomically by a build.

A build writes a complete new store beside the old one and swaps directories, so a failed or
interrupted build leaves the previous graph intact and queryable.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from kg.errors import StoreError


def _ox() -> Any:
    import pyoxigraph

    return pyoxigraph


def build_store(nquads: bytes, parent: Path, name: str) -> tuple[Path, int]:
    """Load N-Quads into a fresh store in a new temporary directory under `parent`."""
    ox = _ox()
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-new-", dir=parent))
    try:
        store = ox.Store(str(tmp))
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        store.flush()
        count = len(store)
        del store
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp, count


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


def write_store(nquads: bytes, path: Path) -> int:
    """Load N-Quads into a fresh store and put it at `path` in place of any old one; quad count."""
    path = Path(path)
    try:
        tmp, count = build_store(nquads, path.parent, path.name)
        try:
            swap_dir(tmp, path)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return count
    except OSError as exc:
        raise StoreError(f"{path}: cannot write the store ({exc.strerror or exc})") from None


def open_store(path: Path | str | None) -> Any:
    """Open a store read-only (a path), or an empty in-memory one (None)."""
    ox = _ox()
    if path is None or str(path) == "memory":
        return ox.Store()
    path = Path(path)
    if not path.is_dir():
        raise StoreError(f"{path}: no graph store here; run `kg build` first or pass --store")
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the store ({exc})") from None


def memory_store(nquads: bytes) -> Any:
    """An in-memory store holding the given N-Quads (tests, small jobs)."""
    ox = _ox()
    store = ox.Store()
    store.load(nquads, format=ox.RdfFormat.N_QUADS)
    return store
