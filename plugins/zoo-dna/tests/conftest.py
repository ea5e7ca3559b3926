"""Shared fixtures: a few real 16S sequences, and task data kept out of the user's cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoo_dna.data import records


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data-home"
    monkeypatch.setenv("ZOO_DATA_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def genes() -> list[str]:
    """Four real 16S genes of different genera, plus a short fragment and an N-only string."""
    picked, seen = [], set()
    for record in records():
        if record.genus not in seen:
            picked.append(record.sequence)
            seen.add(record.genus)
        if len(picked) == 4:
            break
    return [*picked, picked[0][100:350], "NNNN"]
