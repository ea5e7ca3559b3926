"""Task folders (JSONL and parquet), their error messages, and the shipped ICD-10-CM label tasks."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from harness.data import folders
from harness.data.folders import folder_task_spec
from harness.data.icd10cm_labels import (
    BLOCKS,
    CHAPTERS,
    build_icd_labels,
    folder_fingerprint,
    icd_label_task_specs,
)
from zoo.encoders.hashing import HashingEncoder
from zoo.errors import DataError

TINY_BEIR = Path(__file__).parent / "data" / "tiny-beir"


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """These fits are tiny: on a shared machine, starting BLAS/OpenMP threads costs more than it saves."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


ROWS: dict[str, dict[str, list[dict[str, Any]]]] = {
    "classification": {
        "train": [
            {"text": text, "label": label}
            for text, label in [
                ("red apple", "fruit"),
                ("green pear", "fruit"),
                ("blue sky", "sky"),
                ("grey sky", "sky"),
            ]
        ],
        "test": [{"text": "ripe apple", "label": "fruit"}, {"text": "clear sky", "label": "sky"}],
    },
    "clustering": {"test": [{"text": t, "label": i % 2} for i, t in enumerate(["a b", "c d", "a e", "c f"])]},
    "pair_classification": {
        "test": [
            {"sentence1": "a cat", "sentence2": "a cat sat", "label": 1},
            {"sentence1": "a dog", "sentence2": "the sky", "label": 0},
        ]
    },
    "reranking": {"test": [{"query": "cat", "positive": ["a cat"], "negative": ["a dog", "sky"]}]},
    "sts": {
        "test": [
            {"sentence1": "a cat", "sentence2": "a cat", "score": 5},
            {"sentence1": "a cat", "sentence2": "a dog", "score": 1.5},
        ]
    },
}


def write(folder: Path, name: str, rows: list[Any] | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if name.endswith(".parquet"):
        import pandas as pd

        pd.DataFrame(rows).to_parquet(path)
    else:
        text = rows if isinstance(rows, str) else "".join(json.dumps(r) + "\n" for r in rows)
        path.write_text(text, encoding="utf-8")
    return path


def make(tmp_path: Path, kind: str, ext: str = "jsonl", task: dict | None = None) -> Path:
    folder = tmp_path / kind
    for split, rows in ROWS[kind].items():
        write(folder, f"{split}.{ext}", rows)
    if task is not None:
        write(folder, "task.json", json.dumps(task))
    return folder


def error(tmp_path: Path, kind: str, split: str, rows: list[Any] | str, task: dict | None = None) -> str:
    folder = make(tmp_path, kind, task=task)
    write(folder, f"{split}.jsonl", rows)
    with pytest.raises(DataError) as caught:
        folder_task_spec(folder).load().data  # noqa: B018 - loading is the point
    message = str(caught.value)
    assert "\n" not in message and "; " in message
    return message


# --- happy paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ROWS))
@pytest.mark.parametrize("ext", ["jsonl", "parquet"])
def test_each_type_is_inferred_loaded_and_evaluated(tmp_path: Path, kind: str, ext: str) -> None:
    spec = folder_task_spec(make(tmp_path, kind, ext))
    assert spec.type == kind and spec.name == kind and spec.main_metric == folders.MAIN_METRICS[kind]
    task = spec.load()
    options = {"n_experiments": 2, "cluster_size": 8} if kind == "clustering" else {}
    for key, value in options.items():
        setattr(task, key, value)
    scores = task.evaluate(HashingEncoder(32), None)
    assert scores.main_score == scores.scores[spec.main_metric] and scores.split == "test"
    assert task.fit_inputs() and len(task.data_fingerprint()) == 16


def test_parquet_lists_and_integers_come_back_as_python_values(tmp_path: Path) -> None:
    data = folders.load_reranking(make(tmp_path, "reranking", "parquet"))
    assert data.positives == [["a cat"]] and data.negatives == [["a dog", "sky"]]
    assert folders.load_clustering(make(tmp_path, "clustering", "parquet")).labels == [0, 1, 0, 1]


def test_task_json_sets_type_metadata_and_options(tmp_path: Path) -> None:
    task_json = {
        "type": "Classification",
        "name": "fruit",
        "description": "fruit or sky",
        "main_metric": "f1",
        "version": "2",
        "samples_per_label": 1,
        "n_experiments": 3,
    }
    spec = folder_task_spec(make(tmp_path, "classification", task=task_json))
    assert (spec.name, spec.type, spec.main_metric, spec.version) == ("fruit", "classification", "f1", "2")
    task = spec.load()
    assert (task.samples_per_label, task.n_experiments, task.seed) == (1, 3, 42)
    assert len(task.experiments) == 3 and all(len(rows) == 2 for rows in task.experiments)


def test_mteb_type_spelling_and_retrieval_folders(tmp_path: Path) -> None:
    spec = folder_task_spec(make(tmp_path, "pair_classification", task={"type": "PairClassification"}))
    assert spec.type == "pair_classification"
    beir = folder_task_spec(TINY_BEIR)
    assert beir.type == "retrieval" and beir.uses_search


# --- errors -------------------------------------------------------------------------------------


def test_missing_column_names_file_and_line(tmp_path: Path) -> None:
    message = error(tmp_path, "classification", "test", [{"text": "a", "label": "sky"}, {"text": "b"}])
    assert 'test.jsonl:2: missing "label"' in message


@pytest.mark.parametrize(
    ("kind", "split", "rows", "expected"),
    [
        (
            "classification",
            "train",
            [{"text": "a", "label": "x"}, {"text": "b", "label": "x"}],
            "train.jsonl: every record has label 'x'; classification needs at least two labels",
        ),
        (
            "clustering",
            "test",
            [{"text": "a", "label": 1}, {"text": "b", "label": 1}],
            "test.jsonl: every record has label 1; clustering needs at least two labels",
        ),
        ("classification", "test", [{"text": "a", "label": "moon"}], "test.jsonl:1: label 'moon' never occurs"),
        (
            "clustering",
            "test",
            [{"text": "a", "label": 1}, {"text": "b", "label": "2"}],
            "test.jsonl:2: label '2' is a string but label 1 (",
        ),
        (
            "clustering",
            "test",
            [{"text": "a", "label": 1.5}],
            'test.jsonl:1: "label" must be a string or an integer, got 1.5',
        ),
        ("clustering", "test", [{"text": 3, "label": 1}], 'test.jsonl:1: "text" must be a string'),
        ("clustering", "test", "\n\n", "test.jsonl: no records; write one record per line with text, label"),
        ("clustering", "test", '{"text": "a", \n', "test.jsonl:1: invalid JSON"),
        ("clustering", "test", "[1, 2]\n", "test.jsonl:1: expected a JSON object, got list"),
        (
            "pair_classification",
            "test",
            [{"sentence1": "a", "sentence2": "b", "label": 2}],
            'test.jsonl:1: "label" must be 0 or 1, got 2',
        ),
        (
            "pair_classification",
            "test",
            [{"sentence1": "a", "sentence2": "b", "label": 1}],
            "test.jsonl: every pair has label 1; pair classification needs both",
        ),
        (
            "reranking",
            "test",
            [{"query": "q", "positive": ["a"], "negative": []}],
            'test.jsonl:1: "negative" must be a non-empty list of strings',
        ),
        (
            "reranking",
            "test",
            [{"query": "q", "positive": "a", "negative": ["b"]}],
            'test.jsonl:1: "positive" must be a non-empty list of strings',
        ),
        ("sts", "test", [{"sentence1": "a", "sentence2": "b"}], 'test.jsonl:1: missing "score"'),
    ],
)
def test_bad_records(tmp_path: Path, kind: str, split: str, rows: Any, expected: str) -> None:
    assert expected in error(tmp_path, kind, split, rows, task={"type": kind})


def test_parquet_errors_name_the_row(tmp_path: Path) -> None:
    folder = tmp_path / "sts"
    write(
        folder,
        "test.parquet",
        [
            {"sentence1": "a", "sentence2": "b", "score": 1.0},
            {"sentence1": "a", "sentence2": "c", "score": float("nan")},
        ],
    )
    with pytest.raises(DataError, match=r"test\.parquet:2: missing \"score\""):
        folders.load_sts(folder)
    (folder / "test.parquet").write_text("not parquet")
    with pytest.raises(DataError, match=r"test\.parquet: cannot read parquet"):
        folders.load_sts(folder)


def test_missing_and_doubled_split_files(tmp_path: Path) -> None:
    folder = make(tmp_path, "classification")
    os.remove(folder / "train.jsonl")
    with pytest.raises(DataError, match=r"train\.jsonl: missing file; write split 'train'"):
        folders.load_classification(folder)
    write(folder, "train.jsonl", ROWS["classification"]["train"])
    write(folder, "train.parquet", ROWS["classification"]["train"])
    with pytest.raises(DataError, match=r"train\.parquet: both train\.jsonl and train\.parquet"):
        folders.load_classification(folder)


@pytest.mark.parametrize(
    ("task_json", "expected"),
    [
        ('{"type": "classification",\n "shots": 3}', "task.json:2: unknown key 'shots' for a classification"),
        ('{"type": "regression"}', "task.json:1: unknown task type 'regression'; use one of classification,"),
        (
            '{"type": "classification", "n_experiments": 0}',
            'task.json:1: "n_experiments" must be a positive integer, got 0',
        ),
        ('{"type": "classification",\n\n "main_metric": "map"}', "task.json:3: unknown main_metric 'map'"),
        ('{"type": "classification", "name": 7}', 'task.json:1: "name" must be a non-empty string'),
        ('{"type": "classification", "split": "train"}', "task.json:1: the training and evaluation splits are"),
        ('{"type": \n "classification"', "task.json:2: invalid JSON"),
        ('["classification"]', "task.json: expected a JSON object, got list"),
        ('{"type": "retrieval", "name": "x"}', "task.json:1: unknown key 'name' for a retrieval task"),
    ],
)
def test_bad_task_json(tmp_path: Path, task_json: str, expected: str) -> None:
    folder = make(tmp_path, "classification")
    write(folder, "task.json", task_json)
    with pytest.raises(DataError) as caught:
        folder_task_spec(folder)
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_uninferable_folders(tmp_path: Path) -> None:
    write(tmp_path / "odd", "test.jsonl", [{"question": "q", "answer": "a"}])
    with pytest.raises(DataError, match=r"test\.jsonl:1: cannot tell the task type .* add task\.json"):
        folder_task_spec(tmp_path / "odd")
    with pytest.raises(DataError, match=r"nowhere: no such task folder"):
        folder_task_spec(tmp_path / "nowhere")


# --- shipped ICD-10-CM label tasks ---------------------------------------------------------------


def test_icd_label_tasks_build_deterministically(tmp_path: Path) -> None:
    first = {v: build_icd_labels(v, tmp_path / "one") for v in (CHAPTERS, BLOCKS)}
    second = {v: build_icd_labels(v, tmp_path / "two") for v in (CHAPTERS, BLOCKS)}
    for variant in (CHAPTERS, BLOCKS):
        assert folder_fingerprint(first[variant]) == folder_fingerprint(second[variant])
        built = json.loads((first[variant] / "build.json").read_text())
        assert built["seed"] and built["package_version"]
    stamp = (first[CHAPTERS] / "train.jsonl").stat().st_mtime_ns
    assert build_icd_labels(CHAPTERS, tmp_path / "one") == first[CHAPTERS]  # current: not rebuilt
    assert (first[CHAPTERS] / "train.jsonl").stat().st_mtime_ns == stamp

    chapters = folders.load_classification(first[CHAPTERS])
    assert len(chapters.train_texts) == len(chapters.test_texts) == 21 * 80
    assert len(set(chapters.train_labels)) == 21 and not set(chapters.train_texts) & set(chapters.test_texts)
    blocks = folders.load_clustering(first[BLOCKS])
    assert len(blocks.texts) == len(set(blocks.texts)) == 2000 and len(set(blocks.labels)) == 40
    # the folders are task folders too, with the same protocol options as the registered specs
    assert folder_task_spec(first[CHAPTERS]).load().samples_per_label == 32


def test_icd_label_task_specs() -> None:
    specs = {spec.name: spec for spec in icd_label_task_specs()}
    assert specs[CHAPTERS].main_metric == "accuracy" and specs[BLOCKS].main_metric == "v_measure"
    assert all(not s.default and not s.uses_search and s.license and s.citation for s in specs.values())


def test_icd_pair_and_rerank_tasks_build_deterministically(tmp_path: Path) -> None:
    from harness.data.icd10cm_labels import _pool
    from harness.data.icd10cm_pairs import PAIRS, RERANK, build_icd_pairs, icd_pair_task_specs

    first = {v: build_icd_pairs(v, tmp_path / "one") for v in (PAIRS, RERANK)}
    second = {v: build_icd_pairs(v, tmp_path / "two") for v in (PAIRS, RERANK)}
    for variant in (PAIRS, RERANK):
        assert (first[variant] / "test.jsonl").read_bytes() == (second[variant] / "test.jsonl").read_bytes()
    block_of = {code: (chapter, block) for code, _, chapter, block in _pool()}
    pairs = [json.loads(line) for line in (first[PAIRS] / "test.jsonl").read_text().splitlines()]
    assert sum(p["label"] for p in pairs) == 1000 and len(pairs) == 2000
    assert len({frozenset((p["code1"], p["code2"])) for p in pairs}) == 2000
    for p in pairs:  # positives share a block; negatives share a chapter, not a block
        (chapter1, block1), (chapter2, block2) = block_of[p["code1"]], block_of[p["code2"]]
        assert chapter1 == chapter2 and (block1 == block2) == bool(p["label"]) and p["code1"] != p["code2"]
    loaded = folders.load_reranking(first[RERANK])
    assert len(loaded.queries) == 500 and all(len(n) == 19 for n in loaded.negatives)
    for positives, negatives in zip(loaded.positives, loaded.negatives):
        assert not {t.casefold() for t in positives} & {t.casefold() for t in negatives}
    specs = {spec.name: spec for spec in icd_pair_task_specs()}
    assert specs[PAIRS].type == "pair_classification" and specs[RERANK].type == "reranking"
    assert folder_task_spec(first[PAIRS]).type == "pair_classification"
