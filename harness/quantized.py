"""Search quantized documents through any backend, then rescore the candidates with float queries.

The wrapped backend indexes only the quantizer's codes (e.g. 48 bytes per 384-d vector for sign bits); the
rescoring copy (``Quantizer.rescore_codes``) stands for what a deployment keeps on disk and reads for the
candidates alone, so it is reported apart from the index bytes.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from zoo.protocols import Quantizer, SearchBackend


class QuantizedSearch:
    """Index codes in ``backend``; with ``rescore > 0``, re-rank ``rescore * k`` candidates per query."""

    def __init__(self, backend: SearchBackend, quantizer: Quantizer) -> None:
        self.backend = backend
        self.quantizer = quantizer
        self.name = backend.name
        self._rescore_codes: np.ndarray | None = None
        self._rows: dict[str, int] = {}
        self._dim = 0

    def params(self) -> dict[str, Any]:
        """The backend's settings, the quantizer's rescoring ones, and what rescoring keeps per document."""
        settings = getattr(self.quantizer, "get_params", lambda: {"rescore": self.quantizer.rescore})()
        rescoring = {key: value for key, value in settings.items() if key.startswith("rescore")}
        return {
            **self.backend.params(),
            **rescoring,
            "rescore_bytes_per_vector": self.quantizer.rescore_bytes_per_vector(self._dim),
        }

    def nbytes(self) -> int | None:
        """The wrapped index's memory; the rescoring copy is not counted (it would live on disk)."""
        inner = getattr(self.backend, "nbytes", None)
        return int(inner()) if callable(inner) else None

    def build(self, vectors: np.ndarray, ids: Sequence[str], similarity: str) -> None:
        """``vectors`` are float: the quantizer turns them into index codes and rescoring codes."""
        self._dim = int(vectors.shape[1])
        self._rows = {doc: row for row, doc in enumerate(ids)}
        if self.quantizer.rescore > 0:
            self._rescore_codes = self.quantizer.rescore_codes(vectors)
        self.backend.build(self.quantizer.transform(vectors), ids, similarity)

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        codes = self.quantizer.transform(queries)
        if self.quantizer.rescore <= 0:
            return self.backend.search(codes, k)
        assert self._rescore_codes is not None, "build() first"
        candidates, _ = self.backend.search(codes, k * self.quantizer.rescore)
        hits, scores = [], []
        for query, found in zip(queries, candidates):
            rows = np.fromiter((self._rows[doc] for doc in found), dtype=np.int64, count=len(found))
            # one query at a time: the unpacked candidates of a whole batch would not fit in memory
            rescored = self.quantizer.rescore_scores(query[None, :], self._rescore_codes[rows][None])[0]
            # best first; equal scores keep the earlier-built document first, as exact search does
            order = np.lexsort((rows, -rescored))[:k]
            hits.append([found[i] for i in order])
            scores.append(rescored[order])
        width = min(k, len(self._rows))
        return hits, np.asarray(scores, dtype=np.float32).reshape(len(queries), width)
