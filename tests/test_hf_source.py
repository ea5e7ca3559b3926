"""``hf:<dataset>?type=...&<ours>=<theirs>`` tasks, read offline from local files by ``datasets``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("datasets")

from harness.data.hf_source import hf_task_spec, parse  # noqa: E402
from zoo.encoders.hashing import HashingEncoder  # noqa: E402
from zoo.errors import DataError, ZooError  # noqa: E402


def write(folder: Path, split: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_parse_maps_columns_and_settings() -> None:
    path, kind, settings, columns = parse("hf:glue?config=mrpc&type=PairClassification&split=validation&label=gold")
    assert (path, kind) == ("glue", "pair_classification")
    assert settings == {"type": "PairClassification", "config": "mrpc", "split": "validation"}
    assert columns == {"sentence1": "sentence1", "sentence2": "sentence2", "label": "gold"}


@pytest.mark.parametrize(
    "name, expected",
    [
        ("hf:", "name a dataset"),
        ("hf:imdb", "add type=<classification|clustering|pair_classification|reranking|sts>"),
        ("hf:beir?type=retrieval", "for retrieval use mteb:<Task> or a BEIR folder"),
        ("hf:imdb?type=sts&text=review", "a sts task has no column 'text'; map sentence1, sentence2, score"),
        ("hf:imdb?type=sts&colour=red", "unknown option 'colour'"),
    ],
)
def test_bad_names(name: str, expected: str) -> None:
    with pytest.raises(ZooError, match=expected.replace("|", r"\|").replace("<", "<")):
        parse(name)


def test_sts_with_renamed_columns_matches_hand_computed_spearman(tmp_path: Path) -> None:
    rows = [
        {"a": "cat sat", "b": "cat sat", "gold": 5.0},
        {"a": "cat sat", "b": "dog ran", "gold": 0.0},
        {"a": "stock fell", "b": "stock fell sharply", "gold": 4.0},
    ]
    write(tmp_path / "sts", "test", rows)
    spec = hf_task_spec(f"hf:{tmp_path / 'sts'}?type=sts&sentence1=a&sentence2=b&score=gold")
    assert (spec.type, spec.main_metric) == ("sts", "cosine_spearman")
    scores = spec.load().evaluate(HashingEncoder(256))
    # cosines: identical texts 1.0, disjoint words 0.0, 2 of 3 words shared 2/sqrt(6): ranks agree with gold
    assert scores.scores["cosine_spearman"] == pytest.approx(1.0)


def test_classification_reads_two_splits(tmp_path: Path) -> None:
    folder = tmp_path / "cls"
    train = [("red apple", "fruit"), ("green pear", "fruit"), ("blue sky", "sky"), ("grey sky", "sky")]
    write(folder, "train", [{"sentence": t, "y": y} for t, y in train])
    write(folder, "test", [{"sentence": "ripe apple", "y": "fruit"}, {"sentence": "clear sky", "y": "sky"}])
    task = hf_task_spec(f"hf:{folder}?type=classification&text=sentence&label=y").load()
    assert task.data.train_labels == ["fruit", "fruit", "sky", "sky"]
    assert task.evaluate(HashingEncoder(256)).scores["accuracy"] == pytest.approx(1.0)


def test_data_errors_name_dataset_split_and_row(tmp_path: Path) -> None:
    write(tmp_path / "pairs", "test", [{"s1": "a", "s2": "b", "label": 1}, {"s1": "c", "s2": "d", "label": 3}])
    base = f"hf:{tmp_path / 'pairs'}?type=pair_classification&sentence1=s1"
    with pytest.raises(
        ZooError,
        match=r"test: no column 'sentence2' for 'sentence2' \(columns: s1, s2, label\); "
        "map it with sentence2=<column>",
    ):
        _ = hf_task_spec(base).load().data
    with pytest.raises(DataError, match=r"pairs test row 2: \"label\" must be 0 or 1, got 3"):
        _ = hf_task_spec(base + "&sentence2=s2").load().data
    with pytest.raises(ZooError, match="cannot load split 'validation'"):
        _ = hf_task_spec(base + "&sentence2=s2&split=validation").load().data


def test_zoo_bench_runs_an_hf_task(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from zoo.cli.main import build_cli

    write(
        tmp_path / "sts",
        "test",
        [
            {"a": "cat sat", "b": "cat sat", "s": 5},
            {"a": "cat", "b": "dog", "s": 0},
            {"a": "stock fell", "b": "stock fell sharply", "s": 4},
        ],
    )
    name = f"hf:{tmp_path / 'sts'}?type=sts&sentence1=a&sentence2=b&score=s"
    run = CliRunner().invoke(
        build_cli(),
        [
            "bench",
            "-m",
            "hashing-bow-256",
            "-t",
            name,
            "--no-leaderboard",
            "--no-cache",
            "-o",
            str(tmp_path / "results"),
        ],
    )
    assert run.exit_code == 0, run.output
    assert "cosine_spearman = 1.0000" in run.output
