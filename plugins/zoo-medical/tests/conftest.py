"""Fixtures: the hand-made cohort (see handmade_cohort.py) and a scratch data home."""

from __future__ import annotations

from pathlib import Path

import pytest
from handmade_cohort import write_cohort


@pytest.fixture(scope="session")
def cohort_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_cohort(tmp_path_factory.mktemp("cohort"))


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fitted vectors and task folders go to a scratch data home, never the user's."""
    home = tmp_path / "data-home"
    monkeypatch.setenv("ZOO_DATA_HOME", str(home))
    return home
