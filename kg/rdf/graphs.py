"""The names of the graphs a store holds: one per document, the derived graphs, the build-time
stats, the build record and the merged graph that queries read."""

from __future__ import annotations

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
    """The IRI of a document's named graph (kg.rdf.mapping.graph_iri, which escapes odd file
    names)."""
    from kg.rdf.mapping import iri_part  # start-up: kg query loads graph names, not the RDF mapping

    return GRAPH_PREFIX + iri_part(doc_id)

