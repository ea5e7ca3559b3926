"""Exact k-nearest-neighbour search: chunked float32 matrix products with a streaming top-k.

The reference every approximate backend is measured against. Memory is bounded by
``query_batch_size x chunk_size`` whatever the corpus and query counts; results are best-first, and
equal scores are ordered by corpus position (lower first), so they do not depend on the chunk size.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from zoo.errors import ZooError
from zoo.protocols import SIMILARITIES, Similarity


def _as_matrix(x: Any, what: str) -> np.ndarray:
    """A C-contiguous float32 matrix with only finite values, or a ZooError saying what is wrong."""
    try:
        arr = np.ascontiguousarray(x, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ZooError(f"{what} must be a numeric array: {exc}") from None
    if arr.ndim != 2:
        raise ZooError(f"{what} must be 2-D (n, dim), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ZooError(f"{what} contain NaN or infinite values (first in row {bad})")
    return arr


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ZooError(f"exact backend: {what} must be a positive integer, got {value!r}")
    return int(value)


def _normalised(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero (similarity 0 to everything)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


def _top_positions(scores: np.ndarray, k: int) -> np.ndarray:
    """Column positions of each row's k best scores, best first, equal scores by lower position."""
    width = scores.shape[1]
    if k >= width:
        return np.argsort(-scores, axis=1, kind="stable")
    part = np.argpartition(scores, width - k, axis=1)[:, width - k:]
    kth = np.take_along_axis(scores, part[:, :1], axis=1)  # argpartition puts the k-th best first
    # argpartition picks arbitrarily among values equal to the k-th best; those rows are redone exactly.
    tied = np.flatnonzero(np.count_nonzero(scores >= kth, axis=1) > k)
    part.sort(axis=1)
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(part, order, axis=1)
    for r in tied:
        cand = np.flatnonzero(scores[r] >= kth[r, 0])
        top[r] = cand[np.argsort(-scores[r, cand], kind="stable")[:k]]
    return top


def _candidates(block: np.ndarray, k: int, floor: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Keys and positions of the block entries that may enter the top k; equal keys in position order."""
    if floor is not None:
        # Once every query has k results, an entry must beat the k-th strictly (equal ones lose on
        # index), and after the first chunks few do: gathering them beats a partition of the block.
        rows, cols = np.nonzero(block > floor)
        counts = np.bincount(rows, minlength=len(block))
        width = int(counts.max(initial=0))
        if width <= block.shape[1] // 8:
            slot = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
            keys = np.full((len(block), width), -np.inf, dtype=np.float32)  # padding sorts last
            pos = np.zeros((len(block), width), dtype=np.int64)
            keys[rows, slot] = block[rows, cols]
            pos[rows, slot] = cols
            return keys, pos
    pos = _top_positions(block, k)
    return np.take_along_axis(block, pos, axis=1), pos


class ExactBackend:
    """Brute-force search over every vector, in (query batch x corpus chunk) blocks."""

    name = "exact"

    def __init__(self, *, chunk_size: int = 4096, query_batch_size: int = 1024) -> None:
        self.chunk_size = _positive_int(chunk_size, "chunk_size")
        self.query_batch_size = _positive_int(query_batch_size, "query_batch_size")
        self.similarity: Similarity | None = None
        self._vectors: np.ndarray | None = None
        self._sq_norms: np.ndarray | None = None
        self._ids: np.ndarray | None = None

    def params(self) -> dict[str, Any]:
        """The parameters stored with each result; they change cost, never the results."""
        return {"chunk_size": self.chunk_size, "query_batch_size": self.query_batch_size}

    def __len__(self) -> int:
        return 0 if self._ids is None else len(self._ids)

    def build(self, vectors: np.ndarray, ids: Sequence[str], similarity: Similarity) -> None:
        if similarity not in SIMILARITIES:
            raise ZooError(f"exact backend: unknown similarity {similarity!r}; use one of {', '.join(SIMILARITIES)}")
        x = _as_matrix(vectors, "corpus vectors")
        ids = list(ids)
        if x.shape[0] == 0:
            raise ZooError("exact backend: cannot build an index over an empty corpus")
        if len(ids) != x.shape[0]:
            raise ZooError(f"exact backend: {x.shape[0]} vectors but {len(ids)} ids; they must match one to one")
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
            raise ZooError(f"exact backend: document ids must be unique; {dup!r} appears more than once")
        self.similarity = similarity
        self._sq_norms = None
        if similarity == "cosine":
            self._vectors = _normalised(x)
        elif similarity == "euclidean":
            # Rank by 2q.x - |x|^2 (= |q|^2 - distance^2): one product per block, |q|^2 added at the end.
            self._sq_norms = np.einsum("ij,ij->i", x, x)
            self._vectors = x * np.float32(2.0)  # doubling is exact, so ranking keys match 2*(q.x)
        else:
            self._vectors = x
        self._ids = np.asarray(ids, dtype=object)

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        """Best-first ids and float32 scores of shape (m, min(k, n)) for each query row."""
        if self._vectors is None or self._ids is None:
            raise ZooError("exact backend: call build() before search()")
        k = _positive_int(k, "k")
        q = _as_matrix(queries, "query vectors")
        dim = self._vectors.shape[1]
        if q.shape[1] != dim:
            raise ZooError(f"exact backend: queries have dimension {q.shape[1]} but the index has dimension {dim}")
        k = min(k, len(self._ids))
        if self.similarity == "cosine":
            q = _normalised(q)
        top_idx = np.empty((q.shape[0], k), dtype=np.int64)
        top_scores = np.empty((q.shape[0], k), dtype=np.float32)
        for start in range(0, q.shape[0], self.query_batch_size):
            batch = q[start:start + self.query_batch_size]
            idx, scores = self._to_scores(batch, *self._search_batch(batch, k))
            top_idx[start:start + len(batch)] = idx
            top_scores[start:start + len(batch)] = scores
        return self._ids[top_idx].tolist(), top_scores

    def _search_batch(self, batch: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Corpus indices and ranking keys of the k best documents for one query batch, best first."""
        assert self._vectors is not None
        best_idx = np.empty((len(batch), 0), dtype=np.int64)
        best_keys = np.empty((len(batch), 0), dtype=np.float32)
        for start in range(0, self._vectors.shape[0], self.chunk_size):
            block = batch @ self._vectors[start:start + self.chunk_size].T
            if self._sq_norms is not None:
                block -= self._sq_norms[start:start + block.shape[1]]
            floor = best_keys[:, -1:] if best_keys.shape[1] == k else None
            cand_keys, pos = _candidates(block, k, floor)
            # Running entries come first and precede this chunk in the corpus, and both halves list
            # equal keys in index order, so column order among equal keys is corpus order.
            keys = np.concatenate([best_keys, cand_keys], axis=1)
            idx = np.concatenate([best_idx, pos + start], axis=1)
            keep = _top_positions(keys, k)
            best_keys = np.take_along_axis(keys, keep, axis=1)
            best_idx = np.take_along_axis(idx, keep, axis=1)
        return best_idx, best_keys

    def _to_scores(self, batch: np.ndarray, idx: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Indices and similarity scores, best first: the key itself, or negative euclidean distance."""
        if self._sq_norms is None:
            return idx, keys
        # |q|^2 - key cancels badly for near neighbours, so the k distances are recomputed from differences.
        dist = np.empty(keys.shape, dtype=np.float32)
        for j in range(idx.shape[1]):
            diff = self._vectors[idx[:, j]] * np.float32(0.5) - batch  # type: ignore[index]
            dist[:, j] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        order = np.lexsort((idx, dist), axis=1)
        return np.take_along_axis(idx, order, axis=1), np.float32(0.0) - np.take_along_axis(dist, order, axis=1)
