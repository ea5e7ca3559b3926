"""Clustering by genus (DNABERT-S protocol): k-means with the true number of clusters, scored by ARI.

Every evaluation-side genus with at least ``min_per_genus`` sequences takes part; all its sequences are
clustered at once (no bootstrap). k-means runs once per seed and the scores are averaged. Where the
organism names allow, the same is done one level down: named species (not "sp.") with at least two
sequences on the evaluation side, scored as ``ari_species``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from harness.api import summarize
from zoo.api import Encoder, SearchBackend, TaskScores, TaskSpec, fingerprint
from zoo_dna.data import Record, by_genus, data_fingerprint, split_records

MIN_PER_GENUS = 5
SEEDS = (0, 1, 2, 3, 4)


@dataclass(frozen=True, eq=False)
class LabelledSequences:
    sequences: list[str]
    labels: list[str]


def species(record: Record) -> str | None:
    """``Genus species`` from the organism name, or None for unnamed ones (``sp.``, ``bacterium``)."""
    words = record.organism.split()
    if len(words) < 2 or words[1] in ("sp.", "bacterium", "sp") or not words[1].islower():
        return None
    return f"{words[0]} {words[1]}"


def genus_clusters(records: list[Record], min_per_genus: int = MIN_PER_GENUS) -> LabelledSequences:
    """The sequences of every genus with at least ``min_per_genus`` of them, labelled by genus."""
    kept = [r for group in by_genus(records).values() if len(group) >= min_per_genus for r in group]
    return LabelledSequences([r.sequence for r in kept], [r.genus for r in kept])


def species_clusters(records: list[Record]) -> LabelledSequences:
    """Sequences of named species that occur at least twice, labelled by species."""
    named = [(species(r), r) for r in records]
    counts: dict[str, int] = {}
    for name, _ in named:
        if name:
            counts[name] = counts.get(name, 0) + 1
    kept = [(name, r) for name, r in named if name and counts[name] >= 2]
    return LabelledSequences([r.sequence for _, r in kept], [name for name, _ in kept])


def kmeans_scores(vectors: np.ndarray, labels: list[str], seeds: tuple[int, ...] = SEEDS) -> dict[str, list[float]]:
    """ARI, V-measure and AMI of k-means (k = number of labels, one init per seed) against the labels."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score, v_measure_score

    n_clusters = len(set(labels))
    scores: dict[str, list[float]] = {"ari": [], "v_measure": [], "ami": []}
    for seed in seeds:
        assigned = KMeans(n_clusters=n_clusters, n_init=1, random_state=seed).fit_predict(vectors)
        scores["ari"].append(float(adjusted_rand_score(labels, assigned)))
        scores["v_measure"].append(float(v_measure_score(labels, assigned)))
        scores["ami"].append(float(adjusted_mutual_info_score(labels, assigned)))
    return scores


class GenusClusteringTask:
    """k-means on evaluation-side genera (see the module docstring); main score: mean ARI over seeds."""

    def __init__(self, spec: TaskSpec, *, min_per_genus: int = MIN_PER_GENUS, seeds: tuple[int, ...] = SEEDS) -> None:
        self.spec = spec
        self.min_per_genus = min_per_genus
        self.seeds = seeds

    @functools.cached_property
    def genera(self) -> LabelledSequences:
        return genus_clusters(split_records("eval"), self.min_per_genus)

    @functools.cached_property
    def species(self) -> LabelledSequences:
        return species_clusters(split_records("eval"))

    def fit_inputs(self) -> list[str]:
        return list(dict.fromkeys([*self.genera.sequences, *self.species.sequences]))

    def data_fingerprint(self) -> str:
        return fingerprint("dna-genus-clustering", data_fingerprint(), self.min_per_genus, self.seeds)

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        vectors = encoder.encode(self.fit_inputs(), role="document")
        row = {sequence: i for i, sequence in enumerate(self.fit_inputs())}
        scores = summarize(
            kmeans_scores(vectors[[row[s] for s in self.genera.sequences]], self.genera.labels, self.seeds)
        )
        by_species = summarize(
            kmeans_scores(vectors[[row[s] for s in self.species.sequences]], self.species.labels, self.seeds)
        )
        scores.update({f"{name}_species": value for name, value in by_species.items()})
        scores.update(
            n_sequences=float(len(self.genera.labels)),
            n_genera=float(len(set(self.genera.labels))),
            n_species=float(len(set(self.species.labels))),
        )
        return TaskScores(scores, scores[self.spec.main_metric], "eval-genera")
