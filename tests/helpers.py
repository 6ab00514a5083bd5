"""Set-up the tests share: the project's paths, copies of corpora and builds, namespaces.

Test modules import it by name (`from helpers import ROOT, copy_corpus`): pytest puts this
folder on sys.path, as for `virtuoso.py` and `wikidata_server.py`. The namespaces are written
out here, not imported from kg.vocab, so that a changed IRI in the code fails the tests.
"""

from __future__ import annotations

import shutil
import types
from collections.abc import Iterable
from pathlib import Path

from rdflib import Namespace

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
SEED_004 = SEEDS / "004_50c721a1e63a8171.txt"
GOLD = ROOT / "tests" / "gold"
EXTRA = GOLD / "extra"
QUERIES = ROOT / "queries"
ONTOLOGY = ROOT / "ontology"

PK = Namespace("https://w3id.org/parks-kg/ontology#")
ID = Namespace("https://w3id.org/parks-kg/id/")


def copy_corpus(target: Path, sources: Iterable[Path] = SEED_FILES, *,
                chars: int | None = None) -> Path:
    """Copy text files into `target` (made if missing) under their own names; with `chars`,
    only their first `chars` characters, for tests that need short texts. Returns `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sources:
        if chars is None:
            shutil.copyfile(path, target / path.name)
        else:
            text = path.read_text(encoding="utf-8")[:chars]
            (target / path.name).write_text(text, encoding="utf-8")
    return target


def copy_build(built: types.SimpleNamespace, target: Path) -> types.SimpleNamespace:
    """A writable copy of a shared build (its corpus and out/ folder: store, kg.ttl, records
    cache) under `target`, for a test that changes it: copying is cheaper than building."""
    corpus = shutil.copytree(built.corpus, target / "corpus")
    out = shutil.copytree(built.out_dir, target / "out")
    return types.SimpleNamespace(corpus=Path(corpus), out=Path(out), ttl=Path(out) / "kg.ttl",
                                 store_path=Path(out) / "store")
