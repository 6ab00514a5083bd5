"""RDF: the one mapping of records to N-Quads (mapping), graph names, term conversion, the
ontology's pages and the SHACL shapes."""
