"""Classification (MTEB protocol): logistic regression on frozen embeddings, few-shot, mean over experiments.

Mirrors mteb 2.x ``AbsTaskClassification`` (mteb/abstasks/classification.py) and its
``SklearnEvaluator`` (mteb/_evaluators/sklearn_evaluator.py):

- seed 42, ``n_experiments`` 10, ``samples_per_label`` 8 (mteb's defaults; tasks may override them);
- before each experiment one list of training indices is shuffled *in place* by a fresh
  ``np.random.RandomState(seed)``, so experiment i sees the (i+1)-th shuffle, and the first
  ``samples_per_label`` examples of each label in that order are the experiment's training set;
- only the union of the training examples that some experiment uses is encoded;
- the classifier is ``LogisticRegression(max_iter=100, random_state=seed)``, sklearn's defaults otherwise;
- per experiment, sklearn's accuracy and macro/weighted F1, precision and recall of the predicted
  labels on the whole test split (and ``ap``/``ap_weighted`` of the predicted labels for binary tasks);
  the reported value of each metric is its mean over the experiments. Main score: accuracy.
"""

from __future__ import annotations

import functools
import warnings
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Sequence, Union

import numpy as np

from zoo.fingerprint import fingerprint
from zoo.protocols import Encoder, ItemScores, SearchBackend, TaskScores, TaskSpec

Label = Union[str, int]

MAIN_METRIC = "accuracy"
SEED = 42
N_EXPERIMENTS = 10
SAMPLES_PER_LABEL = 8
MAX_ITER = 100
METRIC_NAMES = (
    "accuracy",
    "f1",
    "f1_weighted",
    "precision",
    "precision_weighted",
    "recall",
    "recall_weighted",
    "ap",
    "ap_weighted",
)


@dataclass(frozen=True, eq=False)
class ClassificationData:
    """Texts with labels (strings or integers) in a training split and an evaluation split."""

    train_texts: list[str]
    train_labels: list[Label]
    test_texts: list[str]
    test_labels: list[Label]
    split: str = "test"


def undersample(labels: Sequence[Label], n_experiments: int, samples_per_label: int, seed: int) -> list[list[int]]:
    """The training rows of each experiment, drawn exactly as mteb's ``_undersample_data`` draws them."""
    order = list(range(len(labels)))
    experiments = []
    for _ in range(n_experiments):
        np.random.RandomState(seed).shuffle(order)  # the same list again: each shuffle compounds
        taken: dict[Label, int] = defaultdict(int)
        rows = []
        for row in order:
            if taken[labels[row]] < samples_per_label:
                rows.append(row)
                taken[labels[row]] += 1
        experiments.append(rows)
    return experiments


def experiment_scores(
    train: np.ndarray,
    train_labels: Sequence[Label],
    test: np.ndarray,
    test_labels: Sequence[Label],
    *,
    seed: int = SEED,
    max_iter: int = MAX_ITER,
) -> dict[str, float]:
    """Fit the logistic regression on one experiment's training set and score its test predictions."""
    return label_scores(
        np.asarray(test_labels), experiment_predictions(train, train_labels, test, seed=seed, max_iter=max_iter)
    )


def experiment_predictions(
    train: np.ndarray, train_labels: Sequence[Label], test: np.ndarray, *, seed: int = SEED, max_iter: int = MAX_ITER
) -> np.ndarray:
    """The labels one experiment's logistic regression predicts for the test items."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=max_iter, random_state=seed)
    with warnings.catch_warnings():  # max_iter=100 is the protocol, not a mistake to warn about
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(train, np.asarray(train_labels))
    return model.predict(test)


def label_scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """mteb's ``_calculate_scores``: sklearn metrics of predicted labels (zero_division as sklearn's 0)."""
    from sklearn import metrics

    scores = {"accuracy": float(metrics.accuracy_score(truth, predicted))}
    for name, func in (
        ("f1", metrics.f1_score),
        ("precision", metrics.precision_score),
        ("recall", metrics.recall_score),
    ):
        scores[name] = float(func(truth, predicted, average="macro", zero_division=0))
        scores[f"{name}_weighted"] = float(func(truth, predicted, average="weighted", zero_division=0))
    classes = np.unique(truth)
    if len(classes) == 2:  # the larger label is the positive one, as pos_label=1 is for 0/1 labels
        truth01, predicted01 = truth == classes[1], predicted == classes[1]
        scores["ap"] = float(metrics.average_precision_score(truth01, predicted01, average="macro"))
        scores["ap_weighted"] = float(metrics.average_precision_score(truth01, predicted01, average="weighted"))
    return scores


class ClassificationTask:
    """Few-shot logistic regression on frozen embeddings; ``load_data()`` returns ClassificationData."""

    def __init__(
        self,
        spec: TaskSpec,
        load_data: Callable[[], ClassificationData],
        *,
        n_experiments: int = N_EXPERIMENTS,
        samples_per_label: int = SAMPLES_PER_LABEL,
        seed: int = SEED,
        max_iter: int = MAX_ITER,
    ) -> None:
        self.spec = spec
        self._load_data = load_data
        self.n_experiments = n_experiments
        self.samples_per_label = samples_per_label
        self.seed = seed
        self.max_iter = max_iter

    @functools.cached_property
    def data(self) -> ClassificationData:
        return self._load_data()

    @functools.cached_property
    def experiments(self) -> list[list[int]]:
        return undersample(self.data.train_labels, self.n_experiments, self.samples_per_label, self.seed)

    @functools.cached_property
    def train_rows(self) -> list[int]:
        """The training rows that some experiment uses: the only ones encoded, as in mteb."""
        return sorted(set().union(*self.experiments))

    def options(self) -> dict[str, int]:
        return {
            "n_experiments": self.n_experiments,
            "samples_per_label": self.samples_per_label,
            "seed": self.seed,
            "max_iter": self.max_iter,
        }

    def fit_inputs(self) -> list[str]:
        """Every distinct text the task encodes: the training rows in use and the evaluation split."""
        data = self.data
        return list(dict.fromkeys([*(data.train_texts[i] for i in self.train_rows), *data.test_texts]))

    def data_fingerprint(self) -> str:
        data = self.data
        return fingerprint(
            "classification",
            data.train_texts,
            data.train_labels,
            data.test_texts,
            data.test_labels,
            data.split,
            self.options(),
        )

    def majority_baseline(self) -> TaskScores | None:
        """What labelling every test item with the training split's most frequent label scores (the chance
        level where classes are unequal); None where the main metric is not accuracy."""
        if self.spec.main_metric != "accuracy":
            return None
        data = self.data
        labels, counts = np.unique(np.asarray(data.train_labels), return_counts=True)
        truth = np.asarray(data.test_labels)
        predicted = np.full(truth.shape, labels[np.argmax(counts)], dtype=truth.dtype)
        scores = label_scores(truth, predicted)
        return TaskScores(scores, scores["accuracy"], data.split, items=correct_items(truth, [predicted], "accuracy"))

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        data = self.data
        rows = self.train_rows
        # one call for both splits; texts are encoded like STS sentences, symmetric, as role "query"
        vectors = encoder.encode([*(data.train_texts[i] for i in rows), *data.test_texts], role="query")
        train, test = vectors[: len(rows)], vectors[len(rows) :]
        position = {row: k for k, row in enumerate(rows)}
        truth = np.asarray(data.test_labels)
        predictions = [
            experiment_predictions(
                train[[position[i] for i in chosen]],
                [data.train_labels[i] for i in chosen],
                test,
                seed=self.seed,
                max_iter=self.max_iter,
            )
            for chosen in self.experiments
        ]
        runs = [label_scores(truth, predicted) for predicted in predictions]
        scores = {name: float(np.mean([run[name] for run in runs])) for name in runs[0]}
        return TaskScores(
            scores,
            scores[self.spec.main_metric],
            data.split,
            items=correct_items(truth, predictions, self.spec.main_metric),
        )


def correct_items(truth: np.ndarray, predictions: list[np.ndarray], main_metric: str) -> ItemScores | None:
    """Per test item, the share of experiments that labelled it right: their mean is the mean accuracy.

    Resampling test items shows how much the score owes to which items were tested; the spread between
    experiments' training draws is reported apart (mteb's protocol). None where the main metric is not
    accuracy (a macro F1 is not a mean over items).
    """
    if main_metric != "accuracy":
        return None
    correct = np.mean([np.asarray(predicted) == truth for predicted in predictions], axis=0)
    return ItemScores(correct, "mean", "test item")
