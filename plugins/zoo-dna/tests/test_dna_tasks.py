"""The shipped data, the genus split and the three tasks, on known answers and small setups."""

from __future__ import annotations

import numpy as np
import pytest
from harness.backends.exact import ExactBackend
from harness.backends.hnsw import HnswBackend
from zoo.errors import ZooError
from zoo.protocols import TaskSpec

from zoo_dna import TASKS
from zoo_dna.data import Record, by_genus, genus_side, records, split_records
from zoo_dna.encoders import KmerFrequencyEncoder, KmerMLPEncoder
from zoo_dna.reads import ErrorRates
from zoo_dna.tasks.alignment import AlignmentSetup, ReadAlignmentTask, alignment_data
from zoo_dna.tasks.clustering import genus_clusters, kmeans_scores, species, species_clusters
from zoo_dna.tasks.fewshot import shot_pool_and_test

CLUSTERING, FEWSHOT, ALIGNMENT = TASKS


def test_shipped_data_is_the_whole_gold_set() -> None:
    everything = records()
    assert len(everything) == 5181 and len({r.id for r in everything}) == 5181
    assert all(len(r.lineage) == 6 and r.lineage[0] in ("Bacteria", "Archaea") for r in everything)
    assert min(len(r.sequence) for r in everything) == 1205 and max(len(r.sequence) for r in everything) == 1655
    assert set("".join(r.sequence for r in everything[:50])) <= set("ACGTN")


def test_split_is_by_genus_and_disjoint() -> None:
    train, held_out = split_records("train"), split_records("eval")
    assert (len(train), len(held_out)) == (2714, 2467)
    assert not {r.genus for r in train} & {r.genus for r in held_out}
    assert genus_side("Streptomyces") == genus_side("Streptomyces")  # a pure function of the name


def test_in_house_model_trained_on_training_genera_only() -> None:
    meta = KmerMLPEncoder().model.meta
    assert meta["train_sequences"] == len(split_records("train"))
    assert meta["train_genera"] == len(by_genus(split_records("train")))


def test_species_from_organism_names() -> None:
    def named(organism: str) -> Record:
        return Record("x", organism, ("Bacteria",) * 6, "ACGT")

    assert species(named("Escherichia coli K-12")) == "Escherichia coli"
    assert species(named("Shewanella sp. W3-18-1")) is None
    assert species(named("Acidobacteria bacterium Ellin345")) is None
    assert species(named("Bacteria; Proteobacteria")) is None


def test_kmeans_finds_well_separated_genera() -> None:
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((3, 8)) * 10
    vectors = np.concatenate([c + rng.standard_normal((20, 8)) * 0.1 for c in centres])
    labels = [g for g in "abc" for _ in range(20)]
    scores = kmeans_scores(vectors, labels, seeds=(0, 1))
    assert scores["ari"] == [1.0, 1.0] and scores["v_measure"] == [pytest.approx(1.0)] * 2


def test_clustering_data() -> None:
    held_out = split_records("eval")
    genera = genus_clusters(held_out)
    assert (len(genera.labels), len(set(genera.labels))) == (1650, 118)
    named = species_clusters(held_out)
    assert all(named.labels.count(label) >= 2 for label in named.labels)


def test_fewshot_pool_and_test_are_disjoint_and_large_enough() -> None:
    data = shot_pool_and_test(split_records("eval"))
    assert not set(data.train_texts) & set(data.test_texts)
    assert len(set(data.test_labels)) == 29
    for genus in set(data.test_labels):
        assert data.train_labels.count(genus) >= 10 and data.test_labels.count(genus) >= 5


def test_alignment_with_error_free_reads_is_exact() -> None:
    spec = TaskSpec(name="tiny-alignment", type="alignment", load=lambda: None, main_metric="top1")
    setup = AlignmentSetup(n_references=5, reads_per_reference=6, rates=ErrorRates(0, 0, 0))
    task = ReadAlignmentTask(spec, setup)
    assert len(task.data.reads) == 30 and all(task.data.qrels.values())
    exact = task.evaluate(KmerFrequencyEncoder(6), ExactBackend())
    assert exact.main_score == 1.0 and exact.scores["top1_reference"] == 1.0
    approximate = task.evaluate(KmerFrequencyEncoder(6), HnswBackend())
    assert approximate.main_score == 1.0 and approximate.ranking is not None
    with pytest.raises(ZooError, match="--backend exact"):
        task.evaluate(KmerFrequencyEncoder(6), None)


def test_alignment_data_is_seeded_and_uses_held_out_genera() -> None:
    held_out = split_records("eval")
    first, again = (alignment_data(held_out, AlignmentSetup(n_references=20)) for _ in range(2))
    assert [r.sequence for r in first.reads] == [r.sequence for r in again.reads]
    genera = {r.id: r.genus for r in records()}
    assert len({genera[f.reference] for f in first.fragments}) == 20
    assert all(genus_side(genera[f.reference]) == "eval" for f in first.fragments)


def test_task_fingerprints_are_stable() -> None:
    for spec in TASKS:
        assert spec.load().data_fingerprint() == spec.load().data_fingerprint()
    assert len({spec.load().data_fingerprint() for spec in TASKS}) == 3


@pytest.mark.slow  # every task on all 5,181 genes, twice
@pytest.mark.parametrize("spec", TASKS, ids=lambda spec: spec.name)
def test_tasks_pass_the_conformance_checks(spec: TaskSpec) -> None:
    from zoo.testing import check_task

    check_task(spec.load(), KmerFrequencyEncoder(4), ExactBackend)
