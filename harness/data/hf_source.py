"""``hf:<dataset>?type=<type>&<our column>=<their column>...``: a Hugging Face dataset as a zoo task.

The dataset is read with ``datasets.load_dataset`` (a hub name, or a local folder or file that it
reads), one split at a time, and its columns are mapped onto the columns of our task types
(``harness.data.task_records``): ``hf:glue?config=mrpc&type=pair_classification&sentence1=sentence1``.
Unmapped columns keep our names. Options:

    type         classification, clustering, pair_classification, reranking or sts (required)
    config       the dataset's configuration (``load_dataset``'s ``name``)
    split        the evaluated split (default test); classification also reads ``train_split`` (train)
    revision     a hub revision (commit, tag or branch), for results that can be reproduced

Rows are checked by the same rules as task folders; errors name ``hf:<dataset> <split> row <n>``.
Retrieval needs three tables (corpus, queries, judgments): use ``mteb:<Task>`` or a BEIR folder.
"""

from __future__ import annotations

from typing import Any, Callable

from harness.data.records import located_rows
from harness.data.task_config import MAIN_METRICS, normal_type
from harness.data.task_records import (
    COLUMNS,
    classification_data,
    clustering_data,
    pair_classification_data,
    reranking_data,
    sts_data,
)
from zoo.errors import ZooError
from zoo.options import parse_options, split_options
from zoo.protocols import Task, TaskSpec

PREFIX = "hf:"
SETTINGS = ("type", "config", "split", "train_split", "revision")
COLUMN_NAMES = sorted({column for columns in COLUMNS.values() for column in columns})
EXAMPLE = "hf:glue?config=mrpc&type=pair_classification&split=validation"


def parse(text: str) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """Dataset path, task type, settings and column mapping (ours -> theirs) of an ``hf:`` name."""
    path, query = split_options(text[len(PREFIX) :])
    if not path:
        raise ZooError(f"{text!r}: name a dataset, e.g. {EXAMPLE}")
    allowed = {key: str for key in (*SETTINGS, *COLUMN_NAMES)}
    options = parse_options(f"task {text!r}", query, allowed)
    kind = normal_type(options.get("type", ""))
    if kind is None or kind == "retrieval":
        raise ZooError(
            f"{text!r}: add type=<{'|'.join(COLUMNS)}> (e.g. {EXAMPLE}); for retrieval use mteb:<Task> or a BEIR folder"
        )
    stray = sorted(set(options) - set(SETTINGS) - set(COLUMNS[kind]))
    if stray:
        raise ZooError(f"{text!r}: a {kind} task has no column {stray[0]!r}; map {', '.join(COLUMNS[kind])}")
    settings = {key: options[key] for key in SETTINGS if key in options}
    columns = {ours: options.get(ours, ours) for ours in COLUMNS[kind]}
    return path, kind, settings, columns


def hf_task_spec(text: str) -> TaskSpec:
    """The spec for an ``hf:`` name; the dataset is read only when the task is loaded."""
    path, kind, settings, columns = parse(text)
    split = settings.get("split", "test")
    where = ", ".join(f"{key} {value}" for key, value in settings.items() if key != "type")
    spec = TaskSpec(
        name=text,
        type=kind,
        load=lambda: hf_task(spec, path, kind, settings, columns),
        main_metric=MAIN_METRICS[kind],
        version=settings.get("revision", "1"),
        description=f"Hugging Face dataset {path} as a {kind} task",
        source=f"Hugging Face dataset {path}" + (f" ({where})" if where else "") + f", split {split}",
    )
    return spec


def read_split(path: str, settings: dict[str, str], split: str) -> Any:
    """One split of the dataset, through ``datasets.load_dataset``; failures become one-line errors."""
    from datasets import load_dataset

    try:
        return load_dataset(path, name=settings.get("config"), split=split, revision=settings.get("revision"))
    except Exception as exc:  # hub, file and split errors alike: the user must change the name
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ZooError(f"cannot load split {split!r} of Hugging Face dataset {path!r}: {first}") from None


def check_columns(label: str, present: list[str], columns: dict[str, str]) -> None:
    """Every mapped column exists; else name the missing one, the ones there are, and the fix."""
    for ours, theirs in columns.items():
        if theirs not in present:
            raise ZooError(
                f"{label}: no column {theirs!r} for {ours!r} (columns: {', '.join(present)}); "
                f"map it with {ours}=<column>"
            )


def hf_task(spec: TaskSpec, path: str, kind: str, settings: dict[str, str], columns: dict[str, str]) -> Task:
    """The task object over the dataset's rows, columns renamed to ours and checked."""
    from harness.tasks.classification import ClassificationTask
    from harness.tasks.clustering import ClusteringTask
    from harness.tasks.pair_classification import PairClassificationTask
    from harness.tasks.reranking import RerankingTask
    from harness.tasks.sts import STSTask

    split = settings.get("split", "test")

    def rows(name: str) -> tuple[Any, str]:
        label = f"{PREFIX}{path} {name}"
        dataset = read_split(path, settings, name)
        check_columns(label, list(dataset.column_names), columns)
        return located_rows(dataset, label, columns), label

    if kind == "classification":
        train = settings.get("train_split", "train")
        return ClassificationTask(spec, lambda: classification_data(*rows(train), *rows(split), split))
    builders: dict[str, tuple[type, Callable[..., Any]]] = {
        "clustering": (ClusteringTask, clustering_data),
        "pair_classification": (PairClassificationTask, pair_classification_data),
        "reranking": (RerankingTask, reranking_data),
        "sts": (STSTask, sts_data),
    }
    task_class, build = builders[kind]
    return task_class(spec, lambda: build(*rows(split), split))
