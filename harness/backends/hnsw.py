"""Approximate k-NN search on an HNSW graph (hnswlib), with scores recomputed as the exact backend's.

hnswlib finds candidates (its own float arithmetic, distances ``1 - q.x`` or squared L2); their scores
are then recomputed by :mod:`harness.backends.scoring`, so a (query, document) pair gets the same float32
score here as from ``ExactBackend``, and equal scores rank the lower corpus position first. Rescoring
reads the vectors ``build`` was given, kept by reference rather than copied (hnswlib's ``get_items``
takes tens of microseconds per vector, too slow for every query); for cosine it divides just the
candidates by their lengths (kept: 4 bytes a document), as exact search normalises the whole corpus. So
the index costs what hnswlib's does, and a pair's score is exact search's, bit for bit. With
``ef_search >= n`` the walk visits every document it can reach from the entry point, and when that is
all of them (usually; hnswlib can strand a few, mostly with inner product or in a few dimensions)
results equal exact search bit for bit. A few candidates beyond k are rescored; rows whose k-th place
is within rounding of the last candidate are fetched again with more, and once the beam would cover
the whole corpus every document is scored.

Determinism: with ``threads=1`` hnswlib inserts one vector at a time, drawing levels from a generator
seeded by ``seed``, so the same vectors, order and seed give the same graph, byte for byte (with
``seed=0`` and given order, the graph raw hnswlib builds with ``random_seed=0``). More build threads
insert concurrently and the graph depends on scheduling. Search threads never change results.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, Sequence

import numpy as np

from harness.backends import HNSWLIB_MAX_M, HNSWLIB_MAX_SEED, INSERTION_ORDERS
from harness.backends.scoring import (
    candidate_count,
    check_corpus,
    check_queries,
    key_error_bound,
    normalised,
    positive_int,
    rescored_top,
    row_norms,
    settled,
)
from zoo.errors import ZooError
from zoo.protocols import Similarity

# The smallest of 16, 24, 32, 48, 64, 80, 96 with recall@10 >= 0.95 against exact on all-MiniLM-L6-v2
# vectors of ICD-10-CM (98,186 titles, all 12,351 queries; M=16, ef_construction=200) for seeds 0-2 and
# both insertion orders: 0.955-0.957 given (the corpus is sorted by code), 0.968-0.970 shuffled, where
# ef_search=48 gives 0.944-0.947 given. Measured by `benchmarks/search.py --sweep-ef`.
DEFAULT_EF_SEARCH = 64
# ef_search values tried for a recall target (harness.approximate.tune): steps of 1.5x and 4/3x, as
# ann-benchmarks sweeps, so the value chosen is within a step of the smallest that reaches the target
EF_LADDER = (10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096)
REFETCH_GROWTH = 4
ADD_SLICE = 8192  # vectors handed to hnswlib per add_items call: bounds the temporary copy
MAX_SEED = HNSWLIB_MAX_SEED


class GraphOptions(NamedTuple):
    """The settings of an HNSW graph that every library takes (hnswlib here, faiss in zoo-faiss)."""

    M: int
    ef_construction: int
    seed: int
    insertion_order: str
    threads: int


def graph_options(
    backend: str,
    *,
    M: int,
    ef_construction: int,
    seed: int,
    insertion_order: str,
    threads: int,
    max_seed: int = MAX_SEED,
) -> GraphOptions:
    """The options checked, or a one-line ZooError naming the bad one and what it takes."""
    M = positive_int(M, "M", backend)
    if not 2 <= M <= HNSWLIB_MAX_M:
        raise ZooError(f"{backend} backend: M must lie in [2, {HNSWLIB_MAX_M}], got {M!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < max_seed:
        raise ZooError(f"{backend} backend: seed must be a non-negative integer below {max_seed}, got {seed!r}")
    if insertion_order not in INSERTION_ORDERS:
        raise ZooError(f"{backend} backend: insertion_order must be 'given' or 'shuffled', got {insertion_order!r}")
    return GraphOptions(
        M,
        positive_int(ef_construction, "ef_construction", backend),
        int(seed),
        insertion_order,
        positive_int(threads, "threads", backend),
    )


class HnswBackend:
    """hnswlib's HNSW graph: ``M`` links per node, ``ef_construction`` and ``ef_search`` beam widths."""

    name = "hnsw"
    similarities = ("cosine", "dot", "euclidean")  # no Hamming space in hnswlib
    search_options = ("ef_search",)  # changes how the built graph is searched, not the graph

    def __init__(
        self,
        *,
        M: int = 16,
        ef_construction: int = 200,
        ef_search: int = DEFAULT_EF_SEARCH,
        seed: int = 0,
        insertion_order: Literal["given", "shuffled"] = "given",
        threads: int = 1,
    ) -> None:
        self.M, self.ef_construction, self.seed, self.insertion_order, self.threads = graph_options(
            self.name, M=M, ef_construction=ef_construction, seed=seed, insertion_order=insertion_order, threads=threads
        )
        self.ef_search = ef_search
        self.similarity: Similarity | None = None
        self._index: Any = None
        self._beam = 0  # the ef hnswlib was last set to: set_ef is called only when it changes
        self._vectors: np.ndarray | None = None  # the vectors build() was given (cosine: not yet normalised)
        self._norms: np.ndarray | None = None  # cosine: each vector's length, (n, 1) float32
        self._max_norm = 0.0
        self._ids: np.ndarray | None = None

    @property
    def ef_search(self) -> int:
        return self._ef_search

    @ef_search.setter
    def ef_search(self, value: int) -> None:  # a search option: set between searches of one graph
        self._ef_search = positive_int(value, "ef_search", self.name)

    def search_ladder(self, option: str) -> list[int]:
        """ef_search values for a recall target, up to the corpus size (where the walk is exhaustive)."""
        n = len(self) or EF_LADDER[-1]
        return [ef for ef in EF_LADDER if ef < n] + [n]

    def params(self) -> dict[str, Any]:
        """Every setting of the graph and the search; stored with each result."""
        return {
            "library": "hnswlib",
            "M": self.M,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
            "seed": self.seed,
            "insertion_order": self.insertion_order,
            "threads": self.threads,
        }

    def __len__(self) -> int:
        return 0 if self._ids is None else len(self._ids)

    def nbytes(self) -> int:
        """hnswlib's serialised index size (vectors, links, labels) and the cosine lengths; rescoring reads
        the caller's vectors, which are not counted."""
        if self._index is None:
            return 0
        return int(self._index.index_file_size()) + (self._norms.nbytes if self._norms is not None else 0)

    def build(self, vectors: np.ndarray, ids: Sequence[str], similarity: Similarity) -> None:
        import hnswlib

        x, ids = check_corpus(vectors, ids, similarity, self.name)
        norms = row_norms(x) if similarity == "cosine" else None
        index = hnswlib.Index(space="l2" if similarity == "euclidean" else "ip", dim=x.shape[1])
        # hnswlib draws levels from std::minstd_rand0, which turns seed 0 into 1: seeds 0 and 1 would
        # build the same graph. Passing seed + 1 keeps seeds apart (seed 0 still equals hnswlib's 0).
        index.init_index(max_elements=len(x), M=self.M, ef_construction=self.ef_construction, random_seed=self.seed + 1)
        order = (
            np.arange(len(x))
            if self.insertion_order == "given"
            else np.random.default_rng(self.seed).permutation(len(x))
        )
        max_sq = 0.0
        # in slices, so that the copy hnswlib is handed (normalised for cosine) is a slice's, not the corpus's;
        # one thread inserts in the same order whatever the slicing, so the graph is the same
        for start in range(0, len(x), ADD_SLICE):
            rows = order[start : start + ADD_SLICE]
            part = x[rows] / norms[rows] if norms is not None else x[rows]
            max_sq = max(max_sq, float((part * part).sum(axis=1).max()))
            index.add_items(part, rows, num_threads=self.threads)  # labels are corpus positions
        self.similarity, self._index, self._vectors, self._norms, self._beam = similarity, index, x, norms, 0
        self._max_norm = float(np.sqrt(max_sq))
        self._ids = np.asarray(ids, dtype=object)

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        """Best-first ids and float32 scores of shape (m, min(k, n)) for each query row."""
        if self._vectors is None or self._ids is None:
            raise ZooError("hnsw backend: call build() before search()")
        k = positive_int(k, "k", self.name)
        q = check_queries(queries, self._vectors.shape[1], self.name)
        k = min(k, len(self._ids))
        if self.similarity == "cosine":
            q = normalised(q)
        idx, scores = self._search(q, k)
        return self._ids[idx].tolist(), scores

    def _search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        assert self._vectors is not None and self.similarity is not None
        n = len(self._vectors)
        limit = min(n, max(self.ef_search, k))  # hnswlib's beam is max(ef, k) wide: it holds no more
        c = min(limit, candidate_count(k, n))
        bound = key_error_bound(q, self._max_norm, self.similarity)
        top_idx, top_scores, keys = self._candidates(q, k, c, bound)
        rows = np.flatnonzero(~settled(keys, k, bound)) if c < limit else np.arange(0)
        while len(rows):
            c = min(limit, c * REFETCH_GROWTH)
            top_idx[rows], top_scores[rows], keys = self._candidates(q[rows], k, c, bound[rows])
            rows = rows[~settled(keys, k, bound[rows])] if c < limit else rows[:0]
        return top_idx, top_scores

    def _candidates(self, q: np.ndarray, k: int, c: int, bound: np.ndarray) -> tuple[np.ndarray, ...]:
        """Top k positions and scores among c candidates, and the candidates' keys (best first)."""
        assert self._vectors is not None and self.similarity is not None
        n = len(self._vectors)
        if c == n or len(q) == 0:  # every document is a candidate: no graph walk needed
            pos = np.broadcast_to(np.arange(n), (len(q), n))
            keys = np.full((len(q), n), np.inf, dtype=np.float32)
        else:
            pos, keys = self._query(q, max(self.ef_search, k), c)
        return *rescored_top(q, self._vectors, pos, keys, k, bound, self.similarity, norms=self._norms), keys

    def _query(self, q: np.ndarray, ef: int, c: int) -> tuple[np.ndarray, np.ndarray]:
        """hnswlib's c nearest positions and their keys (negated distances), with a beam ef wide."""
        if ef != self._beam:  # ef_search may change between searches of one graph
            self._index.set_ef(ef)
            self._beam = ef
        try:
            labels, dist = self._index.knn_query(q, k=c, num_threads=self.threads)
        except RuntimeError as exc:  # fewer than c reachable: a disconnected graph
            raise ZooError(f"hnsw backend: {exc}; raise M or ef_construction") from None
        return labels.view(np.int64), np.negative(dist)  # labels are corpus positions, far below 2**63
