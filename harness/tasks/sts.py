"""Semantic textual similarity: correlation of embedding similarity with human judgments (MTEB protocol)."""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from harness.metrics import sts_scores
from zoo.fingerprint import fingerprint
from zoo.protocols import Encoder, ItemScores, SearchBackend, TaskScores, TaskSpec

MAIN_METRIC = "cosine_spearman"


def paired_similarities(a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Row-wise cosine, dot and negative euclidean similarity of two (n, d) arrays."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    dot = np.einsum("ij,ij->i", a, b)
    cosine = np.divide(dot, norms, out=np.zeros_like(dot), where=norms > 0)
    return {"cosine": cosine, "dot": dot, "euclidean": -np.linalg.norm(a - b, axis=1)}


class STSTask:
    """Pairs of texts with gold similarity scores; ``load_data()`` returns an object with
    ``sentences1``, ``sentences2``, ``scores`` and ``split``."""

    def __init__(self, spec: TaskSpec, load_data: Callable[[], object]) -> None:
        self.spec = spec
        self._load_data = load_data

    @functools.cached_property
    def data(self):  # noqa: ANN201 - STSData from harness.data.lee_sts
        return self._load_data()

    def fit_inputs(self) -> list[str]:
        """What post-processors are fit on: every distinct sentence of the task."""
        return list(dict.fromkeys([*self.data.sentences1, *self.data.sentences2]))

    def data_fingerprint(self) -> str:
        data = self.data
        return fingerprint(data.sentences1, data.sentences2, np.asarray(data.scores).tolist())

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        data = self.data
        # both sides are encoded the same way: STS is symmetric, as in MTEB
        left = encoder.encode(list(data.sentences1), role="query")
        right = encoder.encode(list(data.sentences2), role="query")
        gold = np.asarray(data.scores, dtype=np.float64)
        metrics: dict[str, float] = {}
        similarities = paired_similarities(left, right)
        for kind, predicted in similarities.items():
            for name, value in sts_scores(predicted, gold).items():
                metrics[f"{kind}_{name}"] = value
        return TaskScores(
            metrics,
            metrics[self.spec.main_metric],
            data.split,
            items=pair_items(similarities, gold, self.spec.main_metric),
        )


def pair_items(similarities: dict[str, np.ndarray], gold: np.ndarray, main_metric: str) -> ItemScores | None:
    """Each pair's predicted similarity beside its gold score, for a Spearman main metric.

    A correlation is not a mean of per-pair scores: an interval resamples pairs and recomputes Spearman's
    rho on each draw, and the paired test swaps the two models' ranks of a pair (harness.significance).
    None for a Pearson main metric, which nothing here resamples.
    """
    kind, _, name = main_metric.partition("_")
    if name != "spearman" or kind not in similarities:
        return None
    return ItemScores(np.column_stack([similarities[kind], gold]), "spearman", "pair")
