"""Sharded exact search: per-shard top k merged on the driver equals one process's ExactBackend."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pytest

from harness.backends.exact import ExactBackend
from harness.engines.ray_search import ShardedExact, merge_top, shard, shard_bounds
from tests.conftest import scattered
from tests.test_exact_backend import ids_for, random_data, tie_vectors
from zoo.errors import ZooError
from zoo.protocols import SIMILARITIES, SearchBackend

FLOAT_SIMILARITIES = SIMILARITIES[:3]


def one_process(corpus: np.ndarray, queries: np.ndarray, k: int, similarity: str) -> tuple[list, np.ndarray]:
    backend = ExactBackend(chunk_size=16)
    backend.build(corpus, ids_for(len(corpus)), similarity)
    return backend.search(queries, k)


def tied_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Few distinct vectors, each repeated across every shard: ties everywhere, straddling shard edges."""
    rng = np.random.default_rng(seed)
    pool = tie_vectors(rng, 4)
    return pool[rng.integers(0, len(pool), 101)], np.concatenate([tie_vectors(rng, 5), pool[:2]])


def test_shard_bounds_cover_the_corpus_evenly() -> None:
    assert shard_bounds(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert shard_bounds(2, 4) == [(0, 1), (1, 2)]  # no empty shards
    assert shard_bounds(7, 1) == [(0, 7)]


def test_a_shard_of_a_stored_corpus_is_read_into_memory() -> None:
    corpus, _ = random_data(n=50, m=1, d=4, seed=2)
    np.testing.assert_array_equal(shard(scattered(corpus, 7), 10, 30), corpus[10:30])
    assert np.shares_memory(shard(corpus, 10, 30), corpus)  # the caller's array: a view, put as it is


@pytest.mark.parametrize("similarity", FLOAT_SIMILARITIES)
@pytest.mark.parametrize("shards", [1, 2, 3, 7])
@pytest.mark.parametrize("k", [1, 10, 101])
@pytest.mark.parametrize("data", ["random", "ties"])
def test_merged_shard_tops_equal_one_process(similarity: str, shards: int, k: int, data: str) -> None:
    corpus, queries = random_data(n=101, m=9, d=8, seed=3) if data == "random" else tied_data(4)
    parts = []
    for start, stop in shard_bounds(len(corpus), shards):
        shard = ExactBackend(chunk_size=16)
        shard.build(corpus[start:stop], ids_for(stop - start), similarity)
        parts.append((start, *shard.search_positions(queries, k)))
    positions, scores = merge_top(parts, min(k, len(corpus)))
    want_ids, want_scores = one_process(corpus, queries, k, similarity)
    assert [[f"doc{p}" for p in row] for row in positions] == want_ids
    assert scores.tobytes() == want_scores.tobytes()


def test_workers_a_cluster_lacks_room_for_wait_for_nodes_where_it_may_grow(capsys: pytest.CaptureFixture[str]):
    """A local instance never gains CPUs: refused at once. A cluster at an address gains nodes as they
    start: the workers wait for them (a two-node cluster's second node may still be joining)."""

    class OneCpu:
        def cluster_resources(self) -> dict[str, float]:
            return {"CPU": 1.0}

    with pytest.raises(ZooError, match="2 search workers of 1 CPU need 2 CPUs; the Ray cluster has 1: ask for"):
        ShardedExact(workers=2)._check_room(OneCpu(), 2, 1.0)
    ShardedExact(workers=2, address="head:6379")._check_room(OneCpu(), 2, 1.0)
    assert "they start as nodes join" in capsys.readouterr().err
    ShardedExact(workers=2)._check_room(OneCpu(), 1, 1.0)  # room enough: nothing said


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("similarity", FLOAT_SIMILARITIES)
def test_ray_shards_return_exactly_what_one_process_does(local_ray: None, similarity: str) -> None:
    for (corpus, queries), stored in ((random_data(n=1000, m=40, d=16, seed=5), False), (tied_data(6), True)):
        sharded = ShardedExact(workers=2, chunk_size=16)
        assert isinstance(sharded, SearchBackend)
        sharded.build(scattered(corpus, 17) if stored else corpus, ids_for(len(corpus)), similarity)
        try:
            for k in (1, 10, len(corpus)):
                got_ids, got_scores = sharded.search(queries, k)
                want_ids, want_scores = one_process(corpus, queries, k, similarity)
                assert got_ids == want_ids and got_scores.tobytes() == want_scores.tobytes()
            assert sharded.search(queries[:0], 3)[1].shape == (0, 3)
            assert len(sharded) == len(corpus) and sharded.nbytes() >= corpus.nbytes
        finally:
            sharded.close()


@pytest.mark.slow
def test_ray_sharded_search_refuses_what_cannot_run(local_ray: None) -> None:
    sharded = ShardedExact(workers=3)
    assert sharded.params() == ExactBackend().params()  # workers change cost, not results: one configuration
    corpus, queries = random_data(n=30, m=2, d=4, seed=7)
    with pytest.raises(ZooError, match="3 search workers of 1 CPU need 3 CPUs; the Ray cluster has 2"):
        sharded.build(corpus, ids_for(30), "dot")
    codes = np.random.default_rng(8).integers(0, 256, (30, 4), dtype=np.uint8)
    sharded.build(codes, ids_for(30), "hamming")  # codes are small: searched in this process
    local = ExactBackend()
    local.build(codes, ids_for(30), "hamming")
    assert sharded.search(codes[:3], 5)[0] == local.search(codes[:3], 5)[0]
    with pytest.raises(ZooError, match="dimension 3 but the index has dimension 4"):
        two = ShardedExact(workers=2)
        two.build(corpus, ids_for(30), "dot")
        two.search(np.ones((1, 3)), 1)
    two.close()
