"""Exact k-nearest-neighbour search: chunked float32 matrix products with a streaming top-k.

The reference every approximate backend is measured against. Memory is bounded by
``query_batch_size x chunk_size`` whatever the corpus and query counts (smaller batches take wider
chunks). Blocked products rank the candidates; the few kept are rescored pair by pair
(``harness.backends.scoring``), so scores do not depend on chunk or batch sizes and equal those of any
backend returning the same pair. Results are best-first, equal scores ordered by corpus position
(lower first).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from harness.backends.hamming import HammingIndex
from harness.backends.scoring import (
    candidate_count,
    check_corpus,
    check_queries,
    key_error_bound,
    normalised,
    pair_scores,
    positive_int,
    rank,
    rescored_top,
    settled,
)
from zoo.errors import ZooError
from zoo.protocols import Similarity

DENSE_ROW = 4  # a row with more than DENSE_ROW * k candidates in a block is partitioned, not gathered
PILOT = 1024  # columns of the first chunk partitioned to set the first floor; the rest is filtered by it


def _top_positions(keys: np.ndarray, k: int) -> np.ndarray:
    """Column positions of each row's k highest keys, in no particular order (``_RunningTop`` sorts once)."""
    width = keys.shape[1]
    if k >= width:
        return np.broadcast_to(np.arange(width), keys.shape).copy()
    return np.argpartition(keys, width - k, axis=1)[:, width - k:]


def _candidates(block: np.ndarray, k: int, floor: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Keys and columns of the block entries that may enter the top k, padded with -inf keys.

    With a floor (the running k-th best) few entries per row beat it, and gathering them beats a
    partition of the block; rows with many more than k are partitioned instead, so that one row does
    not widen the padding of all.
    """
    if floor is None:
        top = _top_positions(block, k)
        return np.take_along_axis(block, top, axis=1), top
    width = block.shape[1]
    found = np.flatnonzero(block > floor)  # an order of magnitude faster than a 2-D nonzero
    rows, cols = np.divmod(found, width)
    counts = np.bincount(rows, minlength=len(block))
    dense = np.flatnonzero(counts > DENSE_ROW * k)
    if len(dense):
        keep = counts[rows] <= DENSE_ROW * k
        rows, cols = rows[keep], cols[keep]
        counts[dense] = 0
    out = max(int(counts.max(initial=0)), min(k, width) if len(dense) else 0)
    keys = np.full((len(block), out), -np.inf, dtype=np.float32)
    pos = np.zeros((len(block), out), dtype=np.int64)
    slot = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    keys[rows, slot] = block[rows, cols]
    pos[rows, slot] = cols
    if len(dense):
        top = _top_positions(block[dense], k)
        keys[dense, :top.shape[1]] = np.take_along_axis(block[dense], top, axis=1)
        pos[dense, :top.shape[1]] = top
    return keys, pos


class _RunningTop:
    """The k highest keys seen so far per query; candidates wait until there are enough to merge.

    Merges only partition (the kept k stay unordered, their minimum is the floor); ``result`` sorts once.
    """

    def __init__(self, m: int, k: int) -> None:
        self.k = k
        self.keys = np.empty((m, 0), dtype=np.float32)
        self.idx = np.empty((m, 0), dtype=np.int64)
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.width = 0
        self.floor: np.ndarray | None = None  # each query's k-th highest key so far, once it has k

    def add(self, keys: np.ndarray, cols: np.ndarray, j: int, s: int) -> None:
        """Candidates from columns of chunk j of s (documents j + col * s)."""
        if keys.shape[1]:
            self.pending.append((keys, j + cols * s))
            self.width += keys.shape[1]
        if self.width >= 2 * self.k or (self.pending and self.floor is None):
            self._merge()

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """Indices and keys of each query's k highest keys, highest first."""
        if self.pending:
            self._merge()
        order = np.argsort(-self.keys, axis=1)
        return np.take_along_axis(self.idx, order, axis=1), np.take_along_axis(self.keys, order, axis=1)

    def _merge(self) -> None:
        keys = np.concatenate([self.keys] + [p[0] for p in self.pending], axis=1)
        idx = np.concatenate([self.idx] + [p[1] for p in self.pending], axis=1)
        if keys.shape[1] > self.k:
            keep = np.argpartition(keys, keys.shape[1] - self.k, axis=1)[:, -self.k:]
            keys, idx = np.take_along_axis(keys, keep, axis=1), np.take_along_axis(idx, keep, axis=1)
        self.keys, self.idx = keys, idx
        self.floor = keys.min(axis=1, keepdims=True) if keys.shape[1] == self.k else None
        self.pending, self.width = [], 0


class ExactBackend:
    """Brute-force search over every vector, in (query batch x corpus chunk) blocks.

    Chunk j of s holds documents j, j+s, j+2s, ... (a strided view: BLAS reads it without a copy), so
    every chunk is an even sample of the corpus and the running k-th best after the first one is a
    tight floor, even on a corpus sorted by topic as ICD-10-CM is by code. The order of equal keys
    while streaming does not matter: rescoring and ``settled`` decide the final top k.
    """

    name = "exact"
    similarities = ("cosine", "dot", "euclidean", "hamming")

    def __init__(self, *, chunk_size: int = 4096, query_batch_size: int = 1024) -> None:
        self.chunk_size = positive_int(chunk_size, "chunk_size", self.name)
        self.query_batch_size = positive_int(query_batch_size, "query_batch_size", self.name)
        self.similarity: Similarity | None = None
        self._vectors: np.ndarray | None = None
        self._sq_norms: np.ndarray | None = None
        self._max_norm = 0.0
        self._ids: np.ndarray | None = None
        self._hamming: HammingIndex | None = None

    def params(self) -> dict[str, Any]:
        """The parameters stored with each result; they change cost, never the results."""
        return {"chunk_size": self.chunk_size, "query_batch_size": self.query_batch_size}

    def __len__(self) -> int:
        if self._hamming is not None:
            return len(self._hamming.ids)
        return 0 if self._ids is None else len(self._ids)

    def nbytes(self) -> int:
        """Bytes of the arrays the index holds (vectors and squared norms); the id strings are not counted."""
        if self._hamming is not None:
            return self._hamming.codes.nbytes
        return sum(a.nbytes for a in (self._vectors, self._sq_norms) if a is not None)

    def build(self, vectors: np.ndarray, ids: Sequence[str], similarity: Similarity) -> None:
        self._hamming = None
        if similarity == "hamming":  # packed bit codes: searched by Hamming distance, not matrix products
            self._hamming = HammingIndex(vectors, ids, chunk_size=self.chunk_size, backend=self.name)
            self.similarity, self._vectors, self._ids = similarity, None, None
            return
        x, ids = check_corpus(vectors, ids, similarity, self.name)
        self.similarity = similarity
        self._vectors = normalised(x) if similarity == "cosine" else x
        # Euclidean ranks by 2q.x - |x|^2 (= |q|^2 - distance^2): one product per block, no |q|^2 needed.
        self._sq_norms = np.einsum("ij,ij->i", x, x) if similarity == "euclidean" else None
        self._max_norm = float(np.linalg.norm(self._vectors, axis=1).max())
        self._ids = np.asarray(ids, dtype=object)

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        """Best-first ids and float32 scores of shape (m, min(k, n)) for each query row."""
        if self._hamming is not None:
            return self._hamming.search(queries, positive_int(k, "k", self.name))
        if self._vectors is None or self._ids is None:
            raise ZooError("exact backend: call build() before search()")
        k = positive_int(k, "k", self.name)
        q = check_queries(queries, self._vectors.shape[1], self.name)
        k = min(k, len(self._ids))
        if self.similarity == "cosine":
            q = normalised(q)
        top_idx = np.empty((q.shape[0], k), dtype=np.int64)
        top_scores = np.empty((q.shape[0], k), dtype=np.float32)
        for start in range(0, q.shape[0], self.query_batch_size):
            batch = q[start:start + self.query_batch_size]
            idx, scores = self._search_batch(batch, k)
            top_idx[start:start + len(batch)] = idx
            top_scores[start:start + len(batch)] = scores
        return self._ids[top_idx].tolist(), top_scores

    def _search_batch(self, batch: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Corpus indices and scores of the k best documents for one query batch, best first."""
        assert self._vectors is not None and self.similarity is not None
        n = self._vectors.shape[0]
        c = candidate_count(k, n)
        keyed = batch * np.float32(2.0) if self._sq_norms is not None else batch  # doubling is exact
        idx, keys = self._top_keys(keyed, c)
        bound = key_error_bound(batch, self._max_norm, self.similarity)
        # only the candidates whose keys come near the k-th can reach the top k: rescore just those
        top_idx, top_scores = rescored_top(batch, self._vectors, idx, keys, k, bound, self.similarity)
        if c < n:
            for r in np.flatnonzero(~settled(keys, k, bound)):
                floor = float(keys[r, k - 1]) - 2 * bound[r]  # keys are best first
                top_idx[r], top_scores[r] = self._rescan(batch[r], keyed[r], floor, k)
        return top_idx, top_scores

    def _stride(self, m: int) -> int:
        """How many chunks for m queries: blocks hold up to query_batch_size x chunk_size keys, so fewer
        queries take wider chunks (one query: a single product with the whole corpus)."""
        assert self._vectors is not None
        width = max(self.chunk_size, self.chunk_size * self.query_batch_size // max(m, 1))
        return -(-self._vectors.shape[0] // width)

    def _block_keys(self, keyed: np.ndarray, j: int, s: int, out: np.ndarray) -> np.ndarray:
        """Keys of the queries against chunk j of s, in ``out``: q.x, or 2q.x - |x|^2 for euclidean."""
        assert self._vectors is not None
        chunk = self._vectors[j::s]
        block = out[:len(keyed) * len(chunk)].reshape(len(keyed), len(chunk))  # reused: no page faults
        np.matmul(keyed, chunk.T, out=block)
        if self._sq_norms is not None:
            block -= self._sq_norms[j::s]
        return block

    def _top_keys(self, keyed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Corpus indices and ranking keys of k highest keys per query, best first."""
        s = self._stride(len(keyed))
        out = np.empty(len(keyed) * -(-len(self) // s), dtype=np.float32)
        top = _RunningTop(len(keyed), k)
        for j in range(s):
            block = self._block_keys(keyed, j, s, out)
            start = 0
            if top.floor is None and block.shape[1] > PILOT:  # a partition of fewer columns sets the floor
                top.add(*_candidates(block[:, :PILOT], k, None), j, s)
                start = PILOT
            cand_keys, cols = _candidates(block[:, start:], k, top.floor)
            top.add(cand_keys, cols + start, j, s)
        return top.result()

    def _rescan(self, query: np.ndarray, keyed: np.ndarray, floor: float, k: int) -> tuple[np.ndarray, np.ndarray]:
        """One query's top k from every document whose key reaches ``floor``: for near-ties at the k-th."""
        assert self.similarity is not None
        s = self._stride(1)
        out = np.empty(-(-len(self) // s), dtype=np.float32)
        found = [j + np.flatnonzero(self._block_keys(keyed[None], j, s, out)[0] >= floor) * s for j in range(s)]
        idx = np.concatenate(found)[None]
        top_idx, top_scores = rank(idx, pair_scores(query[None], self._vectors, idx, self.similarity), k)
        return top_idx[0], top_scores[0]
