"""Two-stage retrieval: any first stage (BM25, a dense model searched exactly) then a rescoring of its
top ``top`` hits by a second model, usually a cross-encoder reading each (query, document) pair whole.

Reranking only reorders: the hits that come back are exactly the first stage's top ``top``. What it
costs is recorded per query beside what the first stage costs on its own.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from harness.hybrid.stages import Stage
from harness.retrievers import StageContext
from zoo.errors import ZooError
from zoo.fingerprint import fingerprint

TOP = 100  # first-stage hits rescored per query
BATCH = 64  # pairs per cross-encoder call


class PairScorer(Protocol):
    """Scores (query, document) pairs; higher is more relevant."""

    name: str

    def fingerprint(self) -> str: ...

    def score(self, query: str, documents: Sequence[str]) -> np.ndarray: ...


class CrossEncoderScorer:
    """A sentence-transformers CrossEncoder from a folder (or a hub id, where the network allows)."""

    def __init__(self, source: str, *, batch_size: int = BATCH) -> None:
        from sentence_transformers import CrossEncoder

        self.name = source
        self.batch_size = batch_size
        try:
            self.model = CrossEncoder(source, device="cpu")
        except (OSError, ValueError) as exc:
            raise ZooError(f"cannot load the cross-encoder {source!r}: {str(exc).splitlines()[0]}") from None
        self._fingerprint = fingerprint("cross-encoder", source, _folder_digest(source))

    def fingerprint(self) -> str:
        return self._fingerprint

    def score(self, query: str, documents: Sequence[str]) -> np.ndarray:
        pairs = [(query, doc) for doc in documents]
        scores = self.model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False)
        return np.asarray(scores, dtype=np.float32).reshape(len(documents))


class DenseScorer:
    """A bi-encoder's similarity between a query and each candidate: a dense rescoring of a lexical stage.
    The corpus is encoded once when indexed (as a deployed index holds its vectors); queries one by one."""

    def __init__(self, name: str, context: StageContext) -> None:
        from harness.encoding import MeasuredEncoder
        from zoo.registry import Registry

        self.name = name
        model = Registry.from_plugins().encoder(name).load()
        self.encoder = MeasuredEncoder(
            model, cache=context.cache, engine=context.engine, progress=False, spec_name=name
        )
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._rows: dict[str, int] = {}

    def fingerprint(self) -> str:
        return fingerprint("dense-scorer", self.name, self.encoder.fingerprint())

    def index(self, documents: Sequence[str]) -> None:
        from harness.backends.scoring import normalised

        vectors = np.asarray(self.encoder.encode(list(documents), role="document"), dtype=np.float32)
        self._vectors = normalised(vectors) if self.encoder.similarity == "cosine" else vectors
        self._rows = {text: row for row, text in enumerate(documents)}

    def score(self, query: str, documents: Sequence[str]) -> np.ndarray:
        from harness.backends.scoring import normalised, pair_scores

        if not self._rows:
            raise ZooError(f"the scorer {self.name} scored before the corpus was indexed")
        q = np.asarray(self.encoder.encode([query], role="query"), dtype=np.float32)
        q = normalised(q) if self.encoder.similarity == "cosine" else q
        rows = np.fromiter((self._rows[text] for text in documents), dtype=np.int64, count=len(documents))
        return pair_scores(q, self._vectors, rows[None, :], self.encoder.similarity)[0]


def _folder_digest(source: str) -> str:
    from zoo.fingerprint import hash_files

    folder = Path(source)
    return hash_files(folder, ("*.json", "*.safetensors", "*.bin", "*.txt")) if folder.is_dir() else source


class RerankedRetriever:
    """``first``'s top ``top`` hits per query, reordered by ``scorer``'s scores of (query, document)."""

    modalities = ("text",)
    prepares = False  # texts pass through to the stages, whose encoding counts in build and search time
    similarity = "rerank"

    def __init__(self, first: str, scorer: str, *, top: int = TOP, name: str = "") -> None:
        if top < 1:
            raise ZooError(f"rerank top must be positive, got {top}")
        self.first_name, self.scorer_name, self.top = first, scorer, int(top)
        self.name = name or f"rerank:{first}?model={scorer}&top={top}"
        self._stage: Stage | None = None
        self._scorer: PairScorer | None = None
        self._texts: dict[str, str] = {}
        self.first_seconds = 0.0
        self.rerank_seconds = 0.0
        self.queries_searched = 0

    def attach(self, context: StageContext) -> None:
        self._stage = Stage(self.first_name, context)
        self._scorer = open_scorer(self.scorer_name, context)

    @property
    def stage(self) -> Stage:
        if self._stage is None:
            self.attach(StageContext())
        assert self._stage is not None
        return self._stage

    @property
    def scorer(self) -> PairScorer:
        if self._scorer is None:
            self.attach(StageContext())
        assert self._scorer is not None
        return self._scorer

    def params(self) -> dict[str, Any]:
        per_query = max(self.queries_searched, 1)
        return {
            "first_stage": self.first_name,
            "scorer": self.scorer_name,
            "top": self.top,
            "first_stage_ms_per_query": 1000 * self.first_seconds / per_query,
            "rerank_ms_per_query": 1000 * self.rerank_seconds / per_query,
            "queries_timed": self.queries_searched,
        }

    def fingerprint(self) -> str:
        return fingerprint("rerank", 1, self.top, self.stage.fingerprint(), self.scorer.fingerprint())

    @property
    def dim(self) -> int:
        return 0  # no representation of its own: the first stage's index and the documents' text

    @property
    def bytes_per_document(self) -> int:
        return round(self.nbytes() / len(self._texts)) if self._texts else 0

    def nbytes(self) -> int:
        """The first stage's index and the texts the scorer reads back (UTF-8)."""
        return self.stage.nbytes() + sum(len(text.encode()) for text in self._texts.values())

    def prepare(self, inputs: Sequence[Any], *, role: str = "document") -> list[str]:
        return [str(item) for item in inputs]

    def index(self, documents: Sequence[str], ids: Sequence[str]) -> None:
        self.stage.index(documents, ids)
        self._texts = dict(zip(ids, documents))
        index = getattr(self.scorer, "index", None)  # a scorer that keeps the corpus's vectors
        if callable(index):
            index(list(documents))

    def search(self, queries: Sequence[str], k: int) -> tuple[list[list[str]], np.ndarray]:
        """The first stage's top ``top`` (however deep ``k`` asks), best first by the scorer's scores."""
        began = time.perf_counter()
        candidates, _ = self.stage.search(queries, self.top)
        self.first_seconds += time.perf_counter() - began
        width = min(k, self.top, len(self._texts))
        out_ids, out_scores = [], np.zeros((len(queries), width), dtype=np.float32)
        began = time.perf_counter()
        for row, (query, hits) in enumerate(zip(queries, candidates)):
            ids, scores = reordered(hits, self.scorer.score(query, [self._texts[h] for h in hits]))
            out_ids.append(ids[:width])
            out_scores[row, : min(width, len(ids))] = scores[:width]
        self.rerank_seconds += time.perf_counter() - began
        self.queries_searched += len(queries)
        return out_ids, out_scores


def reordered(hits: Sequence[str], scores: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The same hits ordered by ``scores``, best first; equal scores keep the first stage's order."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    return [hits[i] for i in order], np.asarray(scores, dtype=np.float32)[order]


def open_scorer(name: str, context: StageContext) -> PairScorer:
    """A cross-encoder folder or hub id (``ce:`` prefix optional for a folder), else a registered encoder."""
    target = name.removeprefix("ce:")
    if name.startswith("ce:") or (
        Path(target).is_dir()
        and (Path(target) / "config.json").is_file()
        and not (Path(target) / "modules.json").is_file()
    ):
        return CrossEncoderScorer(target)
    return DenseScorer(name, context)
