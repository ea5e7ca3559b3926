"""Shared fixtures: fresh registries, fake entry-point distributions, the tiny BEIR task."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Callable

import pytest

DATA = Path(__file__).parent / "data"
TINY_BEIR = DATA / "tiny-beir"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Each test gets a fresh CLI registry and embedding cache; built task data is shared per session."""
    from zoo.cli import main

    monkeypatch.setenv("ZOO_DATA_HOME", str(tmp_path_factory.getbasetemp() / "data-home"))
    monkeypatch.setenv("ZOO_CACHE_HOME", str(tmp_path / "embedding-cache"))
    monkeypatch.chdir(tmp_path)  # `zoo bench` writes results/ and leaderboards/ under the working folder
    main.registry.cache_clear()
    main.plugin_manager.cache_clear()
    yield
    main.registry.cache_clear()
    main.plugin_manager.cache_clear()


@pytest.fixture
def fake_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], Path]:
    """Write a plugin module and a dist-info with a "zoo" entry point onto sys.path; nothing installed."""

    def make(name: str, source: str) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        (root / f"{name}.py").write_text(textwrap.dedent(source))
        dist = root / f"{name}-1.0.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        (dist / "entry_points.txt").write_text(f"[zoo]\n{name} = {name}\n")
        monkeypatch.syspath_prepend(str(root))
        return root

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip gpu tests without CUDA, and network tests unless ZOO_NETWORK_TESTS=1."""
    if any("gpu" in item.keywords for item in items):
        import torch  # only when a gpu test was collected

        if not torch.cuda.is_available():
            for item in items:
                if "gpu" in item.keywords:
                    item.add_marker(pytest.mark.skip(reason="needs a CUDA device"))
    if os.environ.get("ZOO_NETWORK_TESTS") != "1":
        for item in items:
            if "network" in item.keywords:
                item.add_marker(pytest.mark.skip(reason="needs the Hugging Face hub; set ZOO_NETWORK_TESTS=1"))


def scattered(x, rows_per_segment: int, seed: int = 0):  # noqa: ANN001, ANN201
    """``x`` as a StoredMatrix whose rows lie shuffled over segments of ``rows_per_segment``, as a cache
    filled by several runs in another order would hold them."""
    import numpy as np

    from zoo.stored import StoredMatrix

    order = np.random.default_rng(seed).permutation(len(x))
    arrays, segments, rows = [], np.empty(len(x), np.int64), np.empty(len(x), np.int64)
    for number, start in enumerate(range(0, len(x), rows_per_segment)):
        part = order[start : start + rows_per_segment]
        arrays.append(np.ascontiguousarray(x[part], dtype=np.float32))
        segments[part], rows[part] = number, np.arange(len(part))
    return StoredMatrix(arrays, segments, rows)
