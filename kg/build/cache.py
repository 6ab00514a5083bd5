"""The record cache of a build: one JSON file per document by sha256, valid while the
extraction fingerprint (patterns and the code of the stages up to records) is unchanged."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Set
from importlib import metadata
from pathlib import Path

from kg.derive.links import user_table_path
from kg.extract.records import DocRecord, from_json
from kg.files import atomic_write
from kg.lang.segmenters import DEFAULT_SEGMENTER
from kg.lang.words import segmenter_name


def _version() -> str:
    try:
        return metadata.version("parks-kg")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def fingerprint(pkuseg_model: str | Path | None = None) -> tuple[str, str]:
    """(extraction, graph) fingerprints: hashes of the code and rules each depends on.

    Extraction records are reused only under the same extraction fingerprint; a store built
    under another graph fingerprint has all its document graphs rebuilt.
    """

    root = Path(__file__).resolve().parents[1]  # the kg package
    # the words' segmenter changes the records as much as the rules do (the default's
    # fingerprint stays what it was before there was a choice)
    seg = segmenter_name()
    seg = "" if seg == DEFAULT_SEGMENTER else f"\0{seg}"
    h = hashlib.sha256(f"{_version()}\0{pkuseg_model or ''}{seg}".encode())
    # what extraction reads: its patterns and the code of the stages up to records
    # (kg/data too: the lang stage reads the register, the division table and the firm names)
    extraction = [*sorted((root / "patterns").rglob("*")), *sorted((root / "data").glob("*")),
                  root / "vocab.py",
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
    graph_inputs.append(Path(user_table_path()))
    for path in graph_inputs:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return first, h.hexdigest()


def cache_key(sha256: str, published: str | None = None) -> str:
    """The key of a record in the cache: its file's sha256, and the publication date a side
    file gave it (`kg build --dates`), which is an input of extraction as much as the bytes."""
    return sha256 if not published else f"{sha256}.d{published}"


class RecordCache:
    """Extraction records by content hash (and side-file date) under one directory, valid for
    one fingerprint. A record extracted under a side-file date is kept under that date: a
    changed date file re-extracts only the documents whose date changed."""

    def __init__(self, root: Path, fp: str) -> None:
        self.root, self.fp = root, fp[:16]

    def path_of(self, sha256: str, published: str | None = None) -> Path:
        """The file that holds the record of these bytes extracted under this side date."""
        return self.root / sha256[:2] / f"{cache_key(sha256, published)}.{self.fp}.json"

    def get(self, sha256: str, path: str, doc_id: str | None = None,
            published: str | None = None) -> DocRecord | None:
        """The cached record of a file's bytes (by hash) extracted under the side-file date
        `published` (None: none), named after the file at `path` as document `doc_id`
        (default: its stem): a renamed or moved file is found again.

        The record has no text: what needs it (`kg.rdf.mapping.nquads_body`) reads the file again.
        """

        try:
            obj = json.loads(self.path_of(sha256, published).read_text(encoding="utf-8"))
            rec = from_json(obj)
            rec.title = obj["title"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        rec.doc_id = Path(path).stem if doc_id is None else doc_id
        rec.path, rec.sha256 = path, sha256
        return rec

    def put(self, rec: DocRecord, published: str | None = None) -> None:
        """Keep a record extracted under the side-file date `published`, unless its JSON form
        would lose something the graph is built from."""

        obj = rec.to_json()
        obj["title"] = rec.title
        back = from_json(json.loads(json.dumps(obj)))
        # dataclass equality, field by field (dumping both through asdict cost 70% of an
        # extraction: this runs in the workers for every document)
        if back.entities != rec.entities or back.relations != rec.relations:
            return
        try:
            atomic_write(self.path_of(rec.sha256, published),
                         json.dumps(obj, ensure_ascii=False).encode())
        except OSError:
            pass  # a cache that cannot be written only costs time

    def prune(self, keep: set[str], keep_hashes: Set[str] = frozenset()) -> None:
        """Remove every cached record but those under the keys in `keep` (`cache_key`) and
        those of the hashes in `keep_hashes` (under any date), for this fingerprint."""
        tail = f".{self.fp}.json"
        for path in self.root.glob("*/*.json"):
            key = path.name[:-len(tail)] if path.name.endswith(tail) else None
            if key is None or (key not in keep and key.split(".", 1)[0] not in keep_hashes):
                path.unlink(missing_ok=True)

