"""Files written whole or not at all: a temporary file beside the target, then one rename.

Every output of parks-kg (kg.ttl, graph.html, exports, caches, tables) goes through here, so a
reader never sees a half-written file and every file gets the mode the user's umask gives.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from kg.errors import KgError


def umask_mode() -> int:
    """The mode a new file gets from the process's umask (0o644 under the usual 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_file(path: Path, write: Callable[[IO[bytes]], object], *, sync: bool = False) -> None:
    """Call `write` on a temporary file beside `path`, then rename it onto `path`.

    Parent folders are created; `path` is never seen half-written; `sync` flushes the data
    to disk before the rename (for outputs a user keeps, not for caches).
    """
    path = Path(path)
    if path.is_dir():
        raise KgError(f"{path}: is a directory; give a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        os.chmod(tmp, umask_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes, *, sync: bool = False) -> None:
    """Write bytes to `path` through a temporary file beside it and a rename."""
    write_file(path, lambda out: out.write(data), sync=sync)
