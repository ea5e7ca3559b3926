"""faiss's HNSW against exact search: recall, bit-identical results when the beam covers the corpus,
ef_search changed between searches, determinism for a seed."""

from __future__ import annotations

import numpy as np
import pytest

faiss = pytest.importorskip("faiss")

from harness.backends.exact import ExactBackend  # noqa: E402
from harness.backends.hnsw import DEFAULT_EF_SEARCH  # noqa: E402
from zoo.errors import ZooError  # noqa: E402
from zoo.protocols import SIMILARITIES, SearchBackend  # noqa: E402
from zoo.testing import check_search_backend  # noqa: E402
from zoo_faiss.hnsw import FaissHnswBackend  # noqa: E402


def ids_for(n: int) -> list[str]:
    return [f"doc{i}" for i in range(n)]


def built(backend: SearchBackend, corpus: np.ndarray, similarity: str = "cosine") -> SearchBackend:
    backend.build(corpus, ids_for(len(corpus)), similarity)  # type: ignore[arg-type]
    return backend


def recall_at_10(found: list[list[str]], truth: list[list[str]]) -> float:
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth)]))


def test_conformance() -> None:
    assert check_search_backend(FaissHnswBackend, min_recall=0.95) > 0.95
    assert check_search_backend(lambda: FaissHnswBackend(insertion_order="shuffled"), min_recall=0.95) > 0.95


def test_params_match_the_core_hnsw_backend() -> None:
    backend = FaissHnswBackend(M=8, ef_search=20, insertion_order="shuffled")
    assert backend.params() == {
        "library": "faiss",
        "M": 8,
        "ef_construction": 200,
        "ef_search": 20,
        "seed": 0,
        "insertion_order": "shuffled",
        "threads": 1,
    }
    assert FaissHnswBackend().ef_search == DEFAULT_EF_SEARCH
    assert len(backend) == 0 and backend.nbytes() == 0


@pytest.mark.parametrize("similarity", SIMILARITIES)
def test_recall_against_exact(clustered: tuple[np.ndarray, np.ndarray], similarity: str) -> None:
    corpus, queries = clustered
    truth, _ = built(ExactBackend(), corpus, similarity).search(queries, 10)
    found, _ = built(FaissHnswBackend(ef_construction=100), corpus, similarity).search(queries, 10)
    assert recall_at_10(found, truth) >= 0.95


@pytest.mark.parametrize("similarity", SIMILARITIES)
@pytest.mark.parametrize("order", ["given", "shuffled"])
def test_beam_over_the_corpus_equals_exact_search(
    tied: tuple[np.ndarray, np.ndarray], similarity: str, order: str
) -> None:
    """Where the walk reaches every document (a graph can strand some: the test checks first)."""
    corpus, queries = tied
    exact = built(ExactBackend(chunk_size=64), corpus, similarity)
    hnsw = built(
        FaissHnswBackend(ef_search=len(corpus), insertion_order=order),  # type: ignore[arg-type]
        corpus,
        similarity,
    )
    query = queries / np.linalg.norm(queries, axis=1, keepdims=True) if similarity == "cosine" else queries
    _, labels = hnsw._index.search(query, len(corpus), params=faiss.SearchParametersHNSW(efSearch=len(corpus)))
    assert (labels >= 0).all()
    for k in (1, 10, len(corpus)):
        want_ids, want_scores = exact.search(queries, k)
        got_ids, got_scores = hnsw.search(queries, k)
        assert got_ids == want_ids
        np.testing.assert_array_equal(got_scores, want_scores)


def test_ef_search_changes_between_searches(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    corpus, queries = clustered
    exact_ids, _ = built(ExactBackend(), corpus).search(queries, 10)
    hnsw = built(FaissHnswBackend(M=4, ef_construction=16), corpus)  # a sparse graph, so that ef matters
    assert hnsw.search_ladder("ef_search") == [16, 32, 64, 128, 256, 512, 1024, 2048, 3000]
    recalls = []
    for ef in (16, 64, 3000):
        hnsw.ef_search = ef
        assert hnsw.params()["ef_search"] == ef
        recalls.append(recall_at_10(hnsw.search(queries, 10)[0], exact_ids))
    assert recalls[0] < 0.9 and recalls[0] < recalls[1] < recalls[2]


def test_same_seed_same_graph_other_seed_another(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    corpus, queries = clustered

    def graph(seed: int) -> tuple[np.ndarray, np.ndarray]:
        index = built(FaissHnswBackend(M=8, ef_construction=40, seed=seed), corpus[:1000])._index
        return faiss.vector_to_array(index.hnsw.levels), faiss.vector_to_array(index.hnsw.neighbors)

    (levels, links), (levels_again, links_again), (other_levels, _) = graph(5), graph(5), graph(6)
    np.testing.assert_array_equal(levels, levels_again)
    np.testing.assert_array_equal(links, links_again)
    assert not np.array_equal(levels, other_levels)


def test_nbytes_counts_the_graph_and_the_rescoring_copy(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    corpus, _ = clustered
    hnsw = built(FaissHnswBackend(M=8), corpus)
    serialised = faiss.serialize_index(hnsw._index).nbytes
    assert abs(hnsw.nbytes() - corpus.nbytes - serialised) < 1024  # the file's headers apart


def test_bad_options_are_one_line_errors() -> None:
    for options, message in [
        ({"M": 1}, r"M must lie in \[2, 10000\]"),
        ({"ef_search": 0}, "ef_search must be a positive integer"),
        ({"seed": -3}, "seed must be a non-negative integer"),
        ({"insertion_order": "random"}, "insertion_order must be 'given' or 'shuffled'"),
        ({"threads": 0}, "threads must be a positive integer"),
    ]:
        with pytest.raises(ZooError, match=message):
            FaissHnswBackend(**options)  # type: ignore[arg-type]
    with pytest.raises(ZooError, match="call build"):
        FaissHnswBackend().search(np.ones((1, 4)), 1)
    with pytest.raises(ZooError, match="build the index first"):
        FaissHnswBackend().search_ladder("ef_search")
    with pytest.raises(ZooError, match="no ladder of values for 'M'"):
        FaissHnswBackend().search_ladder("M")
