"""Bootstrap intervals and paired randomization tests over per-item scores, against known answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from harness.significance import (
    _rank_swap_null,
    align,
    average_precision,
    bootstrap_interval,
    compare,
    difference_interval,
    paired_test,
    statistic_of,
)
from zoo.errors import ZooError
from zoo.protocols import ItemScores


def test_bootstrap_interval_covers_a_known_mean_at_the_stated_rate() -> None:
    """200 seeded samples of 300 Beta(2, 5) scores (mean 2/7): the 95% interval holds the mean ~95% of
    the time (binomial sd 1.5 points)."""
    rng = np.random.default_rng(7)
    covered = [
        interval.low <= 2 / 7 <= interval.high
        for interval in (
            bootstrap_interval(ItemScores(rng.beta(2, 5, 300)), resamples=1000, seed=i) for i in range(200)
        )
    ]
    assert 0.91 <= np.mean(covered) <= 0.98


def test_interval_is_seeded_and_narrows_with_more_items() -> None:
    rng = np.random.default_rng(0)
    small, large = ItemScores(rng.random(100)), ItemScores(rng.random(2500))
    assert bootstrap_interval(small) == bootstrap_interval(small)
    width = lambda items: bootstrap_interval(items).high - bootstrap_interval(items).low  # noqa: E731
    # the standard error of a mean of U(0, 1) is 0.289 / sqrt(n): 1.96 * 2 of it is the 95% width
    assert width(large) == pytest.approx(2 * 1.96 * 0.2887 / 50, rel=0.15)
    assert width(small) > 4 * width(large)


def test_spearman_items_give_scipys_correlation_back() -> None:
    rng = np.random.default_rng(1)
    gold = np.round(rng.random(400) * 5) / 5  # ties in the gold scores, as human ratings have
    predicted = gold + rng.normal(0, 0.4, 400)
    items = ItemScores(np.column_stack([predicted, gold]), "spearman", "pair")
    rho = stats.spearmanr(predicted, gold)[0]
    assert statistic_of(items) == pytest.approx(rho, abs=1e-12)
    interval = bootstrap_interval(items)
    assert interval.low < rho < interval.high
    # Fisher's z gives the textbook interval: the bootstrap's agrees to a few thousandths
    z, se = np.arctanh(rho), 1.03 / np.sqrt(400 - 3)
    assert interval.low == pytest.approx(np.tanh(z - 1.96 * se), abs=0.02)
    assert interval.high == pytest.approx(np.tanh(z + 1.96 * se), abs=0.02)


def test_paired_test_by_hand() -> None:
    """Five items, B one point better on each: of the 32 swap patterns only all-kept and all-swapped are
    as extreme, so p = 2/32 exactly."""
    a, b = ItemScores(np.zeros(5)), ItemScores(np.ones(5))
    assert paired_test(a, b) == pytest.approx(2 / 32)


def test_paired_test_matches_scipys_permutation_test() -> None:
    """Twelve items: both enumerate all 4,096 assignments, so the p-values agree exactly."""
    rng = np.random.default_rng(3)
    x = rng.random(12)
    y = x + rng.normal(0.05, 0.2, 12)
    expected = stats.permutation_test(
        (x, y), lambda u, v, axis: np.mean(v - u, axis=axis), permutation_type="samples", vectorized=True
    ).pvalue
    assert paired_test(ItemScores(x), ItemScores(y)) == pytest.approx(expected, rel=1e-12)


def test_a_real_gap_is_significant_and_the_same_run_twice_is_not() -> None:
    rng = np.random.default_rng(5)
    base = rng.random(500)
    better = np.clip(base + rng.normal(0.03, 0.1, 500), 0, 1)
    a, b = ItemScores(base, unit="query"), ItemScores(better, unit="query")
    found = compare(a, b)
    assert found.p_value < 0.05 and found.significant
    assert found.interval.low > 0 and found.difference == pytest.approx(better.mean() - base.mean())
    same = compare(a, ItemScores(base.copy(), unit="query"))
    assert same.p_value == 1.0 and not same.significant
    assert same.interval.low == same.interval.high == 0.0


def test_spearman_randomization_test() -> None:
    rng = np.random.default_rng(2)
    gold = rng.random(300)
    good, poor = gold + rng.normal(0, 0.3, 300), gold + rng.normal(0, 1.0, 300)
    a = ItemScores(np.column_stack([poor, gold]), "spearman", "pair")
    b = ItemScores(np.column_stack([good, gold]), "spearman", "pair")
    observed = _rank_swap_null(a, b)(np.zeros((1, 300), dtype=bool))[0]
    assert observed == pytest.approx(stats.spearmanr(good, gold)[0] - stats.spearmanr(poor, gold)[0])
    assert paired_test(a, b) < 0.001
    interval = difference_interval(a, b)
    assert interval.low > 0
    assert paired_test(a, ItemScores(a.values.copy(), "spearman", "pair")) == 1.0


def test_average_precision_is_sklearns_with_ties() -> None:
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(6)
    scores = rng.integers(0, 6, size=(20, 40)).astype(float)  # many ties
    labels = rng.integers(0, 2, size=(20, 40))
    labels[:, 0] = 1
    expected = [average_precision_score(labels[i], scores[i]) for i in range(20)]
    np.testing.assert_allclose(average_precision(scores, labels), expected, atol=1e-12)


def test_average_precision_randomization_test() -> None:
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 2, 400).astype(float)
    good, poor = labels + rng.normal(0, 0.8, 400), labels + rng.normal(0, 2.0, 400)
    a = ItemScores(np.column_stack([poor, labels]), "ap", "pair")
    b = ItemScores(np.column_stack([good, labels]), "ap", "pair")
    assert paired_test(a, b) < 0.01 and difference_interval(a, b).low > 0
    assert paired_test(a, ItemScores(a.values.copy(), "ap", "pair")) == 1.0
    low, high = bootstrap_interval(b).low, bootstrap_interval(b).high
    assert low < statistic_of(b) < high


def test_items_pair_by_id_in_any_order() -> None:
    rng = np.random.default_rng(4)
    values = rng.random(50)
    ids = tuple(f"q{i}" for i in range(50))
    a = ItemScores(values, ids=ids)
    order = rng.permutation(50)
    b = ItemScores(values[order] + 0.01, ids=tuple(ids[i] for i in order))
    _, aligned = align(a, b)
    np.testing.assert_allclose(aligned.values, values + 0.01)
    with pytest.raises(ZooError, match="different"):
        align(a, ItemScores(values, ids=tuple(f"x{i}" for i in range(50))))
    with pytest.raises(ZooError, match="spearman"):
        align(a, ItemScores(np.column_stack([values, values]), "spearman"))


def test_item_scores_check_their_shape() -> None:
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        ItemScores(np.zeros(3), "spearman")
    with pytest.raises(ValueError, match="ids"):
        ItemScores(np.zeros(3), ids=("a",))


def test_sts_keeps_each_pairs_prediction_beside_its_gold_score() -> None:
    from types import SimpleNamespace

    from harness.tasks.sts import STSTask
    from zoo.encoders.hashing import HashingEncoder
    from zoo.protocols import TaskSpec

    words = ["apple", "pear", "sky", "cloud", "rain", "sun", "tree", "leaf"]
    left = [f"{a} {b}" for a in words for b in words[:3]]
    right = [f"{b} {a}" for a in words for b in words[3:6]]
    gold = [float(i % 5) for i in range(len(left))]
    data = SimpleNamespace(sentences1=left, sentences2=right, scores=gold, split="test")
    scores = STSTask(
        TaskSpec("tiny-sts", "sts", load=lambda: None, main_metric="cosine_spearman"), lambda: data
    ).evaluate(HashingEncoder(64))
    assert scores.items is not None and scores.items.statistic == "spearman" and scores.items.unit == "pair"
    np.testing.assert_array_equal(scores.items.values[:, 1], gold)
    assert statistic_of(scores.items) == pytest.approx(scores.main_score, abs=1e-12)
