"""Searching a multi-vector encoder: exact MaxSim over every document (``maxsim:<encoder>``), and MUVERA
(``muvera:<encoder>?...``): fixed-dimensional encodings searched by a single-vector backend (exact or
HNSW) for ``candidates`` per query, rescored by exact MaxSim. Both are retrievers, so their results sit
in the exact table with the same cost columns; MUVERA's recall against exact MaxSim is measured by
``benchmarks/muvera.py``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from zoo.errors import ZooError
from zoo.fingerprint import fingerprint
from zoo.multivector.maxsim import VectorSets, maxsim, maxsim_top_k
from zoo.multivector.muvera import FDEConfig, FixedDimensionalEncoder
from zoo.protocols import MultiVectorEncoder
from zoo.ranking import top_k

CANDIDATES = 100  # FDE hits per query rescored by MaxSim


def open_multivector(name: str) -> MultiVectorEncoder:
    from zoo.registry import Registry

    model = Registry.from_plugins().encoder(name).load()
    if not isinstance(model, MultiVectorEncoder):
        raise ZooError(f"{name} gives one vector per input, not a set: name a multi-vector encoder "
                       "(tokens:all-minilm-l6-v2)")
    return model


class MaxSimRetriever:
    """Exact MaxSim of each query's token vectors against every document's: the reference for MUVERA."""

    modalities = ("text",)
    similarity = "maxsim"

    def __init__(self, encoder: str | MultiVectorEncoder, *, name: str = "") -> None:
        self.encoder = open_multivector(encoder) if isinstance(encoder, str) else encoder
        self.name = name or f"maxsim:{self.encoder.name}"
        self._documents: VectorSets | None = None
        self._ids: list[str] = []

    @property
    def n_parameters(self) -> int | None:
        return getattr(self.encoder, "n_parameters", None)

    @property
    def dim(self) -> int:
        return int(self.encoder.dim)

    def params(self) -> dict[str, Any]:
        return {"encoder": self.encoder.name, "search": "exact MaxSim"}

    def fingerprint(self) -> str:
        return fingerprint("maxsim", 1, self.encoder.fingerprint())

    @property
    def bytes_per_document(self) -> int:
        return round(self.nbytes() / len(self._ids)) if self._ids else 0

    def nbytes(self) -> int:
        return self._documents.nbytes if self._documents is not None else 0

    def prepare(self, inputs: Sequence[Any], *, role: str = "document") -> VectorSets:
        return VectorSets.of(self.encoder.encode_sets(list(inputs), role=role))  # type: ignore[arg-type]

    def index(self, documents: VectorSets, ids: Sequence[str]) -> None:
        self._documents, self._ids = documents, list(ids)

    def search(self, queries: VectorSets, k: int) -> tuple[list[list[str]], np.ndarray]:
        if self._documents is None:
            raise ZooError(f"{self.name} searched before it was indexed")
        positions, scores = maxsim_top_k(queries, self._documents, k)
        return [[self._ids[p] for p in row] for row in positions], scores


class MuveraRetriever(MaxSimRetriever):
    """Fixed-dimensional encodings of the token sets, searched by ``backend`` for ``candidates`` per
    query, then the candidates rescored by exact MaxSim. Keeps the FDEs (the index) and the documents'
    token vectors (for rescoring): both count in its bytes per document."""

    similarity = "maxsim"

    def __init__(self, encoder: str | MultiVectorEncoder, *, repetitions: int = 20, k_sim: int = 5,
                 d_proj: int | None = 16, d_final: int | None = None, fill_empty: bool = True, seed: int = 1,
                 candidates: int = CANDIDATES, backend: str = "exact", name: str = "") -> None:
        super().__init__(encoder, name=name)
        if candidates < 1:
            raise ZooError(f"muvera candidates must be positive, got {candidates}")
        try:
            config = FDEConfig(self.encoder.dim, repetitions, k_sim, d_proj or None, d_final or None, fill_empty,
                               seed)
        except ValueError as exc:
            raise ZooError(f"muvera: {exc}") from None
        self.fde = FixedDimensionalEncoder(config)
        self.candidates, self.backend_name = int(candidates), backend
        self.name = name or f"muvera:{self.encoder.name}"
        self._backend: Any = None
        self._positions: dict[str, int] = {}

    @property
    def dim(self) -> int:
        return self.fde.config.output_dim

    def params(self) -> dict[str, Any]:
        backend = self._backend.params() if self._backend is not None else {}
        return {"encoder": self.encoder.name, **self.fde.config.to_dict(), "fde_dim": self.dim,
                "candidates": self.candidates, "backend": self.backend_name, "backend_params": backend,
                "fde_bytes_per_document": 4 * self.dim,
                "rescoring_bytes_per_document": super().bytes_per_document}

    def fingerprint(self) -> str:
        return fingerprint("muvera", 1, self.encoder.fingerprint(), self.fde.fingerprint(), self.candidates,
                           self.backend_name)

    def nbytes(self) -> int:
        """The documents' token vectors (kept for rescoring) and the backend's index of their FDEs."""
        index = getattr(self._backend, "nbytes", None)
        fde = index() if callable(index) else None
        return super().nbytes() + int(fde if fde is not None else 4 * self.dim * len(self._ids))

    def index(self, documents: VectorSets, ids: Sequence[str]) -> None:
        from zoo.registry import Registry

        super().index(documents, ids)
        self._positions = {doc: i for i, doc in enumerate(self._ids)}
        self._backend = Registry.from_plugins().backend(self.backend_name).factory()
        self._backend.build(self.fde.documents(documents), list(ids), "dot")

    def search(self, queries: VectorSets, k: int) -> tuple[list[list[str]], np.ndarray]:
        if self._backend is None or self._documents is None:
            raise ZooError(f"{self.name} searched before it was indexed")
        found, _ = self._backend.search(self.fde.queries(queries), self.candidates)
        position = self._positions
        width = min(k, self.candidates, len(self._ids))
        hits, scores = [], np.zeros((len(queries), width), dtype=np.float32)
        for row, candidates in enumerate(found):
            rows = np.sort(np.fromiter((position[c] for c in candidates), dtype=np.int64, count=len(candidates)))
            exact = maxsim(queries[row], self._documents, rows)
            best = top_k(exact, width)
            hits.append([self._ids[r] for r in rows[best]])
            scores[row, : len(best)] = exact[best]
        return hits, scores
