"""Graph stores: embedded Oxigraph on disk, rdflib in memory, or a remote SPARQL 1.1 server.

`open_store(spec)` picks the backend from one string: `memory`, a directory path, or an
`http(s)://` query endpoint. Every backend holds the same layout:

- one named graph per document, `id:graph/<doc_id>`, replaced whole when the document changes;
- `STATS_GRAPH`: figures computed at build time from all documents (per-park counts and
  totals, per-entity mention and document counts), so that aggregate queries read them;
- the *merged graph*: the set union of the two above, which every query runs against
  (Oxigraph's and rdflib's default graph, `MERGED_GRAPH` on a remote server). Querying the
  union of hundreds of named graphs is far slower than querying one graph that holds it;
- `BUILD_GRAPH`: what the graph was built with (`fingerprint`), outside the merged graph.

Writes go through `Store.write()`, one `Changes` at a time; how all-or-nothing each backend is
is stated on its class.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from kg.errors import StoreError
from kg.rdf.graphs import (
    BUILD_GRAPH,
    DERIVED_PREFIX,
    GRAPH_PREFIX,
    MERGED_GRAPH,
    STATS_GRAPH,
    STATS_NS,
    graph_name,
)
from kg.store.base import (
    Changes,
    Rows,
    Store,
    _ox,
    count_quads,
    stored_documents,
    stored_labels,
)
from kg.store.export import export, export_file
from kg.store.memory import MemoryStore
from kg.store.oxigraph import BULK_QUADS, OxigraphStore, swap_dir
from kg.store.remote import PASSWORD_ENV, UPDATE_ENV, USER_ENV, RemoteStore
from kg.store.stats import STATS_UPDATES, rank_triples

__all__ = [
    "BUILD_GRAPH", "BULK_QUADS", "DEFAULT_PATH", "DERIVED_PREFIX", "GRAPH_PREFIX", "MERGED_GRAPH",
    "PASSWORD_ENV", "STATS_GRAPH", "STATS_NS", "STATS_UPDATES", "UPDATE_ENV", "USER_ENV",
    "Changes", "MemoryStore", "OxigraphStore", "RemoteStore", "Rows", "Store", "count_quads",
    "export", "export_file", "export_to", "graph_name", "is_remote", "load_nquads",
    "memory_store", "open_store", "rank_triples", "stored_documents", "stored_labels", "swap_dir",
]

DEFAULT_PATH = Path("out/store")


def is_remote(spec: str | Path) -> bool:
    """Whether a --store value names a SPARQL endpoint."""
    return str(spec).startswith(("http://", "https://"))


def open_store(spec: str | Path | None = None, *, writable: bool = False) -> Any:
    """Open a store: None or "memory" (rdflib), an http(s):// endpoint, or a directory.

    Read-only opens need the directory to hold a store; `writable=True` takes the build lock
    (and creates nothing until the first write).
    """
    if spec is None or str(spec) == "memory":
        return MemoryStore()
    if is_remote(spec):
        return RemoteStore(str(spec), writable=writable)
    path = Path(spec)
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: exists and is not a store directory")
    return OxigraphStore(path, writable=writable)


def load_nquads(store: Any, data: bytes, *, fingerprint: str | None = None,
                reset: bool = False) -> None:
    """Write N-Quads into a store through its write path: document graphs are kept (stats are
    recomputed; triples outside a named graph are dropped). Quads are parsed one at a time and
    kept as text by graph, so a million of them load in modest memory."""
    ox = _ox()
    by_graph: dict[str, list[str]] = {}
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        name = getattr(q.graph_name, "value", None)
        if name is not None and name not in (STATS_GRAPH, BUILD_GRAPH):
            by_graph.setdefault(name, []).append(f"{q.subject} {q.predicate} {q.object} .\n")
    add = {g: "".join(lines).encode("utf-8") for g, lines in by_graph.items()}
    store.write(Changes(add=add, fingerprint=fingerprint, reset=reset))


def memory_store(nquads: bytes) -> OxigraphStore:
    """An Oxigraph in-memory store holding the given document graphs (tests, small jobs)."""
    store = OxigraphStore()
    load_nquads(store, nquads)
    return store


def write_store(nquads: bytes, path: Path) -> int:
    """Replace the store at `path` with one holding the given document graphs; quad count."""
    store = OxigraphStore(Path(path), writable=True)
    try:
        load_nquads(store, nquads, reset=True)
        return len(store)
    finally:
        store.close()



def export_to(spec: str | Path, fmt: str, output: Path | None, *,
              stdout: IO[bytes] | None = None) -> int:
    """Export the store at `spec` in an RDF format to a file or to `stdout`; statements written.

    Graph formats (GraphML, GEXF, CSV) are views of the graph: kg.views.export.export_to."""
    from kg.formats import GraphFormat  # start-up: a no-op kg build opens the store without formats

    if fmt not in {f.value for f in GraphFormat}:
        known = ", ".join(f.value for f in GraphFormat)
        raise StoreError(f"unknown RDF format {fmt!r} (formats: {known})")
    store = open_store(spec)
    try:
        return export_file(store, fmt, output, stdout=stdout)
    finally:
        store.close()
