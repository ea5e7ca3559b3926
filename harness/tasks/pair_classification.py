"""Pair classification (MTEB protocol): are two texts duplicates, judged by a threshold on their similarity.

Mirrors mteb 2.x ``PairClassificationEvaluator`` (mteb/_evaluators/pair_classification_evaluator.py)
and ``AbsTaskPairClassification._compute_metrics`` (mteb/abstasks/pair_classification.py):

- five scores per pair: ``similarity`` (the encoder's own), ``cosine`` (1 - sklearn's
  ``paired_cosine_distances``), ``manhattan`` and ``euclidean`` (sklearn's paired distances: lower is
  more similar) and ``dot``;
- for each: ``ap`` (sklearn's ``average_precision_score`` of the scores, negated for distances), and
  the best ``accuracy`` and best ``f1`` (with its ``precision`` and ``recall``) over thresholds placed
  between consecutive distinct sorted scores (a threshold never splits tied scores);
- keys ``<score>_<metric>``, plus ``max_<metric>``: the best over the five. Main score: max_ap.

Per-item scores (for intervals and paired tests) are each pair's score of the kind whose AP is the main
score, beside its label (``ItemScores`` statistic ``ap``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from harness.tasks.sts import paired_similarities
from zoo.fingerprint import fingerprint
from zoo.protocols import Encoder, ItemScores, SearchBackend, TaskScores, TaskSpec

MAIN_METRIC = "max_ap"
# name, whether a higher score means more similar
SCORES = (("similarity", True), ("cosine", True), ("manhattan", False), ("euclidean", False), ("dot", True))
MEASURES = ("accuracy", "f1", "precision", "recall", "ap")
METRIC_NAMES = tuple(f"{prefix}_{m}" for prefix in (*(s for s, _ in SCORES), "max") for m in MEASURES)


@dataclass(frozen=True, eq=False)
class PairClassificationData:
    """Text pairs with binary labels: 1 for a positive (duplicate, paraphrase) pair, 0 otherwise."""

    sentences1: list[str]
    sentences2: list[str]
    labels: list[int]
    split: str = "test"


def pair_scores(a: np.ndarray, b: np.ndarray, similarity: str) -> dict[str, np.ndarray]:
    """The five per-pair scores mteb computes, ``similarity`` being the encoder's own measure."""
    from sklearn.metrics.pairwise import (
        paired_cosine_distances,
        paired_euclidean_distances,
        paired_manhattan_distances,
    )

    return {
        "similarity": paired_similarities(a, b)[similarity],
        "cosine": 1 - paired_cosine_distances(a, b),
        "manhattan": paired_manhattan_distances(a, b),
        "euclidean": paired_euclidean_distances(a, b),
        "dot": np.einsum("ij,ij->i", a, b),
    }


def _sorted_rows(scores: np.ndarray, labels: np.ndarray, higher_is_similar: bool) -> list[tuple[float, int]]:
    return sorted(zip(scores.tolist(), labels.tolist()), key=lambda row: row[0], reverse=higher_is_similar)


def best_accuracy(scores: np.ndarray, labels: np.ndarray, higher_is_similar: bool = True) -> float:
    """The best accuracy of "positive if on the similar side of a threshold" (mteb's loop)."""
    rows = _sorted_rows(scores, labels, higher_is_similar)
    best = 0.0
    positives_so_far = 0
    negatives_left = int(np.sum(labels == 0))
    for i in range(len(rows) - 1):
        if rows[i][1] == 1:
            positives_so_far += 1
        else:
            negatives_left -= 1
        if rows[i][0] == rows[i + 1][0]:
            continue
        best = max(best, (positives_so_far + negatives_left) / len(rows))
    return best


def best_f1(scores: np.ndarray, labels: np.ndarray, higher_is_similar: bool = True) -> tuple[float, float, float]:
    """The best F1 over thresholds, with its precision and recall (mteb's loop)."""
    rows = _sorted_rows(scores, labels, higher_is_similar)
    best = (0.0, 0.0, 0.0)
    found = 0
    total = int(np.sum(labels))
    for i in range(len(rows) - 1):
        if rows[i][1] == 1:
            found += 1
        if rows[i][0] == rows[i + 1][0] or found == 0:
            continue
        precision, recall = found / (i + 1), found / total
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best[0]:
            best = (f1, precision, recall)
    return best


def threshold_metrics(scores: np.ndarray, labels: np.ndarray, higher_is_similar: bool = True) -> dict[str, float]:
    from sklearn.metrics import average_precision_score

    f1, precision, recall = best_f1(scores, labels, higher_is_similar)
    ap = average_precision_score(labels, scores * (1 if higher_is_similar else -1))
    return {
        "accuracy": best_accuracy(scores, labels, higher_is_similar),
        "f1": f1,
        "precision": precision,
        "recall": recall,
        "ap": float(ap),
    }


def pair_classification_scores(scores: dict[str, np.ndarray], labels: np.ndarray) -> dict[str, float]:
    """Every ``<score>_<metric>`` and ``max_<metric>``, as mteb names them."""
    out: dict[str, float] = {}
    for name, higher_is_similar in SCORES:
        for measure, value in threshold_metrics(np.asarray(scores[name]), labels, higher_is_similar).items():
            out[f"{name}_{measure}"] = float(value)
    for measure in MEASURES:
        out[f"max_{measure}"] = max(out[f"{name}_{measure}"] for name, _ in SCORES)
    return out


class PairClassificationTask:
    """Binary-labelled text pairs; ``load_data()`` returns PairClassificationData."""

    def __init__(self, spec: TaskSpec, load_data: Callable[[], PairClassificationData]) -> None:
        self.spec = spec
        self._load_data = load_data

    @functools.cached_property
    def data(self) -> PairClassificationData:
        return self._load_data()

    def fit_inputs(self) -> list[str]:
        return list(dict.fromkeys([*self.data.sentences1, *self.data.sentences2]))

    def data_fingerprint(self) -> str:
        data = self.data
        return fingerprint("pair_classification", data.sentences1, data.sentences2, data.labels, data.split)

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        data = self.data
        # one call for both sides; both are encoded alike (mteb's prompt type None), as in STS
        vectors = encoder.encode([*data.sentences1, *data.sentences2], role="query")
        left, right = vectors[: len(data.sentences1)], vectors[len(data.sentences1) :]
        labels = np.asarray(data.labels, dtype=np.int64)
        scores = pair_scores(left, right, encoder.similarity)
        metrics = pair_classification_scores(scores, labels)
        return TaskScores(
            metrics,
            metrics[self.spec.main_metric],
            data.split,
            items=pair_items(scores, labels, metrics, self.spec.main_metric),
        )


def pair_items(
    scores: dict[str, np.ndarray], labels: np.ndarray, metrics: dict[str, float], main_metric: str
) -> ItemScores | None:
    """Each pair's score beside its label, for an average-precision main metric (``max_ap``, ``cosine_ap``).

    For ``max_ap`` the score is that of the first kind reaching the maximum, oriented so that higher means
    more alike; resampling pairs then recomputes that kind's AP (the kind is chosen once, on all pairs).
    None for threshold metrics (best accuracy, best F1), which nothing here resamples.
    """
    kind, _, measure = main_metric.rpartition("_")
    if measure != "ap":
        return None
    if kind == "max":
        kind = next(name for name, _ in SCORES if metrics[f"{name}_ap"] == metrics[main_metric])
    higher_is_similar = dict(SCORES)[kind]
    similar = np.asarray(scores[kind], dtype=np.float64) * (1 if higher_is_similar else -1)
    return ItemScores(np.column_stack([similar, labels]), "ap", "pair")
