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

import fcntl
import io
import itertools
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Protocol

from kg.errors import QueryError, StoreError
from kg.vocab import ID

ID_NS = str(ID)
GRAPH_PREFIX = ID_NS + "graph/"
STATS_GRAPH = ID_NS + "stats"
BUILD_GRAPH = ID_NS + "build"
MERGED_GRAPH = ID_NS + "merged"
STATS_NS = "https://w3id.org/parks-kg/stats#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DEFAULT_PATH = Path("out/store")
USER_ENV, PASSWORD_ENV, UPDATE_ENV = "KG_STORE_USER", "KG_STORE_PASSWORD", "KG_STORE_UPDATE_URL"

_PREFIXES = f"""PREFIX pk: <https://w3id.org/parks-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX kgs: <{STATS_NS}>
"""

# Figures computed at build time, one INSERT each, from the merged graph (MERGED is replaced by
# `GRAPH <…> {` on a remote server and by `{` elsewhere). Zero counts are stored too.
STATS_UPDATES = [
    """INSERT { GRAPH <STATS> { ?park kgs:enterpriseCount ?n } } WHERE {
  SELECT ?park (COUNT(DISTINCT ?e) AS ?n) WHERE { M_OPEN ?park a pk:Park .
    OPTIONAL { ?park pk:hosts ?e . ?e a pk:Enterprise } M_CLOSE } GROUP BY ?park }""",
    """INSERT { GRAPH <STATS> { ?park kgs:platformCount ?n } } WHERE {
  SELECT ?park (COUNT(DISTINCT ?p) AS ?n) WHERE { M_OPEN ?park a pk:Park .
    OPTIONAL { ?park pk:built ?p } M_CLOSE } GROUP BY ?park }""",
    """INSERT { GRAPH <STATS> { ?park kgs:projectCount ?n ; kgs:investmentTotal ?t } } WHERE {
  SELECT ?park (COUNT(DISTINCT ?project) AS ?n) (SUM(COALESCE(?amount, 0)) AS ?t) WHERE {
    M_OPEN ?park a pk:Park ; pk:hosts ?project . ?project a pk:Project .
    OPTIONAL { ?project pk:investmentAmount ?amount } M_CLOSE } GROUP BY ?park }""",
    """INSERT { GRAPH <STATS> { ?park kgs:amountCount ?n } } WHERE {
  SELECT ?park (COUNT(DISTINCT ?project) AS ?n) WHERE { M_OPEN ?park a pk:Park ;
    pk:hosts ?project . ?project a pk:Project ; pk:investmentAmount ?amount M_CLOSE }
  GROUP BY ?park }""",
    """INSERT { GRAPH <STATS> { ?park kgs:amountCount 0 } } WHERE {
  GRAPH <STATS> { ?park kgs:projectCount ?n }
  FILTER NOT EXISTS { GRAPH <STATS> { ?park kgs:amountCount ?a } } }""",
    """INSERT { GRAPH <STATS> { ?e kgs:mentionCount ?m ; kgs:documentCount ?d } } WHERE {
  SELECT ?e (COUNT(DISTINCT ?mention) AS ?m) (COUNT(DISTINCT ?doc) AS ?d) WHERE { M_OPEN
    ?mention pk:mentionOf ?e ; pk:inDocument ?doc M_CLOSE } GROUP BY ?e }""",
]


DERIVED_PREFIX = GRAPH_PREFIX + "derived/"  # graphs computed from the document graphs


def graph_name(doc_id: str) -> str:
    """The IRI of a document's named graph (kg.rdf.graph_iri, which escapes odd file names)."""
    from kg.rdf import iri_part

    return GRAPH_PREFIX + iri_part(doc_id)


def _ox() -> Any:
    import pyoxigraph

    return pyoxigraph


@dataclass
class Changes:
    """One write: graphs to drop, graphs to (re)place (N-Quads or N-Triples text: the key names
    the graph), and the build fingerprint."""

    remove: set[str] = field(default_factory=set)
    add: Mapping[str, bytes] = field(default_factory=dict)  # a dict, or a kg.spool.Spool
    fingerprint: str | None = None
    reset: bool = False  # start from an empty store (kg build --rebuild)
    # graphs computed from the new document graphs where they are (an embedded store hands
    # its pyoxigraph database): the derived graphs' N-Quads by graph IRI, replacing the old
    derive: Callable[[Any], Mapping[str, bytes]] | None = None

    def __bool__(self) -> bool:
        return bool(self.remove or self.add or self.reset)


Rows = tuple[list[str], list[list[Any]]]


class Store(Protocol):
    """What every backend offers; rows hold pyoxigraph terms (None where unbound)."""

    location: str

    def select(self, sparql: str) -> Rows | bool:
        """Run a SELECT (rows) or ASK (bool) query on the merged graph."""
        ...

    def write(self, changes: Changes, *, before_commit: Callable[[Any], None] | None = None
              ) -> None:
        """Apply `changes` and recompute the stats graph; `before_commit(view)` sees the result
        (its `quads()`) before it replaces the old graph, and can still cancel it by raising."""
        ...

    def quads(self, *, merged: bool) -> Iterator[Any]:
        """Stream the merged graph's triples (merged) or the document and stats quads."""
        ...

    def fingerprint(self) -> str | None:
        """The fingerprint the stored graph was built with, if any."""
        ...

    def close(self) -> None:
        """Release files, locks and connections."""
        ...


# --- helpers shared by the backends -------------------------------------------------------------


def stored_documents(store: Store) -> dict[str, str]:
    """doc_id → sha256 of every document in the store."""
    _, rows = _rows(store.select(_PREFIXES + """SELECT ?id ?sha WHERE {
        ?d a pk:Document ; dcterms:identifier ?id ; pk:sha256 ?sha }"""))
    return {r[0].value: r[1].value for r in rows}


def stored_labels(store: Store) -> dict[str, set[str]]:
    """Entity IRI → the rdfs:label values stored for it (one, unless a build was cut short)."""
    _, rows = _rows(store.select(_PREFIXES + "SELECT ?e ?l WHERE { ?e rdfs:label ?l }"))
    out: dict[str, set[str]] = {}
    for e, label in rows:
        out.setdefault(e.value, set()).add(label.value)
    return out


def count_quads(store: Store) -> int:
    """Number of quads in the document and stats graphs."""
    return sum(1 for _ in store.quads(merged=False))


def _rows(result: Rows | bool) -> Rows:
    if isinstance(result, bool):
        raise StoreError("expected rows from a SELECT query, got a boolean")
    return result


def _stats_updates(merged: str | None) -> list[str]:
    """STATS_UPDATES reading the merged graph: a named graph (remote) or the default graph."""
    open_, close = (f"GRAPH <{merged}> {{", "}") if merged else ("", "")
    return [_PREFIXES + u.replace("<STATS>", f"<{STATS_GRAPH}>").replace("M_OPEN", open_)
            .replace("M_CLOSE", close) for u in STATS_UPDATES]


_RANK_PREFIXES = _PREFIXES + """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_ENTITY_CLASSES = "pk:Park pk:Enterprise pk:Platform pk:Project"
# What the list queries sort by, one figure per row key: (figure, group figure, SPARQL, key of a
# row (the node ranked, its group, the sort key)). Each figure numbers its nodes 0, 1, 2… in
# that order; the group (a class or a relation) gets the first and last number of its block.
_RANKS: list[tuple[str, str, str, Callable[[list[Any]], tuple[Any, Any, tuple[Any, ...]]]]] = [
    ("entityRank", "entityRank", f"""SELECT ?e ?class ?m ?l WHERE {{
       VALUES ?class {{ {_ENTITY_CLASSES} }}
       ?e a ?class ; kgs:mentionCount ?m ; rdfs:label ?l }}""",
     lambda r: (r[0], r[1], (r[1].value, -int(r[2].value), r[3].value, r[0].value))),
    ("linkRank", "linkRank", f"""SELECT ?e ?class ?l ?q WHERE {{
       VALUES ?class {{ {_ENTITY_CLASSES} pk:Region }} ?e a ?class ; rdfs:label ?l
       OPTIONAL {{ ?e pk:wikidata ?q ; skos:exactMatch ?item }} }}""",
     lambda r: (r[0], r[1], (r[1].value, r[3] is None, r[2].value, r[0].value))),
    ("amountRank", "", """SELECT ?p ?a ?l ?st ?pl WHERE {
       ?p a pk:Project ; rdfs:label ?l ; pk:investmentAmount ?a .
       OPTIONAL { ?st rdf:object ?p ; rdf:predicate pk:hosts ; rdf:subject ?park .
                  ?park pk:hosts ?p ; rdfs:label ?pl } }""",
     lambda r: (r[3] or r[0], None, (-_decimal(r[1]), r[2].value, r[4] is not None,
                                     r[4].value if r[4] else "", (r[3] or r[0]).value))),
    ("factRank", "factRank", """SELECT ?st ?p ?s ?o ?sl ?ol WHERE {
       ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
       OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?o rdfs:label ?ol } }""",
     lambda r: (r[0], r[1], (r[1].value, (r[4] or r[2]).value, (r[5] or r[3]).value,
                             r[0].value))),
    ("partOfRank", "", """SELECT ?st ?pl ?sl WHERE {
       ?st rdf:predicate pk:partOf ; rdf:subject ?s ; rdf:object ?p .
       ?s pk:partOf ?p ; rdfs:label ?sl . ?p rdfs:label ?pl }""",
     lambda r: (r[0], None, (r[1].value, r[2].value, r[0].value))),
]


def _decimal(term: Any) -> Decimal:
    try:
        return Decimal(term.value)
    except (InvalidOperation, AttributeError):
        return Decimal(0)


def rank_triples(select: Callable[[str], Rows | bool]) -> list[Any]:
    """The sort keys of the list queries, as integer figures computed from the merged graph.

    `kgs:entityRank` numbers entities by (type, mentions descending, name); `kgs:linkRank` the
    nodes of wikidata-links by (type, linked first, name); `kgs:amountRank` the facts "park
    hosts project" of projects with an amount (or the project, when no park hosts it) by
    (amount descending, project name, park name); `kgs:factRank` reified statements by
    (relation, subject name, object name); `kgs:partOfRank` the facts "sub-park partOf park"
    by (park name, sub-park name). Each class or relation holds the first and last
    number of its block (`kgs:entityRankFrom`, `kgs:entityRankTo`…). A query then pages by a
    range of small integers instead of sorting thousands of names. Names sort by code point,
    as SPARQL's ORDER BY does.
    """
    ox = _ox()
    integer = ox.NamedNode(XSD + "integer")
    out = []
    for figure, group_figure, sparql, key in _RANKS:
        keyed = sorted((key(row) for row in _rows(select(_RANK_PREFIXES + sparql))[1]),
                       key=lambda k: k[2])
        pred = ox.NamedNode(STATS_NS + figure)
        seen: set[str] = set()
        bounds: dict[Any, list[int]] = {}
        for node, group, _ in keyed:
            if node.value in seen:  # a second label or class: the first in order counts
                continue
            n = len(seen)
            seen.add(node.value)
            out.append(ox.Triple(node, pred, ox.Literal(str(n), datatype=integer)))
            if group_figure:
                bounds.setdefault(group, [n, n])[1] = n
        for group, (lo, hi) in sorted(bounds.items(), key=lambda kv: kv[1][0]):
            for suffix, n in (("From", lo), ("To", hi)):
                out.append(ox.Triple(group, ox.NamedNode(STATS_NS + group_figure + suffix),
                                     ox.Literal(str(n), datatype=integer)))
    return out


def _fingerprint_quad(value: str) -> Any:
    ox = _ox()
    return ox.Quad(ox.NamedNode(BUILD_GRAPH), ox.NamedNode(STATS_NS + "fingerprint"),
                   ox.Literal(value), ox.NamedNode(BUILD_GRAPH))


def _parse_nquads(data: bytes) -> list[Any]:
    ox = _ox()
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


# --- embedded Oxigraph ---------------------------------------------------------------------------


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
            raise StoreError(f"{self.path}: no graph store here; run `kg build` first or "
                             "pass --store")

    def _read(self) -> Any:
        if self._db is None:
            assert self.path is not None
            if not (self.path / "CURRENT").is_file():
                return _ox().Store()
            try:
                self._db = _ox().Store.read_only(str(self.path))
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot open the store ({exc})") from None
        return self._db

    def __len__(self) -> int:
        return count_quads(self)

    def __iter__(self) -> Iterator[Any]:
        return self.quads(merged=False)

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
                src = _ox().Store.read_only(str(self.path))
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


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


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


# --- rdflib in memory ----------------------------------------------------------------------------


class MemoryStore:
    """rdflib in memory, for small jobs and tests: nothing is kept after the process ends.

    A write is all-or-nothing: it changes a copy of the dataset and keeps it only on success.
    """

    location = "memory"

    def __init__(self) -> None:
        from rdflib import Dataset

        self.ds = Dataset()

    def __len__(self) -> int:
        return count_quads(self)

    # rdflib binds parameters itself (initBindings): kg.queries passes them instead of text
    binds_parameters = True

    def select(self, sparql: str, *, bindings: dict[str, Any] | None = None) -> Rows | bool:
        """Run a query on the merged graph, `bindings` (variable name → pyoxigraph term) bound
        by rdflib as initial bindings."""
        return _rdflib_select(self.ds, sparql, bindings)

    def fingerprint(self) -> str | None:
        from rdflib import URIRef

        g = self.ds.graph(URIRef(BUILD_GRAPH))
        for o in g.objects(URIRef(BUILD_GRAPH), URIRef(STATS_NS + "fingerprint")):
            return str(o)
        return None

    def quads(self, *, merged: bool) -> Iterator[Any]:
        ox = _ox()
        if merged:
            for s, p, o in _default(self.ds).triples((None, None, None)):
                yield ox.Triple(to_ox(s), to_ox(p), to_ox(o))
            return
        names = sorted(str(c.identifier) for c in _graphs_of(self.ds)
                       if str(c.identifier) not in (BUILD_GRAPH,)
                       and c.identifier != _default(self.ds).identifier)
        from rdflib import URIRef

        for name in names:
            g = ox.NamedNode(name)
            for s, p, o in self.ds.graph(URIRef(name)).triples((None, None, None)):
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)

    def write(self, changes: Changes, *, before_commit: Callable[[Any], None] | None = None
              ) -> None:
        from rdflib import Dataset, URIRef

        ds = Dataset()
        if not changes.reset:
            for q in self.ds.quads((None, None, None, None)):
                ds.add(q)
        for g in sorted(changes.remove | set(changes.add)) + [STATS_GRAPH]:
            ds.update(f"""DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }}
                FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER (?h != <{g}>) }} }}""")
            ds.remove_graph(URIRef(g))
        for g, data in sorted(changes.add.items()):
            part = Dataset()
            part.parse(data=data, format="nquads")
            for s, p, o, _ in part.quads((None, None, None, None)):
                ds.graph(URIRef(g)).add((s, p, o))
                _default(ds).add((s, p, o))
        for update in _stats_updates(None):
            ds.update(update)
        for t in ds.graph(URIRef(STATS_GRAPH)).triples((None, None, None)):
            _default(ds).add(t)
        for t in rank_triples(lambda q: _rdflib_select(ds, q)):
            triple = (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
            ds.graph(URIRef(STATS_GRAPH)).add(triple)
            _default(ds).add(triple)
        if changes.fingerprint is not None:
            from rdflib import Literal

            bg = ds.graph(URIRef(BUILD_GRAPH))
            bg.remove((None, None, None))
            bg.add((URIRef(BUILD_GRAPH), URIRef(STATS_NS + "fingerprint"),
                    Literal(changes.fingerprint)))
        old, self.ds = self.ds, ds
        if before_commit is not None:
            try:
                before_commit(self)
            except BaseException:
                self.ds = old
                raise

    def close(self) -> None:
        pass


def _rdflib_select(ds: Any, sparql: str, bindings: dict[str, Any] | None = None
                   ) -> Rows | bool:
    from pyparsing import ParseException
    from rdflib import Variable

    init = {Variable(k): to_rdflib(v) for k, v in (bindings or {}).items()}
    try:
        result = ds.query(sparql, initBindings=init) if init else ds.query(sparql)
    except ParseException as exc:
        raise QueryError(f"syntax error at line {exc.lineno}, column {exc.col}: "
                         f"{exc.msg}") from None
    except Exception as exc:  # rdflib raises many kinds for bad queries
        raise QueryError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from None
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type != "SELECT":
        raise QueryError("only SELECT and ASK queries can be shown as rows")
    names = [str(v) for v in result.vars or []]
    return names, [[to_ox(t) for t in row] for row in result]


def _default(ds: Any) -> Any:
    """A Dataset's default graph (rdflib ≥ 7.1 calls it default_graph)."""
    return ds.default_graph if hasattr(type(ds), "default_graph") else ds.default_context


def _graphs_of(ds: Any) -> Iterator[Any]:
    """A Dataset's graphs (rdflib ≥ 7.1 calls them graphs())."""
    return ds.graphs() if hasattr(ds, "graphs") else ds.contexts()


def to_ox(term: Any) -> Any:
    """An rdflib term as the pyoxigraph term of the same value (None stays None)."""
    from rdflib import BNode, Literal, URIRef

    ox = _ox()
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"unexpected RDF term {term!r}")


def to_rdflib(term: Any) -> Any:
    """A pyoxigraph term as the rdflib term of the same value."""
    from rdflib import BNode, Literal, URIRef

    ox = _ox()
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value != XSD + "string":
            return Literal(term.value, datatype=URIRef(term.datatype.value))
        return Literal(term.value)
    raise StoreError(f"unexpected RDF term {term!r}")


# --- a remote SPARQL 1.1 server -------------------------------------------------------------------


class RemoteStore:
    """A SPARQL 1.1 Protocol server: queries on its endpoint, writes by SPARQL Update.

    Credentials come only from KG_STORE_USER / KG_STORE_PASSWORD (basic or digest auth,
    whichever the server asks for); KG_STORE_UPDATE_URL names the update endpoint when it is not
    the query endpoint. A write replaces one document at a time, in batches of at most
    `batch` triples, and writes a document's sha256 last: a cut-short build leaves every other
    document as it was and that one without a hash, so the next build redoes it. A lock graph
    keeps a second build out.
    """

    # kg.queries cuts pages from the whole answer here: Virtuoso 7.2 drops rows from the paged
    # list queries (a subquery with ORDER BY joined to more patterns) when given a LIMIT
    pages_in_engine = False

    def __init__(self, url: str, *, writable: bool = False, batch: int = 500,
                 timeout: float = 120.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.username or parts.password:
            raise StoreError(f"{parts.hostname}: put credentials in {USER_ENV} and "
                             f"{PASSWORD_ENV}, not in the store URL")
        self.location = url
        self.query_url = url
        self.update_url = os.environ.get(UPDATE_ENV) or url
        self.batch = batch
        self.timeout = timeout
        user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
        handlers: list[Any] = []
        if user:
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for u in {self.query_url, self.update_url}:
                mgr.add_password(None, u, user, password or "")
            handlers += [urllib.request.HTTPBasicAuthHandler(mgr),
                         urllib.request.HTTPDigestAuthHandler(mgr)]
        self._http = urllib.request.build_opener(*handlers)
        self._lock_token: str | None = None
        if writable:
            self._take_lock()

    # HTTP
    def _post(self, url: str, form: dict[str, str], accept: str) -> bytes:
        body = urllib.parse.urlencode(form).encode("utf-8")
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        try:
            with self._http.open(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            first = next((ln.strip() for ln in detail if ln.strip()), exc.reason)
            if exc.code in (401, 403):
                raise StoreError(f"{url}: HTTP {exc.code}, not allowed; set {USER_ENV} and "
                                 f"{PASSWORD_ENV} (or grant SPARQL update rights)") from None
            if exc.code == 400 or "syntax" in str(first).lower():
                raise QueryError(f"{url}: {first}") from None
            raise StoreError(f"{url}: HTTP {exc.code}: {first}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"{url}: cannot reach the SPARQL endpoint ({reason})") from None

    def _update(self, text: str) -> None:
        self._post(self.update_url, {"update": text}, "*/*")

    def select(self, sparql: str) -> Rows | bool:
        import json

        data = self._post(self.query_url, {"query": sparql, "default-graph-uri": MERGED_GRAPH},
                          "application/sparql-results+json")
        try:
            doc = json.loads(data)
        except ValueError:
            raise StoreError(f"{self.query_url}: the answer is not SPARQL JSON results") from None
        if "boolean" in doc:
            return bool(doc["boolean"])
        names = list(doc.get("head", {}).get("vars", []))
        rows = [[from_json(b.get(n)) for n in names] for b in doc["results"]["bindings"]]
        return names, rows

    def fingerprint(self) -> str | None:
        import json

        data = self._post(self.query_url, {"query": f"SELECT ?f WHERE {{ GRAPH <{BUILD_GRAPH}> "
                                                    f"{{ ?b <{STATS_NS}fingerprint> ?f }} }}"},
                          "application/sparql-results+json")
        rows = json.loads(data)["results"]["bindings"]
        return rows[0]["f"]["value"] if rows else None

    def quads(self, *, merged: bool) -> Iterator[Any]:
        """Page through each named graph (a document graph is one page); the merged graph is
        their union, each triple given once (remembered by a 16-byte digest)."""
        import hashlib

        ox = _ox()
        seen: set[bytes] = set()
        for g in self._graphs():
            offset, page = 0, 5000
            while True:
                names, rows = _rows(self._select_in(g, offset, page))
                for s, p, o in rows:
                    if not merged:
                        yield ox.Quad(s, p, o, ox.NamedNode(g))
                        continue
                    key = hashlib.blake2b(f"{s} {p} {o}".encode(), digest_size=16).digest()
                    if key not in seen:
                        seen.add(key)
                        yield ox.Triple(s, p, o)
                if len(rows) < page:
                    break
                offset += page

    def _select_in(self, graph: str, offset: int, limit: int) -> Rows | bool:
        import json

        q = (f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} "
             f"ORDER BY ?s ?p ?o OFFSET {offset} LIMIT {limit}")
        doc = json.loads(self._post(self.query_url, {"query": q},
                                    "application/sparql-results+json"))
        return ["s", "p", "o"], [[from_json(b.get(n)) for n in "spo"]
                                 for b in doc["results"]["bindings"]]

    def _graphs(self) -> list[str]:
        import json

        q = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
             f"FILTER (STRSTARTS(STR(?g), \"{GRAPH_PREFIX}\") || ?g = <{STATS_GRAPH}>) }}")
        doc = json.loads(self._post(self.query_url, {"query": q},
                                    "application/sparql-results+json"))
        return sorted(b["g"]["value"] for b in doc["results"]["bindings"])

    def write(self, changes: Changes, *, before_commit: Callable[[Any], None] | None = None
              ) -> None:
        if changes.reset:
            for g in self._graphs() + [MERGED_GRAPH, BUILD_GRAPH]:
                self._update(f"DROP SILENT GRAPH <{g}>")
        for g in sorted(changes.remove - set(changes.add)):
            self._drop(g)
        for g, data in sorted(changes.add.items()):
            self._drop(g)
            quads = _parse_nquads(data)
            last = [q for q in quads if q.predicate.value.endswith("#sha256")]
            quads = [q for q in quads if q not in last] + last
            for i in range(0, len(quads), self.batch):
                chunk = quads[i : i + self.batch]
                triples = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in chunk)
                self._update(f"INSERT DATA {{ GRAPH <{g}> {{ {triples} }} "
                             f"GRAPH <{MERGED_GRAPH}> {{ {triples} }} }}")
        self._drop(STATS_GRAPH)
        for update in _stats_updates(MERGED_GRAPH):
            self._update(update)
        self._update(f"INSERT {{ GRAPH <{MERGED_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ "
                     f"GRAPH <{STATS_GRAPH}> {{ ?s ?p ?o }} }}")
        ranks = rank_triples(self.select)
        for i in range(0, len(ranks), self.batch):
            triples = " ".join(f"{t} ." for t in ranks[i : i + self.batch])
            self._update(f"INSERT DATA {{ GRAPH <{STATS_GRAPH}> {{ {triples} }} "
                         f"GRAPH <{MERGED_GRAPH}> {{ {triples} }} }}")
        if changes.fingerprint is not None:
            self._update(f"DROP SILENT GRAPH <{BUILD_GRAPH}>")
            q = _fingerprint_quad(changes.fingerprint)
            self._update(f"INSERT DATA {{ GRAPH <{BUILD_GRAPH}> {{ {q.subject} {q.predicate} "
                         f"{q.object} }} }}")
        if before_commit is not None:
            before_commit(self)  # a server has no staging area: the change is already there

    def _drop(self, graph: str) -> None:
        self._update(f"""DELETE {{ GRAPH <{MERGED_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{
            GRAPH <{graph}> {{ ?s ?p ?o }}
            FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }}
                                FILTER (?h != <{graph}> && ?h != <{MERGED_GRAPH}>) }} }}""")
        self._update(f"DROP SILENT GRAPH <{graph}>")

    def _take_lock(self) -> None:
        import json
        import socket
        import time
        import uuid

        token = f"{socket.gethostname()} pid {os.getpid()} at {time.strftime('%FT%T')} " \
                f"{uuid.uuid4().hex[:8]}"
        lock, holder = ID_NS + "lock", STATS_NS + "heldBy"
        self._update(f"INSERT {{ GRAPH <{lock}> {{ <{lock}> <{holder}> {_lit(token)} }} }} "
                     f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{lock}> {{ <{lock}> <{holder}> ?x }} "
                     "} }")
        doc = json.loads(self._post(self.query_url, {
            "query": f"SELECT ?x WHERE {{ GRAPH <{lock}> {{ <{lock}> <{holder}> ?x }} }}"},
            "application/sparql-results+json"))
        held = [b["x"]["value"] for b in doc["results"]["bindings"]]
        if held != [token]:
            other = ", ".join(h for h in held if h != token) or "another build"
            if token in held:
                self._update(f"DELETE DATA {{ GRAPH <{lock}> {{ <{lock}> <{holder}> "
                             f"{_lit(token)} }} }}")
            raise StoreError(f"{self.location}: another build is writing this store ({other}); "
                             f"wait for it, or if it died, run `kg build --break-lock`")
        self._lock_token = token

    def break_lock(self) -> None:
        """Remove the lock of a build that died (the only way a remote lock outlives its build)."""
        self._update(f"DROP SILENT GRAPH <{ID_NS}lock>")

    def close(self) -> None:
        if self._lock_token is not None:
            lock, holder = ID_NS + "lock", STATS_NS + "heldBy"
            self._update(f"DELETE DATA {{ GRAPH <{lock}> {{ <{lock}> <{holder}> "
                         f"{_lit(self._lock_token)} }} }}")
            self._lock_token = None


def _lit(text: str) -> str:
    return str(_ox().Literal(text))


def from_json(b: dict[str, str] | None) -> Any:
    """A term of SPARQL 1.1 JSON results as a pyoxigraph term (None when unbound)."""
    ox = _ox()
    if b is None:
        return None
    kind, value = b.get("type"), b.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value.removeprefix("_:").replace("nodeID://", "") or None)
    lang = b.get("xml:lang")
    if lang:
        return ox.Literal(value, language=lang)
    dt = b.get("datatype")
    if dt and dt != XSD + "string":
        return ox.Literal(value, datatype=ox.NamedNode(dt))
    return ox.Literal(value)


# --- opening ------------------------------------------------------------------------------------


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


def export(store: Any, fmt: str, out: IO[bytes]) -> int:
    """Stream the store to `out` in one of kg.formats.GraphFormat; returns statements written.

    Triple formats (ttl, nt) hold the merged graph; dataset formats (nq, trig, jsonld) hold the
    document, derived and stats graphs, each under its name.
    """
    from kg.formats import GraphFormat, ox_format
    from kg.vocab import PREFIXES

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


def export_to(spec: str | Path, fmt: str, output: Path | None, *,
              stdout: IO[bytes] | None = None) -> int:
    """Export a store to a file (written beside it, then renamed) or to `stdout`; statements.

    RDF formats (kg.formats.GraphFormat) stream from the store. Any other format is handed to
    `kg.views.export_graph(graph, fmt, path)` with the document graphs merged into one rdflib
    Graph, when kg.views provides it: this is the hook for graph formats (GraphML, GEXF, CSV).
    """
    from kg.formats import GraphFormat

    store = open_store(spec)
    try:
        if fmt not in {f.value for f in GraphFormat}:
            return _export_other(store, fmt, output)
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
    finally:
        store.close()


def _export_other(store: Any, fmt: str, output: Path | None) -> int:
    from kg.formats import GraphFormat

    try:
        from kg.views import EXPORT_FORMATS, export_graph  # type: ignore[attr-defined]
    except ImportError:
        EXPORT_FORMATS, export_graph = (), None  # noqa: N806
    if export_graph is None or fmt not in EXPORT_FORMATS:
        known = ", ".join([f.value for f in GraphFormat] + list(EXPORT_FORMATS))
        raise StoreError(f"unknown export format {fmt!r} (formats: {known})")
    if output is None:
        raise StoreError(f"--format {fmt} writes files: give -o PATH")
    from rdflib import Graph

    graph = Graph()
    data = io.BytesIO()
    ox = _ox()
    ox.serialize((q.triple for q in store.quads(merged=False)
                  if q.graph_name.value != STATS_GRAPH), data, ox.RdfFormat.N_TRIPLES)
    graph.parse(data=data.getvalue().decode("utf-8"), format="nt")
    export_graph(graph, fmt, output)
    return len(graph)


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

