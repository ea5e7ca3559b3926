"""Time-weighted co-occurrence counts, PPMI and SVD against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from zoo_medical.cooccurrence import cooccurrence_counts, ppmi, svd_vectors, time_weight


@pytest.mark.parametrize("days, weight", [(0, 1.0), (7, 0.5), (30, 7 / 37), (31, 0.0), (-1, 0.0)])
def test_time_weight_decays_harmonically_inside_the_window(days: int, weight: float) -> None:
    assert time_weight(days) == pytest.approx(weight)


def test_counts_pair_events_within_the_window_both_ways() -> None:
    # day 0: A, B (weight 1); days 0 and 7: A-A (diagonal, dropped), B-A (0.5); day 40 is 33+ days away
    history = [(0, "A"), (0, "B"), (7, "A"), (40, "C"), (40, "OUTSIDE")]
    counts = cooccurrence_counts([history], ["A", "B", "C"])
    np.testing.assert_allclose(counts, [[0, 1.5, 0], [1.5, 0, 0], [0, 0, 0]])


def test_counts_add_up_over_patients_and_ignore_repeats_within_a_day() -> None:
    one = [(0, "A"), (0, "B"), (0, "B")]
    counts = cooccurrence_counts([one, one], ["A", "B"])
    np.testing.assert_allclose(counts, [[0, 2], [2, 0]])


def test_ppmi_of_a_single_pair_is_log_two() -> None:
    # p(a, b) = 1/2, p(a) = p(b) = 1/2: log((1/2) / (1/4)) = log 2 off the diagonal, 0 (no count) on it
    np.testing.assert_allclose(
        ppmi(np.array([[0.0, 2.0], [2.0, 0.0]]), alpha=1.0), [[0, math.log(2)], [math.log(2), 0]]
    )


def test_ppmi_clips_negative_association_and_smooths_the_context() -> None:
    counts = np.array([[0.0, 9.0, 1.0], [9.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    scores = ppmi(counts, alpha=0.75)
    assert (scores >= 0).all() and scores[0, 1] > scores[0, 2]
    context = counts.sum(0) ** 0.75 / (counts.sum(0) ** 0.75).sum()
    expected = math.log((9 / 22) / ((10 / 22) * context[1]))
    assert scores[0, 1] == pytest.approx(expected)


def test_ppmi_of_no_counts_is_zero() -> None:
    assert not ppmi(np.zeros((2, 2))).any()


def test_svd_vectors_add_word_and_context_vectors_scaled_by_root_singular_values() -> None:
    # diag(4, 1): U = V = I, so rows (1 + 1) * sqrt(4) and (1 + 1) * sqrt(1); dim 3 > 2 pads a zero column
    vectors = svd_vectors(np.diag([4.0, 1.0]), 3)
    np.testing.assert_allclose(vectors, [[4, 0, 0], [0, 2, 0]], atol=1e-6)
    assert vectors.dtype == np.float32


def test_svd_vectors_of_two_concepts_seen_only_together_are_equal() -> None:
    # [[0, 3], [3, 0]]: the rows of U are orthogonal, those of U + V equal
    first, second = svd_vectors(np.array([[0.0, 3.0], [3.0, 0.0]]), 2)
    np.testing.assert_allclose(first, second, atol=1e-6)
    assert np.linalg.norm(first) > 1


def test_svd_vectors_have_fixed_signs() -> None:
    np.testing.assert_allclose(svd_vectors(-np.diag([4.0, 1.0]), 2), [[0, 0], [0, 0]], atol=1e-6)
    vectors = svd_vectors(np.array([[2.0, 1.0], [1.0, 2.0]]), 1)
    assert (vectors > 0).all()
