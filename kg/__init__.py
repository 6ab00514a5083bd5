"""parks-kg: Chinese news and policy text about high-tech zones → an RDF knowledge graph.

The public API; heavy packages (spaCy, pyoxigraph, pyvis) load only when a function needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["build", "build_nlp", "extract_records", "open_store", "read_document", "run_page",
           "run_query", "to_graph"]
__version__ = "0.1.0"

_WHERE = {
    "build": "kg.build.pipeline",
    "build_nlp": "kg.nlp.pipeline",
    "extract_records": "kg.build.pipeline",
    "open_store": "kg.store",
    "read_document": "kg.corpus",
    "run_page": "kg.queries",
    "run_query": "kg.queries",
    "to_graph": "kg.rdf.mapping",
}

if TYPE_CHECKING:
    from kg.build.pipeline import build, extract_records
    from kg.corpus import read_document
    from kg.nlp.pipeline import build_nlp
    from kg.queries import run_page, run_query
    from kg.rdf.mapping import to_graph
    from kg.store import open_store


def __getattr__(name: str) -> Any:
    if name in _WHERE:

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
