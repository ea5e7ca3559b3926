"""HnswBackend against ExactBackend: recall, bit-identical scores when the walk is exhaustive, determinism."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from harness.backends.exact import ExactBackend
from harness.backends.hnsw import HnswBackend
from harness.backends.scoring import pair_scores
from zoo.errors import ZooError
from zoo.protocols import SIMILARITIES, SearchBackend
from zoo.registry import Registry
from zoo.testing import check_search_backend

MIN_RECALL = 0.95


def ids_for(n: int) -> list[str]:
    return [f"doc{i}" for i in range(n)]


@functools.cache
def dataset(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """2,000 documents and 200 queries: unit Gaussian in 32-d, or 40 Gaussian clusters in 64-d."""
    rng = np.random.default_rng(0)
    if kind == "gaussian":
        x = rng.standard_normal((2200, 32)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
    else:
        centres = rng.standard_normal((40, 64)) * 2
        x = (centres[rng.integers(0, 40, 2200)] + rng.standard_normal((2200, 64))).astype(np.float32)
    return x[:2000], x[2000:]


def recall_at_10(backend: SearchBackend, corpus: np.ndarray, queries: np.ndarray, similarity: str) -> float:
    exact = ExactBackend()
    exact.build(corpus, ids_for(len(corpus)), similarity)
    truth, _ = exact.search(queries, 10)
    found, _ = backend.search(queries, 10)
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth)]))


@functools.cache
def built(kind: str, similarity: str, **params: object) -> HnswBackend:
    backend = HnswBackend(ef_construction=100, **params)  # type: ignore[arg-type]
    backend.build(dataset(kind)[0], ids_for(2000), similarity)  # type: ignore[arg-type]
    return backend


def assert_same_as_exact(corpus: np.ndarray, queries: np.ndarray, similarity: str, k: int, **params: object) -> None:
    exact, hnsw = ExactBackend(chunk_size=64), HnswBackend(ef_search=len(corpus), **params)  # type: ignore[arg-type]
    for backend in (exact, hnsw):
        backend.build(corpus, ids_for(len(corpus)), similarity)  # type: ignore[arg-type]
    hnsw._index.set_ef(len(corpus))
    hnsw._index.knn_query(queries, k=len(corpus))  # raises unless the walk reaches every document
    want_ids, want_scores = exact.search(queries, k)
    got_ids, got_scores = hnsw.search(queries, k)
    assert got_ids == want_ids
    np.testing.assert_array_equal(got_scores, want_scores)


def test_protocol_params_and_registry() -> None:
    backend = Registry.from_plugins().backend("hnsw").factory(M=8, ef_search=20, insertion_order="shuffled")
    assert isinstance(backend, HnswBackend) and isinstance(backend, SearchBackend)
    assert backend.params() == {
        "library": "hnswlib",
        "M": 8,
        "ef_construction": 200,
        "ef_search": 20,
        "seed": 0,
        "insertion_order": "shuffled",
        "threads": 1,
    }
    assert len(backend) == 0 and backend.nbytes() == 0


@pytest.mark.parametrize("kind", ["gaussian", "clustered"])
@pytest.mark.parametrize("similarity", SIMILARITIES)
def test_recall_against_exact(kind: str, similarity: str) -> None:
    corpus, queries = dataset(kind)
    assert recall_at_10(built(kind, similarity), corpus, queries, similarity) >= MIN_RECALL


def test_conformance() -> None:
    assert check_search_backend(HnswBackend, min_recall=MIN_RECALL) >= MIN_RECALL


@pytest.mark.parametrize("similarity", SIMILARITIES)
@pytest.mark.parametrize("k", [1, 10, 100, 300])
def test_exhaustive_walk_equals_exact_bit_for_bit(similarity: str, k: int) -> None:
    rng = np.random.default_rng(1)
    corpus = rng.standard_normal((300, 48)).astype(np.float32) * rng.uniform(0.5, 2, (300, 1)).astype(np.float32)
    assert_same_as_exact(corpus, rng.standard_normal((40, 48)).astype(np.float32), similarity, k)


@pytest.mark.parametrize("similarity", SIMILARITIES)
@pytest.mark.parametrize("k", [3, 10, 25])
def test_ties_rank_by_corpus_position_as_exact(similarity: str, k: int) -> None:
    # 12 distinct vectors, each repeated ~25 times: every k-th place is a tie that needs a second fetch
    rng = np.random.default_rng(2)
    pool = rng.standard_normal((12, 16)).astype(np.float32)
    corpus = pool[rng.integers(0, 12, 300)]
    queries = np.concatenate([pool[:4], rng.standard_normal((6, 16)).astype(np.float32)])
    assert_same_as_exact(corpus, queries, similarity, k, insertion_order="shuffled")


def test_pair_scores_do_not_depend_on_layout() -> None:
    rng = np.random.default_rng(3)
    x, q = rng.standard_normal((50, 384)).astype(np.float32), rng.standard_normal((9, 384)).astype(np.float32)
    pos = rng.integers(0, 50, (9, 7))
    for similarity in SIMILARITIES:
        whole = pair_scores(q, x, pos, similarity)  # type: ignore[arg-type]
        offset = np.empty(x.size + 1, dtype=np.float32)[1:].reshape(x.shape)  # misaligned copy
        offset[:] = x
        for i in range(9):
            for j in range(7):
                one = pair_scores(q[i : i + 1], offset, pos[i : i + 1, j : j + 1], similarity)  # type: ignore[arg-type]
                assert one[0, 0] == whole[i, j]


def test_exact_scores_do_not_depend_on_chunk_or_batch_size() -> None:
    corpus, queries = dataset("gaussian")
    results = []
    for chunk_size, batch in [(97, 50), (512, 64), (4096, 1024)]:
        backend = ExactBackend(chunk_size=chunk_size, query_batch_size=batch)
        backend.build(corpus, ids_for(2000), "euclidean")
        results.append(backend.search(queries, 10))
    for ids, scores in results[1:]:
        assert ids == results[0][0]
        np.testing.assert_array_equal(scores, results[0][1])


def saved(backend: HnswBackend, path: Path) -> bytes:
    backend._index.save_index(str(path))
    return path.read_bytes()


def test_single_thread_build_is_deterministic(tmp_path: Path) -> None:
    corpus, queries = dataset("clustered")
    first, second = HnswBackend(ef_construction=100, ef_search=10), HnswBackend(ef_construction=100, ef_search=10)
    for backend in (first, second):
        backend.build(corpus, ids_for(2000), "cosine")
    assert saved(first, tmp_path / "a") == saved(second, tmp_path / "b")
    ids, scores = first.search(queries, 10)
    again_ids, again_scores = second.search(queries, 10)
    assert ids == again_ids
    np.testing.assert_array_equal(scores, again_scores)


def test_same_graph_as_raw_hnswlib_and_seeds_differ(tmp_path: Path) -> None:
    import hnswlib

    corpus, _ = dataset("clustered")
    raw = hnswlib.Index(space="ip", dim=corpus.shape[1])
    raw.init_index(max_elements=len(corpus), M=16, ef_construction=100, random_seed=0)
    raw.add_items(corpus / np.linalg.norm(corpus, axis=1, keepdims=True), np.arange(len(corpus)), num_threads=1)
    raw.save_index(str(tmp_path / "raw"))
    ours, other_seed = built("clustered", "cosine"), built("clustered", "cosine", seed=1)
    assert saved(ours, tmp_path / "ours") == (tmp_path / "raw").read_bytes()
    assert saved(other_seed, tmp_path / "seed1") != (tmp_path / "raw").read_bytes()


def test_shuffled_insertion_changes_graph_not_recall(tmp_path: Path) -> None:
    corpus, queries = dataset("gaussian")
    given, shuffled = built("gaussian", "dot"), built("gaussian", "dot", insertion_order="shuffled")
    assert saved(given, tmp_path / "a") != saved(shuffled, tmp_path / "b")
    low = [HnswBackend(ef_construction=100, ef_search=10, insertion_order=o) for o in ("given", "shuffled")]
    for backend in low:
        backend.build(corpus, ids_for(2000), "dot")
    assert low[0].search(queries, 10)[0] != low[1].search(queries, 10)[0]  # different graphs, different misses
    assert recall_at_10(shuffled, corpus, queries, "dot") >= MIN_RECALL


def test_k_is_clipped_and_memory_reported() -> None:
    rng = np.random.default_rng(4)
    backend = HnswBackend()
    backend.build(rng.standard_normal((30, 8)), ids_for(30), "euclidean")
    ids, scores = backend.search(rng.standard_normal((3, 8)), 1000)
    assert len(backend) == 30 and [len(row) for row in ids] == [30] * 3 and scores.shape == (3, 30)
    assert scores.dtype == np.float32 and (np.diff(scores, axis=1) <= 0).all()
    assert backend.nbytes() == backend._index.index_file_size()  # hnswlib's copy and links, nothing of ours
    exact = ExactBackend()
    exact.build(rng.standard_normal((30, 8)), ids_for(30), "euclidean")
    assert exact.nbytes() == 30 * 8 * 4 + 30 * 4  # vectors and squared norms
    empty_ids, empty_scores = backend.search(np.zeros((0, 8)), 5)
    assert empty_ids == [] and empty_scores.shape == (0, 5)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"M": 1}, r"M must lie in \[2, 10000\]"),
        ({"M": 0}, "M must be a positive integer"),
        ({"ef_construction": 2.5}, "ef_construction must be a positive integer"),
        ({"ef_search": 0}, "ef_search must be a positive integer"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"seed": 2**31}, "below 2147483646"),
        ({"insertion_order": "random"}, "insertion_order must be 'given' or 'shuffled'"),
        ({"threads": True}, "threads must be a positive integer"),
    ],
)
def test_bad_params(params: dict[str, object], match: str) -> None:
    with pytest.raises(ZooError, match=match):
        HnswBackend(**params)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("vectors", "ids", "similarity", "match"),
    [
        (np.ones((3, 2)), ["a", "b"], "dot", "hnsw backend: 3 vectors but 2 ids"),
        (np.ones((0, 2)), [], "dot", "empty corpus"),
        (np.array([[1.0, np.nan]]), ["a"], "dot", "NaN or infinite values .first in row 0"),
        (np.ones((2, 2)), ["a", "a"], "dot", "'a' appears more than once"),
        (np.ones((2, 2)), ["a", "b"], "manhattan", "unknown similarity 'manhattan'"),
    ],
)
def test_build_errors(vectors: object, ids: list[str], similarity: str, match: str) -> None:
    with pytest.raises(ZooError, match=match):
        HnswBackend().build(vectors, ids, similarity)  # type: ignore[arg-type]


def test_search_errors() -> None:
    with pytest.raises(ZooError, match="call build"):
        HnswBackend().search(np.ones((1, 2)), 1)
    backend = HnswBackend()
    backend.build(np.eye(4), ids_for(4), "dot")
    with pytest.raises(ZooError, match="k must be a positive integer"):
        backend.search(np.ones((1, 4)), 0)
    with pytest.raises(ZooError, match="dimension 3 but the index has dimension 4"):
        backend.search(np.ones((2, 3)), 1)


def test_no_copy_of_the_corpus_beside_hnswlibs() -> None:
    """Rescoring reads the caller's vectors; cosine keeps only each vector's length (4 bytes a document)."""
    corpus, queries = dataset("clustered")
    backend = built("clustered", "cosine")
    assert backend._vectors is corpus  # the same array, not a copy
    assert backend.nbytes() == backend._index.index_file_size() + 4 * len(corpus)
    assert built("clustered", "dot").nbytes() == built("clustered", "dot")._index.index_file_size()


def test_ef_search_changes_between_searches_of_one_graph() -> None:
    corpus, queries = dataset("gaussian")
    backend = built("gaussian", "cosine")
    wide = backend.search(queries, 10)
    backend.ef_search = 10
    narrow = backend.search(queries, 10)
    backend.ef_search = 64
    fresh = HnswBackend(ef_construction=100, ef_search=10)
    fresh.build(corpus, ids_for(2000), "cosine")
    assert narrow[0] == fresh.search(queries, 10)[0] and narrow[0] != wide[0]
    assert backend.search(queries, 10)[0] == wide[0]
    with pytest.raises(ZooError, match="ef_search must be a positive integer"):
        backend.ef_search = 0
    assert backend.search_ladder("ef_search") == [
        10,
        16,
        24,
        32,
        48,
        64,
        96,
        128,
        192,
        256,
        384,
        512,
        768,
        1024,
        1536,
        2000,
    ]


def test_slices_handed_to_hnswlib_build_the_same_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import harness.backends.hnsw as hnsw

    corpus, _ = dataset("clustered")
    for order in ("given", "shuffled"):
        graphs = []
        for size in (300, 8192):
            monkeypatch.setattr(hnsw, "ADD_SLICE", size)
            backend = HnswBackend(ef_construction=100, insertion_order=order)
            backend.build(corpus, ids_for(2000), "cosine")
            graphs.append(saved(backend, tmp_path / f"{order}-{size}"))
        assert graphs[0] == graphs[1]
