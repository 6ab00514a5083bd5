"""The names of the graphs a store holds: one per document, the derived graphs, the build-time
stats, the build record and the merged graph that queries read."""

from __future__ import annotations

import re

from kg.vocab import ID

ID_NS = str(ID)


GRAPH_PREFIX = ID_NS + "graph/"


STATS_GRAPH = ID_NS + "stats"


BUILD_GRAPH = ID_NS + "build"


MERGED_GRAPH = ID_NS + "merged"


STATS_NS = "https://w3id.org/parks-kg/stats#"


XSD = "http://www.w3.org/2001/XMLSchema#"


DERIVED_PREFIX = GRAPH_PREFIX + "derived/"  # graphs computed from the document graphs


def graph_name(doc_id: str) -> str:
    """The IRI of a document's named graph (kg.rdf.mapping.graph_iri as a string)."""
    return GRAPH_PREFIX + iri_part(doc_id)


_UCSCHAR = r"\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef" + "".join(
    rf"\U{p:04x}0000-\U{p:04x}fffd" for p in range(1, 14)) + r"\U000e1000-\U000efffd"


_IRI_UNSAFE = re.compile(rf"[^A-Za-z0-9._~!$&'()*+,;=:@\-{_UCSCHAR}]")


def _escape_char(m: re.Match[str]) -> str:
    try:
        data = m.group().encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        data = m.group().encode("utf-8", "surrogatepass")
    return "".join(f"%{b:02X}" for b in data)


def iri_part(text: str) -> str:
    """`text` made fit for an IRI path: unsafe characters percent-encoded, the rest kept."""
    return _IRI_UNSAFE.sub(_escape_char, text)


