"""Exact k-nearest-neighbour search: chunked float32 matrix products with a streaming top-k.

The reference every approximate backend is measured against. The corpus is searched where it lies,
never copied: the caller's array, or, for a corpus the embedding cache holds (a ``StoredMatrix``), the
cache's files, streamed in blocks. Working memory is bounded by ``query_batch_size x chunk_size`` keys
and ``CANDIDATES`` candidates whatever the corpus and query counts (smaller batches take wider chunks,
deeper searches smaller batches), plus one float per document (cosine: 1/|x|, euclidean: |x|^2).
Blocked products rank the candidates; the few kept are rescored pair by pair
(``harness.backends.scoring``), so scores do not depend on chunk or batch sizes, nor on where the corpus
lies, and equal those of any backend returning the same pair. Results are best-first, equal scores
ordered by corpus position (lower first).
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence, Union

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
    row_norms,
    settled,
)
from zoo.errors import ZooError
from zoo.protocols import Similarity
from zoo.stored import StoredMatrix

DENSE_ROW = 4  # a row with more than DENSE_ROW * k candidates in a block is partitioned, not gathered
PILOT = 1024  # columns of the first chunk partitioned to set the first floor; the rest is filtered by it
STREAM_BYTES = 1 << 24  # at most this many bytes of corpus rows read at once from a stored corpus
PASS_BYTES = 1 << 20  # bytes of rows per block of build's pass over the corpus (elementwise: small is fast)
CANDIDATES = 1 << 18  # candidates per query batch at most (a batch of 1024 queries up to k = 170)

Corpus = Union[np.ndarray, StoredMatrix]
Rows = Union[slice, np.ndarray]  # the corpus positions a chunk holds: j, j+s, ... (a slice) or listed


def _positions(rows: Rows, cols: np.ndarray) -> np.ndarray:
    """Corpus positions of a chunk's columns."""
    if isinstance(rows, slice):
        return rows.start + cols * rows.step
    return rows[cols]


def _blocks(x: Corpus, size: int) -> Iterator[tuple[Rows, np.ndarray]]:
    """Every row once, ``size`` at a time: (positions, rows); a stored corpus in its storage order."""
    if isinstance(x, StoredMatrix):
        yield from x.blocks(size)
        return
    for start in range(0, len(x), size):
        yield slice(start, start + size, 1), x[start : start + size]


def _top_positions(keys: np.ndarray, k: int) -> np.ndarray:
    """Column positions of each row's k highest keys, in no particular order (``_RunningTop`` sorts once)."""
    width = keys.shape[1]
    if k >= width:
        return np.broadcast_to(np.arange(width), keys.shape).copy()
    return np.argpartition(keys, width - k, axis=1)[:, width - k :]


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
        keys[dense, : top.shape[1]] = np.take_along_axis(block[dense], top, axis=1)
        pos[dense, : top.shape[1]] = top
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

    def add(self, keys: np.ndarray, positions: np.ndarray) -> None:
        """Candidates: their keys and corpus positions."""
        if keys.shape[1]:
            self.pending.append((keys, positions))
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
            keep = np.argpartition(keys, keys.shape[1] - self.k, axis=1)[:, -self.k :]
            keys, idx = np.take_along_axis(keys, keep, axis=1), np.take_along_axis(idx, keep, axis=1)
        self.keys, self.idx = keys, idx
        self.floor = keys.min(axis=1, keepdims=True) if keys.shape[1] == self.k else None
        self.pending, self.width = [], 0


class _Normalising:
    """The corpus as cosine rescoring reads it: rows gathered, then normalised (the bits of a normalised copy)."""

    def __init__(self, vectors: Corpus) -> None:
        self.vectors = vectors
        self.shape = vectors.shape

    def __getitem__(self, positions: np.ndarray) -> np.ndarray:
        rows = self.vectors[positions]
        return normalised(rows.reshape(-1, self.shape[1])).reshape(rows.shape)


class ExactBackend:
    """Brute-force search over every vector, in (query batch x corpus chunk) blocks.

    In memory, chunk j of s holds documents j, j+s, j+2s, ... (a strided view: BLAS reads it without a
    copy), so every chunk is an even sample of the corpus and the running k-th best after the first one
    is a tight floor, even on a corpus sorted by topic as ICD-10-CM is by code. A stored corpus is read
    in storage order, each block once per query batch. Cosine keys are q.x / |x|: the corpus is not
    normalised up front (that would copy it). The order of equal keys while streaming does not matter:
    rescoring and ``settled`` decide the final top k.
    """

    name = "exact"
    similarities = ("cosine", "dot", "euclidean", "hamming")
    reads_stored = True  # build() takes a StoredMatrix and streams it: retrieval leaves cached corpora on disk

    def __init__(self, *, chunk_size: int = 4096, query_batch_size: int = 1024) -> None:
        self.chunk_size = positive_int(chunk_size, "chunk_size", self.name)
        self.query_batch_size = positive_int(query_batch_size, "query_batch_size", self.name)
        self.similarity: Similarity | None = None
        self._vectors: Corpus | None = None
        self._rescored: Corpus | _Normalising | None = None  # what pair_scores reads
        self._scale: np.ndarray | None = None  # cosine: 1/|x| per document
        self._sq_norms: np.ndarray | None = None  # euclidean: |x|^2 per document
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
        """Bytes of what the index searches: the vectors (wherever they lie) and its per-document terms."""
        if self._hamming is not None:
            return self._hamming.codes.nbytes
        return sum(a.nbytes for a in (self._vectors, self._scale, self._sq_norms) if a is not None)

    def build(self, vectors: Corpus, ids: Sequence[str], similarity: Similarity) -> None:
        """Index ``vectors`` as given (an array or a StoredMatrix): they are read, never copied or changed."""
        self._hamming = None
        if similarity == "hamming":  # packed bit codes: searched by Hamming distance, not matrix products
            self._hamming = HammingIndex(np.asarray(vectors), ids, chunk_size=self.chunk_size, backend=self.name)
            self.similarity, self._vectors, self._ids = similarity, None, None
            return
        x, ids = check_corpus(vectors, ids, similarity, self.name)
        self.similarity = similarity
        self._vectors = x
        self._rescored = _Normalising(x) if similarity == "cosine" else x
        self._scale, self._sq_norms, self._max_norm = _row_terms(x, similarity)
        self._ids = np.asarray(ids, dtype=object)

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        """Best-first ids and float32 scores of shape (m, min(k, n)) for each query row."""
        if self._hamming is not None:
            return self._hamming.search(queries, positive_int(k, "k", self.name))
        top_idx, top_scores = self.search_positions(queries, k)
        assert self._ids is not None
        return self._ids[top_idx].tolist(), top_scores

    def search_positions(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Best-first corpus positions (int64) and float32 scores, both (m, min(k, n)): what ``search``
        returns, before positions become ids."""
        if self._hamming is not None:
            return self._hamming.search_positions(queries, positive_int(k, "k", self.name))
        if self._vectors is None or self._ids is None:
            raise ZooError("exact backend: call build() before search()")
        k = positive_int(k, "k", self.name)
        q = check_queries(queries, self._vectors.shape[1], self.name)
        k = min(k, len(self._ids))
        if self.similarity == "cosine":
            q = normalised(q)
        top_idx = np.empty((q.shape[0], k), dtype=np.int64)
        top_scores = np.empty((q.shape[0], k), dtype=np.float32)
        # deep searches take fewer queries at a time: each holds k and more candidates while it runs
        rows = max(1, min(self.query_batch_size, CANDIDATES // candidate_count(k, len(self._ids))))
        for start in range(0, q.shape[0], rows):
            batch = q[start : start + rows]
            idx, scores = self._search_batch(batch, k)
            top_idx[start : start + len(batch)] = idx
            top_scores[start : start + len(batch)] = scores
        return top_idx, top_scores

    def _search_batch(self, batch: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Corpus indices and scores of the k best documents for one query batch, best first."""
        assert self._vectors is not None and self._rescored is not None and self.similarity is not None
        n = self._vectors.shape[0]
        c = candidate_count(k, n)
        keyed = batch * np.float32(2.0) if self._sq_norms is not None else batch  # doubling is exact
        idx, keys = self._top_keys(keyed, c)
        bound = key_error_bound(batch, self._max_norm, self.similarity)
        # only the candidates whose keys come near the k-th can reach the top k: rescore just those
        top_idx, top_scores = rescored_top(batch, self._rescored, idx, keys, k, bound, self.similarity)
        if c < n:
            for r in np.flatnonzero(~settled(keys, k, bound)):
                floor = float(keys[r, k - 1]) - 2 * bound[r]  # keys are best first
                top_idx[r], top_scores[r] = self._rescan(batch[r], keyed[r], floor, k)
        return top_idx, top_scores

    def _stride(self, m: int) -> int:
        """How many chunks for m queries: blocks hold up to query_batch_size x chunk_size keys, so fewer
        queries take wider chunks (one query: a single product with an in-memory corpus)."""
        assert self._vectors is not None
        width = max(self.chunk_size, self.chunk_size * self.query_batch_size // max(m, 1))
        if isinstance(self._vectors, StoredMatrix):  # read into a buffer: bounded by bytes, not keys alone
            width = min(width, max(self.chunk_size, STREAM_BYTES // (4 * self._vectors.shape[1])))
        return -(-len(self._vectors) // width)

    def _width(self, m: int) -> int:
        """The widest chunk for m queries."""
        assert self._vectors is not None
        return -(-len(self._vectors) // self._stride(m))

    def _chunks(self, m: int) -> Iterator[tuple[Rows, np.ndarray]]:
        """The corpus in chunks for m queries: (positions, rows)."""
        assert self._vectors is not None
        if isinstance(self._vectors, StoredMatrix):
            yield from self._vectors.blocks(self._width(m))
            return
        s = self._stride(m)
        for j in range(s):
            yield slice(j, None, s), self._vectors[j::s]

    def _block_keys(self, keyed: np.ndarray, rows: Rows, chunk: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Keys of the queries against a chunk, in ``out``: q.x, q.x / |x| for cosine, 2q.x - |x|^2 for
        euclidean."""
        block = out[: len(keyed) * len(chunk)].reshape(len(keyed), len(chunk))  # reused: no page faults
        np.matmul(keyed, chunk.T, out=block)
        if self._scale is not None:
            block *= self._scale[rows]
        if self._sq_norms is not None:
            block -= self._sq_norms[rows]
        return block

    def _top_keys(self, keyed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Corpus indices and ranking keys of k highest keys per query, best first."""
        out = np.empty(len(keyed) * self._width(len(keyed)), dtype=np.float32)
        top = _RunningTop(len(keyed), k)
        for rows, chunk in self._chunks(len(keyed)):
            block = self._block_keys(keyed, rows, chunk, out)
            start = 0
            if top.floor is None and block.shape[1] > PILOT:  # a partition of fewer columns sets the floor
                pilot_keys, cols = _candidates(block[:, :PILOT], k, None)
                top.add(pilot_keys, _positions(rows, cols))
                start = PILOT
            cand_keys, cols = _candidates(block[:, start:], k, top.floor)
            top.add(cand_keys, _positions(rows, cols + start))
        return top.result()

    def _rescan(self, query: np.ndarray, keyed: np.ndarray, floor: float, k: int) -> tuple[np.ndarray, np.ndarray]:
        """One query's top k from every document whose key reaches ``floor``: for near-ties at the k-th."""
        assert self.similarity is not None and self._rescored is not None
        out = np.empty(self._width(1), dtype=np.float32)
        found = [
            _positions(rows, np.flatnonzero(self._block_keys(keyed[None], rows, chunk, out)[0] >= floor))
            for rows, chunk in self._chunks(1)
        ]
        idx = np.concatenate(found)[None]
        top_idx, top_scores = rank(idx, pair_scores(query[None], self._rescored, idx, self.similarity), k)
        return top_idx[0], top_scores[0]


def _row_terms(x: Corpus, similarity: Similarity) -> tuple[np.ndarray | None, np.ndarray | None, float]:
    """From one pass over the corpus: 1/|x| for cosine, |x|^2 for euclidean (None otherwise), and the
    largest norm among the vectors as they are scored (normalised for cosine), for the key error bound."""
    n, dim = x.shape
    scale = np.empty(n, dtype=np.float32) if similarity == "cosine" else None
    sq_norms = np.empty(n, dtype=np.float32) if similarity == "euclidean" else None
    max_norm = 0.0
    for positions, rows in _blocks(x, max(1, PASS_BYTES // (4 * dim))):
        scored = rows
        if scale is not None:
            norms = row_norms(rows)
            scale[positions] = np.float32(1.0) / norms[:, 0]
            scored = rows / norms  # normalised(rows), bit for bit
        if sq_norms is not None:
            # Euclidean ranks by 2q.x - |x|^2 (= |q|^2 - distance^2): one product per block, no |q|^2 needed.
            sq_norms[positions] = np.einsum("ij,ij->i", rows, rows)
        max_norm = max(max_norm, float(np.linalg.norm(scored, axis=1).max()))
    return scale, sq_norms, max_norm
