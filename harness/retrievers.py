"""Running a Retriever (BM25, a fusion, a reranked first stage) through the retrieval tasks unchanged.

A retriever ranks documents itself, so the harness gives a retrieval task two faces of it: an encoder
whose ``encode`` is the retriever's ``prepare`` (timed, as encoding is), and a search backend whose
``build`` and ``search`` are its ``index`` and ``search``. The task then measures it exactly as it
measures a dense encoder through the exact backend: same metrics, same build, query and latency
figures. Its result is filed under the ``exact`` backend, since a retriever scores every document its
query can reach and takes the top k exactly: its row sits in the exact table beside the dense models.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from zoo.cache import EmbeddingCache
from zoo.protocols import Retriever, Role

EXACT = "exact"  # the table a retriever's results sit in


@dataclass(frozen=True)
class StageContext:
    """What a retriever built from other models (``attach``) opens them with: the run's cache and engine,
    and the task it is about to be scored on (for a setting tuned on that task's judged queries)."""

    cache: EmbeddingCache | None = None
    engine: Any = None
    progress: bool = False
    task: Any = None


class RetrieverEncoder:
    """The encoder face of a retriever: ``prepare`` timed as encoding, with MeasuredEncoder's cost figures."""

    items_cached = 0  # nothing of a retriever's goes through the embedding cache
    load_seconds = 0.0

    def __init__(self, retriever: Retriever) -> None:
        from harness.engines.local import LocalEngine

        self.retriever = retriever
        self.name = retriever.name
        self.modalities = retriever.modalities
        self.similarity = retriever.similarity
        self.engine = LocalEngine()  # a retriever runs in this process whatever the engine
        self.api_tokens: int | None = None  # no served model's tokens: nothing is paid per call
        self.api_cost_usd: float | None = None
        self.encode_seconds = 0.0
        self.items_encoded = 0
        self._fingerprint: str | None = None

    @property
    def dim(self) -> int:
        return int(self.retriever.dim)

    @property
    def bytes_per_vector(self) -> int:
        """What the index holds per document: the cost column a dense model fills with 4 x dim."""
        return int(self.retriever.bytes_per_document)

    @property
    def n_parameters(self) -> int | None:
        count = getattr(self.retriever, "n_parameters", None)
        return int(count) if count is not None else None

    def params(self) -> dict[str, Any]:
        return self.retriever.params()

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = self.retriever.fingerprint()
        return self._fingerprint

    def engine_params(self) -> dict[str, Any]:
        return self.engine.params()

    def encode(
        self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None
    ) -> Sequence[Any]:
        start = time.perf_counter()
        prepared = self.retriever.prepare(list(inputs), role=role)
        if getattr(self.retriever, "prepares", True):  # a composite's texts pass through: nothing to time
            self.encode_seconds += time.perf_counter() - start
            self.items_encoded += len(inputs)
        return prepared


class RetrieverBackend:
    """The search-backend face of a retriever: ``build`` indexes, ``search`` ranks, ``nbytes`` its index."""

    name = EXACT

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    def params(self) -> dict[str, Any]:
        return {"search": "exhaustive", "scorer": self.retriever.name}

    def build(self, vectors: Sequence[Any], ids: Sequence[str], similarity: str) -> None:
        self.retriever.index(vectors, list(ids))

    def search(self, queries: Sequence[Any], k: int) -> tuple[list[list[str]], np.ndarray]:
        return self.retriever.search(queries, k)

    def nbytes(self) -> int | None:
        nbytes = getattr(self.retriever, "nbytes", None)
        return int(nbytes()) if callable(nbytes) else None


def is_retriever(model: Any) -> bool:
    return isinstance(model, Retriever)


def searches_text(task: Any) -> bool:
    """Whether a task can run a retriever: a retrieval task that hands its encoder and backend raw inputs."""
    return getattr(getattr(task, "spec", None), "type", None) == "retrieval" and hasattr(task, "data")
