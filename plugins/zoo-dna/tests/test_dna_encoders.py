"""The k-mer encoders and the in-house k-mer MLP: the Encoder contract and known answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from zoo.errors import ZooError
from zoo.testing import check_encoder

from zoo_dna.encoders import KmerFrequencyEncoder, KmerMLPEncoder
from zoo_dna.kmer_mlp import KmerMLP, load_model, profile, shipped_weights
from zoo_dna.kmers import n_canonical
from zoo_dna.sequences import reverse_complement


@pytest.mark.parametrize(
    "encoder", [KmerFrequencyEncoder(4), KmerFrequencyEncoder(6), KmerMLPEncoder()], ids=lambda e: e.name
)
def test_encoders_meet_the_contract(encoder: object, genes: list[str]) -> None:
    check_encoder(encoder, inputs=genes)  # type: ignore[arg-type]


def test_tnf_by_hand() -> None:
    # AAAAAC: AAAA twice and AAAC once (GTTT is its reverse complement): a 2:1 profile
    vector = KmerFrequencyEncoder(4).encode(["AAAAAC"])[0]
    assert vector.shape == (136,)
    expected = np.zeros(136, dtype=np.float32)
    expected[[0, 1]] = np.array([2, 1]) / np.sqrt(5)
    np.testing.assert_allclose(vector, expected, rtol=1e-6)
    assert KmerFrequencyEncoder(4).encode(["GTTTTT"])[0] @ vector == pytest.approx(1.0)


def test_strand_does_not_change_any_vector(genes: list[str]) -> None:
    for encoder in (KmerFrequencyEncoder(4), KmerMLPEncoder()):
        forward = encoder.encode(genes[:4])
        reverse = encoder.encode([reverse_complement(g) for g in genes[:4]])
        np.testing.assert_allclose(forward, reverse, atol=1e-6)


def test_lower_case_and_ambiguity_letters_are_read_as_dna() -> None:
    encoder = KmerFrequencyEncoder(4)
    np.testing.assert_array_equal(encoder.encode(["acgtacgtRY"]), encoder.encode(["ACGTACGTNN"]))


def test_fingerprints_follow_k_and_weights(tmp_path: Path) -> None:
    assert KmerFrequencyEncoder(4).fingerprint() != KmerFrequencyEncoder(5).fingerprint()
    assert KmerFrequencyEncoder(4, name="x").fingerprint() == KmerFrequencyEncoder(4).fingerprint()
    other = tmp_path / "other.npz"
    model = load_model(str(shipped_weights()))
    KmerMLP(model.k, model.w1, model.b1 + 1, model.w2, model.b2, model.meta).save(other)
    assert KmerMLPEncoder(other).fingerprint() != KmerMLPEncoder().fingerprint()


def test_bad_k_is_a_clear_error() -> None:
    with pytest.raises(ZooError, match="from 1 to 8, got 0"):
        KmerFrequencyEncoder(0)


def test_shipped_model_is_small_and_records_its_training() -> None:
    encoder = KmerMLPEncoder()
    assert shipped_weights().stat().st_size < 4_000_000
    model = encoder.model
    assert model.w1.shape == (n_canonical(model.k), model.w2.shape[0])
    assert encoder.n_parameters == model.w1.size + model.b1.size + model.w2.size + model.b2.size
    assert model.meta["settings"]["seed"] == 0 and "blake2b" in model.meta["split"]


def test_mlp_forward_by_hand() -> None:
    # a 2-column model: ReLU(x @ w1 + b1) @ w2 + b2 with x = (0.6, 0.8)
    model = KmerMLP(
        1, np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([0.0, -1.0]), np.array([[1.0], [2.0]]), np.array([0.5]), {}
    )
    assert model.forward(np.array([[0.6, 0.8]])).tolist() == [[pytest.approx(1.9)]]
    np.testing.assert_allclose(profile(["AAAC"], 1), [[np.sqrt(3) / 2, 0.5]])  # A: 3, C: 1 -> roots


def test_unreadable_weights(tmp_path: Path) -> None:
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ZooError, match="retrain"):
        KmerMLPEncoder(broken).encode(["ACGT"])
