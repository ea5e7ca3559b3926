"""Exact search sharded over Ray workers: each searches a slice of the corpus, the driver merges the top k.

The corpus is cut into ``workers`` contiguous shards. Each shard is put once in Ray's object store and
searched by its own actor through an ``ExactBackend``, which reads the shard where it lies (the object
store's shared memory, no copy). A query batch is put once and sent to every actor; each returns its
shard's exact top k (rescored scores and positions), and the driver keeps the k best by score, then by
corpus position. A shard's top k holds every one of its documents that can reach the global top k, and a
pair's score depends on its two vectors alone (``harness.backends.scoring``), so the results are those
of one process's ``ExactBackend``: the same ids, the same scores, the same order of ties.

Ray is imported when a ShardedExact is built, never at import time. It searches on the ``RayCluster`` it
is given (``zoo bench --engine ray``: the encoding engine's, so both share one connection), else on one
of its own: the cluster at ``address`` or ``$RAY_ADDRESS``, the Ray this process joined, or a local
instance, stopped by ``close``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from harness.backends.exact import Corpus, ExactBackend
from harness.backends.scoring import check_corpus, check_queries, positive_int, rank
from harness.engines.ray_cluster import RayCluster
from zoo.errors import ZooError
from zoo.plugins import warn
from zoo.protocols import Similarity
from zoo.stored import StoredMatrix

PLACEMENT_SECONDS = 600  # how long building waits for every search worker to start (nodes still joining)


def shard_bounds(n: int, shards: int) -> list[tuple[int, int]]:
    """``shards`` contiguous (start, stop) ranges covering range(n), sizes differing by at most one; no
    empty ones (fewer shards than asked when n is smaller)."""
    edges = [n * i // shards for i in range(shards + 1)]
    return [(start, stop) for start, stop in zip(edges, edges[1:]) if stop > start]


def shard(x: Corpus, start: int, stop: int) -> np.ndarray:
    """Rows [start, stop) in memory, one shard at a time: a view of the caller's array, or read from the
    cache's files (their pages released as they are copied, so the corpus is not mapped here meanwhile)."""
    if isinstance(x, StoredMatrix):
        return np.asarray(x.take(slice(start, stop)))
    return np.ascontiguousarray(x[start:stop])


def merge_top(parts: Sequence[tuple[int, np.ndarray, np.ndarray]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best of each query over shards' top lists: (offset, positions, scores) per shard, positions
    relative to the shard. Best first: higher score, then lower corpus position, as one process orders."""
    positions = np.concatenate([offset + found for offset, found, _ in parts], axis=1)
    scores = np.concatenate([shard_scores for _, _, shard_scores in parts], axis=1)
    return rank(positions, scores, k)


class ShardSearcher:
    """One shard's exact search, in a Ray actor: built once, asked for each query batch."""

    def __init__(self, vectors: np.ndarray, similarity: Similarity, chunk_size: int, query_batch_size: int) -> None:
        self.backend = ExactBackend(chunk_size=chunk_size, query_batch_size=query_batch_size)
        self.backend.build(vectors, range(len(vectors)), similarity)  # type: ignore[arg-type]  # positions

    def nbytes(self) -> int:
        return self.backend.nbytes()

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self.backend.search_positions(queries, k)


class ShardedExact:
    """ExactBackend's results, the corpus searched in ``workers`` shards by Ray actors.

    A drop-in SearchBackend: same name, same results, same parameters, so a sharded run is the same
    configuration as one process's (``zoo bench --engine ray`` records the workers with the engine).
    Each actor takes the cluster's CPUs per worker unless ``cpus_per_worker`` says. Packed bit codes
    (Hamming) are 32x smaller than floats and searched in this process.
    """

    name = "exact"
    similarities = ExactBackend.similarities
    reads_stored = True  # a StoredMatrix is read one shard at a time, straight into the object store

    def __init__(
        self,
        *,
        workers: int = 2,
        chunk_size: int = 4096,
        query_batch_size: int = 1024,
        cpus_per_worker: float | None = None,
        address: str | None = None,
        cluster: RayCluster | None = None,
    ) -> None:
        self.workers = positive_int(workers, "workers", self.name)
        self.chunk_size = positive_int(chunk_size, "chunk_size", self.name)
        self.query_batch_size = positive_int(query_batch_size, "query_batch_size", self.name)
        if cpus_per_worker is not None and not cpus_per_worker > 0:
            raise ZooError(f"{self.name} backend: cpus_per_worker must be positive, got {cpus_per_worker!r}")
        self._cpus_asked = cpus_per_worker
        self._owns_cluster = cluster is None  # one made here is stopped by close(); a given one, by its owner
        self.cluster = cluster if cluster is not None else RayCluster(self.workers, address)
        self._shards: list[tuple[int, Any]] = []  # (first corpus position, actor)
        self._refs: list[Any] = []  # the shards in the object store, held while their actors search them
        self._local: ExactBackend | None = None  # Hamming codes
        self._ids: np.ndarray | None = None
        self._dim = 0
        self._nbytes = 0

    def params(self) -> dict[str, Any]:
        """ExactBackend's parameters: the number of workers changes cost, never results."""
        return {"chunk_size": self.chunk_size, "query_batch_size": self.query_batch_size}

    def __len__(self) -> int:
        if self._local is not None:
            return len(self._local)
        return 0 if self._ids is None else len(self._ids)

    def nbytes(self) -> int:
        """Bytes the shards hold, all workers together (vectors and per-document terms)."""
        return self._local.nbytes() if self._local is not None else self._nbytes

    def build(self, vectors: Corpus, ids: Sequence[str], similarity: Similarity) -> None:
        self._release()
        if similarity == "hamming":
            self._local = ExactBackend(chunk_size=self.chunk_size, query_batch_size=self.query_batch_size)
            self._local.build(vectors, ids, similarity)
            return
        x, ids = check_corpus(vectors, ids, similarity, self.name)
        ray = self.cluster.connect()
        bounds = shard_bounds(len(ids), self.workers)
        each = float(self._cpus_asked or self.cluster.cpus_per_worker or 1)
        self._check_room(ray, len(bounds), each)
        actor = ray.remote(num_cpus=each)(ShardSearcher)
        for start, stop in bounds:  # the object store keeps the copy each worker searches
            self._refs.append(ray.put(shard(x, start, stop)))
            self._shards.append(
                (start, actor.remote(self._refs[-1], similarity, self.chunk_size, self.query_batch_size))
            )
        try:
            sizes = ray.get([searcher.nbytes.remote() for _, searcher in self._shards], timeout=PLACEMENT_SECONDS)
        except ray.exceptions.GetTimeoutError:
            self._release()
            raise ZooError(
                f"{len(bounds)} search workers of {each:g} CPU were not all placed on the Ray cluster "
                f"in {PLACEMENT_SECONDS} s: start more nodes or ask for fewer workers"
            ) from None
        self._nbytes = sum(sizes)
        self._ids = np.asarray(ids, dtype=object)
        self._dim = x.shape[1]

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        """Best-first ids and float32 scores of shape (m, min(k, n)) for each query row."""
        if self._local is not None:
            return self._local.search(queries, k)
        positions, scores = self.search_positions(queries, k)
        assert self._ids is not None
        return self._ids[positions].tolist(), scores

    def search_positions(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Best-first corpus positions and scores, merged from every shard's top k."""
        if self._local is not None:
            return self._local.search_positions(queries, k)
        if self._ids is None:
            raise ZooError("exact backend: call build() before search()")
        k = min(positive_int(k, "k", self.name), len(self._ids))
        q = check_queries(queries, self._dim, self.name)  # checked here: a worker's error would be a traceback
        ray = self.cluster.connect()
        batch = ray.put(q)
        found = ray.get([searcher.search.remote(batch, k) for _, searcher in self._shards])
        return merge_top([(start, *shard) for (start, _), shard in zip(self._shards, found)], k)

    def close(self) -> None:
        """End the workers and free their shards (dropping the backend does the same); stop the Ray instance
        this backend started, if it started one."""
        self._release()
        if self._owns_cluster:
            self.cluster.close()

    def _check_room(self, ray: Any, shards: int, each: float) -> None:
        """Refuse workers a local instance cannot place (they would wait forever); on a cluster that may
        grow, say that they wait for CPUs."""
        cpus = ray.cluster_resources().get("CPU", 0.0)
        if shards * each <= cpus:
            return
        need = f"{shards} search workers of {each:g} CPU need {shards * each:g} CPUs; the Ray cluster has {cpus:g}"
        if not self.cluster.may_grow:
            raise ZooError(f"{need}: ask for fewer workers")
        warn(f"{need}: they start as nodes join (waiting up to {PLACEMENT_SECONDS} s)")

    def _release(self) -> None:
        if self._shards:
            import ray

            for _, searcher in self._shards:
                ray.kill(searcher)
        self._shards, self._refs, self._local, self._ids, self._nbytes = [], [], None, None, 0
