"""Hamming search over packed codes through the exact backend, and binary chains end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from harness.backends.exact import ExactBackend
from tests.conftest import TINY_BEIR
from zoo.errors import ZooError


def brute_force(docs: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    bits_d, bits_q = np.unpackbits(docs, axis=1), np.unpackbits(queries, axis=1)
    distance = (bits_q[:, None, :] != bits_d[None, :, :]).sum(axis=2)
    order = np.argsort(distance, axis=1, kind="stable")[:, :k]  # ties: lower position first
    return order, -np.take_along_axis(distance, order, axis=1).astype(np.float32)


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 1000])
@pytest.mark.parametrize("k", [1, 10, 150])
def test_hamming_matches_brute_force_with_ties(chunk_size: int, k: int):
    rng = np.random.default_rng(chunk_size + k)
    docs = rng.integers(0, 4, size=(120, 2), dtype=np.uint8)  # few distinct codes: many exact ties
    queries = rng.integers(0, 256, size=(9, 2), dtype=np.uint8)
    backend = ExactBackend(chunk_size=chunk_size)
    backend.build(docs, [f"d{i}" for i in range(len(docs))], "hamming")
    ids, scores = backend.search(queries, k)
    order, expected = brute_force(docs, queries, min(k, len(docs)))
    assert ids == [[f"d{i}" for i in row] for row in order]
    np.testing.assert_array_equal(scores, expected)
    assert backend.nbytes() == docs.nbytes and len(backend) == 120


def test_hamming_needs_codes():
    backend = ExactBackend()
    with pytest.raises(ZooError, match="packed uint8 codes"):
        backend.build(np.zeros((3, 4), dtype=np.float32), ["a", "b", "c"], "hamming")
    backend.build(np.zeros((3, 4), dtype=np.uint8), ["a", "b", "c"], "hamming")
    with pytest.raises(ZooError, match="4"):
        backend.search(np.zeros((1, 2), dtype=np.uint8), 1)


def test_binary_chain_through_the_cli(tmp_path: Path):
    from zoo.cli.main import build_cli

    args = [
        "bench",
        "-m",
        "hashing-bow-256",
        "-t",
        str(TINY_BEIR),
        "-b",
        "exact,hnsw",
        "-o",
        str(tmp_path),
        "-p",
        "binary",
        "-p",
        "binary?rescore=4",
        "--no-progress",
        "--no-leaderboard",
    ]
    result = CliRunner().invoke(build_cli(), args)
    assert result.exit_code == 0, result.output
    results = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    binary = [r for r in results if r["chain"]]
    assert {r["backend"] for r in binary} == {"exact"}  # hnswlib has no Hamming space: skipped, said so
    assert "cannot search 'hamming'" in result.output
    for r in binary:
        assert r["bytes_per_vector"] == 32 and r["similarity"] == "hamming"
        assert 0 < r["vs_float"]["retained"] <= 1.5
