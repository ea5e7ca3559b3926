"""Exact search over packed bit codes (``binary`` post-processor output) by Hamming distance.

Scores are minus the distance (higher is better, as for every backend); equal distances rank the
earlier-built document first. Memory is bounded by ``query_batch x chunk x bytes per code``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from zoo.errors import ZooError
from zoo.postprocess.quantize import hamming_scores

QUERY_BATCH = 256  # x 4096 docs x 48 bytes: about 50 MB of xor per block


def check_codes(codes: Any, what: str, backend: str) -> np.ndarray:
    array = np.asarray(codes)
    if array.dtype != np.uint8 or array.ndim != 2:
        raise ZooError(
            f"{backend} backend: hamming search needs packed uint8 codes (rows, bytes), got "
            f"{what} of {array.dtype}{array.shape}; use the binary post-processor"
        )
    return array


class HammingIndex:
    """Brute force over codes in (query batch x corpus chunk) blocks with a running top-k per query."""

    def __init__(self, codes: np.ndarray, ids: Sequence[str], *, chunk_size: int, backend: str) -> None:
        self.codes = check_codes(codes, "corpus codes", backend)
        if len(self.codes) == 0 or len(self.codes) != len(ids):
            raise ZooError(
                f"{backend} backend: {len(self.codes)} codes but {len(ids)} ids; need one id per "
                "code and at least one code"
            )
        self.ids = np.asarray(list(ids), dtype=object)
        if len(set(self.ids.tolist())) != len(self.ids):
            raise ZooError(f"{backend} backend: document ids must be unique")
        self.chunk_size = chunk_size
        self.backend = backend

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        idx, scores = self.search_positions(queries, k)
        return self.ids[idx].tolist(), scores

    def search_positions(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Corpus positions and scores of each query's k best codes, best first."""
        q = check_codes(queries, "query codes", self.backend)
        if q.shape[1] != self.codes.shape[1]:
            raise ZooError(
                f"{self.backend} backend: query codes have {q.shape[1]} bytes but the index has {self.codes.shape[1]}"
            )
        k = min(k, len(self.codes))
        rows, scores = [], []
        for start in range(0, len(q), QUERY_BATCH):
            idx, best = self._batch(q[start : start + QUERY_BATCH], k)
            rows.append(idx)
            scores.append(best)
        idx = np.concatenate(rows) if rows else np.zeros((0, k), dtype=np.int64)
        out = np.concatenate(scores) if scores else np.zeros((0, k), dtype=np.float32)
        return idx, out

    def _batch(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.codes)
        # one integer key per pair: higher distance score first, then lower corpus position
        best_keys = np.empty((len(q), 0), dtype=np.int64)
        for start in range(0, n, self.chunk_size):
            block = hamming_scores(q, self.codes[start : start + self.chunk_size]).astype(np.int64)
            positions = np.arange(start, start + block.shape[1], dtype=np.int64)
            keys = np.concatenate([best_keys, block * n + (n - 1 - positions)], axis=1)
            if keys.shape[1] > k:
                keys = np.partition(keys, keys.shape[1] - k, axis=1)[:, keys.shape[1] - k :]
            best_keys = keys
        best_keys = -np.sort(-best_keys, axis=1)
        distance_score, reversed_position = np.divmod(best_keys, n)
        return n - 1 - reversed_position, distance_score.astype(np.float32)
