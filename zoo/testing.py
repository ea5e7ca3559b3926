"""Conformance checks that plugin authors run in their own tests (scikit-learn's estimator checks, in spirit).

    from zoo.testing import check_encoder, check_postprocessor, check_search_backend, check_task
    def test_my_encoder():
        check_encoder(MyEncoder())

Each check raises AssertionError naming the broken rule; the zoo runs them on every built-in component.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence

import numpy as np

from zoo.errors import ZooError
from zoo.protocols import SIMILARITIES, Encoder, PostProcessor, SearchBackend, SearchStats, Task, TaskScores, TaskSpec

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


def check_search_backend(factory: Callable[[], SearchBackend], *, min_recall: float = 1.0, seed: int = 0) -> float:
    """Compare a backend's top-10 with brute force on random data, for every similarity; check ties, zero
    vectors and k clipping; returns recall@10 (1.0 for an exact backend)."""
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
        _check_ties(factory, similarity, exact=min_recall >= 1.0, seed=seed)
        _check_zero_vectors(factory, similarity, seed=seed)
    recall = float(np.mean(recalls))
    assert recall >= min_recall, f"recall@10 {recall:.3f} below {min_recall}"
    return recall


def _check_ties(factory: Callable[[], SearchBackend], similarity: str, *, exact: bool, seed: int) -> None:
    """Copies of one vector score the same: the copy built earlier must rank first."""
    rng = np.random.default_rng(seed + 1)
    base = rng.standard_normal((100, 32)).astype(np.float32)  # 300 documents: enough to train IVF-PQ codebooks
    copies = 3
    docs = np.concatenate([base] * copies)  # row i, i + 100 and i + 200 hold the same vector
    ids = [f"t{i:03d}" for i in range(len(docs))]
    backend = factory()
    backend.build(docs, ids, similarity)
    found, scores = backend.search(base[:10], 2 * copies)
    position = {doc_id: i for i, doc_id in enumerate(ids)}
    for row, (hits, row_scores) in enumerate(zip(found, np.asarray(scores))):
        for a, b, score_a, score_b in zip(hits, hits[1:], row_scores, row_scores[1:]):
            if score_a == score_b:
                assert position[a] < position[b], (
                    f"{similarity}: tied hits {a} and {b} must come in build order (earlier built first)"
                )
        if exact:
            assert hits[:copies] == [ids[row + k * len(base)] for k in range(copies)], (
                f"{similarity}: the {copies} copies of query {row} must lead, in build order, got {hits[:copies]}"
            )


def _check_zero_vectors(factory: Callable[[], SearchBackend], similarity: str, *, seed: int) -> None:
    """An all-zero document or query gives finite scores; a zero document's cosine and dot scores are 0."""
    rng = np.random.default_rng(seed + 2)
    docs = rng.standard_normal((300, 32)).astype(np.float32)
    docs[[0, 30]] = 0.0
    ids = [f"z{i}" for i in range(len(docs))]
    backend = factory()
    backend.build(docs, ids, similarity)
    queries = np.concatenate([np.zeros((1, 32), np.float32), rng.standard_normal((4, 32)).astype(np.float32)])
    found, scores = backend.search(queries, len(docs))
    scores = np.asarray(scores)
    assert np.isfinite(scores).all(), f"{similarity}: zero vectors must not give NaN or infinite scores"
    if similarity in ("cosine", "dot"):
        for hits, row_scores in zip(found[1:], scores[1:]):
            zero_scores = [s for doc_id, s in zip(hits, row_scores) if doc_id in ("z0", "z30")]
            assert np.allclose(zero_scores, 0.0, atol=1e-6), f"{similarity}: a zero document must score 0"


def check_postprocessor(factory: Callable[[], PostProcessor], X: np.ndarray | None = None, *, seed: int = 0) -> None:
    """Assert scikit-learn's estimator rules: parameters stored as given, ``fit`` returns self and learns
    trailing-underscore state that the fingerprint covers, ``transform`` refused before ``fit``, changes no
    state and maps rows one by one to float32, int8 or uint8 rows."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((300, 256)).astype(np.float32) if X is None else np.asarray(X, dtype=np.float32)
    other = rng.standard_normal(X.shape).astype(np.float32) * 2.0 + 0.5
    post = factory()
    assert isinstance(post, PostProcessor), "missing fit, transform or fingerprint"
    for name in [p for p in inspect.signature(type(post).__init__).parameters if p != "self"]:
        assert hasattr(post, name), f"__init__ parameter {name!r} must be stored as the attribute {name!r}"
    assert not _state(post), "__init__ must learn nothing (no trailing-underscore attributes)"
    try:
        post.transform(X)
    except ZooError:
        pass
    else:
        raise AssertionError("transform before fit must raise ZooError")
    unfitted = post.fingerprint()
    assert post.fit(X) is post, "fit must return self"
    assert _state(post), "fit must store what it learns in trailing-underscore attributes"
    fitted = post.fingerprint()
    assert fitted != unfitted, "the fitted state must change the fingerprint"
    assert post.fingerprint() == fitted, "fingerprint must be stable"
    out = post.transform(X)
    assert isinstance(out, np.ndarray) and out.ndim == 2 and len(out) == len(X), "transform: one row per row"
    assert out.dtype in (np.float32, np.int8, np.uint8), f"transform gave {out.dtype}: use float32, int8 or uint8"
    if out.dtype == np.float32:
        assert np.isfinite(out).all(), "transform gave NaN or inf"
    assert post.fingerprint() == fitted, "transform must not change the fitted state"
    np.testing.assert_array_equal(post.transform(X[:7]), out[:7], err_msg="a row must not depend on the others")
    _check_refit(factory, post, X, other)


def _check_refit(factory: Callable[[], PostProcessor], post: Any, X: np.ndarray, other: np.ndarray) -> None:
    """Fitting again starts afresh; two fits differ in fingerprint exactly when their learned state does."""
    again = factory().fit(other).fit(X)
    assert again.fingerprint() == post.fingerprint(), "fit must start afresh, not build on an earlier fit"
    elsewhere = factory().fit(other)
    same_state = _same(_state(elsewhere), _state(post))
    assert (elsewhere.fingerprint() == post.fingerprint()) == same_state, (
        "the fingerprint must differ exactly when the fitted state does"
    )


def _state(post: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(post).items() if k.endswith("_") and not k.startswith("_")}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b))
    if hasattr(a, "__dict__") and type(a) is type(b):
        return _same(vars(a), vars(b))
    return a == b


def check_task(task: Task, encoder: Encoder, backend_factory: Callable[[], SearchBackend] | None = None) -> TaskScores:
    """Assert the Task contract with ``encoder`` (and a fresh backend per run for search tasks): metadata,
    a stable data fingerprint, a main score that is one of the scores, finite, reproduced by the per-item
    scores, search cost reported, and the same scores twice. Returns the scores."""
    assert isinstance(task, Task), "missing spec, data_fingerprint or evaluate"
    spec = task.spec
    assert isinstance(spec, TaskSpec) and spec.name and spec.type and spec.main_metric, "spec: name, type, metric"
    fingerprint = task.data_fingerprint()
    assert isinstance(fingerprint, str) and fingerprint == task.data_fingerprint(), "data fingerprint: stable str"
    if spec.uses_search:
        assert backend_factory is not None, f"{spec.name} searches: pass a backend_factory"
    runs = [
        task.evaluate(encoder, backend_factory() if spec.uses_search else None, depth=None)  # type: ignore[misc]
        for _ in range(2)
    ]
    scores = runs[0]
    assert isinstance(scores, TaskScores), "evaluate must return TaskScores"
    assert spec.main_metric in scores.scores, f"main metric {spec.main_metric!r} missing from the scores"
    assert scores.main_score == scores.scores[spec.main_metric], "main_score must equal scores[main_metric]"
    assert all(np.isfinite(v) for v in scores.scores.values()), "every score must be finite"
    assert isinstance(scores.split, str) and scores.split, "split must name the split evaluated"
    if spec.uses_search:
        search = scores.search
        assert isinstance(search, SearchStats) and search.n_queries > 0, "a search task reports SearchStats"
        assert isinstance(search.depth, int) and search.depth > 0, "SearchStats.depth: the hits asked per query"
    assert runs[1].scores == scores.scores, "evaluate must give the same scores every time"
    if scores.items is not None:
        assert np.isclose(_item_statistic(scores.items), scores.main_score, atol=1e-6), (
            "the per-item scores must give the main score back"
        )
    return scores


def _item_statistic(items: Any) -> float:
    """The statistic ``ItemScores.statistic`` names, computed here from its definition (not the harness's code)."""
    if items.statistic == "mean":
        return float(np.mean(items.values))
    if items.statistic == "ap":  # columns: score, 0/1 label
        from sklearn.metrics import average_precision_score

        return float(average_precision_score(items.values[:, 1], items.values[:, 0]))
    from scipy.stats import spearmanr

    return float(spearmanr(items.values[:, 0], items.values[:, 1]).statistic)


def _brute_force(docs: np.ndarray, queries: np.ndarray, similarity: str) -> np.ndarray:
    if similarity == "cosine":
        docs = docs / np.linalg.norm(docs, axis=1, keepdims=True)
        queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    if similarity == "euclidean":
        scores = -np.linalg.norm(queries[:, None, :] - docs[None, :, :], axis=2)
    else:
        scores = queries @ docs.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :10]
