"""Language data: rule files loaded and validated (kg/patterns), name canon, the division
gazetteer and jieba word windows. Imports nothing but kg.errors and kg.vocab."""
