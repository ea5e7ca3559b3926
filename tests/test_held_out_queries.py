"""Held-out queries: real queries a retrieval task never scores, on which a recall target is tuned."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.data.beir import RetrievalData, read_queries, write_beir
from harness.tasks.builtin import ICD10CM, ICD10CM_SMALL, beir_folder_spec
from harness.tasks.retrieval import RetrievalTask

CORPUS = {f"d{i}": f"document {i}" for i in range(20)}
TEST = {f"t{i}": f"test query {i}" for i in range(10)}
DEV = {f"v{i}": f"dev query {i}" for i in range(30)}
TWIN = {"v-twin": "  TEST query   3 "}  # a dev query whose text a scored one shares, case and spacing aside


@pytest.fixture
def dev_and_test(tmp_path: Path) -> Path:
    """A BEIR folder whose queries.jsonl holds test queries, dev queries and one query no split judges."""
    queries = {**TEST, **DEV, **TWIN, "unjudged": "a query no split judges"}
    for split, judged in (("test", TEST), ("dev", {**DEV, **TWIN})):
        write_beir(RetrievalData(CORPUS, queries, {qid: {"d0": 1} for qid in judged}, split), tmp_path)
    return tmp_path


def load(folder: Path) -> RetrievalTask:
    task = beir_folder_spec(folder).load()
    assert isinstance(task, RetrievalTask)
    return task


def test_read_queries_keeps_the_queries_no_split_judges(dev_and_test: Path):
    assert read_queries(dev_and_test)["unjudged"] == "a query no split judges"
    assert len(read_queries(dev_and_test)) == len(TEST) + len(DEV) + 2


def test_held_out_queries_are_the_unscored_ones_never_a_scored_text(dev_and_test: Path):
    task = load(dev_and_test)
    held_out = task.tuning_queries(1000, 0)
    assert sorted(held_out) == sorted([*DEV.values(), "a query no split judges"])
    assert not set(held_out) & set(task.data.queries.values())  # the twin of "test query 3" is left out
    assert len(task.data.queries) == len(TEST)  # the scored split is untouched


def test_held_out_queries_are_a_seeded_sample_of_at_most_limit(dev_and_test: Path):
    task = load(dev_and_test)
    first = task.tuning_queries(5, 0)
    assert len(first) == 5 and first == task.tuning_queries(5, 0)
    assert task.tuning_queries(5, 1) != first
    assert set(first) <= set(task.tuning_queries(1000, 0))


def test_a_task_whose_every_query_is_scored_has_none(tmp_path: Path):
    write_beir(RetrievalData(CORPUS, TEST, {qid: {"d0": 1} for qid in TEST}, "test"), tmp_path)
    assert load(tmp_path).tuning_queries(1000, 0) == []


@pytest.mark.slow  # builds the full ICD-10-CM task (about 8 s) once per session's data home
def test_icd10cm_small_holds_out_the_full_tasks_other_queries_and_the_full_task_none():
    small, full = ICD10CM_SMALL.load(), ICD10CM.load()
    held_out = small.tuning_queries(1000, 0)
    assert len(held_out) == len(set(held_out)) == 1000
    scored = {" ".join(text.split()).casefold() for text in small.data.queries.values()}
    assert not {" ".join(text.split()).casefold() for text in held_out} & scored
    assert set(held_out) <= set(full.data.queries.values())  # real inclusion terms, from the full task
    assert full.tuning_queries(1000, 0) == []  # it scores every query it has: a target tunes on documents
