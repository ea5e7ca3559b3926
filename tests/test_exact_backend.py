"""ExactBackend against a brute-force numpy reference: ids exactly, scores to 1e-5, ties by corpus position."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from harness.backends.exact import ExactBackend
from tests.conftest import scattered
from zoo.errors import ZooError
from zoo.protocols import SIMILARITIES, SearchBackend
from zoo.stored import StoredMatrix

CHUNK_SIZES = (1, 2, 3, 7, 64, 1000)


def reference(corpus: np.ndarray, queries: np.ndarray, k: int, similarity: str) -> tuple[np.ndarray, np.ndarray]:
    """The full float64 score matrix and a stable sort of -scores: ties go to the lower corpus position."""
    x, q = corpus.astype(np.float64), queries.astype(np.float64)
    if similarity == "cosine":
        x = x / np.linalg.norm(x, axis=1, keepdims=True)
        q = q / np.linalg.norm(q, axis=1, keepdims=True)
    if similarity == "euclidean":
        scores = -np.sqrt(((q[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    else:
        scores = q @ x.T
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(scores, order, axis=1)


def ids_for(n: int) -> list[str]:
    return [f"doc{i}" for i in range(n)]


def check(corpus: np.ndarray, queries: np.ndarray, k: int, similarity: str, **kwargs: int) -> None:
    backend = ExactBackend(**kwargs)
    names = ids_for(len(corpus))
    backend.build(corpus, names, similarity)
    got_ids, got_scores = backend.search(queries, k)
    want_pos, want_scores = reference(corpus, queries, k, similarity)
    assert got_scores.dtype == np.float32
    assert got_scores.shape == (len(queries), min(k, len(corpus)))
    assert got_ids == [[names[p] for p in row] for row in want_pos]
    np.testing.assert_allclose(got_scores, want_scores, atol=1e-5, rtol=1e-5)


def random_data(n: int, m: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(np.float32), rng.standard_normal((m, d)).astype(np.float32)


def tie_vectors(rng: np.random.Generator, count: int, d: int = 8) -> np.ndarray:
    """Vectors with four entries of +-1 (norm exactly 2), so every score is exact and ties are real."""
    out = np.zeros((count, d), dtype=np.float32)
    for row in out:
        row[rng.choice(d, 4, replace=False)] = rng.choice([-1.0, 1.0], 4)
    return out


def test_satisfies_protocol_and_reports_params() -> None:
    backend = ExactBackend(chunk_size=10, query_batch_size=5)
    assert isinstance(backend, SearchBackend)
    assert backend.name == "exact"
    assert backend.params() == {"chunk_size": 10, "query_batch_size": 5}
    assert len(backend) == 0
    backend.build(np.eye(3), ids_for(3), "dot")
    assert len(backend) == 3
    ids, _ = backend.search(np.eye(3)[:1], np.int64(1))  # numpy integers are fine for k
    assert ids == [["doc0"]]


@pytest.mark.parametrize("similarity", SIMILARITIES)
@pytest.mark.parametrize("chunk_size", CHUNK_SIZES)
def test_matches_reference_across_chunk_sizes(similarity: str, chunk_size: int) -> None:
    corpus, queries = random_data(n=103, m=11, d=16)  # 103 is prime: no chunk size divides it
    check(corpus, queries, 10, similarity, chunk_size=chunk_size, query_batch_size=4)


@pytest.mark.parametrize("similarity", SIMILARITIES)
@pytest.mark.parametrize("k", [1, 5, 49, 50, 51, 500])
def test_k_up_to_and_beyond_corpus_size(similarity: str, k: int) -> None:
    corpus, queries = random_data(n=50, m=7, d=8, seed=1)
    check(corpus, queries, k, similarity, chunk_size=16)


@pytest.mark.parametrize("similarity", SIMILARITIES)
def test_chunk_larger_than_corpus_and_single_query(similarity: str) -> None:
    corpus, queries = random_data(n=20, m=1, d=5, seed=2)
    check(corpus, queries, 3, similarity, chunk_size=4096)


@pytest.mark.parametrize("similarity", SIMILARITIES)
@pytest.mark.parametrize("chunk_size", CHUNK_SIZES)
@pytest.mark.parametrize("k", [1, 4, 9, 40])
def test_ties_straddling_chunk_boundaries_go_to_lower_position(similarity: str, chunk_size: int, k: int) -> None:
    rng = np.random.default_rng(3)
    pool = tie_vectors(rng, 4)
    corpus = pool[rng.integers(0, len(pool), 37)]  # ~9 copies of each vector, spread over every chunk
    queries = np.concatenate([tie_vectors(rng, 5), pool[:2]])
    check(corpus, queries, k, similarity, chunk_size=chunk_size, query_batch_size=3)


@pytest.mark.parametrize("similarity", SIMILARITIES)
@pytest.mark.parametrize("chunk_size", [64, 100, 257])
@pytest.mark.parametrize("k", [1, 5, 20])
def test_ties_among_few_late_candidates(similarity: str, chunk_size: int, k: int) -> None:
    # Integer scalars from a small range: later chunks hold only a few entries that beat the running k-th,
    # many of them equal to each other or to the k-th itself.
    rng = np.random.default_rng(8)
    corpus = rng.integers(-40, 41, (1500, 1)).astype(np.float32)
    queries = np.array([[1.0], [-1.0], [3.0], [0.0]], dtype=np.float32)
    check(corpus + (similarity == "cosine") * 0.5, queries + 0.25, k, similarity, chunk_size=chunk_size)


@pytest.mark.parametrize("similarity", SIMILARITIES)
def test_all_identical_vectors_return_corpus_order(similarity: str) -> None:
    backend = ExactBackend(chunk_size=4)
    backend.build(np.ones((10, 3), dtype=np.float32), ids_for(10), similarity)
    ids, scores = backend.search(np.ones((2, 3), dtype=np.float32), 6)
    assert ids == [ids_for(6)] * 2
    assert np.all(scores == scores[0, 0])


def test_results_do_not_depend_on_chunk_or_batch_size() -> None:
    rng = np.random.default_rng(4)
    corpus = tie_vectors(rng, 8)[rng.integers(0, 8, 500)]
    queries = tie_vectors(rng, 30)
    results = []
    for chunk_size, batch in [(1, 7), (13, 7), (128, 30), (4096, 1024)]:
        backend = ExactBackend(chunk_size=chunk_size, query_batch_size=batch)
        backend.build(corpus, ids_for(500), "dot")
        results.append(backend.search(queries, 25))
    for ids, scores in results[1:]:
        assert ids == results[0][0]
        np.testing.assert_array_equal(scores, results[0][1])


def test_euclidean_distance_is_exact_for_a_query_equal_to_a_document() -> None:
    corpus, _ = random_data(n=30, m=1, d=64, seed=5)
    corpus *= 100  # large norms: |q|^2 - 2q.x + |x|^2 would cancel to noise here
    backend = ExactBackend(chunk_size=8)
    backend.build(corpus, ids_for(30), "euclidean")
    ids, scores = backend.search(corpus[[17]], 2)
    assert ids[0][0] == "doc17"
    assert scores[0, 0] == 0.0
    assert scores[0, 1] < 0


def test_cosine_tolerates_zero_vectors() -> None:
    corpus = np.array([[0, 0], [1, 0], [0, 1]], dtype=np.float32)
    backend = ExactBackend()
    backend.build(corpus, ["zero", "x", "y"], "cosine")
    ids, scores = backend.search(np.array([[2.0, 0.0]]), 3)
    assert ids == [["x", "zero", "y"]]
    np.testing.assert_allclose(scores, [[1.0, 0.0, 0.0]])


def test_accepts_float64_and_returns_original_ids() -> None:
    corpus, queries = random_data(n=12, m=3, d=4, seed=6)
    backend = ExactBackend()
    names = [f"id-{i:03d}" for i in range(12)][::-1]
    backend.build(corpus.astype(np.float64), names, "dot")
    ids, _ = backend.search(queries.astype(np.float64), 2)
    want, _ = reference(corpus, queries, 2, "dot")
    assert ids == [[names[p] for p in row] for row in want]


def test_memory_stays_bounded_by_chunk_not_corpus() -> None:
    corpus, queries = random_data(n=20_000, m=400, d=32, seed=7)
    backend = ExactBackend(chunk_size=1024, query_batch_size=64)
    backend.build(corpus, ids_for(20_000), "dot")
    tracemalloc.start()
    try:
        backend.search(queries, 10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    full_matrix = len(queries) * len(corpus) * 4  # 32 MB
    assert peak < full_matrix / 20


@pytest.mark.parametrize(
    ("vectors", "ids", "similarity", "match"),
    [
        (np.ones((3, 2)), ["a", "b"], "dot", "3 vectors but 2 ids"),
        (np.ones((0, 2)), [], "dot", "empty corpus"),
        (np.ones(3), ["a", "b", "c"], "dot", "must be 2-D"),
        (np.array([[1.0, np.nan], [0, 1]]), ["a", "b"], "dot", "NaN or infinite values .first in row 0"),
        (np.array([[1.0, 1.0], [np.inf, 1]]), ["a", "b"], "cosine", "row 1"),
        (np.ones((2, 2)), ["a", "a"], "dot", "'a' appears more than once"),
        (np.ones((2, 2)), ["a", "b"], "manhattan", "unknown similarity 'manhattan'"),
        ([["x", "y"]], ["a"], "dot", "numeric array"),
    ],
)
def test_build_errors(vectors: object, ids: list[str], similarity: str, match: str) -> None:
    with pytest.raises(ZooError, match=match):
        ExactBackend().build(vectors, ids, similarity)  # type: ignore[arg-type]


@pytest.fixture
def built() -> ExactBackend:
    backend = ExactBackend()
    backend.build(np.eye(4, dtype=np.float32), ids_for(4), "dot")
    return backend


@pytest.mark.parametrize("k", [0, -1, 2.5, "3", True])
def test_bad_k(built: ExactBackend, k: int) -> None:
    with pytest.raises(ZooError, match="k must be a positive integer"):
        built.search(np.ones((1, 4)), k)


def test_dimension_mismatch_names_both_dims(built: ExactBackend) -> None:
    with pytest.raises(ZooError, match="dimension 3 but the index has dimension 4"):
        built.search(np.ones((2, 3)), 1)


def test_nan_query(built: ExactBackend) -> None:
    with pytest.raises(ZooError, match="query vectors contain NaN"):
        built.search(np.array([[1.0, 0, 0, np.nan]]), 1)


def test_search_before_build() -> None:
    with pytest.raises(ZooError, match="build"):
        ExactBackend().search(np.ones((1, 2)), 1)


@pytest.mark.parametrize("kwargs", [{"chunk_size": 0}, {"query_batch_size": -3}, {"chunk_size": 1.5}])
def test_bad_params(kwargs: dict[str, float]) -> None:
    with pytest.raises(ZooError, match="positive integer"):
        ExactBackend(**kwargs)  # type: ignore[arg-type]


def test_empty_query_batch(built: ExactBackend) -> None:
    ids, scores = built.search(np.ones((0, 4)), 2)
    assert ids == [] and scores.shape == (0, 2)


def check_streamed(
    corpus: np.ndarray, queries: np.ndarray, k: int, similarity: str, rows_per_segment: int, **kwargs: int
) -> None:
    """A StoredMatrix (the corpus left in cache segments) gives in-memory search's ids and scores, bit for bit."""
    names = ids_for(len(corpus))
    in_memory, streamed = ExactBackend(**kwargs), ExactBackend(**kwargs)
    in_memory.build(corpus, names, similarity)
    streamed.build(scattered(corpus, rows_per_segment), names, similarity)
    want_ids, want_scores = in_memory.search(queries, k)
    got_ids, got_scores = streamed.search(queries, k)
    assert got_ids == want_ids
    assert got_scores.tobytes() == want_scores.tobytes()


@pytest.mark.parametrize("similarity", SIMILARITIES[:3])
@pytest.mark.parametrize(("chunk_size", "rows_per_segment"), [(1, 7), (16, 100), (4096, 13)])
@pytest.mark.parametrize("k", [1, 10, 103])
def test_streamed_search_equals_in_memory_search(
    similarity: str, chunk_size: int, rows_per_segment: int, k: int
) -> None:
    corpus, queries = random_data(n=103, m=11, d=16, seed=9)
    check_streamed(corpus, queries, k, similarity, rows_per_segment, chunk_size=chunk_size, query_batch_size=4)


@pytest.mark.parametrize("similarity", SIMILARITIES[:3])
@pytest.mark.parametrize("k", [1, 9, 40])
def test_streamed_search_orders_ties_by_corpus_position(similarity: str, k: int) -> None:
    rng = np.random.default_rng(10)
    pool = tie_vectors(rng, 4)
    corpus = pool[rng.integers(0, len(pool), 300)]
    queries = np.concatenate([tie_vectors(rng, 5), pool[:2]])
    check_streamed(corpus, queries, k, similarity, 32, chunk_size=16, query_batch_size=3)
    want, _ = reference(corpus, queries, k, similarity)
    streamed = ExactBackend(chunk_size=16)
    streamed.build(scattered(corpus, 32, seed=1), ids_for(300), similarity)
    assert streamed.search(queries, k)[0] == [[f"doc{p}" for p in row] for row in want]


@pytest.mark.slow
def test_streamed_search_stays_within_its_memory_bound(tmp_path: Path) -> None:
    """200k cached vectors searched from the cache's files: the corpus is never held in memory, so build
    and search together allocate under a quarter of it (a block of rows, a few numbers per document); in
    memory, the index searches the caller's array without copying it. Both find the same top k."""
    from zoo.cache import CacheNamespace, EmbeddingCache

    n, dim = 200_000, 128
    rng = np.random.default_rng(12)
    corpus = rng.standard_normal((n, dim), dtype=np.float32)
    queries = rng.standard_normal((100, dim), dtype=np.float32)
    items, names = [f"text {i}" for i in range(n)], ids_for(n)
    cache, namespace = EmbeddingCache(tmp_path), CacheNamespace("fp", "document")
    for start in range(0, n, 50_000):
        cache.store(namespace, items[start : start + 50_000], corpus[start : start + 50_000])
    stored = EmbeddingCache(tmp_path).lookup(namespace, items).stored
    assert stored is not None

    def peak(vectors: np.ndarray | StoredMatrix) -> tuple[int, tuple[list[list[str]], np.ndarray]]:
        backend = ExactBackend(chunk_size=1024, query_batch_size=64)
        tracemalloc.start()
        try:
            backend.build(vectors, names, "cosine")
            found = backend.search(queries, 10)
            return tracemalloc.get_traced_memory()[1], found
        finally:
            tracemalloc.stop()

    streamed_peak, streamed = peak(stored)
    in_memory_peak, in_memory = peak(corpus)
    assert streamed[0] == in_memory[0] and streamed[1].tobytes() == in_memory[1].tobytes()
    assert streamed_peak < corpus.nbytes / 4
    assert in_memory_peak < corpus.nbytes / 4
