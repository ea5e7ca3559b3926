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
``batch_size``, ``seed``. For example ``{"type": "classification", "samples_per_label": 32}``.
Without it the type is read off the test split's columns; text and label make a classification task
when a train split exists, else a clustering task.

Errors name the file and the line (for parquet: the 1-based row) and say how to fix it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from harness.data.beir import read_jsonl
from harness.data.paths import TASK_FILE
from harness.data.lee_sts import STSData, load_sts_jsonl
from harness.tasks import classification, clustering, pair_classification, reranking
from harness.tasks.classification import ClassificationData, ClassificationTask
from harness.tasks.clustering import ClusteringData, ClusteringTask
from harness.tasks.pair_classification import PairClassificationData, PairClassificationTask
from harness.tasks.reranking import RerankingData, RerankingTask
from harness.tasks.sts import STSTask
from zoo.errors import DataError
from zoo.protocols import Task, TaskSpec


COLUMNS = {
    "classification": ("text", "label"),
    "clustering": ("text", "label"),
    "pair_classification": ("sentence1", "sentence2", "label"),
    "reranking": ("query", "positive", "negative"),
    "sts": ("sentence1", "sentence2", "score"),
}
TYPES = (*COLUMNS, "retrieval")
MAIN_METRICS = {"classification": classification.MAIN_METRIC, "clustering": clustering.MAIN_METRIC,
                "pair_classification": pair_classification.MAIN_METRIC,
                "reranking": reranking.MAIN_METRIC, "sts": "cosine_spearman"}
METRICS = {"classification": classification.METRIC_NAMES, "clustering": clustering.METRIC_NAMES,
           "pair_classification": pair_classification.METRIC_NAMES,
           "reranking": reranking.METRIC_NAMES,
           "sts": tuple(f"{s}_{c}" for s in ("cosine", "dot", "euclidean") for c in ("pearson", "spearman"))}
TEXT_KEYS = ("name", "description", "main_metric", "version", "split", "license", "citation", "source")
OPTIONS: dict[str, dict[str, type]] = {
    "classification": {"train_split": str, "samples_per_label": int, "n_experiments": int, "seed": int,
                       "max_iter": int},
    "clustering": {"n_experiments": int, "cluster_size": int, "batch_size": int, "seed": int},
}


def _fail(where: Path | str, what: str, fix: str) -> DataError:
    return DataError(f"{where}: {what}; {fix}".replace("\n", " "))


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- files and records --------------------------------------------------------------------------


def split_path(folder: Path, split: str) -> Path:
    """``<split>.jsonl`` or ``<split>.parquet`` in ``folder``: exactly one of them."""
    found = [p for p in (folder / f"{split}.jsonl", folder / f"{split}.parquet") if p.is_file()]
    if len(found) == 2:
        raise _fail(found[1], f"both {found[0].name} and {found[1].name} hold split {split!r}", "keep one")
    if not found:
        raise _fail(folder / f"{split}.jsonl", "missing file",
                    f"write split {split!r} as {split}.jsonl or {split}.parquet (see harness.data.folders)")
    return found[0]


def records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each record of a JSONL or parquet file with its location, ``path:line`` or ``path:row``."""
    yield from (_parquet_records(path) if path.suffix == ".parquet" else _jsonl_records(path))


def _jsonl_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, record in read_jsonl(path):
        yield f"{path}:{number}", record


def _parquet_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds; all mean the same to the user
        raise _fail(path, f"cannot read parquet ({type(exc).__name__}: {exc})",
                    "write it with pandas.DataFrame.to_parquet") from None
    for number, record in enumerate(frame.to_dict("records"), start=1):
        yield f"{path}:{number}", {key: _plain(value, pd.NA) for key, value in record.items()}


def _plain(value: Any, na: Any) -> Any:
    """Python values for what pandas hands back: arrays to lists, numpy scalars to numbers, NaN to None."""
    if isinstance(value, np.ndarray):
        return [_plain(v, na) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if value is na or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """One JSON object per line, UTF-8, as the loaders read them."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


# --- fields -------------------------------------------------------------------------------------


def _field(where: str, record: dict[str, Any], key: str, ok: Callable[[Any], bool], expected: str,
           fix: str) -> Any:
    """``record[key]`` when ``ok`` accepts it; else a DataError saying it is missing or what it must be."""
    value = record.get(key)
    if value is None or not ok(value):
        what = f"missing \"{key}\"" if value is None else f"\"{key}\" must be {expected}, got {_short(value)}"
        raise _fail(where, what, fix)
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _text(where: str, record: dict[str, Any], key: str) -> str:
    return _field(where, record, key, lambda v: isinstance(v, str), "a string",
                  f"give every record a string \"{key}\"")


def _label(where: str, record: dict[str, Any]) -> str | int:
    return _field(where, record, "label", lambda v: isinstance(v, (str, int)) and not isinstance(v, bool),
                  "a string or an integer", "give every record a string or integer \"label\"")


def _binary(where: str, record: dict[str, Any]) -> int:
    return int(_field(where, record, "label", lambda v: _is_number(v) and v in (0, 1), "0 or 1",
                      "label positive pairs 1 and negative pairs 0"))


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(t, str) for t in value)


def _text_list(where: str, record: dict[str, Any], key: str) -> list[str]:
    return _field(where, record, key, _is_texts, "a non-empty list of strings",
                  f"give every query a non-empty list of \"{key}\" texts (mteb drops queries without)")


def _score(where: str, record: dict[str, Any]) -> float:
    return float(_field(where, record, "score", _is_number, "a finite number",
                        "give every pair a numeric score"))


def _nonempty(path: Path, rows: list[Any], columns: tuple[str, ...]) -> None:
    if not rows:
        raise _fail(path, "no records", f"write one record per line with {', '.join(columns)}")


# --- loaders ------------------------------------------------------------------------------------


def _labelled(path: Path) -> tuple[list[str], list[str | int], list[str]]:
    """Texts, labels and where each record is."""
    texts: list[str] = []
    labels: list[str | int] = []
    wheres: list[str] = []
    for where, record in records(path):
        texts.append(_text(where, record, "text"))
        labels.append(_label(where, record))
        wheres.append(where)
    _nonempty(path, texts, ("text", "label"))
    return texts, labels, wheres


def _one_type(labels: list[str | int], wheres: list[str]) -> None:
    kinds = {str: "a string", int: "an integer"}
    for label, where in zip(labels, wheres):
        if type(label) is not type(labels[0]):
            raise _fail(where, f"label {_short(label)} is {kinds[type(label)]} but label "
                        f"{_short(labels[0])} ({wheres[0]}) is {kinds[type(labels[0])]}",
                        "use one type, strings or integers, for every label")


def _two_labels(path: Path, labels: list[str | int], what: str) -> None:
    if len(set(labels)) < 2:
        raise _fail(path, f"every record has label {_short(labels[0])}", f"{what} needs at least two labels")


def load_classification(folder: Path, split: str = "test", train_split: str = "train") -> ClassificationData:
    train_path, test_path = split_path(folder, train_split), split_path(folder, split)
    train_texts, train_labels, train_wheres = _labelled(train_path)
    test_texts, test_labels, test_wheres = _labelled(test_path)
    _one_type(train_labels + test_labels, train_wheres + test_wheres)
    _two_labels(train_path, train_labels, "classification")
    known = set(train_labels)
    for label, where in zip(test_labels, test_wheres):
        if label not in known:
            raise _fail(where, f"label {_short(label)} never occurs in {train_path.name}",
                        f"add examples of it to {train_path.name} or drop the line")
    return ClassificationData(train_texts, train_labels, test_texts, test_labels, split)


def load_clustering(folder: Path, split: str = "test") -> ClusteringData:
    path = split_path(folder, split)
    texts, labels, wheres = _labelled(path)
    _one_type(labels, wheres)
    _two_labels(path, labels, "clustering")
    return ClusteringData(texts, labels, split)


def load_pair_classification(folder: Path, split: str = "test") -> PairClassificationData:
    path = split_path(folder, split)
    left, right, labels = [], [], []
    for where, record in records(path):
        left.append(_text(where, record, "sentence1"))
        right.append(_text(where, record, "sentence2"))
        labels.append(_binary(where, record))
    _nonempty(path, labels, COLUMNS["pair_classification"])
    if len(set(labels)) < 2:
        raise _fail(path, f"every pair has label {labels[0]}",
                    "pair classification needs both positive (1) and negative (0) pairs")
    return PairClassificationData(left, right, labels, split)


def load_reranking(folder: Path, split: str = "test") -> RerankingData:
    path = split_path(folder, split)
    queries, positives, negatives = [], [], []
    for where, record in records(path):
        queries.append(_text(where, record, "query"))
        positives.append(_text_list(where, record, "positive"))
        negatives.append(_text_list(where, record, "negative"))
    _nonempty(path, queries, COLUMNS["reranking"])
    return RerankingData(queries, positives, negatives, split)


def load_sts(folder: Path, split: str = "test") -> STSData:
    path = split_path(folder, split)
    if path.suffix != ".parquet":
        return load_sts_jsonl(path, split)
    left, right, scores = [], [], []
    for where, record in records(path):
        left.append(_text(where, record, "sentence1"))
        right.append(_text(where, record, "sentence2"))
        scores.append(_score(where, record))
    _nonempty(path, scores, COLUMNS["sts"])
    return STSData(left, right, np.asarray(scores, dtype=np.float64), split)


# --- task.json and the spec ---------------------------------------------------------------------


def read_task_config(folder: Path) -> dict[str, Any]:
    """The folder's ``task.json`` ({} when it has none), its keys checked against the known ones."""
    path = folder / TASK_FILE
    if not path.is_file():
        return {}
    example = 'write one JSON object such as {"type": "classification"}'
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _fail(f"{path}:{exc.lineno}", f"invalid JSON ({exc.msg} at column {exc.colno})",
                    example) from None
    if not isinstance(config, dict):
        raise _fail(path, f"expected a JSON object, got {type(config).__name__}", example)
    for key in TEXT_KEYS:
        if key in config and (not isinstance(config[key], str) or not config[key]):
            raise _fail(_key_line(path, key), f"\"{key}\" must be a non-empty string, got "
                        f"{_short(config[key])}", f"write \"{key}\" as a string")
    return config


def _key_line(path: Path, key: str) -> str:
    """``path:line`` of the first line that mentions ``"key"`` (``path`` alone when none does)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if f'"{key}"' in line:
            return f"{path}:{number}"
    return str(path)


def _normal(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def task_type(folder: Path, config: dict[str, Any]) -> str:
    """The type that ``task.json`` names, else the one the files imply."""
    if "type" not in config:
        return infer_type(folder, config.get("split", "test"))
    value = config["type"]
    kinds = {_normal(kind): kind for kind in TYPES}
    if not isinstance(value, str) or _normal(value) not in kinds:
        raise _fail(_key_line(folder / TASK_FILE, "type"), f"unknown task type {_short(value)}",
                    f"use one of {', '.join(TYPES)}")
    return kinds[_normal(value)]


def infer_type(folder: Path, split: str = "test") -> str:
    """The task type that the test split's columns imply (see the module docstring)."""
    if (folder / "corpus.jsonl").is_file():
        return "retrieval"
    path = split_path(folder, split)
    where, first = next(records(path), (str(path), None))
    if first is None:
        raise _fail(path, "no records", "write one record per line with the columns of the task type")
    for kind in ("reranking", "pair_classification", "sts"):
        if set(COLUMNS[kind]) <= set(first):
            return kind
    if {"text", "label"} <= set(first):
        has_train = any((folder / f"train{ext}").is_file() for ext in (".jsonl", ".parquet"))
        return "classification" if has_train else "clustering"
    raise _fail(where, f"cannot tell the task type from the columns {sorted(first)}",
                f"add {TASK_FILE} naming the \"type\" ({', '.join(TYPES)}) and use its documented columns")


def task_options(folder: Path, config: dict[str, Any], kind: str) -> dict[str, Any]:
    """The protocol options ``task.json`` sets, checked; unknown keys and bad values raise DataError."""
    path = folder / TASK_FILE
    allowed = OPTIONS.get(kind, {})
    known = ("type", "split") if kind == "retrieval" else ("type", *TEXT_KEYS, *allowed)
    for key, value in config.items():
        if key not in known:
            raise _fail(_key_line(path, key), f"unknown key {key!r} for a {kind} task",
                        f"use only {', '.join(known)}")
        if allowed.get(key) is int and (isinstance(value, bool) or not isinstance(value, int)
                                        or value < (0 if key == "seed" else 1)):
            least = "non-negative" if key == "seed" else "positive"
            raise _fail(_key_line(path, key), f"\"{key}\" must be a {least} integer, got {_short(value)}",
                        f"write \"{key}\" as a whole number")
        if allowed.get(key) is str and (not isinstance(value, str) or not value):
            raise _fail(_key_line(path, key), f"\"{key}\" must be a non-empty string, got {_short(value)}",
                        f"write \"{key}\" as a string")
    main = config.get("main_metric")
    if main is not None and main not in METRICS[kind]:
        raise _fail(_key_line(path, "main_metric"), f"unknown main_metric {main!r} for a {kind} task",
                    f"use one of {', '.join(METRICS[kind])}")
    if kind == "classification" and config.get("train_split", "train") == config.get("split", "test"):
        raise _fail(_key_line(path, "split"), "the training and evaluation splits are the same file",
                    "give \"split\" and \"train_split\" different names")
    return {key: value for key, value in config.items() if key in allowed}


def folder_task_spec(folder: Path | str) -> TaskSpec:
    """A spec for a task folder laid out as this module describes; its ``load()`` reads the data lazily."""
    folder = Path(folder)
    if not folder.is_dir():
        raise _fail(folder, "no such task folder", "pass a folder laid out as harness.data.folders describes")
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


def make_task(spec: TaskSpec, folder: Path, kind: str, split: str = "test",
              options: dict[str, Any] | None = None) -> Task:
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
