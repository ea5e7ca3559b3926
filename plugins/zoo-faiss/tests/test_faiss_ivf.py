"""IVF-Flat and IVF-PQ against exact search: equal when every list is probed, recall, size, determinism."""

from __future__ import annotations

import numpy as np
import pytest

faiss = pytest.importorskip("faiss")

from harness.backends.exact import ExactBackend  # noqa: E402
from zoo.errors import ZooError  # noqa: E402
from zoo.protocols import SIMILARITIES, SearchBackend  # noqa: E402
from zoo.testing import check_search_backend  # noqa: E402
from zoo_faiss.ivf import IvfFlatBackend, IvfPqBackend, default_m, default_nlist  # noqa: E402


def ids_for(n: int) -> list[str]:
    return [f"doc{i}" for i in range(n)]


def built(backend: SearchBackend, corpus: np.ndarray, similarity: str = "cosine") -> SearchBackend:
    backend.build(corpus, ids_for(len(corpus)), similarity)  # type: ignore[arg-type]
    return backend


def recall_at_10(found: list[list[str]], truth: list[list[str]]) -> float:
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth)]))


def test_conformance_with_every_list_probed() -> None:
    assert check_search_backend(lambda: IvfFlatBackend(nlist=8, nprobe=8)) == 1.0
    assert isinstance(IvfFlatBackend(), SearchBackend) and isinstance(IvfPqBackend(), SearchBackend)


def test_conformance_with_one_list_probed() -> None:
    """One of 8 lists: recall drops, yet every query gets its k hits (short lists widen the probe)."""
    assert 0.2 < check_search_backend(lambda: IvfFlatBackend(nlist=8, nprobe=1), min_recall=0.0) < 0.9


def test_ivf_pq_conformance() -> None:
    assert check_search_backend(lambda: IvfPqBackend(nlist=4, nprobe=4, m=8), min_recall=0.95) < 1.0


@pytest.mark.parametrize("similarity", SIMILARITIES)
@pytest.mark.parametrize("data", ["tied", "clustered"])
def test_every_list_probed_equals_exact_search(similarity: str, data: str, request: pytest.FixtureRequest) -> None:
    """ids and float32 scores bit for bit, equal scores in corpus order, at depths 1, 10 and the whole corpus."""
    corpus, queries = request.getfixturevalue(data)
    exact = built(ExactBackend(chunk_size=64), corpus, similarity)
    ivf = built(IvfFlatBackend(nlist=16, nprobe=16), corpus, similarity)
    for k in (1, 10, len(corpus)):
        want_ids, want_scores = exact.search(queries, k)
        got_ids, got_scores = ivf.search(queries, k)
        assert got_ids == want_ids
        np.testing.assert_array_equal(got_scores, want_scores)


def test_nprobe_changes_between_searches_without_a_rebuild(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    corpus, queries = clustered
    exact_ids, exact_scores = built(ExactBackend(), corpus).search(queries, 10)
    ivf = built(IvfFlatBackend(nlist=32, nprobe=1), corpus)
    index = ivf._index
    recalls = []
    for nprobe in ivf.search_ladder("nprobe"):
        ivf.nprobe = nprobe
        assert ivf.params()["nprobe"] == nprobe
        found, scores = ivf.search(queries, 10)
        recalls.append(recall_at_10(found, exact_ids))
    assert ivf._index is index  # the same index throughout
    assert recalls == sorted(recalls) and recalls[0] < 0.9 and recalls[-1] == 1.0
    np.testing.assert_array_equal(scores, exact_scores)
    with pytest.raises(ZooError, match="nprobe must be a positive integer"):
        ivf.nprobe = 0


def test_ladder_doubles_up_to_nlist() -> None:
    assert IvfFlatBackend(nlist=12).search_ladder("nprobe") == [1, 2, 4, 8, 12]
    assert IvfFlatBackend(nlist=1).search_ladder("nprobe") == [1]
    with pytest.raises(ZooError, match="needs nlist"):
        IvfFlatBackend().search_ladder("nprobe")
    with pytest.raises(ZooError, match="no ladder of values for 'rescore'"):
        IvfPqBackend(nlist=4).search_ladder("rescore")


def test_default_nlist_is_four_root_n_within_what_the_sample_fills() -> None:
    assert default_nlist(98_186, 98_186) == 1253  # 4 sqrt(n)
    assert default_nlist(5_000, 5_000) == 128  # 39 training vectors per list, faiss's minimum
    assert default_nlist(98_186, 2_000) == 51
    assert default_nlist(10, 10) == 1
    assert [default_m(d) for d in (384, 256, 32, 6, 7)] == [96, 64, 8, 1, 1]


def test_params_report_what_was_built(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    corpus, _ = clustered
    flat = IvfFlatBackend()
    assert flat.params() == {
        "library": "faiss",
        "nlist": None,
        "nprobe": None,
        "train_size": None,
        "seed": 0,
        "threads": 1,
        "code_bytes": None,
        "rescore_bytes": None,
    }
    built(flat, corpus)
    assert default_nlist(3000, 3000) == 76
    assert flat.params() == {
        "library": "faiss",
        "nlist": 76,
        "nprobe": 10,
        "train_size": 3000,
        "seed": 0,
        "threads": 1,
        "code_bytes": 256,
        "rescore_bytes": 256,
    }  # nprobe: nlist / 8
    pq = built(IvfPqBackend(nlist=16, nprobe=4, m=16, nbits=6, rescore=8, train_size=2000, seed=3), corpus)
    assert pq.params() == {
        "library": "faiss",
        "nlist": 16,
        "nprobe": 4,
        "train_size": 2000,
        "seed": 3,
        "threads": 1,
        "m": 16,
        "nbits": 6,
        "rescore": 8,
        "code_bytes": 12,
        "rescore_bytes": 256,
    }


@pytest.mark.parametrize(
    ("m", "nbits", "code_bytes", "similarity"),
    [(8, 8, 8, "cosine"), (16, 8, 16, "euclidean"), (16, 4, 8, "dot"), (32, 8, 32, "cosine")],
)
def test_pq_code_bytes_per_vector_are_as_stated(
    clustered: tuple[np.ndarray, np.ndarray], m: int, nbits: int, code_bytes: int, similarity: str
) -> None:
    """m * nbits / 8 bytes per vector, and nbytes() counts what faiss holds plus the float32 copy."""
    corpus = clustered[0][:1000]
    pq = built(IvfPqBackend(nlist=16, m=m, nbits=nbits), corpus, similarity)
    assert pq.params()["code_bytes"] == code_bytes == pq._index.code_size
    lists = len(corpus) * (code_bytes + 8)  # a code and an int64 id per vector
    tables = 4 * pq._index.precomputed_table.size()  # faiss rebuilds these on load: not serialised
    serialised = faiss.serialize_index(pq._index).nbytes
    assert lists < serialised
    assert abs(pq.nbytes() - corpus.nbytes - tables - serialised) < 1024  # the file's headers apart


@pytest.mark.parametrize("similarity", SIMILARITIES)
def test_pq_recall_against_exact(clustered: tuple[np.ndarray, np.ndarray], similarity: str) -> None:
    corpus, queries = clustered
    truth, _ = built(ExactBackend(), corpus, similarity).search(queries, 10)
    pq = built(IvfPqBackend(nlist=32, nprobe=32, m=16), corpus, similarity)  # 16 bytes per 64-d vector
    recalls = {}
    for rescore in (1, 4):
        pq.rescore = rescore
        recalls[rescore] = recall_at_10(pq.search(queries, 10)[0], truth)
    assert 0.5 < recalls[1] < recalls[4] and recalls[4] >= 0.9


@pytest.mark.parametrize("backend", [IvfFlatBackend, IvfPqBackend])
def test_same_seed_same_index_other_seed_another(backend: type, clustered: tuple[np.ndarray, np.ndarray]) -> None:
    corpus, queries = clustered

    def run(seed: int) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
        ivf = built(backend(nlist=32, nprobe=2, train_size=1500, seed=seed), corpus)
        centroids = ivf._index.quantizer.reconstruct_n(0, 32)
        return centroids, *ivf.search(queries, 10)

    first, again, other = run(0), run(0), run(1)
    np.testing.assert_array_equal(first[0], again[0])
    assert first[1] == again[1]
    np.testing.assert_array_equal(first[2], again[2])
    assert not np.array_equal(first[0], other[0])


def test_bad_options_are_one_line_errors(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    corpus, queries = clustered
    for options, message in [
        ({"nlist": 0}, "nlist must be a positive integer"),
        ({"nprobe": -1}, "nprobe must be a positive integer"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"train_size": 1.5}, "train_size must be a positive integer"),
        ({"nbits": 17}, "nbits must be at most 16"),
        ({"rescore": 0}, "rescore must be a positive integer"),
    ]:
        with pytest.raises(ZooError, match=message):
            IvfPqBackend(**options)
    with pytest.raises(ZooError, match="call build"):
        IvfFlatBackend().search(queries, 10)
    with pytest.raises(ZooError, match=r"nlist=4000 needs at least 4000 training vectors, the sample has 3000"):
        built(IvfFlatBackend(nlist=4000), corpus)
    with pytest.raises(ZooError, match="m=10 must divide the dimension 64; use one of 4, 8, 16"):
        built(IvfPqBackend(m=10), corpus)
    with pytest.raises(ZooError, match="nbits=10 needs at least 1024 training vectors"):
        built(IvfPqBackend(nlist=8, nbits=10, train_size=1000), corpus)
    with pytest.raises(ZooError, match="queries have dimension 3"):
        built(IvfFlatBackend(nlist=8), corpus).search(np.ones((1, 3)), 10)
