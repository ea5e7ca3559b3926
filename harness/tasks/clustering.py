"""Clustering (MTEB protocol): mini-batch k-means on bootstrap samples, scored by V-measure.

Mirrors mteb 2.x ``AbsTaskClustering`` and its ``_evaluate_clustering_bootstrapped``
(mteb/abstasks/clustering.py), for one level of labels:

- every text is embedded (as tasks that set ``max_fraction_of_documents_to_embed = None`` do);
- ``rng = random.Random(42)``; each of ``n_experiments`` (mteb: ``n_clusters``) 10 experiments draws
  ``cluster_size`` (mteb: ``max_documents_per_cluster``) 16,384 rows *with* replacement
  (``rng.choices``) and clusters them with ``MiniBatchKMeans(n_clusters=<number of gold labels>,
  batch_size=512, init="k-means++", n_init=1, random_state=42)``;
- per experiment, sklearn's ``v_measure_score`` and ``adjusted_mutual_info_score`` of the sampled gold
  labels against the assignment; the value is the mean over experiments and ``<name>_std`` the
  population standard deviation. Main score: v_measure.

``ari`` (``adjusted_rand_score``, with ``ari_std``) is reported beside them; mteb 2.x does not.

Where mteb embeds only a seeded sample of a task's documents (``max_fraction_of_documents_to_embed``),
the texts are that sample and ``sampled_from`` the number of documents it was drawn from: the bootstrap
then continues mteb's random stream after ``rng.sample(range(sampled_from), len(texts))``, so both draw
the same experiments.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from typing import Callable, Sequence, Union

import numpy as np

from zoo.fingerprint import fingerprint
from zoo.protocols import Encoder, ItemScores, SearchBackend, TaskScores, TaskSpec

Label = Union[str, int]

MAIN_METRIC = "v_measure"
SEED = 42
N_EXPERIMENTS = 10
CLUSTER_SIZE = 16_384
BATCH_SIZE = 512
METRIC_NAMES = ("v_measure", "v_measure_std", "ami", "ami_std", "ari", "ari_std")


@dataclass(frozen=True, eq=False)
class ClusteringData:
    """Texts and their gold cluster labels (strings or integers)."""

    texts: list[str]
    labels: list[Label]
    split: str = "test"


def bootstrap_clustering(
    vectors: np.ndarray,
    labels: Sequence[Label],
    *,
    n_experiments: int = N_EXPERIMENTS,
    cluster_size: int = CLUSTER_SIZE,
    batch_size: int = BATCH_SIZE,
    seed: int = SEED,
    sampled_from: int | None = None,
) -> dict[str, list[float]]:
    """Per-experiment scores of k-means on bootstrap samples, drawn and seeded as mteb draws them
    (after mteb's sample of the documents to embed, where ``sampled_from`` says there was one)."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score, v_measure_score

    gold = np.asarray(labels)
    rng = random.Random(seed)
    if sampled_from is not None:  # the draw that chose these texts comes first in mteb's stream
        rng.sample(range(sampled_from), k=len(vectors))
    model = MiniBatchKMeans(
        n_clusters=np.unique(gold).size, batch_size=batch_size, init="k-means++", n_init=1, random_state=seed
    )
    scores: dict[str, list[float]] = {"v_measure": [], "ami": [], "ari": []}
    for _ in range(n_experiments):
        rows = rng.choices(range(len(vectors)), k=cluster_size)
        assigned = model.fit_predict(vectors[rows])
        sample = gold[rows]
        scores["v_measure"].append(float(v_measure_score(sample, assigned)))
        scores["ami"].append(float(adjusted_mutual_info_score(sample, assigned)))
        scores["ari"].append(float(adjusted_rand_score(sample, assigned)))
    return scores


def summarize(per_experiment: dict[str, list[float]]) -> dict[str, float]:
    """Mean and population standard deviation of each metric, as mteb reports them."""
    out: dict[str, float] = {}
    for name, values in per_experiment.items():
        out[name] = float(np.mean(values))
        out[f"{name}_std"] = float(np.std(values))
    return out


class ClusteringTask:
    """K-means with the true number of clusters; ``load_data()`` returns ClusteringData."""

    def __init__(
        self,
        spec: TaskSpec,
        load_data: Callable[[], ClusteringData],
        *,
        n_experiments: int = N_EXPERIMENTS,
        cluster_size: int = CLUSTER_SIZE,
        batch_size: int = BATCH_SIZE,
        seed: int = SEED,
        sampled_from: int | None = None,
    ) -> None:
        self.spec = spec
        self._load_data = load_data
        self.n_experiments = n_experiments
        self.cluster_size = cluster_size
        self.batch_size = batch_size
        self.seed = seed
        self.sampled_from = sampled_from

    @functools.cached_property
    def data(self) -> ClusteringData:
        return self._load_data()

    def options(self) -> dict[str, int]:
        options = {
            "n_experiments": self.n_experiments,
            "cluster_size": self.cluster_size,
            "batch_size": self.batch_size,
            "seed": self.seed,
        }
        if self.sampled_from is not None:  # only then: fingerprints of tasks without a sample stay as they were
            options["sampled_from"] = self.sampled_from
        return options

    def fit_inputs(self) -> list[str]:
        return list(dict.fromkeys(self.data.texts))

    def data_fingerprint(self) -> str:
        data = self.data
        return fingerprint("clustering", data.texts, data.labels, data.split, self.options())

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        data = self.data
        vectors = encoder.encode(list(data.texts), role="query")
        per_experiment = bootstrap_clustering(
            vectors,
            data.labels,
            n_experiments=self.n_experiments,
            cluster_size=self.cluster_size,
            batch_size=self.batch_size,
            seed=self.seed,
            sampled_from=self.sampled_from,
        )
        scores = summarize(per_experiment)
        return TaskScores(
            scores,
            scores[self.spec.main_metric],
            data.split,
            items=experiment_items(per_experiment, self.spec.main_metric),
        )


def experiment_items(per_experiment: dict[str, list[float]], main_metric: str) -> ItemScores | None:
    """The main metric of each of the protocol's k-means experiments, in draw order.

    V-measure is a property of a whole partition, not a mean over texts, and re-running k-means on every
    bootstrap draw of the texts would cost a thousand clusterings per result. The experiments are what
    the protocol already resamples: each clusters a seeded draw of the texts, the same draw for every
    model, so experiment i of two models is a fair pair. Their interval is therefore the spread of the
    protocol's draws (k-means and sampling together) over only ten items, not a test-set interval.
    """
    values = per_experiment.get(main_metric)
    return ItemScores(np.asarray(values), "mean", "experiment") if values else None
