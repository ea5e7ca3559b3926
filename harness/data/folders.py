"""Task folders that ``zoo bench --task <folder>`` runs without code: JSONL or parquet, documented columns.

One file per split, ``<split>.jsonl`` (one JSON object per line; blank lines skipped) or
``<split>.parquet`` (one row per record, read with pandas); the evaluated split is ``test``.

    type                 files             columns
    classification       train.*, test.*   text (string), label (string or integer)
    clustering           test.*            text (string), label (string or integer)
    pair_classification  test.*            sentence1, sentence2 (strings), label (0 or 1)
    reranking            test.*            query (string), positive, negative (non-empty lists of strings)
    sts                  test.*            sentence1, sentence2 (strings), score (number)
    retrieval            a BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv (harness.data.beir)

An optional ``task.json`` names the type (MTEB's spellings such as "PairClassification" work too) and
may set ``name``, ``description``, ``main_metric``, ``version``, ``split``, ``license``, ``citation``,
``source`` and the protocol options: classification ``train_split``, ``samples_per_label``,
``n_experiments``, ``seed``, ``max_iter``; clustering ``n_experiments``, ``cluster_size``,
``batch_size``, ``seed``, ``sampled_from``. For example ``{"type": "classification", "samples_per_label": 32}``.
Without it the type is read off the test split's columns; text and label make a classification task
when a train split exists, else a clustering task.

Errors name the file and the line (for parquet: the 1-based row) and say how to fix it. The pieces:
``records`` reads files, ``task_records`` checks records and builds each type's data, ``task_config``
reads ``task.json``; this module puts them together. User documentation: docs/task-folders.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from harness.data.lee_sts import STSData, load_sts_jsonl
from harness.data.records import fail, records, split_path, write_jsonl
from harness.data.task_config import (
    MAIN_METRICS,
    METRICS,
    OPTIONS,
    TEXT_KEYS,
    TYPES,
    infer_type,
    read_task_config,
    task_options,
    task_type,
)
from harness.data.task_records import (
    COLUMNS,
    classification_data,
    clustering_data,
    pair_classification_data,
    reranking_data,
    sts_data,
)
from harness.tasks.classification import ClassificationData, ClassificationTask
from harness.tasks.clustering import ClusteringData, ClusteringTask
from harness.tasks.pair_classification import PairClassificationData, PairClassificationTask
from harness.tasks.reranking import RerankingData, RerankingTask
from harness.tasks.sts import STSTask
from zoo.protocols import Task, TaskSpec

__all__ = [
    "COLUMNS",
    "MAIN_METRICS",
    "METRICS",
    "OPTIONS",
    "TEXT_KEYS",
    "TYPES",
    "folder_task_spec",
    "infer_type",
    "load_classification",
    "load_clustering",
    "load_pair_classification",
    "load_reranking",
    "load_sts",
    "make_task",
    "read_task_config",
    "records",
    "split_path",
    "task_options",
    "task_type",
    "write_jsonl",
]


def load_classification(folder: Path, split: str = "test", train_split: str = "train") -> ClassificationData:
    train_path, test_path = split_path(folder, train_split), split_path(folder, split)
    return classification_data(records(train_path), train_path, records(test_path), test_path, split)


def load_clustering(folder: Path, split: str = "test") -> ClusteringData:
    path = split_path(folder, split)
    return clustering_data(records(path), path, split)


def load_pair_classification(folder: Path, split: str = "test") -> PairClassificationData:
    path = split_path(folder, split)
    return pair_classification_data(records(path), path, split)


def load_reranking(folder: Path, split: str = "test") -> RerankingData:
    path = split_path(folder, split)
    return reranking_data(records(path), path, split)


def load_sts(folder: Path, split: str = "test") -> STSData:
    path = split_path(folder, split)
    if path.suffix != ".parquet":
        return load_sts_jsonl(path, split)
    return sts_data(records(path), path, split)


def folder_task_spec(folder: Path | str) -> TaskSpec:
    """A spec for a task folder laid out as this module describes; its ``load()`` reads the data lazily."""
    folder = Path(folder)
    if not folder.is_dir():
        raise fail(folder, "no such task folder", "pass a folder laid out as harness.data.folders describes")
    config = read_task_config(folder)
    kind = task_type(folder, config)
    options = task_options(folder, config, kind)
    split = config.get("split", "test")
    if kind == "retrieval":
        from harness.tasks.builtin import beir_folder_spec

        return beir_folder_spec(folder, split)
    spec = TaskSpec(
        name=config.get("name") or folder.resolve().name,
        type=kind,
        load=lambda: make_task(spec, folder, kind, split, options),
        main_metric=config.get("main_metric") or MAIN_METRICS[kind],
        version=config.get("version", "1"),
        description=config.get("description") or f"{kind} folder {folder}",
        source=config.get("source") or str(folder.resolve()),
        license=config.get("license", ""),
        citation=config.get("citation", ""),
    )
    return spec


def make_task(
    spec: TaskSpec, folder: Path, kind: str, split: str = "test", options: dict[str, Any] | None = None
) -> Task:
    """The task object of ``kind`` over ``folder``, with the protocol ``options`` task.json set."""
    options = dict(options or {})
    if kind == "classification":
        train_split = options.pop("train_split", "train")
        return ClassificationTask(spec, lambda: load_classification(folder, split, train_split), **options)
    loaders: dict[str, tuple[type, Callable[[Path, str], Any]]] = {
        "clustering": (ClusteringTask, load_clustering),
        "pair_classification": (PairClassificationTask, load_pair_classification),
        "reranking": (RerankingTask, load_reranking),
        "sts": (STSTask, load_sts),
    }
    task_class, loader = loaders[kind]
    return task_class(spec, lambda: loader(folder, split), **options)
