"""An mteb task's loaded data, one subset and split, written out as one of our task folders.

mteb 2.x keeps each type's data in its own shape; each is read column by column, checked by the same
rules as a user's task folder (``harness.data.task_records``), and written in the documented layout
(``harness.data.folders``), so a converted task loads offline afterwards like any other folder.
Errors name the mteb row: ``mteb:<Task> <subset>/<split> row <n>``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Callable, Iterator

from harness.data.beir import RetrievalData, write_beir
from harness.data.paths import TASK_FILE
from harness.data.records import Located, located_rows, write_jsonl
from harness.data.task_records import (
    classification_data,
    clustering_data,
    pair_classification_data,
    reranking_data,
    sts_data,
)
from zoo.errors import DataError, ZooError
from zoo.plugins import warn


def unsupported(task: Any, why: str) -> ZooError:
    return ZooError(
        f"mteb task {task.metadata.name!r} ({task.metadata.type}): {why}; "
        "zoo runs mteb's Retrieval, Reranking, Classification, Clustering, STS and "
        "PairClassification tasks on text"
    )


def write_task_folder(task: Any, data: Any, split: str, label: str, folder: Path) -> dict[str, Any]:
    """Convert ``data`` (the subset's splits) into ``folder``; returns what ``task.json`` holds."""
    kind = task_kind(task)
    writers = {
        "retrieval": _retrieval,
        "reranking": _reranking,
        "classification": _classification,
        "clustering": _clustering,
        "sts": _sts,
        "pair_classification": _pair_classification,
    }
    config = {"type": kind, "split": split, **writers[kind](task, data, split, label, folder)}
    (folder / TASK_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return config


def task_kind(task: Any) -> str:
    """Our task type for an mteb task object, or a ZooError for protocols we do not mirror."""
    from mteb.abstasks.clustering import AbsTaskClustering

    kinds = {
        "Retrieval": "retrieval",
        "Reranking": "reranking",
        "Classification": "classification",
        "Clustering": "clustering",
        "STS": "sts",
        "PairClassification": "pair_classification",
    }
    kind = kinds.get(task.metadata.type)
    if kind is None:
        raise unsupported(task, "this task type is not mirrored")
    if task.metadata.modalities != ["text"]:
        raise unsupported(task, f"modalities {task.metadata.modalities} are not text only")
    if kind == "clustering" and not isinstance(task, AbsTaskClustering):
        raise unsupported(
            task,
            "the legacy clustering protocol (k-means per row of sentences) is not mirrored; use the task's .v2 variant",
        )
    if kind == "classification" and getattr(task, "is_cross_validation", False):
        raise unsupported(task, "cross-validated classification is not mirrored")
    return kind


def _column(task: Any, attribute: str, default: str) -> str:
    name = getattr(task, attribute, default)
    if not isinstance(name, str):
        raise unsupported(task, f"{attribute} {name!r} is not one text column")
    return name


def _retrieval(task: Any, data: dict[str, Any], split: str, label: str, folder: Path) -> dict[str, Any]:
    part = data[split]
    queries = part["queries"]
    if "instruction" in queries.column_names:
        raise unsupported(task, "queries with instructions are not mirrored")
    corpus = _by_id(part["corpus"], f"{label} corpus", _document)
    texts = _by_id(queries, f"{label} queries", lambda row: row["text"])
    qrels = {str(q): {str(d): int(s) for d, s in docs.items()} for q, docs in part["relevant_docs"].items()}
    write_beir(RetrievalData(corpus, texts, qrels, split), folder)
    return {}


def _by_id(rows: Any, label: str, text: Callable[[dict[str, Any]], str]) -> dict[str, str]:
    """Texts by id; a repeated id is an error naming both rows."""
    found: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        key = str(row["id"])
        if key in found:
            raise DataError(
                f"{label} row {number}: duplicate id {key!r} (first in row {first_row[key]}); "
                "the mteb dataset is inconsistent, report it to its maintainers"
            )
        found[key], first_row[key] = text(row), number
    return found


def _document(row: dict[str, Any]) -> str:
    """mteb's (and BEIR's) document text: title and text joined when there is a title."""
    title = row.get("title") or ""
    return f"{title} {row['text']}".strip() if title else row["text"].strip()


def _reranking(task: Any, data: dict[str, Any], split: str, label: str, folder: Path) -> dict[str, Any]:
    """Each query with its candidates (mteb's ``top_ranked``) split by relevance into positives and negatives."""
    part = data[split]
    corpus = _by_id(part["corpus"], f"{label} corpus", _document)
    queries = _by_id(part["queries"], f"{label} queries", lambda row: row["text"])
    relevant = part["relevant_docs"]
    top_ranked = part.get("top_ranked") or {}
    rows = []
    for number, (qid, candidates) in enumerate(top_ranked.items(), start=1):
        where = f"{label} query {qid!r} (number {number})"
        missing = [d for d in candidates if str(d) not in corpus]
        if qid not in queries or missing:
            unknown = "query" if qid not in queries else f"document {missing[0]!r}"
            raise DataError(
                f"{where}: names an unknown {unknown}; the mteb dataset is inconsistent, report it to its maintainers"
            )
        grades = relevant.get(qid, {})
        positive = [corpus[str(d)] for d in candidates if grades.get(d, 0) > 0]
        negative = [corpus[str(d)] for d in candidates if grades.get(d, 0) <= 0]
        if positive and negative:
            rows.append((where, {"query": queries[qid], "positive": positive, "negative": negative}))
    if len(rows) < len(top_ranked):  # every candidate relevant, or none: nothing to rank
        warn(
            f"{label}: {len(top_ranked) - len(rows)} of {len(top_ranked)} queries have no relevant or no "
            "irrelevant candidate; they are left out"
        )
    write_jsonl(folder / f"{split}.jsonl", _records(reranking_data(rows, label, split)))
    return {}


def _classification(task: Any, data: Any, split: str, label: str, folder: Path) -> dict[str, Any]:
    columns = {"text": _column(task, "input_column_name", "text"), "label": _column(task, "label_column_name", "label")}
    train_split = task.train_split
    train_label = label.replace(f"/{split}", f"/{train_split}")
    parsed = classification_data(
        located_rows(data[train_split], train_label, columns),
        train_label,
        located_rows(data[split], label, columns),
        label,
        split,
    )
    write_jsonl(
        folder / f"{train_split}.jsonl",
        ({"text": t, "label": y} for t, y in zip(parsed.train_texts, parsed.train_labels)),
    )
    write_jsonl(
        folder / f"{split}.jsonl", ({"text": t, "label": y} for t, y in zip(parsed.test_texts, parsed.test_labels))
    )
    return {
        "train_split": train_split,
        "samples_per_label": task.samples_per_label,
        "n_experiments": task.n_experiments,
        "seed": task.seed,
    }


def _clustering(task: Any, data: Any, split: str, label: str, folder: Path) -> dict[str, Any]:
    columns = {
        "text": _column(task, "input_column_name", "sentences"),
        "label": _column(task, "label_column_name", "labels"),
    }
    rows = [
        (where, {**record, "label": _one_level(where, record["label"])})
        for where, record in located_rows(data[split], label, columns)
    ]
    sampled = _samples_documents(task)
    parsed = clustering_data(_embedded_sample(task, rows) if sampled else rows, label, split)
    write_jsonl(folder / f"{split}.jsonl", ({"text": t, "label": y} for t, y in zip(parsed.texts, parsed.labels)))
    options = {
        "n_experiments": task.n_clusters,
        "cluster_size": task.max_documents_per_cluster,
        "batch_size": task.k_mean_batch_size,
        "seed": task.seed,
    }
    return options | ({"sampled_from": len(rows)} if sampled else {})


def _samples_documents(task: Any) -> bool:
    return task.max_fraction_of_documents_to_embed is not None or task.max_document_to_embed is not None


def _embedded_sample(task: Any, rows: list[Located]) -> list[Located]:
    """The rows mteb embeds: its seeded sample (``random.Random(seed).sample``), in its order.

    mteb draws its bootstrap from the same random stream after this sample; the task's ``sampled_from``
    option makes zoo's continue it likewise.
    """
    fraction, most = task.max_fraction_of_documents_to_embed, task.max_document_to_embed
    k = min(len(rows), int(fraction * len(rows)) if fraction is not None else most)
    return [rows[i] for i in random.Random(task.seed).sample(range(len(rows)), k=k)]


def _one_level(where: str, value: Any) -> Any:
    """A label, or a one-element label list; hierarchical (several level) labels are not mirrored."""
    if isinstance(value, list):
        if len(value) != 1:
            raise DataError(f"{where}: hierarchical label {value!r}; zoo's clustering scores one level of labels")
        return value[0]
    return value


def _sts(task: Any, data: Any, split: str, label: str, folder: Path) -> dict[str, Any]:
    columns = {"sentence1": "sentence1", "sentence2": "sentence2", "score": "score"}
    parsed = sts_data(located_rows(data[split], label, columns), label, split)
    write_jsonl(
        folder / f"{split}.jsonl",
        (
            {"sentence1": a, "sentence2": b, "score": s}
            for a, b, s in zip(parsed.sentences1, parsed.sentences2, parsed.scores.tolist())
        ),
    )
    return {}


def _pair_classification(task: Any, data: Any, split: str, label: str, folder: Path) -> dict[str, Any]:
    """Rows of single pairs (mteb 2.x) or one row of pair lists (older mteb datasets)."""
    columns = {
        "sentence1": "sentence1",
        "sentence2": "sentence2",
        "label": _column(task, "label_column_name", "labels"),
    }
    rows = list(located_rows(data[split], label, columns))
    if len(rows) == 1 and isinstance(rows[0][1]["sentence1"], list):
        where, record = rows[0]
        rows = [
            (f"{where} pair {i}", dict(zip(columns, values)))
            for i, values in enumerate(zip(*(record[c] for c in columns)), start=1)
        ]
    parsed = pair_classification_data(rows, label, split)
    write_jsonl(
        folder / f"{split}.jsonl",
        (
            {"sentence1": a, "sentence2": b, "label": y}
            for a, b, y in zip(parsed.sentences1, parsed.sentences2, parsed.labels)
        ),
    )
    return {}


def _records(data: Any) -> Iterator[dict[str, Any]]:
    for query, positive, negative in zip(data.queries, data.positives, data.negatives):
        yield {"query": query, "positive": positive, "negative": negative}
