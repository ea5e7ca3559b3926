"""Reranking (MTEB protocol): order each query's own candidates by similarity, score with trec_eval.

mteb 2.x runs reranking as retrieval restricted to each query's candidates
(mteb/abstasks/text/reranking.py converts the ``query``/``positive``/``negative`` rows;
mteb/_evaluators/retrieval_metrics.py scores them with pytrec_eval). Mirrored here:

- query ``i`` of the split is ``<split>_query<i>``; its positives are ``apositive_<qid>_<00000>``
  (grade 1), its negatives ``negative_<qid>_<00000>`` (grade 0). The ids matter only for ties, which
  trec_eval breaks by document id, descending: a tied negative ranks above a tied positive;
- a candidate's score is the encoder's similarity to the query (cosine, dot or negative euclidean);
- metrics from ``harness.metrics.retrieval_scores`` (trec_eval semantics, checked against pytrec_eval):
  ``map_at_k``, ``mrr_at_k``, ``ndcg_at_k``, ``recall_at_k``, ``precision_at_k``; mteb rounds the
  trec_eval means to 5 decimals, we do not. ``map`` is MAP over all candidates (mteb 1.x's reranking
  score; equal to ``map_at_1000`` for lists of up to 1,000). Main score: map_at_1000, as most mteb
  reranking tasks; ``mrr_at_10`` is mteb 1.x's second reranking score.

Queries without a positive or without a negative are dropped by mteb; the folder loader rejects them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from harness.metrics import (
    DEFAULT_K,
    MEASURES,
    mean_scores,
    metric_name,
    per_query_retrieval_scores,
    query_items,
)
from zoo.fingerprint import fingerprint
from zoo.protocols import Encoder, SearchBackend, TaskScores, TaskSpec

MAIN_METRIC = "map_at_1000"
K_VALUES = DEFAULT_K
METRIC_NAMES = ("map", *(metric_name(m, k) for m in MEASURES for k in K_VALUES))


@dataclass(frozen=True, eq=False)
class RerankingData:
    """Per query: its text, the relevant candidates and the non-relevant ones."""

    queries: list[str]
    positives: list[list[str]]
    negatives: list[list[str]]
    split: str = "test"


def similarity_to(query: np.ndarray, candidates: np.ndarray, similarity: str) -> np.ndarray:
    """Scores of candidates (c, d) against one query (d,): higher is more similar."""
    query = query.astype(np.float64)
    candidates = candidates.astype(np.float64)
    if similarity == "dot":
        return candidates @ query
    if similarity == "euclidean":
        return -np.linalg.norm(candidates - query, axis=1)
    norms = np.linalg.norm(candidates, axis=1) * np.linalg.norm(query)
    dots = candidates @ query
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def candidate_ids(data: RerankingData) -> tuple[dict[str, dict[str, int]], dict[str, list[tuple[str, str]]]]:
    """mteb's query and candidate ids: qrels, and each query's (candidate id, text) in order."""
    qrels: dict[str, dict[str, int]] = {}
    candidates: dict[str, list[tuple[str, str]]] = {}
    for i, (positives, negatives) in enumerate(zip(data.positives, data.negatives)):
        qid = f"{data.split}_query{i}"
        rows = [(f"apositive_{qid}_{j:05d}", text, 1) for j, text in enumerate(positives)]
        rows += [(f"negative_{qid}_{j:05d}", text, 0) for j, text in enumerate(negatives)]
        qrels[qid] = {doc_id: grade for doc_id, _, grade in rows}
        candidates[qid] = [(doc_id, text) for doc_id, text, _ in rows]
    return qrels, candidates


class RerankingTask:
    """Queries with their candidate lists; ``load_data()`` returns RerankingData."""

    def __init__(self, spec: TaskSpec, load_data: Callable[[], RerankingData]) -> None:
        self.spec = spec
        self._load_data = load_data

    @functools.cached_property
    def data(self) -> RerankingData:
        return self._load_data()

    def documents(self) -> list[str]:
        """Every distinct candidate text, in first-seen order."""
        data = self.data
        return list(dict.fromkeys(t for group in (*data.positives, *data.negatives) for t in group))

    def fit_inputs(self) -> list[str]:
        """Every distinct text the task encodes: queries and candidates."""
        return list(dict.fromkeys([*self.data.queries, *self.documents()]))

    def data_fingerprint(self) -> str:
        data = self.data
        return fingerprint("reranking", data.queries, data.positives, data.negatives, data.split)

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        data = self.data
        documents = self.documents()
        row = {text: i for i, text in enumerate(documents)}
        query_vectors = encoder.encode(list(data.queries), role="query")
        doc_vectors = encoder.encode(documents, role="document")
        qrels, candidates = candidate_ids(data)
        run: dict[str, dict[str, float]] = {}
        for q, (qid, items) in enumerate(candidates.items()):
            vectors = doc_vectors[[row[text] for _, text in items]]
            scores = similarity_to(query_vectors[q], vectors, encoder.similarity)
            run[qid] = {doc_id: float(s) for (doc_id, _), s in zip(items, scores)}
        longest = max(len(items) for items in candidates.values())
        k_all = max(max(K_VALUES), longest)
        per_query = per_query_retrieval_scores(qrels, run, tuple(sorted({*K_VALUES, k_all})))
        for scores in per_query.values():
            scores["map"] = scores[metric_name("map", k_all)]
        metrics = mean_scores(per_query)
        return TaskScores(
            metrics, metrics[self.spec.main_metric], data.split, items=query_items(per_query, self.spec.main_metric)
        )
