"""RDF out of a store: every quad streamed by pyoxigraph's serializers, to a stream or a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from kg.errors import StoreError
from kg.rdf.graphs import STATS_NS
from kg.store.base import _ox
from kg.vocab import PREFIXES


def export(store: Any, fmt: str, out: IO[bytes]) -> int:
    """Stream the store to `out` in one of kg.formats.GraphFormat; returns statements written.

    Triple formats (ttl, nt) hold the merged graph; dataset formats (nq, trig, jsonld) hold the
    document, derived and stats graphs, each under its name.
    """
    # start-up: a no-op kg build opens the store without formats
    from kg.formats import GraphFormat, ox_format

    gf = GraphFormat(fmt)
    ox = _ox()
    rf = ox_format(gf)
    counter = _Counter(store.quads(merged=not rf.supports_datasets))
    prefixes = {k: str(v) for k, v in PREFIXES.items()} | {"kgs": STATS_NS}
    if rf in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        ox.serialize(counter, out, rf)
    else:
        ox.serialize(counter, out, rf, prefixes=prefixes)
    return counter.n


def export_file(store: Any, fmt: str, output: Path | None, *,
                stdout: IO[bytes] | None = None) -> int:
    """Export an open store in an RDF format (kg.formats.GraphFormat) to a file, written beside
    it and then renamed, or to `stdout`; returns the statements written."""
    if output is None:
        if stdout is None:
            raise StoreError("give an output path or a stream")
        n = export(store, fmt, stdout)
        stdout.flush()
        return n
    output = Path(output)
    if output.is_dir():
        raise StoreError(f"{output}: is a directory; give a file name")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp",
                                   dir=output.parent)
    except OSError as exc:
        raise StoreError(f"{output}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            n = export(store, fmt, fh)
        os.replace(tmp, output)
        return n
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class _Counter:
    def __init__(self, items: Iterable[Any]) -> None:
        self._it = iter(items)
        self.n = 0

    def __iter__(self) -> _Counter:
        return self

    def __next__(self) -> Any:
        item = next(self._it)
        self.n += 1
        return item

