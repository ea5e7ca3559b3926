"""The onset and relatedness tasks on the hand-made cohort, where the right answers are known."""

from __future__ import annotations

from pathlib import Path

import pytest
from zoo_medical import HF_ONSET, T2D_ONSET
from zoo_medical.cohort import load_cohort
from zoo_medical.onset_task import OnsetTask, auc, bootstrap_auc
from zoo_medical.patient_encoder import CodeCountEncoder
from zoo_medical.relatedness import build_module_task, icd_block_relatedness, module_relatedness
from zoo_medical.targets import HEART_FAILURE, TYPE2_DIABETES

from harness.backends.exact import ExactBackend
from harness.data.beir import load_beir
from zoo.errors import ZooError


def test_onset_task_separates_cases_by_their_risk_marker(cohort_folder: Path) -> None:
    # every case's history holds the marker and no control's does: both classifiers rank perfectly
    # (k = 5: a held-out case's 5 nearest hold the 4 or 5 fitting cases, a control's only controls)
    task = OnsetTask(HF_ONSET, HEART_FAILURE, k_neighbours=5, cohort_folder=cohort_folder)
    result = task.evaluate(CodeCountEncoder(cohort_folder=cohort_folder), ExactBackend())
    scores = result.scores
    assert (scores["n_samples"], scores["n_cases"], scores["n_folds"]) == (20, 6, 5)  # 6 cases, 14 controls
    assert scores["lr_auc"] == result.main_score == 1.0 and scores["lr_auc_std"] == 0.0
    assert scores["knn_auc"] == 1.0 and scores["lr_ap"] == 1.0
    assert scores["lr_auc_ci_low"] == pytest.approx(1.0) and scores["lr_auc_ci_high"] == pytest.approx(1.0)
    assert result.search is not None and result.search.n_documents == 16  # 4 of 5 folds
    assert result.search.n_queries == 20 * 5  # every sample once per repeat
    assert len(result.ranking) == 20 and all(len(hits) == 5 for hits in result.ranking.values())


def test_onset_task_passes_the_conformance_checks(cohort_folder: Path) -> None:
    from zoo.testing import check_task

    task = OnsetTask(HF_ONSET, HEART_FAILURE, k_neighbours=5, cohort_folder=cohort_folder)
    check_task(task, CodeCountEncoder(cohort_folder=cohort_folder), ExactBackend)


def test_onset_task_data_fingerprint_is_stable_and_names_the_target(cohort_folder: Path) -> None:
    first = OnsetTask(HF_ONSET, HEART_FAILURE, cohort_folder=cohort_folder)
    again = OnsetTask(HF_ONSET, HEART_FAILURE, cohort_folder=cohort_folder)
    assert first.data_fingerprint() == again.data_fingerprint()
    longer = OnsetTask(HF_ONSET, HEART_FAILURE, window_days=200, cohort_folder=cohort_folder)
    assert longer.data_fingerprint() != first.data_fingerprint()
    assert len(first.fit_inputs()) == 20


def test_onset_task_without_cases_or_backend_says_what_to_do(cohort_folder: Path) -> None:
    with pytest.raises(ZooError, match="0 cases and 0 controls .* needs 2 of each: enlarge"):
        _ = OnsetTask(T2D_ONSET, TYPE2_DIABETES, cohort_folder=cohort_folder).samples
    task = OnsetTask(HF_ONSET, HEART_FAILURE, cohort_folder=cohort_folder)
    with pytest.raises(ZooError, match="pass --backend exact"):
        task.evaluate(CodeCountEncoder(cohort_folder=cohort_folder), None)


def test_auc_matches_sklearn_with_ties_and_one_class_rows() -> None:
    import numpy as np
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, (5, 30))
    scores = rng.integers(0, 4, (5, 30)).astype(float)  # many ties
    expected = [roc_auc_score(y, s) for y, s in zip(labels, scores)]
    np.testing.assert_allclose(auc(labels, scores), expected)
    assert np.isnan(auc(np.ones(4), np.arange(4.0))[0])
    assert auc(np.array([0, 0, 1]), np.array([0.1, 0.5, 0.5]))[0] == 0.75  # half credit for the tie


def test_bootstrap_interval_brackets_the_auc() -> None:
    import numpy as np

    labels = np.array([0, 0, 1, 1, 0, 1, 0, 1])
    scores = np.array([0.1, 0.6, 0.4, 0.9, 0.2, 0.8, 0.3, 0.7])  # AUC 15/16
    low, high = bootstrap_auc(labels, scores)
    assert low < 15 / 16 <= high <= 1.0
    assert (low, high) == bootstrap_auc(labels, scores)


def test_module_relatedness_pairs_concepts_of_one_module(cohort_folder: Path) -> None:
    cohort = load_cohort(cohort_folder)
    corpus, qrels = module_relatedness(cohort, sorted(cohort.concepts))
    assert sorted(corpus) == sorted(cohort.concepts)
    # check-ups: alone in their module; heart failure: in two modules, so not a query
    assert qrels == {
        "SNOMED:2000": {"SNOMED:88805009": 1},
        "SNOMED:3000": {"SNOMED:3001": 1},
        "SNOMED:3001": {"SNOMED:3000": 1},
    }


def test_module_task_folder_is_a_beir_folder(cohort_folder: Path) -> None:
    data = load_beir(build_module_task(cohort_folder), split="test")
    assert data.queries == {"SNOMED:2000": "SNOMED:2000", "SNOMED:3000": "SNOMED:3000", "SNOMED:3001": "SNOMED:3001"}
    assert len(data.corpus) == 5


@pytest.mark.slow
def test_icd_blocks_relate_categories_of_the_same_block() -> None:
    corpus, qrels = icd_block_relatedness()
    assert len(corpus) > 1900 and "ICD10CM:I50" in corpus
    assert {"ICD10CM:I30", "ICD10CM:I51"} <= set(qrels["ICD10CM:I50"])
    assert "ICD10CM:I50" not in qrels["ICD10CM:I50"] and "ICD10CM:I10" not in qrels["ICD10CM:I50"]
