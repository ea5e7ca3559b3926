"""HNSW on faiss (IndexHNSWFlat), scores recomputed as the exact backend's: ``hnsw?library=faiss``.

It takes the core ``hnsw`` backend's options (M, ef_construction, ef_search, seed, insertion_order,
threads) with the same defaults, so the two libraries compare at equal settings. faiss finds candidates
with its own float arithmetic; they are rescored with :mod:`harness.backends.scoring`, so a (query,
document) pair scores as under exact search and ties rank the lower corpus position first. Rows whose
k-th place is within rounding of the last candidate are fetched again with more, and once the beam would
cover the whole corpus every document is scored (exact search).

Determinism: faiss draws each node's level from its generator, seeded here with ``seed``, and inserts
level by level in an order it shuffles with a fixed seed of its own; with ``threads=1`` the same vectors,
insertion order and seed give the same graph. More build threads insert concurrently and the graph
depends on scheduling. Search threads never change results.
"""

from __future__ import annotations

from typing import Any, Literal, Sequence

import numpy as np

from harness.api import (
    DEFAULT_EF_SEARCH,
    check_corpus,
    check_queries,
    graph_options,
    key_error_bound,
    normalised,
    positive_int,
)
from zoo.api import Similarity, ZooError
from zoo_faiss.candidates import Fetch, exact_top
from zoo_faiss.library import faiss_threads, load_faiss
from zoo_faiss.options import doubling

MAX_SEED = 2**63  # faiss's RandomGenerator takes an int64


class FaissHnswBackend:
    """faiss's HNSW graph: ``M`` links per node, ``ef_construction`` and ``ef_search`` beam widths."""

    name = "hnsw-faiss"
    similarities = ("cosine", "dot", "euclidean")
    search_options: tuple[str, ...] = ("ef_search",)

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
            self.name,
            M=M,
            ef_construction=ef_construction,
            seed=seed,
            insertion_order=insertion_order,
            threads=threads,
            max_seed=MAX_SEED,
        )
        self.ef_search = ef_search
        self.similarity: Similarity | None = None
        self._index: Any = None
        self._vectors: np.ndarray | None = None
        self._order: np.ndarray | None = None  # corpus position of each faiss label, when shuffled
        self._max_norm = 0.0
        self._ids: np.ndarray | None = None

    @property
    def ef_search(self) -> int:
        """The search beam width; read at every search, so it can change between searches."""
        return self._ef_search

    @ef_search.setter
    def ef_search(self, value: int) -> None:
        self._ef_search = positive_int(value, "ef_search", self.name)

    def params(self) -> dict[str, Any]:
        """Every setting of the graph and the search; stored with each result."""
        return {
            "library": "faiss",
            "M": self.M,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
            "seed": self.seed,
            "insertion_order": self.insertion_order,
            "threads": self.threads,
        }

    def search_ladder(self, name: str) -> list[int]:
        """Values of ``name`` to try for a recall target: ef_search 16, 32, 64, ... up to the corpus size."""
        if name != "ef_search":
            raise ZooError(f"{self.name} backend: no ladder of values for {name!r}; it has one for ef_search")
        if not len(self):
            raise ZooError(f"{self.name} backend: the ef_search ladder ends at the corpus size: build the index first")
        return doubling(16, max(16, len(self)))

    def __len__(self) -> int:
        return 0 if self._ids is None else len(self._ids)

    def nbytes(self) -> int:
        """faiss's vectors, links, offsets and levels, plus the float32 copy kept for rescoring."""
        if self._index is None or self._vectors is None:
            return 0
        graph = self._index.hnsw
        links = 4 * graph.neighbors.size() + 8 * graph.offsets.size() + 4 * graph.levels.size()
        return 4 * self._index.ntotal * self._index.d + links + self._vectors.nbytes

    def build(self, vectors: np.ndarray, ids: Sequence[str], similarity: Similarity) -> None:
        faiss = load_faiss(self.name)
        x, ids = check_corpus(vectors, ids, similarity, self.name)
        stored = normalised(x) if similarity == "cosine" else x
        metric = faiss.METRIC_L2 if similarity == "euclidean" else faiss.METRIC_INNER_PRODUCT
        index = faiss.IndexHNSWFlat(x.shape[1], self.M, metric)
        index.hnsw.efConstruction = self.ef_construction
        index.hnsw.rng = faiss.RandomGenerator(self.seed)
        order = None if self.insertion_order == "given" else np.random.default_rng(self.seed).permutation(len(x))
        with faiss_threads(self.threads):
            index.add(stored if order is None else stored[order])
        self.similarity, self._index, self._vectors, self._order = similarity, index, stored, order
        self._max_norm = float(np.linalg.norm(stored, axis=1).max())
        self._ids = np.asarray(ids, dtype=object)

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        """Best-first ids and float32 scores of shape (m, min(k, n)) for each query row."""
        if self._vectors is None or self._ids is None or self.similarity is None:
            raise ZooError(f"{self.name} backend: call build() before search()")
        k = positive_int(k, "k", self.name)
        q = check_queries(queries, self._vectors.shape[1], self.name)
        k = min(k, len(self._ids))
        if self.similarity == "cosine":
            q = normalised(q)
        n, ef = len(self._vectors), max(self.ef_search, k)  # faiss's beam is max(ef, k) wide
        bound = key_error_bound(q, self._max_norm, self.similarity)
        with faiss_threads(self.threads):
            idx, scores, short = exact_top(q, self._vectors, k, self._fetcher(ef), min(n, ef), bound, self.similarity)
        if short.any():
            raise ZooError(
                f"{self.name} backend: the graph walk reached fewer than {k} documents for "
                f"{int(short.sum())} queries; raise M or ef_construction"
            )
        return self._ids[idx].tolist(), scores

    def _fetcher(self, ef: int) -> Fetch:
        faiss = load_faiss(self.name)
        params = faiss.SearchParametersHNSW(efSearch=ef)
        n, negate = len(self), self.similarity == "euclidean"  # squared distances there: lower is better

        def fetch(q: np.ndarray, c: int) -> tuple[np.ndarray, np.ndarray]:
            if c == n:  # every document is a candidate: no graph walk needed
                return np.broadcast_to(np.arange(n), (len(q), n)), np.full((len(q), n), np.inf, dtype=np.float32)
            dist, labels = self._index.search(q, c, params=params)
            keys = np.negative(dist) if negate else dist
            keys[labels < 0] = -np.inf
            if self._order is not None:
                labels = np.where(labels >= 0, self._order[np.maximum(labels, 0)], -1)
            return labels, keys

        return fetch
