"""The onset-prediction task: patient vectors -> logistic regression and kNN -> cross-validated AUC.

The cohort's seeded split has two halves: encoders learn from the training half only (concept vectors,
the raw-count vocabulary), and the task evaluates the test half's samples (see ``onset``), so no patient
both shapes the vectors and is scored. Within the test half, classifiers are cross-validated:
``n_repeats`` times stratified ``n_folds``-fold (shuffle seeds 0, 1, ...), each sample scored by the
classifiers fit on the other folds. Two classifiers, as in the seed paper:

- ``lr``: standardised features, ``LogisticRegression(C=1.0, max_iter=1000)``;
- ``knn``: the share of cases among a sample's ``k`` nearest fitting samples, found by the run's search
  backend with the encoder's similarity (so exact and HNSW runs can be compared).

Each fold's scores are taken relative to its fitting samples' base rate (log-odds for ``lr``, share of
cases for ``knn``) before the folds are pooled: otherwise a fold that holds out more of the few cases
fits on fewer, scores all its samples lower, and the pooled AUC drifts below 0.5 when there is no signal.

Scores per classifier: ROC AUC of the out-of-fold scores (mean and standard deviation over repeats), a
percentile bootstrap 95% interval of the first repeat's AUC over samples (``BOOTSTRAPS`` seeded
resamples), average precision; and the sample counts. Main score: ``lr_auc``.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from zoo.api import Encoder, SearchBackend, SearchStats, TaskScores, TaskSpec, ZooError, fingerprint
from zoo_medical.cohort import load_cohort, split_patients
from zoo_medical.onset import WINDOW_DAYS, OnsetSample, onset_samples
from zoo_medical.targets import Target

if TYPE_CHECKING:
    import numpy as np

K_NEIGHBOURS = 15
N_FOLDS = 5
N_REPEATS = 5
LR_C = 1.0
BOOTSTRAPS = 1000
BOOTSTRAP_SEED = 0


def auc(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """ROC AUC of each row (Mann-Whitney U with average ranks for ties, as sklearn's roc_auc_score);
    NaN for a row holding one class only."""
    import numpy as np
    from scipy.stats import rankdata

    labels = np.atleast_2d(labels).astype(bool)
    ranks = rankdata(np.atleast_2d(scores), axis=1)
    positives = labels.sum(axis=1)
    negatives = labels.shape[1] - positives
    u = (ranks * labels).sum(axis=1) - positives * (positives + 1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(positives * negatives > 0, u / (positives * negatives), np.nan)


def bootstrap_auc(
    labels: np.ndarray, scores: np.ndarray, *, n: int = BOOTSTRAPS, seed: int = BOOTSTRAP_SEED
) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the AUC over resampled test sets (one-class resamples skipped)."""
    import numpy as np

    rows = np.random.default_rng(seed).integers(0, len(labels), (n, len(labels)))
    values = auc(labels[rows], scores[rows])
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan"), float("nan")
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def classifier_scores(name: str, labels: np.ndarray, repeats: list[np.ndarray]) -> dict[str, float]:
    """AUC (mean and std over repeats, bootstrap interval of the first) and mean average precision."""
    import numpy as np
    from sklearn.metrics import average_precision_score

    aucs = [float(auc(labels, scores)[0]) for scores in repeats]
    low, high = bootstrap_auc(labels, repeats[0])
    return {
        f"{name}_auc": float(np.mean(aucs)),
        f"{name}_auc_std": float(np.std(aucs)),
        f"{name}_auc_ci_low": low,
        f"{name}_auc_ci_high": high,
        f"{name}_ap": float(np.mean([average_precision_score(labels, scores) for scores in repeats])),
    }


def logit(p: float) -> float:
    import math

    return math.log(p / (1 - p))


def logistic_scores(train: np.ndarray, train_labels: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Log-odds of the positive class from a standardised logistic regression."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=LR_C, max_iter=1000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(train, train_labels)
    return model.decision_function(test)


@dataclass(frozen=True)
class FoldRun:
    """Out-of-fold scores of every sample for one repeat, and what its searches cost."""

    lr: np.ndarray
    knn: np.ndarray
    ranking: dict[str, list[str]]
    stats: list[SearchStats]


class OnsetTask:
    """Predict ``target``'s onset within ``window_days`` of an index date from the history before it."""

    def __init__(
        self,
        spec: TaskSpec,
        target: Target,
        *,
        window_days: int = WINDOW_DAYS,
        k_neighbours: int = K_NEIGHBOURS,
        n_folds: int = N_FOLDS,
        n_repeats: int = N_REPEATS,
        cohort_folder: Path | None = None,
    ) -> None:
        self.spec = spec
        self.target = target
        self.window_days = window_days
        self.k_neighbours = k_neighbours
        self.n_folds = n_folds
        self.n_repeats = n_repeats
        self.cohort_folder = cohort_folder

    @functools.cached_property
    def samples(self) -> list[OnsetSample]:
        """Samples of the evaluation patients: the split's test half, which no encoder is fit on."""
        cohort = load_cohort(self.cohort_folder)
        samples = onset_samples(cohort, split_patients(cohort).test, self.target, window_days=self.window_days)
        cases = sum(s.label for s in samples)
        if min(cases, len(samples) - cases) < 2:
            raise ZooError(
                f"{self.spec.name}: {cases} cases and {len(samples) - cases} controls among the "
                "evaluation patients; cross-validation needs 2 of each: enlarge the cohort with "
                "scripts/generate_cohort.py --patients"
            )
        return samples

    @property
    def folds(self) -> int:
        """``n_folds``, or fewer when the rarer class has fewer samples than that."""
        cases = sum(s.label for s in self.samples)
        return min(self.n_folds, cases, len(self.samples) - cases)

    def fit_inputs(self) -> list[str]:
        """What post-processors are fit on: the evaluation histories (the transductive setting)."""
        return [s.history for s in self.samples]

    def options(self) -> dict[str, int]:
        return {
            "window_days": self.window_days,
            "k_neighbours": self.k_neighbours,
            "n_folds": self.n_folds,
            "n_repeats": self.n_repeats,
            "lr_c": LR_C,
        }

    def data_fingerprint(self) -> str:
        rows = [(s.patient, s.index_day, s.label) for s in self.samples]
        return fingerprint(
            "onset",
            self.target.name,
            sorted(self.target.concepts),
            self.options(),
            load_cohort(self.cohort_folder).fingerprint,
            rows,
        )

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        import numpy as np

        if backend is None:
            raise ZooError(f"task {self.spec.name!r} finds kNN neighbours with a search backend; pass --backend exact")
        samples = self.samples
        vectors = encoder.encode([s.history for s in samples], role="query")
        labels = np.asarray([s.label for s in samples])
        runs = [self.cross_validate(vectors, labels, backend, encoder, seed) for seed in range(self.n_repeats)]
        scores = {
            **classifier_scores("lr", labels, [run.lr for run in runs]),
            **classifier_scores("knn", labels, [run.knn for run in runs]),
            "n_samples": float(len(samples)),
            "n_cases": float(labels.sum()),
            "n_folds": float(self.folds),
        }
        stats = [stat for run in runs for stat in run.stats]
        total = replace(
            stats[0],
            build_seconds=sum(s.build_seconds for s in stats),
            search_seconds=sum(s.search_seconds for s in stats),
            n_queries=sum(s.n_queries for s in stats),
        )
        return TaskScores(scores, scores[self.spec.main_metric], "test", total, runs[0].ranking)

    def cross_validate(
        self, vectors: np.ndarray, labels: np.ndarray, backend: SearchBackend, encoder: Encoder, seed: int
    ) -> FoldRun:
        """Stratified k-fold cross-validation shuffled by ``seed``: every sample scored once."""
        import numpy as np
        from sklearn.model_selection import StratifiedKFold

        from harness.api import timed_search

        ids = [s.patient for s in self.samples]
        lr, knn = np.zeros(len(labels)), np.zeros(len(labels))
        ranking: dict[str, list[str]] = {}
        stats = []
        folds = StratifiedKFold(self.folds, shuffle=True, random_state=seed).split(vectors, labels)
        for fit, held_out in folds:
            base_rate = labels[fit].mean()
            lr[held_out] = logistic_scores(vectors[fit], labels[fit], vectors[held_out]) - logit(base_rate)
            hits, _, cost = timed_search(
                backend,
                vectors[fit],
                [ids[i] for i in fit],
                vectors[held_out],
                encoder.similarity,
                self.k_neighbours,
                label=f"{encoder.name}: neighbours",
            )
            label_of = {ids[i]: labels[i] for i in fit}
            knn[held_out] = [np.mean([label_of[pid] for pid in row]) - base_rate for row in hits]
            ranking |= {ids[i]: list(row) for i, row in zip(held_out, hits)}
            stats.append(cost)
        return FoldRun(lr, knn, ranking, stats)
