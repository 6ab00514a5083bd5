"""The spaCy components (pk_entities, pk_amounts, pk_anaphora, pk_relations) and
`pipeline.build_nlp`, the one place that knows their order."""
