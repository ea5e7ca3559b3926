"""The training script: its loss by hand, seeded reproducibility, and pairs drawn from training genera."""

from __future__ import annotations

import math

import numpy as np
import pytest

from zoo_dna.data import split_records
from zoo_dna.train import PairSampler, Settings, info_nce, is_dev_genus, train

torch = pytest.importorskip("torch")
TINY = Settings(steps=3, batch=16, hidden=8, dim=4, k=3)


def test_info_nce_by_hand() -> None:
    pairs = torch.eye(2)
    # logits = I / 1: each row's cross-entropy is log(1 + e^-1)
    assert info_nce(pairs, pairs, torch.tensor([0, 1]), 1.0).item() == pytest.approx(math.log(1 + math.exp(-1)))
    # the same genus twice: the other pair is masked, only the positive is left
    assert info_nce(pairs, pairs, torch.tensor([5, 5]), 1.0).item() == pytest.approx(0.0)


@pytest.mark.slow
def test_training_is_seeded() -> None:
    records = split_records("train")[:200]
    first, _ = train(records, TINY, log_every=1)
    again, losses = train(records, TINY, log_every=1)
    other, _ = train(records, Settings(**{**TINY.__dict__, "seed": 1}), log_every=1)
    np.testing.assert_array_equal(first.w1, again.w1)
    assert not np.array_equal(first.w1, other.w1)
    assert len(losses) == 3 and first.w1.shape == (32, 8) and first.dim == 4


def test_pairs_are_unit_profiles_of_training_genera() -> None:
    records = split_records("train")[:300]
    sampler = PairSampler(records, Settings(batch=12, k=4, related=1.0), np.random.default_rng(0))
    anchors, positives, genera = sampler.batch()
    assert anchors.shape == positives.shape == (12, 136)
    np.testing.assert_allclose(np.linalg.norm(anchors, axis=1), 1.0, rtol=1e-5)
    assert genera.max() < len(sampler.groups)


def test_dev_genera_are_a_quarter_of_training_genera() -> None:
    genera = {r.genus for r in split_records("train")}
    share = sum(map(is_dev_genus, genera)) / len(genera)
    assert 0.15 < share < 0.35
