"""Hybrid retrieval: two models' runs fused per query, by reciprocal rank or by a convex combination of
their normalised scores whose weight is tuned on the task's own judged queries by two-fold cross-fitting.

Cross-fitting keeps every query scored and none scored with a weight it helped choose: queries fall in
two folds by a hash of their text, the weight for one fold is tuned on the other fold's judgments, and
a query is fused with the weight of its fold. Both weights and their dev scores are recorded.
"""

from __future__ import annotations

import hashlib
from typing import Any, Sequence

import numpy as np

from harness.hybrid.fusion import RRF_K, Hits, convex, ranked, rrf, tune_weight
from harness.hybrid.stages import Stage
from harness.retrievers import StageContext
from zoo.errors import ZooError
from zoo.fingerprint import fingerprint

METHODS = ("rrf", "convex")
DEPTH = 100  # hits read from each model
FOLDS = 2


def fold_of(text: str) -> int:
    """A query's fold, from its text alone (so a search knows it without the query's id)."""
    return hashlib.sha256(text.encode()).digest()[0] % FOLDS


class FusedRetriever:
    """Two models' rankings, each read ``depth`` deep, fused per query: at most 2 x depth hits come back,
    however deep the task searches (a convex fusion's normalisation depends on the depth: it is fixed)."""

    modalities = ("text",)
    prepares = False  # texts pass through to the stages, whose encoding counts in build and search time

    def __init__(
        self,
        models: Sequence[str],
        *,
        method: str = "rrf",
        k: int = RRF_K,
        weight: float | None = None,
        depth: int = DEPTH,
        name: str = "",
    ) -> None:
        if len(models) != 2:
            raise ZooError(f"fusion takes two models, got {len(models)}: write models=bm25+all-minilm-l6-v2")
        if method not in METHODS:
            raise ZooError(f"unknown fusion method {method!r}: choose one of {', '.join(METHODS)}")
        if method == "rrf" and weight is not None:
            raise ZooError("weight is a convex fusion's setting: add method=convex, or drop weight")
        if depth < 1:
            raise ZooError(f"fusion depth must be positive, got {depth}")
        if weight is not None and not 0 <= weight <= 1:
            raise ZooError(f"the convex weight must lie in [0, 1], got {weight}")
        self.models = tuple(models)
        self.method, self.k, self.weight, self.depth = method, int(k), weight, depth
        self.name = name or f"fuse:{method}?models={'+'.join(models)}"
        self.similarity = method
        self._stages: list[Stage] = []
        self._order: dict[str, int] = {}
        self._context: StageContext | None = None
        self.fold_weights: dict[int, float] = {}
        self.fold_curves: dict[int, dict[float, float]] = {}

    def attach(self, context: StageContext) -> None:
        self._context = context
        self._stages = [Stage(model, context) for model in self.models]

    @property
    def stages(self) -> list[Stage]:
        if not self._stages:
            self.attach(StageContext())
        return self._stages

    def params(self) -> dict[str, Any]:
        settings: dict[str, Any] = {"models": list(self.models), "method": self.method, "depth": self.depth}
        if self.method == "rrf":
            settings["k"] = self.k
        elif self.weight is not None:
            settings["weight"] = self.weight
        else:
            settings.update(
                weight="tuned",
                tuning="two-fold cross-fitting on the task's judged queries "
                "(nDCG@10), folds by a hash of the query text",
                fold_weights={str(f): w for f, w in sorted(self.fold_weights.items())},
                fold_dev_scores={str(f): self.fold_curves[f][w] for f, w in sorted(self.fold_weights.items())},
            )
        return settings

    def fingerprint(self) -> str:
        fixed = {key: value for key, value in self.params().items() if not key.startswith("fold_")}
        return fingerprint("fuse", 1, fixed, [stage.fingerprint() for stage in self.stages])

    @property
    def dim(self) -> int:
        return 0  # no representation of its own: what it keeps is its stages' indexes (bytes_per_document)

    @property
    def bytes_per_document(self) -> int:
        return round(self.nbytes() / len(self._order)) if self._order else 0

    def nbytes(self) -> int:
        return sum(stage.nbytes() for stage in self.stages)

    def prepare(self, inputs: Sequence[Any], *, role: str = "document") -> list[str]:
        return [str(item) for item in inputs]  # each stage prepares the texts its own way

    def index(self, documents: Sequence[str], ids: Sequence[str]) -> None:
        for stage in self.stages:
            stage.index(documents, ids)
        self._order = {doc: position for position, doc in enumerate(ids)}
        if self.method == "convex" and self.weight is None:
            self._tune()

    def _tune(self) -> None:
        """Each fold's weight, tuned on the other fold's judged queries, searched as deep as scored."""
        task = getattr(self._context, "task", None)
        data = getattr(task, "data", None)
        if data is None:
            raise ZooError(
                f"{self.name} tunes its weight on the task's judged queries, and has none here: "
                "give it a weight (weight=0.5)"
            )
        judged = [q for q in data.queries if data.qrels.get(q)]
        texts = [data.queries[q] for q in judged]
        runs = [self._runs(stage, judged, texts) for stage in self.stages]
        for fold in range(FOLDS):
            dev = [q for q, text in zip(judged, texts) if fold_of(text) != fold]
            if not dev:
                raise ZooError(f"{self.name}: too few judged queries to tune on the other fold: give a weight")
            self.fold_weights[fold], self.fold_curves[fold] = tune_weight(runs[0], runs[1], data.qrels, dev)

    def _runs(self, stage: Stage, qids: list[str], texts: list[str]) -> dict[str, Hits]:
        hits, scores = stage.search(texts, self.depth)
        return {q: (row, row_scores) for q, row, row_scores in zip(qids, hits, np.asarray(scores))}

    def search(self, queries: Sequence[str], k: int) -> tuple[list[list[str]], np.ndarray]:
        (first_ids, first_scores), (second_ids, second_scores) = (
            stage.search(queries, self.depth) for stage in self.stages
        )
        k = min(k, len(self._order))
        out_ids, out_scores = [], np.zeros((len(queries), k), dtype=np.float32)
        for row, text in enumerate(queries):
            if self.method == "rrf":
                fused = rrf([first_ids[row], second_ids[row]], self.k)
            else:
                weight = self.weight if self.weight is not None else self.fold_weights[fold_of(text)]
                fused = convex((first_ids[row], first_scores[row]), (second_ids[row], second_scores[row]), weight)
            ids, scores = ranked(fused, self._order, k)
            out_ids.append(ids)
            out_scores[row, : len(scores)] = scores
        return out_ids, out_scores
