"""build_once: a data folder is built once per stamp, in place whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.api import BUILD_FILE, build_once, is_built


def counting_build(calls: list[Path], text: str = "data"):
    def build(folder: Path) -> dict[str, object]:
        calls.append(folder)
        (folder / "data.txt").write_text(text)
        return {"rows": 1}

    return build


def test_builds_once_per_stamp(tmp_path: Path):
    calls: list[Path] = []
    folder = tmp_path / "task" / "v1"
    assert build_once(folder, {"builder": "t v1", "source": "a"}, counting_build(calls)) == folder
    assert build_once(folder, {"builder": "t v1", "source": "a"}, counting_build(calls)) == folder
    assert len(calls) == 1 and calls[0] != folder  # built in a temporary folder, then moved into place
    stamp = (folder / BUILD_FILE).read_text()
    assert json.loads(stamp) == {"builder": "t v1", "rows": 1, "source": "a"}
    assert stamp == json.dumps({"builder": "t v1", "rows": 1, "source": "a"}, indent=1, sort_keys=True) + "\n"


def test_a_changed_stamp_rebuilds(tmp_path: Path):
    calls: list[Path] = []
    build_once(tmp_path / "f", {"source": "a"}, counting_build(calls, "old"))
    build_once(tmp_path / "f", {"source": "b"}, counting_build(calls, "new"))
    assert len(calls) == 2 and (tmp_path / "f" / "data.txt").read_text() == "new"
    assert is_built(tmp_path / "f", {"source": "b"}) and not is_built(tmp_path / "f", {"source": "a"})


def test_a_failed_build_leaves_the_old_folder(tmp_path: Path):
    build_once(tmp_path / "f", {"source": "a"}, counting_build([]))

    def broken(folder: Path) -> None:
        (folder / "data.txt").write_text("half")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        build_once(tmp_path / "f", {"source": "b"}, broken)
    assert (tmp_path / "f" / "data.txt").read_text() == "data" and is_built(tmp_path / "f", {"source": "a"})
    assert [p.name for p in tmp_path.iterdir()] == ["f"]  # no temporary folder left behind


def test_a_folder_without_a_stamp_is_not_built(tmp_path: Path):
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / BUILD_FILE).write_text("not json")
    assert not is_built(tmp_path / "f", {}) and not is_built(tmp_path / "missing", {})


def test_without_a_stamp_the_path_is_the_stamp(tmp_path: Path):
    calls: list[Path] = []
    folder = tmp_path / "v1-0123abcd"
    assert not is_built(folder, None)
    assert build_once(folder, None, counting_build(calls)) == folder
    assert build_once(folder, None, counting_build(calls, "other")) == folder
    assert len(calls) == 1 and is_built(folder, None)
    assert [p.name for p in folder.iterdir()] == ["data.txt"]  # nothing beside what the build wrote
