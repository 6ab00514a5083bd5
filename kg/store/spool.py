"""Document graphs' N-Quads kept in files, not in memory: what lets a build stream.

Extraction workers append each document's N-Quads to a file of their own and report where they
wrote it; the build appends the label quads it adds later. A `Spool` maps a key (a graph IRI or
a file path) to the bytes of its parts and reads them back one key at a time, so a store can
load a corpus of any size with memory bounded by its largest document.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from kg.errors import KgError

Part = tuple[str, int, int]  # (file path, offset, length)
PREFIX = ".kg-spool-"  # + the pid of the process that made it


def remove_stale(parent: Path) -> list[Path]:
    """Remove the spools under `parent` whose process has died (a build killed); which."""
    gone = []
    for path in parent.glob(f"{PREFIX}*"):
        try:
            pid = int(path.name[len(PREFIX):].split("-", 1)[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
            gone.append(path)
        except (ValueError, PermissionError):
            continue  # not ours, or another user's live process
    return gone


class Spool(Mapping[str, bytes]):
    """Byte parts by key, stored in append-only files under a temporary directory."""

    def __init__(self, parent: str | Path | None = None) -> None:
        """A new, empty spool in a temporary directory under `parent` (the system's default
        temporary folder without it); a folder that cannot be written is a KgError naming it."""
        try:
            self.root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent))
        except OSError as exc:
            where = parent if parent is not None else tempfile.gettempdir()
            raise KgError(f"{where}: cannot write the build's temporary files "
                          f"({exc.strerror or exc})") from None
        self._parts: dict[str, list[Part]] = {}
        self._out: IO[bytes] | None = None
        self._reading: dict[str, IO[bytes]] = {}

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put(self, key: str, data: bytes) -> None:
        """Append `data` to the parts of `key` (written to this process's file)."""
        if self._out is None:
            self._out = open(self.root / "main.nq", "ab")  # noqa: SIM115 - kept until close()
        offset = self._out.tell()
        self._out.write(data)
        self.add(key, (self._out.name, offset, len(data)))

    def __setitem__(self, key: str, data: bytes) -> None:
        self._parts.pop(key, None)
        self.put(key, data)

    def add(self, key: str, *parts: Part) -> None:
        """Record parts some process wrote (see `append`), possibly in another spool's files."""
        self._parts.setdefault(key, []).extend(parts)

    def parts(self, key: str) -> list[Part]:
        """Where the bytes of `key` are."""
        return list(self._parts.get(key, ()))

    def __getitem__(self, key: str) -> bytes:
        parts = self._parts[key]
        if self._out is not None:
            self._out.flush()
        out = []
        for name, offset, length in parts:
            fh = self._reading.get(name)
            if fh is None:
                fh = self._reading[name] = open(name, "rb")  # noqa: SIM115 - kept until close()
            fh.seek(offset)
            out.append(fh.read(length))
        return b"".join(out)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def close(self) -> None:
        """Close the files and remove the directory."""
        for fh in [self._out, *self._reading.values()]:
            if fh is not None:
                fh.close()
        self._out, self._reading = None, {}
        shutil.rmtree(self.root, ignore_errors=True)


_APPEND: dict[str, IO[bytes]] = {}  # this process's open file in each spool directory


def append(root: str | Path, data: bytes) -> Part:
    """Append `data` to this process's file under spool directory `root`; where it went.

    Each process writes its own file, so workers never share one; the data is flushed before
    the part is returned, so the process that reads it next sees every byte.
    """
    key = str(root)
    fh = _APPEND.get(key)
    name = str(Path(root) / f"w{os.getpid()}.nq")
    if fh is None or fh.closed or fh.name != name:
        fh = _APPEND[key] = open(name, "ab")  # noqa: SIM115 - one per process
    offset = fh.tell()
    fh.write(data)
    fh.flush()
    return name, offset, len(data)
