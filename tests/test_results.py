"""Result files: round trip, atomic writes, run identity, the DataFrame loader."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from harness.data.paths import atomic_write_text
from harness.results import ResultStore, TaskResult, read_result
from zoo.errors import DataError

RESULT = TaskResult(
    task="tiny",
    task_type="retrieval",
    task_version="1",
    split="test",
    data_fingerprint="d" * 16,
    encoder="enc",
    encoder_fingerprint="e" * 16,
    dim=8,
    similarity="cosine",
    backend="exact",
    backend_params={"chunk_size": 4096},
    main_metric="ndcg_at_10",
    main_score=0.5,
    scores={"ndcg_at_10": 0.5, "recall_at_10": 0.75},
    encode_seconds=2.0,
    items_encoded=100,
    bytes_per_vector=32,
    build_seconds=0.1,
    search_seconds=0.5,
    n_queries=10,
)


def test_round_trip(tmp_path: Path):
    path = ResultStore(tmp_path).write(RESULT)
    assert read_result(path) == RESULT
    data = json.loads(path.read_text())
    assert data["items_per_second"] == 50.0 and data["queries_per_second"] == 20.0
    assert data["run_id"] == RESULT.run_id


def test_run_id_ignores_when_but_not_what(tmp_path: Path):
    store = ResultStore(tmp_path)
    store.write(RESULT)
    store.write(replace(RESULT, date="2030-01-01", main_score=0.6))  # a re-run replaces its file
    assert len(list(tmp_path.glob("*.json"))) == 1
    store.write(replace(RESULT, backend_params={"chunk_size": 1}))  # different parameters: new run
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_frame_has_a_column_per_metric(tmp_path: Path):
    store = ResultStore(tmp_path)
    store.write(RESULT)
    store.write(replace(RESULT, encoder="other", encoder_fingerprint="f" * 16, main_score=0.7))
    frame = store.to_frame()
    assert sorted(frame["encoder"]) == ["enc", "other"]
    assert set(frame["score.recall_at_10"]) == {0.75}
    assert frame.loc[frame.encoder == "other", "main_score"].item() == 0.7


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path):
    target = tmp_path / "r.json"
    target.write_text("old")

    with pytest.raises(TypeError):  # the write fails after the temporary file was created
        atomic_write_text(target, b"not text")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temp file left behind


def test_a_foreign_json_is_a_clear_error_and_a_store_skips_it(tmp_path: Path, capsys: pytest.CaptureFixture):
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(DataError, match=r"x\.json: not a valid zoo result \('task' is a required property\)"):
        read_result(tmp_path / "x.json")
    ResultStore(tmp_path).write(RESULT)
    assert list(ResultStore(tmp_path)) == [RESULT]
    assert "skipping" in capsys.readouterr().err


def test_items_are_written_beside_the_result_and_read_back(tmp_path: Path):
    import numpy as np

    from harness.results import read_result_items
    from zoo.protocols import ItemScores

    items = ItemScores(np.array([0.25, 0.5, 0.75]), "mean", "query", ("q1", "q2", "q3"))
    store = ResultStore(tmp_path)
    path = store.write(replace(RESULT, item_scores=items))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, path.stem + ".items.npz"])
    result, read = read_result_items(path)
    assert result.items["n"] == 3 and result.items["unit"] == "query"
    assert result.items["file"] == path.stem + ".items.npz"
    assert read is not None and read.ids == items.ids and read.statistic == "mean"
    np.testing.assert_array_equal(read.values, items.values)
    assert "item_scores" not in json.loads(path.read_text())
    # a sidecar from another run is caught by its digest
    other = store.write(
        replace(RESULT, backend_params={"other": 1}, item_scores=ItemScores(np.array([1.0, 0.0, 1.0]), ids=items.ids))
    )
    (tmp_path / (path.stem + ".items.npz")).write_bytes((tmp_path / (other.stem + ".items.npz")).read_bytes())
    with pytest.raises(DataError, match="digest"):
        read_result_items(path)
    # a re-run without items leaves no stale file behind
    store.write(RESULT)
    assert not (tmp_path / (path.stem + ".items.npz")).exists()
    assert read_result_items(path)[1] is None


def test_a_result_written_before_items_still_loads(tmp_path: Path):
    from harness.results import read_result_items

    data = RESULT.to_dict()
    for key in ("interval", "items"):
        del data[key]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    result, items = read_result_items(path)
    assert result.interval == {} and result.items == {} and items is None
