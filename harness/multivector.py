"""Searching a multi-vector encoder (a set of vectors per input, compared by MaxSim) through the runner's
ordinary path: the encoder's sets stand where vectors stand, ``exact`` is exact MaxSim over every
document, and ``muvera`` an approximate backend: MUVERA's fixed-dimensional encodings searched by a
single-vector index (exact or HNSW) for ``candidates`` per query, those rescored by exact MaxSim. So a
MUVERA result is measured against exact MaxSim on the same sets as any approximate backend is against
exact search: recall@10 of its answers, the main-score change and its significance.
"""

from __future__ import annotations

import time
from typing import Any, Sequence

import numpy as np

from zoo.errors import ZooError
from zoo.multivector.maxsim import VectorSets, maxsim, maxsim_top_k
from zoo.multivector.muvera import FDEConfig, FixedDimensionalEncoder
from zoo.protocols import BackendSpec, MultiVectorEncoder, Role
from zoo.ranking import top_k

MAXSIM = "maxsim"  # the similarity a multi-vector view declares: only backends listing it search it
CANDIDATES = 100  # FDE hits per query rescored by MaxSim
INDEXES = ("exact", "hnsw")


class MultiVectorView:
    """A multi-vector encoder as the runner's encoder: ``encode`` gives VectorSets (timed, not cached:
    the embedding cache holds one row per input), with MeasuredEncoder's cost figures; ``spec_name`` is the
    registry name the encoder was asked for (its plugin's provenance is looked up by it)."""

    similarity = MAXSIM
    items_cached = 0

    def __init__(self, encoder: MultiVectorEncoder, spec_name: str | None = None) -> None:
        from harness.engines.local import LocalEngine

        self.encoder = encoder
        self.name = encoder.name
        self.spec_name = spec_name or encoder.name
        self.modalities = encoder.modalities
        self.engine = LocalEngine()
        self.api_tokens: int | None = None  # a local model: nothing is paid per call
        self.api_cost_usd: float | None = None
        self.encode_seconds = 0.0
        self.load_seconds = 0.0
        self.items_encoded = 0
        self._loaded = False
        self._memo: dict[tuple[str, tuple[str, ...]], VectorSets] = {}
        self._document_bytes: int | None = None
        self._fingerprint: str | None = None

    @property
    def dim(self) -> int:
        return int(self.encoder.dim)

    @property
    def n_parameters(self) -> int | None:
        count = getattr(self.encoder, "n_parameters", None)
        return int(count) if count is not None else None

    @property
    def bytes_per_vector(self) -> int:
        """A document's token vectors (float32), on average over the corpus encoded."""
        return self._document_bytes or 0

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = self.encoder.fingerprint()
        return self._fingerprint

    def engine_params(self) -> dict[str, Any]:
        return self.engine.params()

    def encode(self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None) -> VectorSets:
        """Each call's sets once: the same call again (a second backend) reads them back."""
        key = (role, tuple(str(item) for item in inputs))
        if key not in self._memo:
            self._load()
            start = time.perf_counter()
            self._memo[key] = VectorSets.of(self.encoder.encode_sets(list(inputs), role=role))
            self.encode_seconds += time.perf_counter() - start
            self.items_encoded += len(inputs)
        sets = self._memo[key]
        if role == "document" and len(sets):
            self._document_bytes = round(sets.vectors.nbytes / len(sets))
        return sets

    def _load(self) -> None:
        """The model's weights, timed apart from encoding, for encoders with ``load()`` (as MeasuredEncoder)."""
        load = getattr(self.encoder, "load", None)
        if not self._loaded and callable(load):
            start = time.perf_counter()
            load()
            self.load_seconds += time.perf_counter() - start
        self._loaded = True


class MaxSimBackend:
    """Exact MaxSim of each query set against every document set: the reference for MUVERA."""

    name = "exact"
    similarities = (MAXSIM,)

    def __init__(self) -> None:
        self._documents: VectorSets | None = None
        self._ids: list[str] = []

    def params(self) -> dict[str, Any]:
        return {"search": "exact MaxSim"}

    def build(self, sets: VectorSets, ids: Sequence[str], similarity: str) -> None:
        _check_sets(sets, similarity)
        self._documents, self._ids = sets, list(ids)

    def search(self, queries: VectorSets, k: int) -> tuple[list[list[str]], np.ndarray]:
        if self._documents is None:
            raise ZooError("exact MaxSim searched before it was built")
        positions, scores = maxsim_top_k(queries, self._documents, k)
        return [[self._ids[p] for p in row] for row in positions], scores

    def nbytes(self) -> int:
        return self._documents.nbytes if self._documents is not None else 0


class MuveraBackend(MaxSimBackend):
    """MUVERA: documents' FDEs in an ``index`` (exact or hnsw, inner product); a query's FDE finds
    ``candidates``, rescored by exact MaxSim against the documents' sets, which it keeps for that."""

    name = "muvera"

    def __init__(
        self,
        *,
        repetitions: int = 20,
        k_sim: int = 5,
        d_proj: int = 16,
        d_final: int = 0,
        fill_empty: bool = True,
        seed: int = 1,
        candidates: int = CANDIDATES,
        index: str = "exact",
    ) -> None:
        super().__init__()
        if candidates < 1:
            raise ZooError(f"muvera candidates must be positive, got {candidates}")
        if index not in INDEXES:
            raise ZooError(f"muvera index {index!r}: choose one of {', '.join(INDEXES)}")
        self.settings = {
            "repetitions": repetitions,
            "k_sim": k_sim,
            "d_proj": d_proj or None,
            "d_final": d_final or None,
            "fill_empty": fill_empty,
            "seed": seed,
        }
        self.candidates, self.index = int(candidates), index
        try:
            FDEConfig(1, **self.settings)  # bad settings fail here, before any encoding
        except ValueError as exc:
            raise ZooError(f"muvera: {exc}") from None
        self.fde: FixedDimensionalEncoder | None = None
        self._inner: Any = None
        self._positions: dict[str, int] = {}

    def params(self) -> dict[str, Any]:
        fde_dim = self.fde.config.output_dim if self.fde is not None else None
        inner = self._inner.params() if self._inner is not None else {}
        return {
            **self.settings,
            "candidates": self.candidates,
            "index": self.index,
            "index_params": inner,
            "fde_dim": fde_dim,
            "fde_bytes_per_document": 4 * fde_dim if fde_dim else None,
        }

    def build(self, sets: VectorSets, ids: Sequence[str], similarity: str) -> None:
        from zoo.registry import Registry

        super().build(sets, ids, similarity)
        try:
            self.fde = FixedDimensionalEncoder(FDEConfig(sets.vectors.shape[1], **self.settings))
        except ValueError as exc:
            raise ZooError(f"muvera: {exc}") from None
        self._positions = {doc: i for i, doc in enumerate(self._ids)}
        self._inner = Registry.from_plugins().backend(self.index).factory()
        self._inner.build(self.fde.documents(sets), self._ids, "dot")

    def search(self, queries: VectorSets, k: int) -> tuple[list[list[str]], np.ndarray]:
        if self._documents is None or self.fde is None:
            raise ZooError("muvera searched before it was built")
        found, _ = self._inner.search(self.fde.queries(queries), max(k, self.candidates))
        width = min(k, len(self._ids))
        hits, scores = [], np.zeros((len(queries), width), dtype=np.float32)
        for row, candidates in enumerate(found):
            rows = np.sort(np.fromiter((self._positions[c] for c in candidates), np.int64, len(candidates)))
            exact = maxsim(queries[row], self._documents, rows)
            best = top_k(exact, width)
            hits.append([self._ids[r] for r in rows[best]])
            scores[row, : len(best)] = exact[best]
        return hits, scores

    def nbytes(self) -> int:
        """The FDE index and the documents' sets kept for rescoring."""
        inner = getattr(self._inner, "nbytes", None)
        index = inner() if callable(inner) else None
        fde = index if index is not None else (4 * self.fde.config.output_dim * len(self._ids) if self.fde else 0)
        return super().nbytes() + int(fde)


def _check_sets(sets: Any, similarity: str) -> None:
    if not isinstance(sets, VectorSets) or similarity != MAXSIM:
        raise ZooError("MaxSim search takes a multi-vector encoder's sets: name one (tokens:all-minilm-l6-v2)")


def maxsim_backends(specs: Sequence[BackendSpec]) -> list[BackendSpec]:
    """The run's backends for a multi-vector view: an exact one searches by exact MaxSim; the others as
    they are (those that cannot search sets, HNSW or IVF, are skipped by the runner with a warning)."""
    return [
        BackendSpec(spec.name, MaxSimBackend, exact=True, label=spec.label or spec.name) if spec.exact else spec
        for spec in specs
    ]
