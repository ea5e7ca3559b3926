"""StoredMatrix: rows read from segment arrays on demand equal the matrix they stand for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import scattered
from zoo.cache import CacheNamespace, EmbeddingCache
from zoo.stored import StoredMatrix

NS = CacheNamespace("enc-fp", "document")


@pytest.fixture
def matrix() -> np.ndarray:
    return np.random.default_rng(0).standard_normal((50, 6)).astype(np.float32)


def test_rows_by_position_any_shape_with_repeats(matrix: np.ndarray) -> None:
    stored = scattered(matrix, 7)
    positions = np.array([[3, 3, 4, 0], [49, 4, 3, 5]])  # repeats: a slice of the file must not stand in
    np.testing.assert_array_equal(stored[positions], matrix[positions])
    np.testing.assert_array_equal(stored[10:20], matrix[10:20])
    np.testing.assert_array_equal(stored[7], matrix[7])
    np.testing.assert_array_equal(np.asarray(stored), matrix)
    assert stored.shape == (50, 6) and stored.nbytes == matrix.nbytes and len(stored) == 50


@pytest.mark.parametrize("size", [1, 8, 600])
def test_blocks_cover_every_row_once(size: int) -> None:
    matrix = np.random.default_rng(1).standard_normal((2000, 4)).astype(np.float32)
    stored = scattered(matrix, 900).take(np.r_[0:1500, 1600:2000, 3, 3])  # gaps and a repeated row
    want = np.asarray(stored)
    seen = []
    for positions, rows in stored.blocks(size):
        assert len(rows) <= size
        np.testing.assert_array_equal(rows, want[positions])
        seen.extend(positions.tolist())
    assert sorted(seen) == list(range(len(stored)))


def test_blocks_read_long_runs_in_place() -> None:
    """Segments holding consecutive rows of the matrix are searched where they lie: no copy."""
    matrix = np.random.default_rng(2).standard_normal((3000, 4)).astype(np.float32)
    stored = scattered(matrix, 1000)
    blocks = list(stored.blocks(600))
    assert [len(rows) for _, rows in blocks] == [600, 400] * 3
    assert all(any(np.shares_memory(rows, array) for array in stored._arrays) for _, rows in blocks)


def test_take_and_copy_to_read_the_chosen_rows(matrix: np.ndarray) -> None:
    stored = scattered(matrix, 9).take(np.array([5, 1, 5, 40]))
    np.testing.assert_array_equal(np.asarray(stored), matrix[[5, 1, 5, 40]])
    out = np.zeros((6, 6), dtype=np.float32)
    stored.copy_to(out, [0, 2, 3, 5])
    np.testing.assert_array_equal(out[[0, 2, 3, 5]], matrix[[5, 1, 5, 40]])
    assert not out[[1, 4]].any()


def test_cached_vectors_stay_on_disk_until_read(tmp_path: Path, matrix: np.ndarray) -> None:
    cache = EmbeddingCache(tmp_path)
    items = [f"item {i}" for i in range(50)]
    cache.store(NS, items[30:], matrix[30:])  # two segments, stored out of item order
    cache.store(NS, items[:30], matrix[:30])
    found = EmbeddingCache(tmp_path).lookup(NS, items)
    assert isinstance(found.stored, StoredMatrix) and not found.misses
    assert all(isinstance(array, np.memmap) for array in found.stored._mapped)
    assert all(isinstance(array, np.memmap) for array in found.stored.take([3, 1])._mapped)  # releasable too
    before = np.asarray(found.stored)
    found.stored.release()  # unmapping pages never changes what is read next
    np.testing.assert_array_equal(before, matrix)
    np.testing.assert_array_equal(found.stored[[49, 0]], matrix[[49, 0]])


def test_needs_an_array_and_matching_indexes() -> None:
    with pytest.raises(ValueError, match="at least one array"):
        StoredMatrix([], np.zeros(0), np.zeros(0))
    with pytest.raises(ValueError, match="one length"):
        StoredMatrix([np.zeros((2, 2), np.float32)], np.zeros(2), np.zeros(3))
