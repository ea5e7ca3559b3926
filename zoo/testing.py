"""Conformance checks that plugin authors run in their own tests (scikit-learn's estimator checks, in spirit).

    from zoo.testing import check_encoder, check_search_backend
    def test_my_encoder():
        check_encoder(MyEncoder())
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from zoo.protocols import SIMILARITIES, Encoder, SearchBackend

SAMPLE_TEXTS = ("a cat sat on the mat", "stock markets fell sharply", "the kitten is sleeping", "")


def check_encoder(encoder: Encoder, inputs: Sequence[Any] = SAMPLE_TEXTS) -> None:
    """Assert the Encoder contract: shape, dtype, determinism, roles, empty input, stable fingerprint."""
    assert isinstance(encoder, Encoder), "missing Encoder attributes (name, modalities, similarity, dim, ...)"
    assert encoder.similarity in SIMILARITIES, f"similarity must be one of {SIMILARITIES}"
    assert isinstance(encoder.modalities, tuple) and encoder.modalities, "modalities: non-empty tuple"
    first = encoder.encode(list(inputs), role="document")
    assert isinstance(first, np.ndarray) and first.dtype == np.float32, "encode must return float32"
    assert first.shape == (len(inputs), encoder.dim), f"shape {first.shape} != ({len(inputs)}, {encoder.dim})"
    assert np.isfinite(first).all(), "encode returned NaN or inf"
    again = encoder.encode(list(inputs), role="document")
    np.testing.assert_allclose(first, again, atol=1e-5, err_msg="encode is not deterministic")
    one_by_one = np.concatenate([encoder.encode([item], role="document") for item in inputs])
    np.testing.assert_allclose(first, one_by_one, atol=1e-4, err_msg="batching changes vectors")
    queries = encoder.encode(list(inputs), role="query", instruction="Retrieve a similar text")
    assert queries.shape == first.shape, "query role must give the same shape"
    assert encoder.encode([], role="query").shape == (0, encoder.dim), "empty input must give (0, dim)"
    fp = encoder.fingerprint()
    assert isinstance(fp, str) and fp and fp == encoder.fingerprint(), "fingerprint must be a stable str"


def check_search_backend(factory: Callable[[], SearchBackend], *, min_recall: float = 1.0,
                         seed: int = 0) -> float:
    """Compare a backend's top-10 with brute force on random data; returns recall@10 (1.0 for exact)."""
    rng = np.random.default_rng(seed)
    docs = rng.standard_normal((500, 32)).astype(np.float32)
    queries = rng.standard_normal((50, 32)).astype(np.float32)
    ids = [f"d{i}" for i in range(len(docs))]
    recalls = []
    for similarity in SIMILARITIES:
        backend = factory()
        backend.build(docs, ids, similarity)
        found, scores = backend.search(queries, 10)
        assert len(found) == len(queries) and np.asarray(scores).shape == (len(queries), 10)
        assert (np.diff(np.asarray(scores), axis=1) <= 1e-6).all(), "scores must be best-first"
        truth = _brute_force(docs, queries, similarity)
        recalls += [len(set(found[i]) & {ids[j] for j in truth[i]}) / 10 for i in range(len(queries))]
        clipped, _ = backend.search(queries[:1], 10_000)
        assert len(clipped[0]) == len(docs), "k must be clipped to the corpus size"
    recall = float(np.mean(recalls))
    assert recall >= min_recall, f"recall@10 {recall:.3f} below {min_recall}"
    return recall


def _brute_force(docs: np.ndarray, queries: np.ndarray, similarity: str) -> np.ndarray:
    if similarity == "cosine":
        docs = docs / np.linalg.norm(docs, axis=1, keepdims=True)
        queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    if similarity == "euclidean":
        scores = -np.linalg.norm(queries[:, None, :] - docs[None, :, :], axis=2)
    else:
        scores = queries @ docs.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :10]
