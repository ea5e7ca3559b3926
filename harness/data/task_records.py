"""Located records to the task data of each type, checked: the same rules for files and for datasets.

Columns per type (see ``harness.data.folders`` for the file layouts):

    classification       text (string), label (string or integer); a training and an evaluation split
    clustering           text (string), label (string or integer)
    pair_classification  sentence1, sentence2 (strings), label (0 or 1)
    reranking            query (string), positive, negative (non-empty lists of strings)
    sts                  sentence1, sentence2 (strings), score (finite number)

Every function takes ``(where, record)`` pairs and a ``source`` (the file or dataset split they came
from) and raises a DataError naming the record's location and the fix.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from harness.data.lee_sts import STSData
from harness.data.records import Located, fail, short
from harness.tasks.classification import ClassificationData
from harness.tasks.clustering import ClusteringData
from harness.tasks.pair_classification import PairClassificationData
from harness.tasks.reranking import RerankingData

COLUMNS = {
    "classification": ("text", "label"),
    "clustering": ("text", "label"),
    "pair_classification": ("sentence1", "sentence2", "label"),
    "reranking": ("query", "positive", "negative"),
    "sts": ("sentence1", "sentence2", "score"),
}
Source = Path | str


# --- fields -------------------------------------------------------------------------------------


def field(where: str, record: dict[str, Any], key: str, ok: Callable[[Any], bool], expected: str, fix: str) -> Any:
    """``record[key]`` when ``ok`` accepts it; else a DataError saying it is missing or what it must be."""
    value = record.get(key)
    if value is None or not ok(value):
        what = f'missing "{key}"' if value is None else f'"{key}" must be {expected}, got {short(value)}'
        raise fail(where, what, fix)
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def text(where: str, record: dict[str, Any], key: str) -> str:
    return field(where, record, key, lambda v: isinstance(v, str), "a string", f'give every record a string "{key}"')


def label(where: str, record: dict[str, Any]) -> str | int:
    return field(
        where,
        record,
        "label",
        lambda v: isinstance(v, (str, int)) and not isinstance(v, bool),
        "a string or an integer",
        'give every record a string or integer "label"',
    )


def binary(where: str, record: dict[str, Any]) -> int:
    return int(
        field(
            where,
            record,
            "label",
            lambda v: is_number(v) and v in (0, 1),
            "0 or 1",
            "label positive pairs 1 and negative pairs 0",
        )
    )


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(t, str) for t in value)


def text_list(where: str, record: dict[str, Any], key: str) -> list[str]:
    return field(
        where,
        record,
        key,
        _is_texts,
        "a non-empty list of strings",
        f'give every query a non-empty list of "{key}" texts (mteb drops queries without)',
    )


def score(where: str, record: dict[str, Any]) -> float:
    return float(field(where, record, "score", is_number, "a finite number", "give every pair a numeric score"))


def nonempty(source: Source, rows: list[Any], columns: tuple[str, ...]) -> None:
    if not rows:
        raise fail(source, "no records", f"write one record per line with {', '.join(columns)}")


# --- task data ----------------------------------------------------------------------------------


def labelled(rows: Iterable[Located], source: Source) -> tuple[list[str], list[str | int], list[str]]:
    """Texts, labels and where each record is."""
    texts: list[str] = []
    labels: list[str | int] = []
    wheres: list[str] = []
    for where, record in rows:
        texts.append(text(where, record, "text"))
        labels.append(label(where, record))
        wheres.append(where)
    nonempty(source, texts, COLUMNS["clustering"])
    return texts, labels, wheres


def _one_type(labels: list[str | int], wheres: list[str]) -> None:
    kinds = {str: "a string", int: "an integer"}
    for value, where in zip(labels, wheres):
        if type(value) is not type(labels[0]):
            raise fail(
                where,
                f"label {short(value)} is {kinds[type(value)]} but label "
                f"{short(labels[0])} ({wheres[0]}) is {kinds[type(labels[0])]}",
                "use one type, strings or integers, for every label",
            )


def _two_labels(source: Source, labels: list[str | int], what: str) -> None:
    if len(set(labels)) < 2:
        raise fail(source, f"every record has label {short(labels[0])}", f"{what} needs at least two labels")


def _name(source: Source) -> str:
    return source.name if isinstance(source, Path) else source


def classification_data(
    train: Iterable[Located], train_source: Source, test: Iterable[Located], test_source: Source, split: str = "test"
) -> ClassificationData:
    """Training and evaluation records; every evaluation label must occur in training."""
    train_texts, train_labels, train_wheres = labelled(train, train_source)
    test_texts, test_labels, test_wheres = labelled(test, test_source)
    _one_type(train_labels + test_labels, train_wheres + test_wheres)
    _two_labels(train_source, train_labels, "classification")
    known = set(train_labels)
    for value, where in zip(test_labels, test_wheres):
        if value not in known:
            raise fail(
                where,
                f"label {short(value)} never occurs in {_name(train_source)}",
                f"add examples of it to {_name(train_source)} or drop the line",
            )
    return ClassificationData(train_texts, train_labels, test_texts, test_labels, split)


def clustering_data(rows: Iterable[Located], source: Source, split: str = "test") -> ClusteringData:
    texts, labels, wheres = labelled(rows, source)
    _one_type(labels, wheres)
    _two_labels(source, labels, "clustering")
    return ClusteringData(texts, labels, split)


def pair_classification_data(rows: Iterable[Located], source: Source, split: str = "test") -> PairClassificationData:
    left, right, labels = [], [], []
    for where, record in rows:
        left.append(text(where, record, "sentence1"))
        right.append(text(where, record, "sentence2"))
        labels.append(binary(where, record))
    nonempty(source, labels, COLUMNS["pair_classification"])
    if len(set(labels)) < 2:
        raise fail(
            source,
            f"every pair has label {labels[0]}",
            "pair classification needs both positive (1) and negative (0) pairs",
        )
    return PairClassificationData(left, right, labels, split)


def reranking_data(rows: Iterable[Located], source: Source, split: str = "test") -> RerankingData:
    queries, positives, negatives = [], [], []
    for where, record in rows:
        queries.append(text(where, record, "query"))
        positives.append(text_list(where, record, "positive"))
        negatives.append(text_list(where, record, "negative"))
    nonempty(source, queries, COLUMNS["reranking"])
    return RerankingData(queries, positives, negatives, split)


def sts_data(rows: Iterable[Located], source: Source, split: str = "test") -> STSData:
    left, right, scores = [], [], []
    for where, record in rows:
        left.append(text(where, record, "sentence1"))
        right.append(text(where, record, "sentence2"))
        scores.append(score(where, record))
    nonempty(source, scores, COLUMNS["sts"])
    return STSData(left, right, np.asarray(scores, dtype=np.float64), split)
