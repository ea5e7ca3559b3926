"""A task folder's ``task.json`` and its type: the keys it may set, checked, and the type the files imply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.data.paths import TASK_FILE
from harness.data.records import fail, records, short, split_path
from harness.data.task_records import COLUMNS
from harness.tasks import classification, clustering, pair_classification, reranking
from zoo.safepaths import component
from zoo.textio import read_json, text_lines

TYPES = (*COLUMNS, "retrieval")
MAIN_METRICS = {
    "classification": classification.MAIN_METRIC,
    "clustering": clustering.MAIN_METRIC,
    "pair_classification": pair_classification.MAIN_METRIC,
    "reranking": reranking.MAIN_METRIC,
    "sts": "cosine_spearman",
}
METRICS = {
    "classification": classification.METRIC_NAMES,
    "clustering": clustering.METRIC_NAMES,
    "pair_classification": pair_classification.METRIC_NAMES,
    "reranking": reranking.METRIC_NAMES,
    "sts": tuple(f"{s}_{c}" for s in ("cosine", "dot", "euclidean") for c in ("pearson", "spearman")),
}
TEXT_KEYS = ("name", "description", "main_metric", "version", "split", "license", "citation", "source")
OPTIONS: dict[str, dict[str, type]] = {
    "classification": {
        "train_split": str,
        "samples_per_label": int,
        "n_experiments": int,
        "seed": int,
        "max_iter": int,
    },
    "clustering": {"n_experiments": int, "cluster_size": int, "batch_size": int, "seed": int, "sampled_from": int},
}

# Upper bounds on the sizes task.json may set: beyond them a run would take days or exhaust memory (a typo
# of a few zeros should be an error, not a hang). mteb's defaults are far below: 10 experiments, 8
# samples per label, 100 iterations, 16,384 documents per clustering experiment.
LIMITS = {
    "n_experiments": 1000,
    "samples_per_label": 100_000,
    "max_iter": 100_000,
    "cluster_size": 1_000_000,
    "batch_size": 1_000_000,
    "sampled_from": 100_000_000,
    "seed": 2**32 - 1,
}


def read_task_config(folder: Path) -> dict[str, Any]:
    """The folder's ``task.json`` ({} when it has none), its keys checked against the known ones."""
    path = folder / TASK_FILE
    if not path.is_file():
        return {}
    example = 'write one JSON object such as {"type": "classification"}'
    config = read_json(path, fix=example)
    if not isinstance(config, dict):
        raise fail(path, f"expected a JSON object, got {type(config).__name__}", example)
    for key in TEXT_KEYS:
        if key in config and (not isinstance(config[key], str) or not config[key]):
            raise fail(
                key_line(path, key),
                f'"{key}" must be a non-empty string, got {short(config[key])}',
                f'write "{key}" as a string',
            )
    for key in ("split", "train_split"):  # names of files in this folder, never paths out of it
        value = config.get(key)
        if isinstance(value, str) and component(value) != value:
            raise fail(
                key_line(path, key),
                f'"{key}" must name a split file in this folder, got {short(value)}',
                "use letters, digits, '-', '_' or '.', e.g. \"test\"",
            )
    return config


def key_line(path: Path, key: str) -> str:
    """``path:line`` of the first line that mentions ``"key"`` (``path`` alone when none does)."""
    for number, line in text_lines(path):
        if f'"{key}"' in line:
            return f"{path}:{number}"
    return str(path)


def normal_type(name: str) -> str | None:
    """Our spelling of a task type written in any case and punctuation ("PairClassification"), or None."""
    kinds = {_normal(kind): kind for kind in TYPES}
    return kinds.get(_normal(name))


def _normal(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def task_type(folder: Path, config: dict[str, Any]) -> str:
    """The type that ``task.json`` names, else the one the files imply."""
    if "type" not in config:
        return infer_type(folder, config.get("split", "test"))
    value = config["type"]
    kind = normal_type(value) if isinstance(value, str) else None
    if kind is None:
        raise fail(
            key_line(folder / TASK_FILE, "type"), f"unknown task type {short(value)}", f"use one of {', '.join(TYPES)}"
        )
    return kind


def infer_type(folder: Path, split: str = "test") -> str:
    """The task type that the test split's columns imply (see ``harness.data.folders``)."""
    if (folder / "corpus.jsonl").is_file():
        return "retrieval"
    if (folder / "queries.jsonl").is_file() or (folder / "qrels").is_dir():
        raise fail(
            folder / "corpus.jsonl",
            "missing file (queries.jsonl or qrels/ make this a BEIR folder)",
            "a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv",
        )
    path = split_path(folder, split)
    where, first = next(records(path), (str(path), None))
    if first is None:
        raise fail(path, "no records", "write one record per line with the columns of the task type")
    for kind in ("reranking", "pair_classification", "sts"):
        if set(COLUMNS[kind]) <= set(first):
            return kind
    if {"text", "label"} <= set(first):
        has_train = any((folder / f"train{ext}").is_file() for ext in (".jsonl", ".parquet"))
        return "classification" if has_train else "clustering"
    raise fail(
        where,
        f"cannot tell the task type from the columns {sorted(first)}",
        f'add {TASK_FILE} naming the "type" ({", ".join(TYPES)}) and use its documented columns',
    )


def task_options(folder: Path, config: dict[str, Any], kind: str) -> dict[str, Any]:
    """The protocol options ``task.json`` sets, checked; unknown keys and bad values raise DataError."""
    path = folder / TASK_FILE
    allowed = OPTIONS.get(kind, {})
    known = ("type", "split") if kind == "retrieval" else ("type", *TEXT_KEYS, *allowed)
    for key, value in config.items():
        if key not in known:
            raise fail(key_line(path, key), f"unknown key {key!r} for a {kind} task", f"use only {', '.join(known)}")
        _check_option(path, key, value, allowed.get(key))
    main = config.get("main_metric")
    if main is not None and main not in METRICS[kind]:
        raise fail(
            key_line(path, "main_metric"),
            f"unknown main_metric {main!r} for a {kind} task",
            f"use one of {', '.join(METRICS[kind])}",
        )
    if kind == "classification" and config.get("train_split", "train") == config.get("split", "test"):
        raise fail(
            key_line(path, "split"),
            "the training and evaluation splits are the same file",
            'give "split" and "train_split" different names',
        )
    return {key: value for key, value in config.items() if key in allowed}


def _check_option(path: Path, key: str, value: Any, kind: type | None) -> None:
    if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < (0 if key == "seed" else 1)):
        least = "non-negative" if key == "seed" else "positive"
        raise fail(
            key_line(path, key),
            f'"{key}" must be a {least} integer, got {short(value)}',
            f'write "{key}" as a whole number',
        )
    if kind is int and key in LIMITS and value > LIMITS[key]:
        raise fail(
            key_line(path, key),
            f'"{key}" must be at most {LIMITS[key]:,}, got {value:,}',
            "a larger value would run for days or exhaust memory; use a smaller one",
        )
    if kind is str and (not isinstance(value, str) or not value):
        raise fail(
            key_line(path, key), f'"{key}" must be a non-empty string, got {short(value)}', f'write "{key}" as a string'
        )
