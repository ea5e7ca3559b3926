"""`zoo compare`: two results of one task, paired item by item; anything else is a one-line error."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from harness.results import ResultStore, TaskResult
from zoo.cli.main import build_cli
from zoo.protocols import ItemScores

IDS = tuple(f"q{i}" for i in range(200))
RNG = np.random.default_rng(11)
BASE = RNG.random(200)
BETTER = np.clip(BASE + RNG.normal(0.05, 0.1, 200), 0, 1)
RESULT = TaskResult(
    task="tiny",
    task_type="retrieval",
    task_version="1",
    split="test",
    data_fingerprint="d" * 16,
    encoder="a",
    encoder_fingerprint="a" * 16,
    dim=8,
    similarity="cosine",
    backend="exact",
    backend_params={},
    main_metric="ndcg_at_10",
    main_score=float(BASE.mean()),
    scores={},
    encode_seconds=1.0,
    items_encoded=1,
    bytes_per_vector=32,
    item_scores=ItemScores(BASE, "mean", "query", IDS),
)


def write(tmp_path: Path, result: TaskResult) -> str:
    return str(ResultStore(tmp_path).write(result))


def zoo(*args: str):  # noqa: ANN201
    return CliRunner().invoke(build_cli(), ["compare", *args])


def test_a_real_gap_is_significant(tmp_path: Path) -> None:
    a = write(tmp_path, RESULT)
    b = write(
        tmp_path,
        replace(
            RESULT,
            encoder="b",
            encoder_fingerprint="b" * 16,
            main_score=float(BETTER.mean()),
            item_scores=ItemScores(BETTER[::-1], "mean", "query", IDS[::-1]),
        ),
    )
    run = zoo(a, b, "--json")
    assert run.exit_code == 0, run.output
    found = json.loads(run.output)
    assert found["difference"] == np.float64(BETTER.mean() - BASE.mean()).item()
    assert found["p_value"] < 0.05 and found["significant"] and found["difference_interval"]["low"] > 0
    assert found["a"]["low"] < found["a"]["score"] < found["a"]["high"]
    text = zoo(a, b).output
    assert "200 queries" in text and "B is significantly better than A" in text


def test_the_same_result_twice_is_not_separable(tmp_path: Path) -> None:
    a = write(tmp_path, RESULT)
    run = zoo(a, a)
    assert run.exit_code == 0 and "p = 1 " in run.output and "not separable" in run.output


def test_different_tasks_or_data_are_refused_in_one_line(tmp_path: Path) -> None:
    a = write(tmp_path, RESULT)
    for change, words in (({"task": "other"}, "differ in task"), ({"data_fingerprint": "x" * 16}, "differ in data")):
        b = write(tmp_path / "b", replace(RESULT, **change))
        run = zoo(a, b)
        assert run.exit_code == 2 and words in run.output and len(run.output.strip().splitlines()) == 1


def test_a_result_without_items_is_refused(tmp_path: Path) -> None:
    a = write(tmp_path, RESULT)
    b = write(tmp_path / "b", replace(RESULT, item_scores=None))
    run = zoo(a, b)
    assert run.exit_code == 2 and "keeps no per-item scores" in run.output
