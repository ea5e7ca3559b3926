"""Shared data: clustered vectors as IVF and HNSW meet them, vectors full of exact ties, and task data kept
out of the user's cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data-home"
    monkeypatch.setenv("ZOO_DATA_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def clustered() -> tuple[np.ndarray, np.ndarray]:
    """3,000 documents and 200 queries around 50 overlapping Gaussian clusters in 64-d: nprobe matters."""
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((50, 64)) * 0.5
    x = (centres[rng.integers(0, 50, 3200)] + rng.standard_normal((3200, 64))).astype(np.float32)
    return x[:3000], x[3000:]


@pytest.fixture(scope="session")
def tied() -> tuple[np.ndarray, np.ndarray]:
    """400 documents and 30 queries in {-1, 0, 1}^8, every document twice: scores tie everywhere."""
    rng = np.random.default_rng(1)
    docs = rng.integers(-1, 2, (200, 8)).astype(np.float32)
    docs[(docs == 0).all(axis=1)] = 1.0  # no zero rows: cosine needs a direction
    queries = rng.integers(-1, 2, (30, 8)).astype(np.float32)
    queries[(queries == 0).all(axis=1)] = 1.0
    return np.concatenate([docs, docs]), queries
