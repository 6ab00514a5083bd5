"""Extraction records: the DocRecord contract (records), Doc → records (extractor), and
scoring against gold (evaluate)."""
