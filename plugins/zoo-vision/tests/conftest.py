"""Shared fixtures: tiny random-weight models built once per session, and scratch data/cache folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vision_tiny_models import build_clip, build_llava

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach for the hub
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


@pytest.fixture(autouse=True)
def scratch_homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Task data and embeddings go to this test's folder, never the user's caches."""
    monkeypatch.setenv("ZOO_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("ZOO_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ZOO_MMEB_HOME", raising=False)


@pytest.fixture(scope="session")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_clip(tmp_path_factory.mktemp("tiny-clip"))


@pytest.fixture(scope="session")
def tiny_llava(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_llava(tmp_path_factory.mktemp("tiny-llava"))
