"""Classification, clustering, pair classification and reranking: MTEB's protocols on hand-made data."""

from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

import numpy as np
import pytest

from harness.tasks.classification import ClassificationData, ClassificationTask, label_scores, undersample
from harness.tasks.clustering import ClusteringData, ClusteringTask
from harness.tasks.pair_classification import (
    PairClassificationData,
    PairClassificationTask,
    best_accuracy,
    best_f1,
    pair_classification_scores,
    threshold_metrics,
)
from harness.tasks.reranking import RerankingData, RerankingTask
from zoo.encoders.hashing import HashingEncoder
from zoo.protocols import TaskSpec


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """These fits are tiny: on a shared machine, starting BLAS/OpenMP threads costs more than it saves."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


class FixedEncoder:
    """Returns the vector given for each text; records every call."""

    modalities = ("text",)
    name = "fixed"

    def __init__(self, vectors: dict[str, Sequence[float]], similarity: str = "cosine") -> None:
        self.vectors = {text: np.asarray(v, dtype=np.float32) for text, v in vectors.items()}
        self.similarity = similarity
        self.calls: list[tuple[list[str], str]] = []

    @property
    def dim(self) -> int:
        return len(next(iter(self.vectors.values())))

    def fingerprint(self) -> str:
        return "fixed"

    def encode(self, inputs: Sequence[Any], *, role: str = "document", instruction: str | None = None) -> np.ndarray:
        self.calls.append((list(inputs), role))
        return np.stack([self.vectors[text] for text in inputs])


def spec(kind: str, main: str) -> TaskSpec:
    return TaskSpec(name=f"tiny-{kind}", type=kind, load=lambda: None, main_metric=main)


def angle(cosine: float) -> list[float]:
    """A unit vector whose cosine with [1, 0] is ``cosine``."""
    return [cosine, math.sqrt(1 - cosine * cosine)]


# --- classification -----------------------------------------------------------------------------


def separable(n_per_label: int, labels: Sequence[str], prefix: str) -> tuple[list[str], list[str], dict]:
    rng = np.random.default_rng(len(prefix))
    texts, gold, vectors = [], [], {}
    for k, label in enumerate(labels):
        for i in range(n_per_label):
            text = f"{prefix}-{label}-{i}"
            texts.append(text)
            gold.append(label)
            vectors[text] = np.eye(len(labels) + 1)[k] * 5 + rng.normal(scale=0.1, size=len(labels) + 1)
    return texts, gold, vectors


def classification_task(labels: Sequence[str], **options: int) -> tuple[ClassificationTask, FixedEncoder]:
    train, train_y, v1 = separable(12, labels, "train")
    test, test_y, v2 = separable(5, labels, "test")
    data = ClassificationData(train, train_y, test, test_y)
    task = ClassificationTask(spec("classification", "accuracy"), lambda: data, **options)
    return task, FixedEncoder({**v1, **v2})


def test_undersample_matches_mteb_draws() -> None:
    # computed with mteb 2.26 AbsTaskClassification._undersample_data (seed 42, 2 per label)
    labels = ["a", "b", "c", "a", "b", "c", "a", "a", "b", "c", "c", "b"]
    assert undersample(labels, 3, 2, 42) == [[10, 9, 0, 8, 1, 7], [3, 7, 10, 4, 2, 11], [8, 11, 3, 5, 0, 10]]


def test_label_scores_by_hand_and_sklearn() -> None:
    from sklearn.metrics import f1_score

    truth, predicted = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 2])
    scores = label_scores(truth, predicted)
    assert scores["accuracy"] == pytest.approx(0.8)
    assert scores["f1"] == pytest.approx((2 / 3 + 0.8 + 1) / 3)
    assert scores["f1_weighted"] == pytest.approx(f1_score(truth, predicted, average="weighted"))
    assert "ap" not in scores  # only binary tasks have average precision


def test_separable_classes_score_one_and_encode_once() -> None:
    task, encoder = classification_task(["x", "y", "z"], samples_per_label=4, n_experiments=3)
    scores = task.evaluate(encoder, None)
    assert scores.main_score == 1.0 and scores.scores["f1"] == 1.0
    assert len(encoder.calls) == 1 and encoder.calls[0][1] == "query"
    encoded = encoder.calls[0][0]
    assert set(encoded) == set(task.fit_inputs())
    assert sum(t.startswith("train") for t in encoded) == len(task.train_rows) <= 3 * 4 * 3


def test_binary_classification_reports_average_precision() -> None:
    task, encoder = classification_task(["neg", "pos"], n_experiments=2)
    scores = task.evaluate(encoder, None).scores
    assert scores["ap"] == 1.0 and scores["ap_weighted"] == 1.0


def test_classification_is_deterministic_and_seeded() -> None:
    data = ClassificationData(
        *[
            list(x)
            for x in (
                [f"t{i}" for i in range(40)],
                [i % 4 for i in range(40)],
                [f"e{i}" for i in range(20)],
                [i % 4 for i in range(20)],
            )
        ]
    )
    rng = np.random.default_rng(0)
    encoder = FixedEncoder({t: rng.normal(size=6) for t in [*data.train_texts, *data.test_texts]})
    run = [
        ClassificationTask(spec("classification", "accuracy"), lambda: data, seed=s).evaluate(encoder)
        for s in (42, 42, 7)
    ]
    assert run[0].scores == run[1].scores
    assert (
        ClassificationTask(spec("c", "accuracy"), lambda: data, seed=7).experiments
        != ClassificationTask(spec("c", "accuracy"), lambda: data).experiments
    )


# --- clustering ---------------------------------------------------------------------------------


def test_separable_clusters_score_one() -> None:
    texts, labels, vectors = separable(10, ["a", "b", "c"], "doc")
    task = ClusteringTask(
        spec("clustering", "v_measure"), lambda: ClusteringData(texts, labels), n_experiments=3, cluster_size=60
    )
    scores = task.evaluate(FixedEncoder(vectors), None).scores
    assert scores["v_measure"] == pytest.approx(1.0)
    assert scores["ami"] == pytest.approx(1.0) and scores["ari"] == pytest.approx(1.0)
    assert scores["v_measure_std"] == pytest.approx(0.0)


def test_clustering_is_deterministic() -> None:
    rng = np.random.default_rng(3)
    texts = [f"d{i}" for i in range(60)]
    data = ClusteringData(texts, [i % 4 for i in range(60)])
    encoder = FixedEncoder({t: rng.normal(size=5) for t in texts})
    runs = [
        ClusteringTask(spec("clustering", "v_measure"), lambda: data, n_experiments=2, cluster_size=100).evaluate(
            encoder
        )
        for _ in range(2)
    ]
    assert runs[0].scores == runs[1].scores
    assert 0.0 <= runs[0].main_score < 1.0


# --- pair classification ------------------------------------------------------------------------

SIX_SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
SIX_LABELS = np.array([1, 0, 1, 1, 0, 0])


def test_six_pairs_by_hand() -> None:
    metrics = threshold_metrics(SIX_SCORES, SIX_LABELS)
    assert metrics["ap"] == pytest.approx((1 + 2 / 3 + 3 / 4) / 3)
    assert metrics["accuracy"] == pytest.approx(5 / 6)  # threshold between 0.6 and 0.5
    assert metrics["f1"] == pytest.approx(6 / 7)  # precision 3/4, recall 1
    assert (metrics["precision"], metrics["recall"]) == (pytest.approx(0.75), 1.0)
    # distances: the same pairs, lower is more similar
    assert threshold_metrics(1 - SIX_SCORES, SIX_LABELS, False) == pytest.approx(metrics)


def test_thresholds_never_split_ties() -> None:
    scores, labels = np.array([0.9, 0.5, 0.5, 0.1]), np.array([1, 1, 0, 0])
    assert best_accuracy(scores, labels) == pytest.approx(0.75)  # splitting the tie would give 1.0
    assert best_f1(scores, labels)[0] == pytest.approx(0.8)  # splitting the tie would give 1.0


def test_threshold_search_matches_brute_force_with_sklearn() -> None:
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(5)
    scores = np.round(rng.random(200), 1)  # many ties
    labels = (rng.random(200) < scores).astype(int)
    cuts = np.unique(scores)
    thresholds = (cuts[:-1] + cuts[1:]) / 2
    accuracy = max(np.mean((scores > t) == labels) for t in thresholds)
    assert best_accuracy(scores, labels) == pytest.approx(accuracy)
    assert best_f1(scores, labels)[0] == pytest.approx(max(f1_score(labels, scores > t) for t in thresholds))


def test_pair_task_scores_every_measure() -> None:
    left = {f"a{i}": [1.0, 0.0] for i in range(6)}
    right = {f"b{i}": angle(s) for i, s in enumerate(SIX_SCORES)}
    data = PairClassificationData(list(left), list(right), SIX_LABELS.tolist())
    encoder = FixedEncoder({**left, **right})
    scores = PairClassificationTask(spec("pair_classification", "max_ap"), lambda: data).evaluate(encoder)
    assert scores.main_score == pytest.approx((1 + 2 / 3 + 3 / 4) / 3)
    for prefix in ("similarity", "cosine", "manhattan", "euclidean", "dot"):  # all rank alike here
        assert scores.scores[f"{prefix}_f1"] == pytest.approx(6 / 7)
    assert len(encoder.calls) == 1


def test_pair_task_keeps_each_pairs_best_score_beside_its_label() -> None:
    """Items give max_ap back; a distance (manhattan) is turned round so that higher means more alike."""
    from harness.significance import statistic_of
    from harness.tasks.pair_classification import pair_items

    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 200)
    scores = {
        name: rng.normal(size=200) + (labels if name == "manhattan" else 0) * (-1.5)
        for name in ("similarity", "cosine", "manhattan", "euclidean", "dot")
    }
    metrics = pair_classification_scores(scores, labels)
    assert metrics["max_ap"] == metrics["manhattan_ap"]
    items = pair_items(scores, labels, metrics, "max_ap")
    assert items is not None and items.statistic == "ap" and items.unit == "pair"
    np.testing.assert_array_equal(items.values[:, 0], -scores["manhattan"])
    assert statistic_of(items) == pytest.approx(metrics["max_ap"], abs=1e-12)
    assert pair_items(scores, labels, metrics, "max_accuracy") is None


# --- reranking ----------------------------------------------------------------------------------


def reranking_encoder(similarity: str = "cosine") -> tuple[RerankingData, FixedEncoder]:
    # q1: n1 0.95 > p1 0.9 > n2 0.5 > p2 0.4 (AP 1/2, RR 1/2); q2: p3 0.8 > n3 0.7 > n4 0.6 (AP 1, RR 1)
    cosines = {"p1": 0.9, "n1": 0.95, "n2": 0.5, "p2": 0.4, "p3": 0.8, "n3": 0.7, "n4": 0.6}
    vectors = {"q1": [1.0, 0.0], "q2": [1.0, 0.0], **{t: angle(c) for t, c in cosines.items()}}
    data = RerankingData(["q1", "q2"], [["p1", "p2"], ["p3"]], [["n1", "n2"], ["n3", "n4"]])
    return data, FixedEncoder(vectors, similarity)


@pytest.mark.parametrize("similarity", ["cosine", "dot", "euclidean"])
def test_reranking_two_queries_by_hand(similarity: str) -> None:
    data, encoder = reranking_encoder(similarity)
    scores = RerankingTask(spec("reranking", "map_at_1000"), lambda: data).evaluate(encoder)
    assert scores.main_score == pytest.approx(0.75)
    assert scores.scores["map"] == pytest.approx(0.75)
    assert scores.scores["mrr_at_10"] == pytest.approx(0.75)
    assert scores.scores["mrr_at_1"] == pytest.approx(0.5)
    assert [role for _, role in encoder.calls] == ["query", "document"]


def test_reranking_ties_rank_the_negative_first() -> None:
    encoder = FixedEncoder({"q": [1.0, 0.0], "same": [0.5, 0.5]})
    data = RerankingData(["q"], [["same"]], [["same"]])
    scores = RerankingTask(spec("reranking", "mrr_at_10"), lambda: data).evaluate(encoder)
    assert scores.main_score == pytest.approx(0.5)  # mteb's ids: "negative_..." > "apositive_..."


def test_tasks_run_with_the_hashing_encoder() -> None:
    encoder = HashingEncoder(64)
    texts = ["red apple", "green apple", "blue sky", "grey sky"] * 3
    labels = ["fruit", "fruit", "sky", "sky"] * 3
    tasks = [
        ClassificationTask(
            spec("classification", "accuracy"),
            lambda: ClassificationData(texts, labels, texts[:4], labels[:4]),
            n_experiments=2,
        ),
        ClusteringTask(
            spec("clustering", "v_measure"), lambda: ClusteringData(texts, labels), n_experiments=2, cluster_size=24
        ),
    ]
    for task in tasks:
        first, second = task.evaluate(encoder), task.evaluate(encoder)
        assert first.scores == second.scores and 0.0 <= first.main_score <= 1.0
        assert task.data_fingerprint() == task.data_fingerprint()


# --- per-item scores ----------------------------------------------------------------------------


def test_every_task_type_keeps_items_that_give_its_main_score_back() -> None:
    """Classification: per test item, the share of experiments right; clustering: per experiment;
    reranking: per query. Each kept item set's statistic is the main score."""
    from harness.significance import statistic_of

    rng = np.random.default_rng(8)
    data = ClassificationData(
        *[
            list(x)
            for x in (
                [f"t{i}" for i in range(40)],
                [i % 4 for i in range(40)],
                [f"e{i}" for i in range(30)],
                [i % 4 for i in range(30)],
            )
        ]
    )
    encoder = FixedEncoder({t: rng.normal(size=6) for t in [*data.train_texts, *data.test_texts]})
    classified = ClassificationTask(spec("classification", "accuracy"), lambda: data, n_experiments=3).evaluate(encoder)
    assert classified.items is not None and classified.items.unit == "test item" and len(classified.items) == 30
    assert set(np.round(classified.items.values * 3, 9)) <= {0.0, 1.0, 2.0, 3.0}  # 0 to 3 experiments right
    texts = [f"d{i}" for i in range(60)]
    clustered = ClusteringTask(
        spec("clustering", "v_measure"),
        lambda: ClusteringData(texts, [i % 4 for i in range(60)]),
        n_experiments=4,
        cluster_size=100,
    ).evaluate(FixedEncoder({t: rng.normal(size=5) for t in texts}))
    assert clustered.items is not None and len(clustered.items) == 4 and clustered.items.unit == "experiment"
    data_r, encoder_r = reranking_encoder()
    reranked = RerankingTask(spec("reranking", "map_at_1000"), lambda: data_r).evaluate(encoder_r)
    assert reranked.items is not None and reranked.items.ids == ("test_query0", "test_query1")
    np.testing.assert_allclose(reranked.items.values, [0.5, 1.0])
    for scores in (classified, clustered, reranked):
        assert statistic_of(scores.items) == pytest.approx(scores.main_score, abs=1e-12)
    macro = ClassificationTask(spec("classification", "f1"), lambda: data, n_experiments=2).evaluate(encoder)
    assert macro.items is None  # a macro F1 is no mean over items: nothing resamples it honestly
