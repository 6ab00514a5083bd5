"""Graphs derived from the document graphs: regions of parks and Wikidata links, computed
over a union of the documents (a Dataset or a store)."""
