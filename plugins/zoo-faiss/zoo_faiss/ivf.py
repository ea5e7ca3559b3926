"""faiss inverted-file backends: IVF-Flat and IVF-PQ, searched ``nprobe`` lists at a time.

k-means splits the corpus into ``nlist`` lists; a query scans the ``nprobe`` lists whose centroids are
nearest. IVF-Flat keeps the float vectors in the lists, IVF-PQ product-quantized codes of their residuals
(``m`` sub-quantizers of ``nbits`` bits: ``m * nbits / 8`` bytes per vector). Candidates from faiss are
rescored with :mod:`harness.backends.scoring`, so a (query, document) pair scores as under exact search and
ties rank the lower corpus position first; IVF-PQ rescores ``rescore * k`` candidates against a float32
copy of the vectors, which ``params()`` (``rescore_bytes``) and ``nbytes()`` count. With ``nprobe >=
nlist`` IVF-Flat equals exact search bit for bit. A query whose probed lists hold fewer than k vectors
probes twice as many, and again, until they do.

Determinism: the training sample is drawn with ``seed`` and faiss's k-means (lists and PQ codebooks) is
seeded with it, so the same vectors, options and ``threads`` build the same index. ``nprobe`` only changes
the search: set it between searches without rebuilding.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, Sequence

import numpy as np

from harness.api import check_corpus, check_queries, key_error_bound, normalised, positive_int
from zoo.api import Similarity, ZooError, warn
from zoo_faiss.candidates import Fetch, exact_top, rescored
from zoo_faiss.library import faiss_threads, load_faiss
from zoo_faiss.options import doubling, seed_option

# nprobe defaults to an eighth of the lists, rounded up: what recall needs is a share of the lists, not a
# count. Recall@10 of IVF-Flat against exact on ICD-10-CM (cosine, default nlist): all-MiniLM-L6-v2 on
# icd10cm-small, nlist 128, nprobe 16: 0.936-0.944 for seeds 0-2; WordLlama on the full task, nlist 1253,
# nprobe 157: 0.947 (128: 0.940, 256: 0.964; seed 0).
NPROBE_SHARE = 8
MIN_TRAIN_PER_LIST = 39  # faiss's k-means warns below 39 training vectors per centroid
MAX_TRAIN_PER_LIST = 256  # and subsamples above 256: the default training sample stops there
MAX_SEED = 2**31  # faiss's k-means seed is a C int


def default_nprobe(nlist: int) -> int:
    """An eighth of the lists, rounded up."""
    return -(-nlist // NPROBE_SHARE)


def default_nlist(n: int, n_train: int) -> int:
    """4 sqrt(n) lists, as faiss's guidelines suggest, but no more than the training sample fills with 39 each."""
    return max(1, min(round(4 * math.sqrt(n)), n_train // MIN_TRAIN_PER_LIST))


class IvfBackend(ABC):
    """What IVF-Flat and IVF-PQ share: options, training, the probe loop, size; subclasses make the index."""

    name: str
    similarities = ("cosine", "dot", "euclidean")
    search_options: tuple[str, ...] = ("nprobe",)

    def __init__(
        self,
        *,
        nlist: int | None = None,
        nprobe: int | None = None,
        train_size: int | None = None,
        seed: int = 0,
        threads: int = 1,
    ) -> None:
        self.nlist = None if nlist is None else positive_int(nlist, "nlist", self.name)
        self.nprobe = nprobe
        self.train_size = None if train_size is None else positive_int(train_size, "train_size", self.name)
        self.seed = seed_option(seed, MAX_SEED, self.name)
        self.threads = positive_int(threads, "threads", self.name)
        self.similarity: Similarity | None = None
        self._index: Any = None
        self._vectors: np.ndarray | None = None
        self._ids: np.ndarray | None = None
        self._max_norm = 0.0
        self._trained_on = 0

    @property
    def nprobe(self) -> int | None:
        """Lists scanned per query (all when above nlist), read at every search; unset, nlist / 8 once built."""
        if self._nprobe is None and self._index is not None:
            return default_nprobe(self._index.nlist)
        return self._nprobe

    @nprobe.setter
    def nprobe(self, value: int | None) -> None:
        self._nprobe = None if value is None else positive_int(value, "nprobe", self.name)

    def params(self) -> dict[str, Any]:
        """Every setting of the index and the search; nlist and train_size as built, once built."""
        built = self._index is not None
        return {
            "library": "faiss",
            "nlist": self._index.nlist if built else self.nlist,
            "nprobe": self.nprobe,
            "train_size": self._trained_on if built else self.train_size,
            "seed": self.seed,
            "threads": self.threads,
            **self._code_params(),
        }

    def search_ladder(self, name: str) -> list[int]:
        """Values of ``name`` to try for a recall target: nprobe 1, 2, 4, ... up to nlist (exhaustive)."""
        if name != "nprobe":
            raise ZooError(f"{self.name} backend: no ladder of values for {name!r}; it has one for nprobe")
        nlist = self._index.nlist if self._index is not None else self.nlist
        if nlist is None:
            raise ZooError(f"{self.name} backend: the nprobe ladder needs nlist: build the index or set nlist")
        return doubling(1, nlist)

    def __len__(self) -> int:
        return 0 if self._ids is None else len(self._ids)

    def nbytes(self) -> int:
        """The inverted lists (a code and an int64 id per vector), the centroids, any codebooks, and the
        float32 copy kept for rescoring."""
        if self._index is None or self._vectors is None:
            return 0
        index = self._index
        return (
            index.ntotal * (index.code_size + 8)
            + index.nlist * index.d * 4
            + self._extra_bytes()
            + self._vectors.nbytes
        )

    def build(self, vectors: np.ndarray, ids: Sequence[str], similarity: Similarity) -> None:
        faiss = load_faiss(self.name)
        x, ids = check_corpus(vectors, ids, similarity, self.name)
        stored = normalised(x) if similarity == "cosine" else x
        wanted = len(x) if self.train_size is None else min(self.train_size, len(x))
        nlist = self._nlist(len(x), wanted)
        # by default every vector up to faiss's own cap per list; a train_size given is taken as it is
        size = wanted if self.train_size is not None else min(wanted, MAX_TRAIN_PER_LIST * nlist)
        sample = self._sample(stored, size)
        inner = similarity != "euclidean"
        quantizer = faiss.IndexFlatIP(x.shape[1]) if inner else faiss.IndexFlatL2(x.shape[1])
        metric = faiss.METRIC_INNER_PRODUCT if inner else faiss.METRIC_L2
        index = self._new_index(quantizer, x.shape[1], nlist, metric, len(sample))
        index.cp.seed = self.seed
        index.cp.min_points_per_centroid = 1  # _nlist checked the sample size and warned once
        index.cp.max_points_per_centroid = -(-len(sample) // index.nlist)  # faiss must not subsample again
        with faiss_threads(self.threads):
            index.train(sample)
            index.add(stored)  # labels are corpus positions
        self.similarity, self._index, self._vectors, self._trained_on = similarity, index, stored, len(sample)
        self._max_norm = float(np.linalg.norm(stored, axis=1).max())
        self._ids = np.asarray(ids, dtype=object)

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        """Best-first ids and float32 scores of shape (m, min(k, n)) for each query row."""
        if self._index is None or self._vectors is None or self._ids is None:
            raise ZooError(f"{self.name} backend: call build() before search()")
        k = positive_int(k, "k", self.name)
        q = check_queries(queries, self._vectors.shape[1], self.name)
        k = min(k, len(self._ids))
        if self.similarity == "cosine":
            q = normalised(q)
        with faiss_threads(self.threads):
            idx, scores = self._probe(q, k)
        return self._ids[idx].tolist(), scores

    def _probe(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top k per query from nprobe lists, doubling the probes for queries whose lists hold fewer than k."""
        nlist = self._index.nlist
        top_idx = np.empty((len(q), k), dtype=np.int64)
        top_scores = np.empty((len(q), k), dtype=np.float32)
        rows, probes = np.arange(len(q)), min(self._nprobe or default_nprobe(nlist), nlist)
        while len(rows):
            top_idx[rows], top_scores[rows], short = self._top(q[rows], k, self._fetcher(probes))
            if probes == nlist:  # every list probed: all n >= k vectors were offered, no row is short
                break
            rows, probes = rows[short], min(nlist, 2 * probes)
        return top_idx, top_scores

    def _fetcher(self, probes: int) -> Fetch:
        faiss = load_faiss(self.name)
        params = faiss.SearchParametersIVF(nprobe=probes)
        negate = self.similarity == "euclidean"  # faiss returns squared distances there: lower is better

        def fetch(q: np.ndarray, c: int) -> tuple[np.ndarray, np.ndarray]:
            dist, labels = self._index.search(q, c, params=params)
            keys = np.negative(dist) if negate else dist
            keys[labels < 0] = -np.inf
            return labels, keys

        return fetch

    def _nlist(self, n: int, n_train: int) -> int:
        nlist = self.nlist or default_nlist(n, n_train)
        if nlist > n_train:
            raise ZooError(
                f"{self.name} backend: nlist={nlist} needs at least {nlist} training vectors, the sample "
                f"has {n_train}; lower nlist or raise train_size (at most the corpus size, {n})"
            )
        if n_train < MIN_TRAIN_PER_LIST * nlist:
            warn(
                f"{self.name} backend: {n_train} training vectors for nlist={nlist}; faiss advises at least "
                f"{MIN_TRAIN_PER_LIST * nlist} ({MIN_TRAIN_PER_LIST} per list)"
            )
        return nlist

    def _sample(self, stored: np.ndarray, size: int) -> np.ndarray:
        """``size`` vectors for k-means, drawn with the seed, in corpus order."""
        n = len(stored)
        if size == n:
            return stored
        return stored[np.sort(np.random.default_rng(self.seed).choice(n, size, replace=False))]

    @abstractmethod
    def _new_index(self, quantizer: Any, dim: int, nlist: int, metric: int, n_train: int) -> Any:
        """An untrained faiss index over ``quantizer``; checks the options that depend on dim or the sample."""

    @abstractmethod
    def _top(self, q: np.ndarray, k: int, fetch: Fetch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions and scores of each query's top k among what ``fetch`` offers, and the rows short of k."""

    @abstractmethod
    def _code_params(self) -> dict[str, Any]:
        """What the lists keep per vector, and the options that shape it."""

    def _extra_bytes(self) -> int:
        return 0


class IvfFlatBackend(IvfBackend):
    """faiss IndexIVFFlat: the lists hold the float vectors, so the candidates' keys are exact up to rounding."""

    name = "ivf-flat"

    def _new_index(self, quantizer: Any, dim: int, nlist: int, metric: int, n_train: int) -> Any:
        faiss = load_faiss(self.name)
        return faiss.IndexIVFFlat(quantizer, dim, nlist, metric)

    def _top(self, q: np.ndarray, k: int, fetch: Fetch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        assert self._vectors is not None and self.similarity is not None
        bound = key_error_bound(q, self._max_norm, self.similarity)
        return exact_top(q, self._vectors, k, fetch, len(self._vectors), bound, self.similarity)

    def _code_params(self) -> dict[str, Any]:
        width = None if self._index is None else 4 * self._index.d
        return {"code_bytes": width, "rescore_bytes": width}  # faiss's lists hold a float copy, as do we


def default_m(dim: int) -> int:
    """The most sub-quantizers of at least 4 dimensions each that divide ``dim`` (96 for 384)."""
    return max(m for m in range(1, max(1, dim // 4) + 1) if dim % m == 0)


class IvfPqBackend(IvfBackend):
    """faiss IndexIVFPQ: residuals coded by ``m`` sub-quantizers of ``nbits`` bits; ``rescore * k``
    candidates by PQ distance are rescored with the float vectors."""

    name = "ivf-pq"

    def __init__(self, *, m: int | None = None, nbits: int = 8, rescore: int = 4, **options: Any) -> None:
        super().__init__(**options)
        self.m = None if m is None else positive_int(m, "m", self.name)
        self.nbits = positive_int(nbits, "nbits", self.name)
        if self.nbits > 16:
            raise ZooError(f"{self.name} backend: nbits must be at most 16, got {nbits!r}; 8 is usual")
        self.rescore = positive_int(rescore, "rescore", self.name)

    def _new_index(self, quantizer: Any, dim: int, nlist: int, metric: int, n_train: int) -> Any:
        faiss = load_faiss(self.name)
        m = self.m or default_m(dim)
        if dim % m:
            close = sorted((d for d in range(1, dim + 1) if dim % d == 0), key=lambda d: abs(d - m))[:3]
            raise ZooError(
                f"{self.name} backend: m={m} must divide the dimension {dim}; use one of "
                f"{', '.join(map(str, sorted(close)))}"
            )
        codes = 2**self.nbits
        if n_train < codes:
            raise ZooError(
                f"{self.name} backend: nbits={self.nbits} needs at least {codes} training vectors for "
                f"its codebooks, the sample has {n_train}; lower nbits or raise train_size"
            )
        if n_train < MIN_TRAIN_PER_LIST * codes:
            warn(
                f"{self.name} backend: {n_train} training vectors for {codes} codes per sub-quantizer; faiss "
                f"advises at least {MIN_TRAIN_PER_LIST * codes} (or lower nbits)"
            )
        index = faiss.IndexIVFPQ(quantizer, dim, nlist, m, self.nbits, metric)
        index.pq.cp.seed = self.seed  # faiss draws at most 256 residuals per code from the sample, seeded
        index.pq.cp.min_points_per_centroid = 1  # warned above, once rather than per sub-quantizer
        return index

    def _top(self, q: np.ndarray, k: int, fetch: Fetch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        assert self._vectors is not None and self.similarity is not None
        positions, keys = fetch(q, min(len(self._vectors), self.rescore * k))
        unbounded = np.full(len(q), np.inf)  # PQ distances are estimates: every candidate is rescored
        top_idx, top_scores = rescored(q, self._vectors, positions, keys, k, unbounded, self.similarity)
        return top_idx, top_scores, np.count_nonzero(positions >= 0, axis=1) < k

    def _code_params(self) -> dict[str, Any]:
        built = self._index is not None
        return {
            "m": self._index.pq.M if built else self.m,
            "nbits": self.nbits,
            "rescore": self.rescore,
            "code_bytes": self._index.code_size if built else None,
            "rescore_bytes": 4 * self._index.d if built else None,
        }

    def _extra_bytes(self) -> int:
        """The PQ codebooks and, where faiss keeps one, its table of precomputed centroid-code terms."""
        return 4 * (self._index.pq.centroids.size() + self._index.precomputed_table.size())
