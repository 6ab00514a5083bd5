"""kg.ttl written from a store as a stream: the document and derived graphs merged, as Turtle.

rdflib's Turtle writer needs the whole graph in memory (about 1 KB a triple); pyoxigraph's
writes each triple as it comes, grouping a subject's triples that arrive together, which the
store's merged graph gives in subject order. Memory stays flat whatever the number of triples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from kg.store import STATS_NS
from kg.vocab import PREFIXES


def merged_triples(source: Any) -> Iterator[Any]:
    """The triples of every named graph but the stats graph, each once, as pyoxigraph Triples.

    `source` is a pyoxigraph Store (its default graph is the merge, kg.store) or anything with
    kg.store's `quads(merged=True)`. The stats graph's triples are the merged graph's triples
    in the kgs: namespace: kg.store writes that namespace into the stats graph only.
    """
    if hasattr(source, "quads_for_pattern"):
        import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

        triples = (q.triple for q in source.quads_for_pattern(None, None, None,
                                                              ox.DefaultGraph()))
    else:
        triples = source.quads(merged=True)
    for t in triples:
        if not t.predicate.value.startswith(STATS_NS):
            yield t


PROGRESS_TRIPLES = 50_000  # triples between two calls of write_turtle's progress


def write_turtle(source: Any, out: str | Path | IO[bytes],
                 progress: Callable[[str], None] | None = None) -> int:
    """Write `merged_triples(source)` as Turtle with kg.vocab.PREFIXES to a path or a binary
    file; the number of triples written. A path is written in place (stage it yourself).
    `progress(line)` hears the count every PROGRESS_TRIPLES triples."""
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    n = 0

    def counted() -> Iterator[Any]:
        nonlocal n
        for triple in merged_triples(source):
            n += 1
            if progress is not None and n % PROGRESS_TRIPLES == 0:
                progress(f"writing kg.ttl: {n} triples")
            yield triple

    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    target = str(out) if isinstance(out, Path) else out
    ox.serialize(counted(), target, ox.RdfFormat.TURTLE, prefixes=prefixes)
    return n
