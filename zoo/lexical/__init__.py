"""Lexical retrievers: models that rank documents by their words, with no dense vectors (BM25)."""
