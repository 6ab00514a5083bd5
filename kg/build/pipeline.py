"""The build: files → records → RDF → store, Turtle and an HTML view, nothing half-written.

Builds are incremental (only new or changed files are extracted; see `build`) and additive: a
document leaves the store only when `prune=True` and its file is not among those given. A
document's id is its path under the corpus folder given, without extension (`corpus_files`), so
same-named files in two folders are two documents. Every output is
written beside its target and renamed into place once the store has taken the new graph, so an
interrupted build leaves the previous outputs as they were.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from kg.build.cache import RecordCache, cache_key, fingerprint
from kg.build.parallel import Source, extract_parallel
from kg.corpus import Document, iter_files, read_document
from kg.corpus.articles import side_date
from kg.errors import InputError, KgError
from kg.extract.records import DocRecord, Entity, Relation
from kg.files import atomic_write, umask_mode
from kg.store import (
    DERIVED_PREFIX,
    GRAPH_PREFIX,
    Changes,
    OxigraphStore,
    graph_name,
    is_remote,
    open_store,
    stored_documents,
    stored_labels,
)
from kg.store.base import count_graph_quads
from kg.store.spool import Spool, remove_stale
from kg.store.turtle import write_turtle


@dataclass
class BuildResult:
    """What a build produced and what it had to skip."""

    documents: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)
    quads: int = 0
    extracted: int = 0  # documents run through extraction (the rest came from the cache)
    replaced: int = 0  # document graphs written
    removed: int = 0  # document graphs dropped (their files are gone, with prune=True)
    removed_ids: list[str] = field(default_factory=list)  # which, sorted
    kept_gone: int = 0  # stored documents not among the files given, kept (prune=False)
    unchanged: bool = False  # the store already held exactly this graph
    skipped: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


def corpus_files(paths: Iterable[Path], warn: Callable[[str], None], *,
                 unique: bool = True) -> Iterator[Source]:
    """Every file under `paths` with its document id: its path relative to the folder given,
    without extension, "/" between folders (`2024/01`); a file given itself keeps its stem.

    The id names the document's graph, so two files that would share one (a.txt and a.md in
    one folder, or the same name given twice from different folders) raise InputError naming
    both, unless `unique=False` (records printed, no graph made); the same file reached twice
    is listed once.
    """
    seen: dict[str, Path] = {}
    files: set[Path] = set()
    for root in paths:
        for path in iter_files([root], warn):
            if root.is_dir():
                doc_id = path.relative_to(root).with_suffix("").as_posix()
            else:
                doc_id = path.stem
            real = path.resolve()
            if real in files:
                continue
            if unique and doc_id in seen:
                raise InputError(f"{seen[doc_id]} and {path}: both would be document "
                                 f"{doc_id!r} (one graph); rename one or give their folder")
            seen[doc_id] = path
            files.add(real)
            yield Source(str(path), doc_id)


def read_documents(paths: Iterable[Path], warn: Callable[[str], None], *,
                   note: Callable[[str], None] | None = None) -> Iterator[Document]:
    """Read every file under `paths` (ids as `corpus_files` gives them), reporting each
    unreadable one through `warn` and the doubts about one that was read (its encoding, no
    Chinese…) through `note`, by default `warn` too."""
    for src in corpus_files(paths, warn):
        try:
            yield read_document(Path(src.path), doc_id=src.doc_id,
                                warn=warn if note is None else note)
        except InputError as exc:
            warn(str(exc))


def extract_records(documents: Iterable[Document | Source | str | Path], *,
                    pkuseg_model: str | Path | None = None, jobs: int | None = 1,
                    graphs: Spool | None = None, **options: Any) -> Iterator[DocRecord]:
    """Run the extraction pipeline over documents (or file paths), one record each, in order.

    `jobs` worker processes extract (see `kg.build.parallel.extract_parallel`, which also takes
    `options`); 1 runs here, 0 or None every core. With `graphs`, each record's N-Quads but its
    labels (`kg.rdf.mapping.nquads_body`) go to that spool by path, written where the record
    was made.
    """

    yield from extract_parallel(documents, jobs, pkuseg_model=pkuseg_model, graphs=graphs,
                                **options)


def build(paths: list[Path], out_dir: Path, *, store_path: str | Path | None = None,
          rebuild: bool = False, pkuseg_model: str | Path | None = None, html: bool = True,
          warn: Callable[[str], None] = lambda s: None,
          progress: Callable[[Iterable[DocRecord], int], Iterable[DocRecord]] | None = None,
          break_lock: bool = False, jobs: int | None = 1, prune: bool = False,
          note: Callable[[str], None] | None = None, cluster: str | None = None,
          dates: dict[str, str] | None = None, dates_file: str | Path | None = None,
          steps: Callable[[str], None] | None = None) -> BuildResult:
    """Bring the store, out_dir/kg.ttl and graph.html up to date with the files under `paths`.

    Incremental: only documents whose content (sha256) is new or changed are extracted (their
    records are cached under out_dir/cache); the graphs of changed and relabelled documents
    are replaced and the rest left alone, giving the same graph a full rebuild would.
    Additive: stored documents not among the files given stay, unless `prune=True` or `paths`
    are the corpus roots the builds of out_dir recorded (out_dir/cache/sources.json): then
    they are removed. Nothing changed means nothing written. `rebuild=True` starts from an
    empty store. `note` gets the warnings about files that were read (their encoding…).
    `jobs` processes extract (1: in this process; 0 or None: every core), or, given `cluster`
    (tcp://HOST:PORT), a Dask scheduler's workers (`kg.build.cluster`). `progress(records,
    total)` wraps the stream of records as they come out of extraction (a progress bar).
    `dates` (kg.corpus.articles.read_date_file, from the file `dates_file`, named in its
    warnings) dates the files whose text shows no date: a record is cached under its file's
    bytes and date, and another date file than the last build's re-extracts and rewrites only
    the documents whose article dates it changes; its paths that name no file given are a
    warning.
    `steps(line)` hears the work after extraction as it goes (mapping, storing, deriving,
    writing kg.ttl and graph.html), several times a step when it is long.
    """
    say = steps or (lambda _: None)
    # start-up: a no-op kg build does not load the RDF mapping
    from kg.rdf.mapping import entity_iri_text, label_table

    result = BuildResult()

    def _warn(msg: str) -> None:
        result.skipped.append(msg)
        warn(msg)

    _check_outputs(out_dir, html)
    files = list(hash_files(paths, _warn))
    ids = {src.doc_id for src, _ in files}
    if not files:
        raise KgError("no readable documents in " + ", ".join(map(str, paths)))
    unused = unused_dates(dates, [src for src, _ in files])
    if unused:
        warn(f"{dates_file or 'date file'}: {len(unused)} path(s) name no file given: "
             f"{', '.join(unused[:5])}{' …' if len(unused) > 5 else ''}")
    published = {src.path: side_date(dates, src.path, src.doc_id) for src, _ in files}
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
        missing: list[Source] = []
        for src, sha256 in files:
            rec = cache.get(sha256, src.path, src.doc_id, published[src.path])
            if rec is None:
                missing.append(src)
            else:
                records[src.path] = _light(rec)
        if missing:  # no document to extract: the NLP pipeline is not even loaded
            out: Iterable[DocRecord] = extract_records(
                missing, jobs=jobs, pkuseg_model=pkuseg_model, graphs=bodies, text=False,
                evidence=False, cache=cache, warn=_warn, note=note, dates=dates)
            if cluster is not None:
                # optional: the Dask cluster only for --cluster
                from kg.build.cluster import extract_cluster

                out = extract_cluster(missing, cluster, pkuseg_model=pkuseg_model, graphs=bodies,
                                      text=False, evidence=False, cache=cache, warn=_warn,
                                      note=note, dates=dates)
            for rec in progress(out, len(missing)) if progress else out:
                records[rec.path] = _light(rec)
        ordered = [records[src.path] for src, _ in files if src.path in records]
        if not ordered:
            if fresh_out:  # nothing to keep: leave no trace of this build
                store.close()
                shutil.rmtree(out_dir, ignore_errors=True)
            raise KgError("no readable documents in " + ", ".join(map(str, paths)))
        result.extracted = len(missing)
        roots = _sources(paths)
        prune = prune or rebuild or roots == _read_sources(out_dir)
        kept = {} if prune else {d: sha for d, sha in stored.items() if d not in ids}
        if kept and not same_graphs:
            raise KgError(f"{spec}: built by another version of the rules or link tables, and "
                          f"{len(kept)} stored document(s) are not among the files given: give "
                          "their folder too, or --prune to drop them, or --rebuild")
        if not prune:
            _old_ids_note(kept, ids, spec, warn)
        # the kept documents' names count for labels and for the summary (those whose record
        # is cached here: a store built from another out folder has its graphs but not these)
        others = [rec for d, sha in sorted(kept.items())
                  if (rec := cache.get(sha, "", d, side_date(dates, "", d))) is not None]
        result.documents, result.kept_gone = len(ordered) + len(kept), len(kept)
        _count([*ordered, *others], result)
        labels = label_table([*ordered, *others])
        dirty = {r.doc_id for r in ordered if not same_graphs or stored.get(r.doc_id) != r.sha256}
        digest = _dates_digest(dates)
        if same_graphs and digest != _read_dates_digest(out_dir):
            # another date file than the last build's: the stored documents whose articles
            # it dates otherwise (their fact times follow) are rewritten, no others
            have = stored_article_dates(store)
            dirty |= {r.doc_id for r in ordered if have.get(r.doc_id, []) != _record_dates(r)}
        if same_graphs:

            have = stored_labels(store)
            moved = {i for i, label in labels.items() if i in have and have[i] != {label}}
            dirty |= {r.doc_id for r in ordered
                      if any(entity_iri_text(e.name, e.type) in moved for e in r.entities)}
            stuck = sorted(r.doc_id for r in others
                           if any(entity_iri_text(e.name, e.type) in moved for e in r.entities))
            if stuck:
                raise KgError(f"{spec}: the new documents change the label of entities of "
                              f"stored document(s) not given ({', '.join(stuck[:3])}): give "
                              "their folder too, or --prune to drop them")
        gone_ids = set(stored) - {r.doc_id for r in ordered} - set(kept)
        gone = {graph_name(d) for d in gone_ids}
        result.replaced, result.removed = len(dirty), len(gone)
        result.removed_ids = sorted(gone_ids)
        changes = Changes(remove=gone | {graph_name(d) for d in dirty}, fingerprint=graph_fp,
                          reset=rebuild)
        if dirty:
            say(f"mapping {len(dirty)} document(s) to RDF")
            _spool_graphs([r for r in ordered if r.doc_id in dirty], labels, bodies, cache,
                          graphs, published)
            changes.add = graphs  # type: ignore[assignment] # read one graph at a time
        if changes or not same_graphs:
            _derive(store, changes, rebuild)
            if isinstance(store, OxigraphStore):
                _report_writes(changes, say)
        title = "parks-kg: " + ", ".join(str(p) for p in paths)
        staged: list[tuple[Path, Path]] = []
        try:
            if changes or not same_graphs:
                store.write(changes, before_commit=lambda view: staged.extend(
                    _stage_outputs(view, out_dir, html, title, result, say)))
            else:
                result.unchanged = True
                if not (out_dir / "kg.ttl").is_file() or (html and not (out_dir / "graph.html")
                                                          .is_file()):
                    staged += _stage_outputs(store, out_dir, html, title, result, say)
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
        cache.prune({cache_key(sha256, published[src.path]) for src, sha256 in files},
                    set(kept.values()))
        # the roots that hold every stored document: these paths alone when nothing was kept
        if kept:  # (stored documents of unknown source: only --prune or all of them given)
            roots = sorted(set(roots) | set(_read_sources(out_dir) or [UNKNOWN_SOURCE]))
        _write_sources(out_dir, roots)
        _write_dates_digest(out_dir, digest)
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

    ch = changes  # kg.store.Changes
    if isinstance(store, OxigraphStore):
        # start-up: a no-op kg build does not load the derived links
        from kg.derive.links import derived_nquads

        ch.derive = derived_nquads  # type: ignore[attr-defined]
        return
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    # start-up: a no-op kg build does not load the derived links
    from kg.derive.links import add_links

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
    """Distinct entities by class and distinct relations by kind, as the graph holds them
    (one node for a name found in 200 documents), not the sum of per-document counts."""
    # start-up: a no-op kg build does not load the RDF mapping
    from kg.rdf.mapping import entity_iri_text

    entities: set[tuple[str, str]] = set()
    relations: set[tuple[str, str, str]] = set()
    for rec in records:
        iris = {}
        for e in rec.entities:
            iris[e.name] = iri = entity_iri_text(e.name, e.type)
            entities.add((e.type, iri))
        for r in rec.relations:
            relations.add((r.relation, iris.get(r.head, r.head), iris.get(r.tail, r.tail)))
    for type_, _ in entities:
        result.entities[type_] = result.entities.get(type_, 0) + 1
    for rel, _, _ in relations:
        result.relations[rel] = result.relations.get(rel, 0) + 1


SOURCES = "cache/sources.json"  # under out_dir: the corpus roots its builds were given
UNKNOWN_SOURCE = "(documents stored before roots were recorded)"


def _sources(paths: list[Path]) -> list[str]:
    """The paths of a build as recorded: absolute, sorted, each once."""
    return sorted({str(Path(p).resolve()) for p in paths})


def _read_sources(out_dir: Path) -> list[str] | None:
    """The corpus roots recorded by the builds of out_dir since the last pruning one."""

    try:
        got = json.loads((out_dir / SOURCES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return sorted(map(str, got)) if isinstance(got, list) else None


def _write_sources(out_dir: Path, roots: list[str]) -> None:

    if _read_sources(out_dir) == roots:
        return
    try:
        atomic_write(out_dir / SOURCES, json.dumps(roots, ensure_ascii=False).encode())
    except OSError:
        pass  # without it, the next build prunes only when told to


DATES = "cache/dates.json"  # under out_dir: the digest of the date file its last build had


def _dates_digest(dates: dict[str, str] | None) -> str:
    """A digest of a date file's rows ("" for none)."""
    if not dates:
        return ""
    text = json.dumps(sorted(dates.items()), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _read_dates_digest(out_dir: Path) -> str:
    """The digest of the date file of the last build of out_dir ("": none, or unrecorded:
    before date files were cached by document, a date file changed the graph fingerprint)."""
    try:
        got = json.loads((out_dir / DATES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(got.get("digest", "")) if isinstance(got, dict) else ""


def _write_dates_digest(out_dir: Path, digest: str) -> None:
    if _read_dates_digest(out_dir) == digest:
        return
    try:
        if digest:
            atomic_write(out_dir / DATES, json.dumps({"digest": digest}).encode())
        else:
            (out_dir / DATES).unlink(missing_ok=True)
    except OSError:
        pass  # without it, the next build compares the stored dates again


def stored_article_dates(store: Any) -> dict[str, list[str]]:
    """Document id → the publication dates of its stored articles, sorted (documents with no
    dated article left out): what a date file changes in a document graph."""
    found = store.select("""PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?id ?date WHERE { ?a dcterms:isPartOf ?d ; dcterms:date ?date .
                                 ?d dcterms:identifier ?id }""")
    if isinstance(found, bool):
        raise KgError("expected rows from a SELECT query, got a boolean")
    out: dict[str, list[str]] = {}
    for doc, when in found[1]:
        out.setdefault(doc.value, []).append(when.value)
    return {doc: sorted(values) for doc, values in out.items()}


def _record_dates(rec: DocRecord) -> list[str]:
    """The publication dates of a record's articles, sorted, as `stored_article_dates` reads
    them back."""
    return sorted(a.published for a in rec.articles if a.published)


def _old_ids_note(kept: dict[str, str], ids: set[str], spec: object,
                  warn: Callable[[str], None]) -> None:
    """Warn when stored documents look like nested files under their old ids (the bare stem,
    before ids were paths under the corpus root): their graph merged same-named files."""
    stems = {i.rsplit("/", 1)[-1] for i in ids if "/" in i}
    old = sorted(d for d in kept if d in stems)
    if old:
        warn(f"{spec}: holds document(s) under ids from before nested folders had their own "
             f"({', '.join(old[:3])}{'…' if len(old) > 3 else ''}); run the build again with "
             "--prune (or --rebuild) to replace them")


def _light(rec: DocRecord) -> DocRecord:
    """A record without text, mentions and evidence: what the build keeps of every document
    (its articles too, for their dates)."""

    return DocRecord(rec.doc_id, [Entity(e.name, e.type, e.aliases, [], e.rule)
                                  for e in rec.entities],
                     [Relation(r.head, r.relation, r.tail, r.amount_cny, r.amount_text,
                               r.qualifier) for r in rec.relations],
                     title=rec.title, path=rec.path, sha256=rec.sha256,
                     articles=[replace(a, evidence=None) for a in rec.articles])


def _spool_graphs(records: list[DocRecord], labels: dict[str, str], bodies: Spool,
                  cache: RecordCache, graphs: Spool, published: dict[str, str | None]) -> None:
    """Put the N-Quads of each record's document graph into `graphs`, by graph IRI.

    The label-independent part is in `bodies` when the record was just extracted; a cached
    record's (under its side-file date, `published` by path) is written here from the cache
    and the file's text.
    """
    # start-up: a no-op kg build does not load the RDF mapping
    from kg.rdf.mapping import graph_iri, nquads_body, nquads_labels

    for rec in records:
        g = str(graph_iri(rec.doc_id))  # one per file: `corpus_files` refuses shared ids
        parts = bodies.parts(rec.path)
        if parts:
            graphs.add(g, *parts)
        else:
            full = cache.get(rec.sha256, rec.path, rec.doc_id, published.get(rec.path))
            if full is None:
                raise KgError(f"{rec.path}: its cached record vanished during the build")
            full.title = rec.title
            full.text = read_document(Path(rec.path), doc_id=rec.doc_id).text
            graphs.put(g, nquads_body(full).encode("utf-8", "replace"))
        graphs.put(g, nquads_labels(rec, labels).encode("utf-8", "replace"))


def unused_dates(dates: dict[str, str] | None, sources: Iterable[Source]) -> list[str]:
    """The paths of a date file (`kg.corpus.articles.read_date_file`) that date none of
    `sources`, sorted: a row counts as used when its path, file name or stem dates a file
    (`kg.corpus.articles.side_date`)."""
    if not dates:
        return []
    used: set[str] = set()
    for src in sources:
        p = Path(src.path)
        used.update(k for k in (src.path, str(p.resolve()), p.name, p.stem, src.doc_id)
                    if k in dates)
    unused = [k for k in dates if not {k, Path(k).name, Path(k).stem} & used]
    # read_date_file keys a row by its path, file name and stem: name each unused row once
    derived = {part for k in unused for part in (Path(k).name, Path(k).stem) if part != k}
    return sorted(k for k in unused if k not in derived)


def hash_files(paths: Iterable[Path], warn: Callable[[str], None]
                ) -> Iterator[tuple[Source, str]]:
    """(file and document id, sha256 of its bytes) of every file under `paths` (see
    `corpus_files`); unreadable ones go to `warn`.

    Files are hashed, not decoded: the extraction workers decode the ones not in the cache.
    """

    for src in corpus_files(paths, warn):
        path = src.path
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
            yield src, digest


def _check_outputs(out_dir: Path, html: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise KgError(f"{out_dir}: exists and is not a directory; choose another --out")
    for target in (out_dir / "kg.ttl", out_dir / "graph.html") if html else (out_dir / "kg.ttl",):
        if target.is_dir():
            raise KgError(f"{target}: is a directory; remove it or choose another --out")


def _stage_outputs(view: object, out_dir: Path, html: bool, title: str,
                   result: BuildResult, say: Callable[[str], None] = lambda _: None
                   ) -> list[tuple[Path, Path]]:
    """Write kg.ttl (and graph.html) of the document and derived graphs beside their targets.

    Both read the store as a stream (`kg.store.turtle.write_turtle`, `kg.views.render`): no
    copy of the whole graph is made. `say(line)` hears each step.
    """

    out_dir.mkdir(parents=True, exist_ok=True)
    say("writing kg.ttl")
    result.quads = count_graph_quads(view)
    staged = []
    try:
        ttl_tmp = _stage(out_dir, "kg.ttl")
        staged.append((ttl_tmp, out_dir / "kg.ttl"))
        write_turtle(view, ttl_tmp, progress=say)
        if html:
            # start-up: views load only when a build writes the HTML page
            from kg.views import render

            say("drawing graph.html")
            page_tmp = _stage(out_dir, "graph.html")
            staged.append((page_tmp, out_dir / "graph.html"))
            render(view, page_tmp, title=title, progress=say)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    return staged


def _report_writes(changes: Changes, say: Callable[[str], None]) -> None:
    """Have an embedded store's write of `changes` report as it goes: the megabytes of
    document graphs loaded so far, then the derivation of links.

    A single document graph can take many seconds to load (a 5 MB one-line text gives 40 MB
    of N-Quads); pyoxigraph parses a file object as it reads it, so each graph is handed over
    as one whose reads are counted (Oxigraph's write parses the graphs it is given, and takes
    a file object where it takes bytes).
    """
    if changes.add:
        changes.add = _CountedGraphs(changes.add, say)  # type: ignore[assignment]
    inner = changes.derive
    if inner is not None:
        def derive(db: Any) -> Mapping[str, bytes]:
            say("deriving the links between documents")
            return inner(db)

        changes.derive = derive


class _CountedGraphs(Mapping[str, Any]):
    """The graphs of a write, each read as a stream that reports the megabytes read so far
    out of the whole."""

    def __init__(self, graphs: Mapping[str, bytes], say: Callable[[str], None]) -> None:
        self._graphs = graphs
        self._say = say
        parts = getattr(graphs, "parts", None)  # a Spool knows its sizes without reading
        self._total = sum(n for key in graphs for _, _, n in parts(key)) if parts else None
        self._read = 0

    def __getitem__(self, key: str) -> Any:
        return _CountedReader(self._graphs[key], self)

    def __iter__(self) -> Iterator[str]:
        return iter(self._graphs)

    def __len__(self) -> int:
        return len(self._graphs)

    def count(self, n: int) -> None:
        """Add `n` bytes read and say where the load is."""
        self._read += n
        whole = f" of {self._total / 1e6:.1f}" if self._total else ""
        self._say(f"storing the document graphs: {self._read / 1e6:.1f}{whole} MB read")


class _CountedReader(io.RawIOBase):
    """Bytes read as a binary file whose every read is counted by a `_CountedGraphs`."""

    def __init__(self, data: bytes, counter: _CountedGraphs) -> None:
        self._data = memoryview(data)
        self._at = 0
        self._counter = counter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), len(self._data) - self._at)
        buffer[:n] = self._data[self._at:self._at + n]
        self._at += n
        self._counter.count(n)
        return n


def _stage(out_dir: Path, name: str) -> Path:
    """A temporary file beside out_dir/name, with the mode the umask gives (not mkstemp's 0600),
    so the output renamed onto it is as readable as every other file the user writes."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    os.chmod(tmp, umask_mode())
    return Path(tmp)


def union_graph(ds: object):  # type: ignore[no-untyped-def]
    """All named graphs of a Dataset merged into one rdflib Graph (prefixes kept)."""

    g = Graph()
    for prefix, ns in ds.namespaces():  # type: ignore[attr-defined]
        g.bind(prefix, ns)
    for s, p, o, _ in ds.quads((None, None, None, None)):  # type: ignore[attr-defined]
        g.add((s, p, o))
    return g
