"""Built-in post-processors: binary and int8 quantization, Matryoshka truncation, their plugin registration."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pluggy
import pytest

from zoo import hookspecs
from zoo.errors import ZooError
from zoo.postprocess import builtin
from zoo.postprocess.matryoshka import Matryoshka
from zoo.postprocess.quantize import BinaryQuantizer, Int8Quantizer, hamming_scores
from zoo.protocols import PostProcessor, Quantizer
from zoo.registry import Registry

ALL = (BinaryQuantizer, Int8Quantizer, Matryoshka)
SMALL = {Matryoshka: {"dim": 16}}  # defaults that fit 32-dim test vectors


def small(cls: type, **params: object) -> Any:
    return cls(**{**SMALL.get(cls, {}), **params})


def gaussian(n: int, d: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


def one_line(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(excinfo.value)
    assert message and "\n" not in message
    return message


# --- shapes, dtypes, bytes per vector -------------------------------------------------------------------


@pytest.mark.parametrize("dim, nbytes", [(384, 48), (100, 13), (8, 1), (1, 1)])
def test_binary_shapes_and_bytes(dim: int, nbytes: int) -> None:
    X = gaussian(7, dim)
    quantizer = BinaryQuantizer().fit(X)
    codes = quantizer.transform(X)
    assert codes.dtype == np.uint8 and codes.shape == (7, nbytes)
    assert BinaryQuantizer.bytes_per_vector(dim) == nbytes == quantizer.bytes_per_vector(dim)
    assert quantizer.transform(X[:0]).shape == (0, nbytes)


@pytest.mark.parametrize("dim", [384, 100])
def test_int8_shapes_and_bytes(dim: int) -> None:
    X = gaussian(20, dim)
    quantizer = Int8Quantizer().fit(X)
    codes = quantizer.transform(X)
    assert codes.dtype == np.int8 and codes.shape == (20, dim)
    assert Int8Quantizer.bytes_per_vector(dim) == dim
    restored = quantizer.inverse_transform(codes)
    assert restored.dtype == np.float32 and restored.shape == X.shape


def test_quantizers_meet_the_protocols() -> None:
    assert isinstance(BinaryQuantizer(), Quantizer) and BinaryQuantizer.similarity == "hamming"
    assert isinstance(Int8Quantizer(), Quantizer) and Int8Quantizer.similarity is None
    assert isinstance(Matryoshka(), PostProcessor) and not isinstance(Matryoshka(), Quantizer)


# --- binary ----------------------------------------------------------------------------------------------


def test_binary_bits_by_hand() -> None:
    X = np.array(
        [
            [1, -1, 0, 2, -3, 0.5, 0.1, -0.1, 4, -4],  # bits 1001 0110 | 10(000000)
            [-1, -1, -1, -1, -1, -1, -1, -1, 1, 1],
        ],
        dtype=np.float32,
    )
    codes = BinaryQuantizer().fit(X).transform(X)
    assert codes.tolist() == [[0b10010110, 0b10000000], [0b00000000, 0b11000000]]


def test_hamming_scores_match_brute_force_popcount() -> None:
    rng = np.random.default_rng(1)
    for nbytes in (13, 48, 4, 2):  # uint8, uint64, uint32 and uint16 word views
        queries = rng.integers(0, 256, (5, nbytes), dtype=np.uint8)
        docs = rng.integers(0, 256, (9, nbytes), dtype=np.uint8)
        expected = [
            [-sum(bin(a ^ b).count("1") for a, b in zip(q.tolist(), d.tolist())) for d in docs] for q in queries
        ]
        scores = hamming_scores(queries, docs)
        assert scores.dtype == np.int32 and scores.tolist() == expected


def test_hamming_scores_rejects_mismatched_codes() -> None:
    with pytest.raises(ZooError) as excinfo:
        hamming_scores(np.zeros((2, 4), np.uint8), np.zeros((2, 5), np.uint8))
    assert "equal width" in one_line(excinfo)


def test_binary_rescore_matches_explicit_sign_dot_products() -> None:
    docs, queries = gaussian(30, 100, seed=2), gaussian(4, 100, seed=3)
    quantizer = BinaryQuantizer(rescore=4).fit(docs)
    codes = quantizer.transform(docs)
    candidates = np.array([[0, 5, 7], [1, 2, 3], [29, 28, 0], [10, 10, 11]])
    scores = quantizer.rescore_scores(queries, codes[candidates])
    signs = np.where(docs > 0, 1.0, -1.0)
    expected = np.array([[queries[i] @ signs[j] for j in row] for i, row in enumerate(candidates)])
    assert scores.dtype == np.float32 and scores.shape == (4, 3)
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("rescore_with", ["int8", "float"])
def test_binary_rescores_against_a_finer_copy_of_the_documents(rescore_with: str) -> None:
    docs, queries = gaussian(30, 100, seed=2), gaussian(4, 100, seed=3)
    quantizer = BinaryQuantizer(rescore=4, rescore_with=rescore_with).fit(docs)
    kept = quantizer.rescore_codes(docs)
    candidates = np.array([[0, 5, 7], [1, 2, 3], [29, 28, 0], [10, 10, 11]])
    scores = quantizer.rescore_scores(queries, kept[candidates])
    finer = Int8Quantizer().fit(docs) if rescore_with == "int8" else None
    seen = finer.inverse_transform(finer.transform(docs)) if finer else docs
    expected = np.array([[queries[i] @ seen[j] for j in row] for i, row in enumerate(candidates)])
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-4)
    assert kept.dtype == (np.int8 if finer else np.float32) and kept.shape == (30, 100)
    assert quantizer.rescore_bytes_per_vector(100) == (100 if finer else 400)
    assert quantizer.bytes_per_vector(100) == 13  # the index holds sign bits whatever rescoring reads


def test_binary_rescore_with_is_validated_and_fingerprinted() -> None:
    docs = gaussian(20, 16)
    with pytest.raises(ZooError) as excinfo:
        BinaryQuantizer(rescore=2, rescore_with="fp16").fit(docs)
    assert "rescore_with='fp16'" in one_line(excinfo) and "int8" in one_line(excinfo)
    prints = {w: BinaryQuantizer(rescore=2, rescore_with=w).fit(docs).fingerprint() for w in ("sign", "int8")}
    assert prints["sign"] != prints["int8"]
    assert BinaryQuantizer(rescore=2).fit(docs).rescore_bytes_per_vector(16) == 0


def test_rescore_rejects_codes_of_the_wrong_shape() -> None:
    quantizer = BinaryQuantizer().fit(gaussian(3, 16))
    with pytest.raises(ZooError) as excinfo:
        quantizer.rescore_scores(gaussian(2, 16), np.zeros((2, 3, 3), np.uint8))
    assert "(m=2, candidates, 2)" in one_line(excinfo)


# --- int8 ------------------------------------------------------------------------------------------------


def test_int8_error_within_half_a_step_inside_the_range_and_clipping_outside() -> None:
    X = gaussian(500, 64, seed=4) * np.linspace(0.1, 5, 64, dtype=np.float32)
    quantizer = Int8Quantizer().fit(X)
    assert quantizer.scale_.shape == (64,)
    np.testing.assert_allclose(quantizer.scale_, (X.max(0) - X.min(0)) / 255, rtol=1e-6)
    inside = gaussian(200, 64, seed=5) * np.linspace(0.1, 5, 64, dtype=np.float32)
    inside = np.clip(inside, quantizer.min_, quantizer.max_)
    error = np.abs(quantizer.inverse_transform(quantizer.transform(inside)) - inside)
    assert (error <= quantizer.scale_ / 2 + 1e-5).all()
    outside = np.stack([quantizer.max_ + 10, quantizer.min_ - 10])
    codes = quantizer.transform(outside)
    assert (codes[0] == 127).all() and (codes[1] == -128).all()
    np.testing.assert_allclose(
        quantizer.inverse_transform(codes), np.stack([quantizer.max_, quantizer.min_]), rtol=1e-5, atol=1e-5
    )


def test_int8_degenerate_dimensions() -> None:
    X = gaussian(10, 4)
    X[:, 2] = 3.0
    quantizer = Int8Quantizer().fit(X)
    codes = quantizer.transform(np.vstack([X, np.full((1, 4), 9.0, np.float32)]))
    assert (codes[:, 2] == -128).all()
    assert np.isfinite(quantizer.inverse_transform(codes)).all()
    assert (quantizer.inverse_transform(codes)[:, 2] == 3.0).all()


def test_percentile_calibration_clips_outliers() -> None:
    X = gaussian(2000, 8, seed=6)
    X[0] = 1000.0
    plain, robust = Int8Quantizer().fit(X), Int8Quantizer(calibration="percentile", percentile=99.0).fit(X)
    assert (plain.max_ == 1000.0).all() and (robust.max_ < 5).all() and (robust.min_ > -5).all()
    bulk = X[1:]
    plain_error = np.abs(plain.inverse_transform(plain.transform(bulk)) - bulk).mean()
    robust_error = np.abs(robust.inverse_transform(robust.transform(bulk)) - bulk).mean()
    assert robust_error < plain_error / 10
    assert (robust.transform(X[:1]) == 127).all()


def test_int8_rescore_is_the_dot_product_with_dequantized_codes() -> None:
    docs, queries = gaussian(20, 32, seed=7), gaussian(3, 32, seed=8)
    quantizer = Int8Quantizer(rescore=2).fit(docs)
    codes = quantizer.transform(docs)
    candidates = np.array([[0, 1], [5, 19], [3, 3]])
    restored = quantizer.inverse_transform(codes)
    expected = np.array([[queries[i] @ restored[j] for j in row] for i, row in enumerate(candidates)])
    scores = quantizer.rescore_scores(queries, codes[candidates])
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-5)


# --- matryoshka ------------------------------------------------------------------------------------------


def test_matryoshka_keeps_first_dims_and_unit_norm() -> None:
    X = gaussian(6, 32)
    X[3] = 0.0
    out = Matryoshka(dim=8).fit(X).transform(X)
    assert out.dtype == np.float32 and out.shape == (6, 8)
    norms = np.linalg.norm(out, axis=1)
    np.testing.assert_allclose(norms[[0, 1, 2, 4, 5]], 1.0, rtol=1e-6)
    assert (out[3] == 0).all()
    np.testing.assert_allclose(out[0] * np.linalg.norm(X[0, :8]), X[0, :8], rtol=1e-5)
    np.testing.assert_array_equal(Matryoshka(dim=8, normalize=False).fit(X).transform(X), X[:, :8])


@pytest.mark.parametrize("dim", [0, 33, -1, 2.5])
def test_matryoshka_bad_dim_names_both_numbers(dim: object) -> None:
    with pytest.raises(ZooError) as excinfo:
        Matryoshka(dim=dim).fit(gaussian(2, 32))  # type: ignore[arg-type]
    message = one_line(excinfo)
    assert f"dim={dim!r}" in message and "32" in message


# --- estimator rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, params",
    [
        (BinaryQuantizer, {"rescore": 3, "rescore_with": "int8"}),
        (Int8Quantizer, {"calibration": "percentile", "percentile": 99.0, "rescore": 2}),
        (Matryoshka, {"dim": 16, "normalize": False}),
    ],
)
def test_params_are_stored_unchanged(cls: type, params: dict) -> None:
    assert cls(**params).get_params() == params
    assert set(cls().get_params()) == set(params)
    assert repr(cls(**params)).startswith(f"{cls.__name__}(")
    odd = cls(**{name: "anything" for name in params})  # no validation in __init__
    assert all(getattr(odd, name) == "anything" for name in params)


@pytest.mark.parametrize("cls", ALL)
def test_fingerprint_covers_params_and_fitted_state(cls: type) -> None:
    X, other = gaussian(50, 32, seed=9), gaussian(50, 32, seed=10) * 3
    assert small(cls).fingerprint() == small(cls).fingerprint()
    fitted = small(cls).fit(X).fingerprint()
    assert fitted != small(cls).fingerprint() and fitted == small(cls).fit(X.copy()).fingerprint()
    changed = {BinaryQuantizer: {"rescore": 5}, Int8Quantizer: {"calibration": "percentile"}, Matryoshka: {"dim": 8}}[
        cls
    ]
    assert small(cls, **changed).fit(X).fingerprint() != fitted
    refit = small(cls).fit(other if cls is Int8Quantizer else gaussian(50, 64)).fingerprint()
    assert refit != fitted  # Int8 ranges, or the fitted input dim for the others


@pytest.mark.parametrize("cls", ALL)
def test_transform_before_fit_and_wrong_dim_are_zoo_errors(cls: type) -> None:
    with pytest.raises(ZooError) as excinfo:
        small(cls).transform(gaussian(2, 32))
    assert "not fitted" in one_line(excinfo) and "fit(X)" in one_line(excinfo)
    fitted = small(cls).fit(gaussian(5, 32))
    with pytest.raises(ZooError) as excinfo:
        fitted.transform(gaussian(2, 31))
    assert "31" in one_line(excinfo) and "32" in one_line(excinfo)
    with pytest.raises(ZooError):
        fitted.transform(np.zeros(32, np.float32))
    with pytest.raises(ZooError):
        small(cls).fit(np.zeros((0, 32), np.float32))


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda: BinaryQuantizer(rescore=-1), "rescore=-1"),
        (lambda: BinaryQuantizer(rescore=True), "rescore=True"),
        (lambda: Int8Quantizer(calibration="mean"), "calibration='mean'"),
        (lambda: Int8Quantizer(calibration="percentile", percentile=40), "percentile=40"),
        (lambda: Int8Quantizer(rescore=1.5), "rescore=1.5"),
        (lambda: Matryoshka(normalize="yes"), "normalize='yes'"),
    ],
)
def test_bad_params_fail_in_fit_with_one_line(make, fragment: str) -> None:
    estimator = make()  # constructing never fails
    with pytest.raises(ZooError) as excinfo:
        estimator.fit(gaussian(4, 300))
    assert fragment in one_line(excinfo)


def test_fit_rejects_non_finite_values() -> None:
    X = gaussian(4, 8)
    X[1, 1] = np.nan
    with pytest.raises(ZooError) as excinfo:
        Int8Quantizer().fit(X)
    assert "NaN" in one_line(excinfo)


# --- search quality --------------------------------------------------------------------------------------


def binary_recall_at_10(docs: np.ndarray, queries: np.ndarray, candidates: int = 100) -> float:
    """Recall of the exact cosine top-10 by Hamming top-``candidates`` then float rescoring."""
    docs = docs / np.linalg.norm(docs, axis=1, keepdims=True)
    queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    truth = np.argsort(-(queries @ docs.T), axis=1, kind="stable")[:, :10]
    quantizer = BinaryQuantizer(rescore=candidates // 10).fit(docs)
    codes = quantizer.transform(docs)
    found = np.argsort(-hamming_scores(quantizer.transform(queries), codes), axis=1, kind="stable")
    found = found[:, :candidates]
    rescored = quantizer.rescore_scores(queries, codes[found])
    top = np.take_along_axis(found, np.argsort(-rescored, axis=1, kind="stable")[:, :10], axis=1)
    return float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth.tolist(), top.tolist())]))


def test_binary_rescoring_recall_on_clustered_data() -> None:
    # real embeddings cluster by topic: 200 topics, documents and queries scattered around them (measured 0.85)
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((200, 384))
    docs = centers[rng.integers(0, 200, 2000)] + 0.7 * rng.standard_normal((2000, 384))
    queries = centers[rng.integers(0, 200, 100)] + 0.7 * rng.standard_normal((100, 384))
    assert binary_recall_at_10(docs.astype(np.float32), queries.astype(np.float32)) >= 0.8


def test_binary_rescoring_recall_on_isotropic_gaussian_data() -> None:
    # isotropic noise has no neighbourhoods to keep: the exact top-10 cosines (~0.15) barely stand out from
    # the bulk (sd 0.05), and sign bits keep ~sqrt(2/pi) of the signal; measured 0.31, a floor for regressions
    recall = binary_recall_at_10(gaussian(2000, 384, seed=0), gaussian(100, 384, seed=1))
    assert recall >= 0.25


def test_int8_search_recall_on_isotropic_gaussian_data() -> None:
    docs, queries = gaussian(2000, 384, seed=0), gaussian(100, 384, seed=1)
    docs /= np.linalg.norm(docs, axis=1, keepdims=True)
    truth = np.argsort(-(queries @ docs.T), axis=1, kind="stable")[:, :10]
    quantizer = Int8Quantizer().fit(docs)
    scores = queries @ quantizer.inverse_transform(quantizer.transform(docs)).T
    top = np.argsort(-scores, axis=1, kind="stable")[:, :10]
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth.tolist(), top.tolist())])
    assert recall >= 0.95  # measured 0.99


# --- plugin registration ---------------------------------------------------------------------------------


def test_builtin_plugin_registers_names_aliases_and_lazy_factories() -> None:
    pm = pluggy.PluginManager("zoo")
    pm.add_hookspecs(hookspecs)
    pm.register(builtin, name="zoo.postprocess.builtin")
    registry = Registry.from_plugins(pm)
    expected = {
        "binary": BinaryQuantizer,
        "binarize": BinaryQuantizer,
        "bits": BinaryQuantizer,
        "int8": Int8Quantizer,
        "scalar-int8": Int8Quantizer,
        "matryoshka": Matryoshka,
        "truncate": Matryoshka,
    }
    for name, cls in expected.items():
        assert isinstance(registry.postprocessor(name).factory(), cls)
    assert all(spec.description for spec in registry.postprocessors)
    assert registry.postprocessor("truncate").factory(dim=64).get_params() == {"dim": 64, "normalize": True}


def test_importing_the_plugin_imports_no_numpy() -> None:
    code = "import sys, zoo.postprocess.builtin; sys.exit('numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
