"""The build: files → records → RDF → store, Turtle and an HTML view, nothing half-written.

Builds are incremental (only new or changed files are extracted; see `build`). Every output is
written beside its target and renamed into place once the store has taken the new graph, so an
interrupted build leaves the previous outputs as they were.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.corpus import Document, iter_files, read_document
from kg.errors import InputError, KgError
from kg.extract.records import DocRecord
from kg.files import atomic_write
from kg.store.base import count_graph_quads
from kg.store.spool import Spool, remove_stale


@dataclass
class BuildResult:
    """What a build produced and what it had to skip."""

    documents: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)
    quads: int = 0
    extracted: int = 0  # documents run through extraction (the rest came from the cache)
    replaced: int = 0  # document graphs written
    removed: int = 0  # document graphs dropped (their files are gone)
    unchanged: bool = False  # the store already held exactly this graph
    skipped: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


def read_documents(paths: Iterable[Path], warn: Callable[[str], None]) -> Iterator[Document]:
    """Read every file under `paths`, reporting each unreadable one through `warn`."""
    for path in iter_files(paths, warn):
        try:
            yield read_document(path)
        except InputError as exc:
            warn(str(exc))


def extract_records(documents: Iterable[Document | str | Path], *,
                    pkuseg_model: str | Path | None = None, jobs: int | None = 1,
                    graphs: Spool | None = None, **options: Any) -> Iterator[DocRecord]:
    """Run the extraction pipeline over documents (or file paths), one record each, in order.

    `jobs` worker processes extract (see `kg.build.parallel.extract_parallel`, which also takes
    `options`); 1 runs here, 0 or None every core. With `graphs`, each record's N-Quads but its
    labels (`kg.rdf.mapping.nquads_body`) go to that spool by path, written where the record
    was made.
    """
    from kg.build.parallel import extract_parallel

    yield from extract_parallel(documents, jobs, pkuseg_model=pkuseg_model, graphs=graphs,
                                **options)


def fingerprint(pkuseg_model: str | Path | None = None) -> tuple[str, str]:
    """(extraction, graph) fingerprints: hashes of the code and rules each depends on.

    Extraction records are reused only under the same extraction fingerprint; a store built
    under another graph fingerprint has all its document graphs rebuilt.
    """
    import hashlib

    import kg

    root = Path(kg.__file__).resolve().parent
    h = hashlib.sha256(f"{kg.__version__}\0{pkuseg_model or ''}".encode())
    # what extraction reads: its patterns and the code of the stages up to records
    extraction = [*sorted((root / "patterns").rglob("*")), root / "vocab.py",
                  *(p for stage in ("lang", "corpus", "nlp", "extract")
                    for p in sorted((root / stage).rglob("*.py")))]
    for path in extraction:
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    first = h.hexdigest()
    # the graph also depends on the derived graphs' inputs (kg.derive.links: tables, user decisions)
    graph_inputs = [p for stage in ("rdf", "derive", "store")
                    for p in sorted((root / stage).rglob("*.py"))]
    graph_inputs += sorted((root / "data").glob("*")) if (root / "data").is_dir() else []
    try:
        from kg.derive.links import user_table_path  # type: ignore[attr-defined]

        graph_inputs.append(Path(user_table_path()))
    except ImportError:
        pass
    for path in graph_inputs:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return first, h.hexdigest()


class RecordCache:
    """Extraction records by content hash under one directory, valid for one fingerprint."""

    def __init__(self, root: Path, fp: str) -> None:
        self.root, self.fp = root, fp[:16]

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.{self.fp}.json"

    def get(self, sha256: str, path: str) -> DocRecord | None:
        """The cached record of a file's bytes (by hash), named after the file at `path`.

        The record has no text: what needs it (`kg.rdf.mapping.nquads_body`) reads the file again.
        """
        import json

        from kg.extract.records import from_json

        try:
            obj = json.loads(self._path(sha256).read_text(encoding="utf-8"))
            rec = from_json(obj)
            rec.title = obj["title"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        rec.doc_id, rec.path, rec.sha256 = Path(path).stem, path, sha256
        return rec

    def put(self, rec: DocRecord) -> None:
        """Keep a record, unless its JSON form would lose something the graph is built from."""
        import json

        from kg.extract.records import from_json

        obj = rec.to_json()
        obj["title"] = rec.title
        back = from_json(json.loads(json.dumps(obj)))
        # dataclass equality, field by field (dumping both through asdict cost 70% of an
        # extraction: this runs in the workers for every document)
        if back.entities != rec.entities or back.relations != rec.relations:
            return
        try:
            atomic_write(self._path(rec.sha256), json.dumps(obj, ensure_ascii=False).encode())
        except OSError:
            pass  # a cache that cannot be written only costs time

    def prune(self, keep: set[str]) -> None:
        """Remove every cached record whose hash is not in `keep`."""
        for path in self.root.glob("*/*.json"):
            if path.name.split(".", 1)[0] not in keep or f".{self.fp}." not in path.name:
                path.unlink(missing_ok=True)


def build(paths: list[Path], out_dir: Path, *, store_path: str | Path | None = None,
          rebuild: bool = False, pkuseg_model: str | Path | None = None, html: bool = True,
          warn: Callable[[str], None] = lambda s: None,
          progress: Callable[[Iterable[DocRecord], int], Iterable[DocRecord]] | None = None,
          break_lock: bool = False, jobs: int | None = 1) -> BuildResult:
    """Bring the store, out_dir/kg.ttl and graph.html up to date with the files under `paths`.

    Incremental: only documents whose content (sha256) is new or changed are extracted (their
    records are cached under out_dir/cache); the graphs of changed, deleted and relabelled
    documents are replaced and the rest left alone, giving the same graph a full rebuild
    would. Nothing changed means nothing written. `rebuild=True` starts from an empty store.
    `jobs` processes extract (1: in this process; 0 or None: every core). `progress(records,
    total)` wraps the stream of records as they come out of extraction (a progress bar).
    """
    from kg.rdf.mapping import entity_iri_text, label_table
    from kg.store import Changes, graph_name, is_remote, open_store, stored_documents

    result = BuildResult()

    def _warn(msg: str) -> None:
        result.skipped.append(msg)
        warn(msg)

    _check_outputs(out_dir, html)
    files = list(hash_files(paths, _warn))
    if not files:
        raise KgError("no readable documents in " + ", ".join(map(str, paths)))
    spec = store_path if store_path is not None else out_dir / "store"
    if break_lock and is_remote(spec):
        open_store(spec).break_lock()
    fresh_out = not out_dir.exists()
    store = open_store(spec, writable=True)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale(out_dir)  # what a build killed here left
        bodies = Spool(out_dir)  # N-Quads but labels, by file path, from where records are made
        graphs = Spool(out_dir)  # N-Quads of the document graphs to (re)place, by graph IRI
    except BaseException:
        store.close()
        raise
    try:
        extraction_fp, graph_fp = fingerprint(pkuseg_model)
        cache = RecordCache(out_dir / "cache", extraction_fp)
        stored = {} if rebuild else stored_documents(store)
        same_graphs = not rebuild and store.fingerprint() == graph_fp
        # records without mentions and evidence (the spool and the cache keep those), so that
        # memory grows with the number of entities, not with the text
        records: dict[str, DocRecord] = {}
        missing: list[str] = []
        for path, sha256 in files:
            rec = cache.get(sha256, path)
            if rec is None:
                missing.append(path)
            else:
                records[path] = _light(rec)
        if missing:  # no document to extract: the NLP pipeline is not even loaded
            out: Iterable[DocRecord] = extract_records(
                missing, jobs=jobs, pkuseg_model=pkuseg_model, graphs=bodies, text=False,
                evidence=False, cache=cache, warn=_warn)
            for rec in progress(out, len(missing)) if progress else out:
                records[rec.path] = _light(rec)
        ordered = [records[path] for path, _ in files if path in records]
        if not ordered:
            if fresh_out:  # nothing to keep: leave no trace of this build
                store.close()
                shutil.rmtree(out_dir, ignore_errors=True)
            raise KgError("no readable documents in " + ", ".join(map(str, paths)))
        result.documents, result.extracted = len(ordered), len(missing)
        _count(ordered, result)
        labels = label_table(ordered)
        dirty = {r.doc_id for r in ordered if not same_graphs or stored.get(r.doc_id) != r.sha256}
        if same_graphs:
            from kg.store import stored_labels

            have = stored_labels(store)
            moved = {i for i, label in labels.items() if i in have and have[i] != {label}}
            dirty |= {r.doc_id for r in ordered
                      if any(entity_iri_text(e.name, e.type) in moved for e in r.entities)}
        gone = {graph_name(d) for d in stored} - {graph_name(r.doc_id) for r in ordered}
        result.replaced, result.removed = len(dirty), len(gone)
        changes = Changes(remove=gone | {graph_name(d) for d in dirty}, fingerprint=graph_fp,
                          reset=rebuild)
        if dirty:
            _spool_graphs([r for r in ordered if r.doc_id in dirty], labels, bodies, cache,
                          graphs)
            changes.add = graphs  # type: ignore[assignment] # read one graph at a time
        if changes or not same_graphs:
            _derive(store, changes, rebuild)
        title = "parks-kg: " + ", ".join(str(p) for p in paths)
        staged: list[tuple[Path, Path]] = []
        try:
            if changes or not same_graphs:
                store.write(changes, before_commit=lambda view: staged.extend(
                    _stage_outputs(view, out_dir, html, title, result)))
            else:
                result.unchanged = True
                if not (out_dir / "kg.ttl").is_file() or (html and not (out_dir / "graph.html")
                                                          .is_file()):
                    staged += _stage_outputs(store, out_dir, html, title, result)
                else:
                    result.quads = count_graph_quads(store)
            for tmp, target in staged:
                os.replace(tmp, target)
        except OSError as exc:
            raise KgError(f"{exc.filename or out_dir}: cannot write output "
                          f"({exc.strerror or exc})") from None
        finally:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
        cache.prune({sha256 for _, sha256 in files})
    finally:
        bodies.close()
        graphs.close()
        store.close()
    result.outputs += [out_dir / "kg.ttl", Path(str(spec))] + (
        [out_dir / "graph.html"] if html else [])
    return result


def _derive(store: object, changes: object, rebuild: bool) -> None:
    """Have the derived graphs (id:graph/derived/…) recomputed from every document graph.

    An embedded store computes them where the new document graphs are, reading what it needs
    by pattern (`kg.derive.links.derived_nquads`). Other stores (rdflib in memory, a SPARQL server)
    get them from an rdflib copy of every document graph (`kg.derive.links.add_links`), as before.
    Runs only when documents change.
    """
    from kg.store import OxigraphStore

    ch = changes  # kg.store.Changes
    if isinstance(store, OxigraphStore):
        from kg.derive.links import derived_nquads

        ch.derive = derived_nquads  # type: ignore[attr-defined]
        return
    import pyoxigraph as ox
    from rdflib import Dataset

    from kg.derive.links import add_links
    from kg.store import DERIVED_PREFIX, GRAPH_PREFIX

    keep = []
    old_derived = set()
    if not rebuild:
        for q in store.quads(merged=False):  # type: ignore[attr-defined]
            g = q.graph_name.value
            if g.startswith(DERIVED_PREFIX):
                old_derived.add(g)
            elif g.startswith(GRAPH_PREFIX) and g not in ch.remove:  # type: ignore[attr-defined]
                keep.append(q)
    data = ox.serialize(keep, format=ox.RdfFormat.N_QUADS) + b"".join(
        ch.add.values())  # type: ignore[attr-defined]
    full = Dataset()
    full.parse(data=data.decode("utf-8"), format="nquads")
    add_links(full)
    produced = {}
    for graph in full.graphs():
        name = str(graph.identifier)
        if name.startswith(DERIVED_PREFIX) and len(graph):
            produced[name] = graph
    add = dict(ch.add)  # type: ignore[attr-defined]
    for name, graph in produced.items():
        nt = graph.serialize(format="nt").encode("utf-8")
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
                 for t in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
        add[name] = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    ch.add = add  # type: ignore[attr-defined]
    ch.remove |= old_derived  # type: ignore[attr-defined]


def _count(records: list[DocRecord], result: BuildResult) -> None:
    for rec in records:
        for e in rec.entities:
            result.entities[e.type] = result.entities.get(e.type, 0) + 1
        for r in rec.relations:
            result.relations[r.relation] = result.relations.get(r.relation, 0) + 1


def _light(rec: DocRecord) -> DocRecord:
    """A record without text, mentions and evidence: what the build keeps of every document."""
    from kg.extract.records import Entity, Relation

    return DocRecord(rec.doc_id, [Entity(e.name, e.type, e.aliases, [], e.rule)
                                  for e in rec.entities],
                     [Relation(r.head, r.relation, r.tail, r.amount_cny, r.amount_text,
                               r.qualifier) for r in rec.relations],
                     title=rec.title, path=rec.path, sha256=rec.sha256)


def _spool_graphs(records: list[DocRecord], labels: dict[str, str], bodies: Spool,
                  cache: RecordCache, graphs: Spool) -> None:
    """Put the N-Quads of each record's document graph into `graphs`, by graph IRI.

    The label-independent part is in `bodies` when the record was just extracted; a cached
    record's is written here from the cache and the file's text.
    """
    from kg.rdf.mapping import graph_iri, nquads_body, nquads_labels

    for rec in records:
        g = str(graph_iri(rec.doc_id))  # two files of one name share a graph
        parts = bodies.parts(rec.path)
        if parts:
            graphs.add(g, *parts)
        else:
            full = cache.get(rec.sha256, rec.path)
            if full is None:
                raise KgError(f"{rec.path}: its cached record vanished during the build")
            full.title, full.text = rec.title, read_document(Path(rec.path)).text
            graphs.put(g, nquads_body(full).encode("utf-8", "replace"))
        graphs.put(g, nquads_labels(rec, labels).encode("utf-8", "replace"))


def hash_files(paths: Iterable[Path], warn: Callable[[str], None]) -> Iterator[tuple[str, str]]:
    """(path, sha256 of its bytes) of every file under `paths`; unreadable ones go to `warn`.

    Files are hashed, not decoded: the extraction workers decode the ones not in the cache.
    """
    import hashlib

    for path in iter_files(paths, warn):
        try:
            with open(path, "rb") as fh:
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
        except FileNotFoundError:
            warn(f"{path}: no such file")
        except IsADirectoryError:
            warn(f"{path}: is a directory, expected a file")
        except OSError as exc:
            warn(f"{path}: cannot read ({exc.strerror})")
        else:
            yield str(path), digest


def _check_outputs(out_dir: Path, html: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise KgError(f"{out_dir}: exists and is not a directory; choose another --out")
    for target in (out_dir / "kg.ttl", out_dir / "graph.html") if html else (out_dir / "kg.ttl",):
        if target.is_dir():
            raise KgError(f"{target}: is a directory; remove it or choose another --out")


def _stage_outputs(view: object, out_dir: Path, html: bool, title: str,
                   result: BuildResult) -> list[tuple[Path, Path]]:
    """Write kg.ttl (and graph.html) of the document and derived graphs beside their targets.

    Both read the store as a stream (`kg.store.turtle.write_turtle`, `kg.views.render`): no
    copy of the whole graph is made.
    """
    from kg.store.turtle import write_turtle

    out_dir.mkdir(parents=True, exist_ok=True)
    result.quads = count_graph_quads(view)
    staged = []
    try:
        ttl_tmp = _stage(out_dir, "kg.ttl")
        staged.append((ttl_tmp, out_dir / "kg.ttl"))
        write_turtle(view, ttl_tmp)
        if html:
            from kg.views import render

            page_tmp = _stage(out_dir, "graph.html")
            staged.append((page_tmp, out_dir / "graph.html"))
            render(view, page_tmp, title=title)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    return staged


def _stage(out_dir: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    return Path(tmp)


def union_graph(ds: object):  # type: ignore[no-untyped-def]
    """All named graphs of a Dataset merged into one rdflib Graph (prefixes kept)."""
    from rdflib import Graph

    g = Graph()
    for prefix, ns in ds.namespaces():  # type: ignore[attr-defined]
        g.bind(prefix, ns)
    for s, p, o, _ in ds.quads((None, None, None, None)):  # type: ignore[attr-defined]
        g.add((s, p, o))
    return g
