"""Few-shot genus classification: 1, 2, 5 and 10 shots per genus, seeded repeats, macro-F1.

Evaluation-side genera with at least ``min_per_genus`` sequences. Within each genus a seeded shuffle puts
a third (at least five) of its sequences in the test set and the rest in the shot pool. For each shot
count the harness's classification protocol (mteb's undersampling and logistic regression) draws
``n_experiments`` training sets from the pool and scores predictions on the whole test set.
"""

from __future__ import annotations

import functools
import random
import warnings

import numpy as np

from harness.api import ClassificationData, experiment_scores, undersample
from zoo.api import Encoder, SearchBackend, TaskScores, TaskSpec, fingerprint
from zoo_dna.data import Record, by_genus, data_fingerprint, split_records

SHOTS = (1, 2, 5, 10)
MIN_PER_GENUS = 15
N_EXPERIMENTS = 10
SEED = 42


def shot_pool_and_test(
    records: list[Record], min_per_genus: int = MIN_PER_GENUS, seed: int = SEED
) -> ClassificationData:
    """Pool (train) and test sequences per genus, as the module docstring describes."""
    data = ClassificationData([], [], [], [], split="eval-genera")
    for genus, group in sorted(by_genus(records).items()):
        if len(group) < min_per_genus:
            continue
        shuffled = sorted(group, key=lambda r: r.id)
        random.Random(f"{seed}:{genus}").shuffle(shuffled)
        n_test = max(5, len(shuffled) // 3)
        for record in shuffled[n_test:]:
            data.train_texts.append(record.sequence)
            data.train_labels.append(genus)
        for record in shuffled[:n_test]:
            data.test_texts.append(record.sequence)
            data.test_labels.append(genus)
    return data


class FewShotGenusTask:
    """Few-shot logistic regression on frozen embeddings; main score: macro-F1 with 5 shots per genus."""

    def __init__(
        self,
        spec: TaskSpec,
        *,
        shots: tuple[int, ...] = SHOTS,
        min_per_genus: int = MIN_PER_GENUS,
        n_experiments: int = N_EXPERIMENTS,
        seed: int = SEED,
    ) -> None:
        self.spec = spec
        self.shots = shots
        self.min_per_genus = min_per_genus
        self.n_experiments = n_experiments
        self.seed = seed

    @functools.cached_property
    def data(self) -> ClassificationData:
        return shot_pool_and_test(split_records("eval"), self.min_per_genus, self.seed)

    def fit_inputs(self) -> list[str]:
        return [*self.data.train_texts, *self.data.test_texts]

    def data_fingerprint(self) -> str:
        return fingerprint(
            "dna-fewshot-genus", data_fingerprint(), self.shots, self.min_per_genus, self.n_experiments, self.seed
        )

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        data = self.data
        vectors = encoder.encode(self.fit_inputs(), role="document")
        pool, test = vectors[: len(data.train_texts)], vectors[len(data.train_texts) :]
        scores: dict[str, float] = {}
        for shots in self.shots:
            with warnings.catch_warnings():  # one shot per genus is the protocol, not a mistake to warn about
                warnings.filterwarnings("ignore", "The number of unique classes", UserWarning)
                runs = [
                    experiment_scores(
                        pool[rows], [data.train_labels[i] for i in rows], test, data.test_labels, seed=self.seed
                    )
                    for rows in undersample(data.train_labels, self.n_experiments, shots, self.seed)
                ]
            for name, key in (("f1", "macro_f1"), ("accuracy", "accuracy")):
                values = [run[name] for run in runs]
                scores[f"{key}_{shots}shot"] = float(np.mean(values))
                scores[f"{key}_{shots}shot_std"] = float(np.std(values))
        scores["n_genera"] = float(len(set(data.test_labels)))
        return TaskScores(scores, scores[self.spec.main_metric], data.split)
