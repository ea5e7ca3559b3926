"""Parity on real data: mteb's own evaluators and zoo's on the offline tasks, on the very same vectors.

Each zoo task becomes an mteb custom task (``harness.mteb.parity``) with zoo's data and protocol options,
so mteb draws its own samples (classification undersampling, clustering bootstraps) with the same seeds;
the vectors zoo used are replayed to mteb, which may ask for no text zoo did not encode. Every metric both
report must agree to 1e-4, and zoo's per-item scores must be what mteb's own predictions give item by
item. The encoder is WordLlama (a real model, fast on a CPU). Classification and clustering run fewer
experiments (and clustering smaller samples) than the registered tasks so the test stays quick;
docs/mteb.md gives the figures at the full protocol.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pytest

pytest.importorskip("mteb")
pytestmark = pytest.mark.slow  # mteb's import and five evaluations: about a minute on a shared CPU

from harness.data.icd10cm_labels import (  # noqa: E402
    ICD_BLOCKS,
    ICD_CHAPTERS,
    SAMPLES_PER_LABEL,
    load_block_clustering,
    load_chapter_classification,
)
from harness.mteb.parity import Parity, RecordedVectors, mteb_task, parity  # noqa: E402
from harness.tasks.classification import ClassificationTask  # noqa: E402
from harness.tasks.clustering import ClusteringTask  # noqa: E402
from zoo.errors import ZooError  # noqa: E402
from zoo.protocols import Task  # noqa: E402

# the number of metrics both report, at least, per task
SHARED = {"lee-sts": 4, "icd10cm-pairs": 30, "icd10cm-rerank": 35, "icd10cm-chapters": 7, "icd10cm-blocks": 4}


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def encoder():  # noqa: ANN201
    from zoo.cli.main import registry

    return registry().encoder("wordllama-l2-256").load()


def load(name: str) -> Task:
    """The registered task; the sampled protocols with fewer draws (same data, same seeds)."""
    from zoo.cli.main import registry

    if name == "icd10cm-chapters":
        return ClassificationTask(
            ICD_CHAPTERS, load_chapter_classification, samples_per_label=SAMPLES_PER_LABEL, n_experiments=3
        )
    if name == "icd10cm-blocks":
        return ClusteringTask(ICD_BLOCKS, load_block_clustering, n_experiments=3, cluster_size=4096)
    return registry().task(name).load()


@pytest.mark.parametrize("name", list(SHARED))
def test_mteb_and_zoo_agree_on_real_data(name: str, encoder) -> None:  # noqa: ANN001
    found = parity(load(name), encoder)
    assert found.main_metric in found.shared and len(found.shared) >= SHARED[name]
    assert 0.05 < found.zoo[found.main_metric] < 0.99  # a real score, neither chance nor perfect
    for key, difference in found.differences().items():
        assert difference <= 1e-4, f"{key}: zoo {found.zoo[key]} vs mteb {found.mteb[key]}"
    np.testing.assert_allclose(
        found.zoo_items.values[:, 0] if found.zoo_items.values.ndim == 2 else found.zoo_items.values,
        mteb_items(name, found),
        atol=1e-6,
    )


def mteb_items(name: str, found: Parity) -> np.ndarray:
    """zoo's per-item scores, computed from what mteb predicted item by item."""
    predicted = found.mteb_predictions
    if name == "icd10cm-chapters":  # per test item, the share of experiments whose label was right
        truth = np.asarray(load(name).data.test_labels)
        return np.mean([np.asarray(labels) == truth for labels in predicted], axis=0)
    if name == "icd10cm-blocks":  # per experiment, its V-measure
        return np.asarray(found.mteb_raw["v_measures"]["Level 0"])
    if name == "lee-sts":  # per pair, its cosine similarity (mteb's in float32)
        return np.asarray(predicted["cosine_scores"])
    if name == "icd10cm-pairs":  # per pair, the score of the kind whose AP is the max, higher = more alike
        kind = next(
            k
            for k in ("similarity", "cosine", "manhattan", "euclidean", "dot")
            if found.zoo[f"{k}_ap"] == found.zoo["max_ap"]
        )
        key = {"similarity": "similarity_scores", "cosine": "cosine_scores", "dot": "dot_scores"}.get(kind)
        return np.asarray(predicted[key]) if key else -np.asarray(predicted[f"{kind}_distances"])
    # reranking: per query, MAP over its candidates from mteb's own run, scored as zoo scores runs
    from harness.metrics import per_query_retrieval_scores
    from harness.tasks.reranking import candidate_ids

    qrels, _ = candidate_ids(load(name).data)
    per_query = per_query_retrieval_scores(qrels, predicted, (1000,))
    return np.asarray([per_query[qid]["map_at_1000"] for qid in found.zoo_items.ids])


def test_mteb_gets_only_the_vectors_zoo_used(encoder) -> None:  # noqa: ANN001
    recorded = RecordedVectors(encoder)
    first = recorded.encode(["Typhoid fever", "Cholera"], role="query")
    recorded.frozen = True
    assert (recorded.encode(["Cholera"], role="query") == first[1]).all()
    with pytest.raises(ZooError, match="never encoded"):
        recorded.encode(["Cholera"], role="document")


def test_the_custom_tasks_carry_zoos_protocol_options() -> None:
    chapters = mteb_task(load("icd10cm-chapters"))
    assert (chapters.samples_per_label, chapters.n_experiments, chapters.seed) == (SAMPLES_PER_LABEL, 3, 42)
    blocks = mteb_task(load("icd10cm-blocks"))
    assert (blocks.n_clusters, blocks.max_documents_per_cluster, blocks.max_fraction_of_documents_to_embed) == (
        3,
        4096,
        None,
    )
    with pytest.raises(ZooError, match="no mteb parity for retrieval"):
        from zoo.cli.main import registry

        mteb_task(registry().task("icd10cm-small").load())


def test_where_mteb_embeds_a_sample_zoo_draws_mtebs_experiments(encoder, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """An mteb clustering task that embeds a seeded sample, run through zoo's ``mteb:`` conversion: zoo keeps
    the sample and continues mteb's random stream after it, so both cluster the same bootstrap draws."""
    import mteb

    from harness.mteb.encoder import MtebEncoder
    from harness.mteb.source import spec_for_task

    monkeypatch.setenv("ZOO_DATA_HOME", str(tmp_path))

    def sampled() -> object:
        task = mteb_task(load("icd10cm-blocks"))
        task.max_document_to_embed = 1000  # of 2,000: mteb draws which, from the task's own stream
        return task

    spec = spec_for_task(sampled())
    ours = spec.load()
    assert ours.sampled_from == 2000 and len(ours.data.texts) == 1000
    zoo_scores = ours.evaluate(encoder).scores
    result = mteb.evaluate(MtebEncoder(encoder), sampled(), cache=None, show_progress_bar=False)
    mteb_scores = result.task_results[0].scores["test"][0]
    for key in ("v_measure", "v_measure_std", "ami", "ami_std"):
        assert zoo_scores[key] == pytest.approx(mteb_scores[key], abs=1e-4), key


def test_zoo_mteb_parity_prints_the_differences_and_fails_beyond_the_tolerance() -> None:
    from click.testing import CliRunner

    from zoo.cli.main import build_cli

    agreed = CliRunner().invoke(build_cli(), ["mteb", "parity", "-m", "hashing-bow-256", "-t", "lee-sts"])
    assert agreed.exit_code == 0, agreed.output
    row = next(line.split() for line in agreed.output.splitlines() if line.startswith("lee-sts"))
    assert row[1:4] == ["sts", "4", "cosine_spearman"] and row[4] == row[5]  # the main scores, to 6 digits
    strict = CliRunner().invoke(
        build_cli(), ["mteb", "parity", "-m", "hashing-bow-256", "-t", "lee-sts", "--tolerance", "0"]
    )
    assert strict.exit_code == 1  # float32 against float64 euclidean distances: 5e-6 apart
