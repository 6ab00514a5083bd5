"""Terms between rdflib and pyoxigraph: one converter each way, for stores and derived graphs."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Literal, URIRef

from kg.errors import StoreError
from kg.rdf.graphs import XSD


def to_ox(term: Any) -> Any:
    """An rdflib term as the pyoxigraph term of the same value (None stays None)."""

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


def _ox() -> Any:
    import pyoxigraph  # heavy optional native module: loaded when a term is first converted

    return pyoxigraph
