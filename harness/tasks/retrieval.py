"""Retrieval: embed corpus and queries, search with a backend, score the run with trec_eval semantics."""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Callable, Sequence

from harness.data.beir import RetrievalData, beir_fingerprint, load_beir
from harness.metrics import DEFAULT_K, retrieval_scores
from zoo.errors import ZooError
from zoo.fingerprint import fingerprint
from zoo.protocols import Encoder, SearchBackend, SearchStats, TaskScores, TaskSpec

MAIN_METRIC = "ndcg_at_10"


class RetrievalTask:
    """A BEIR-style retrieval task over a folder that ``locate()`` returns (building it if needed)."""

    def __init__(
        self,
        spec: TaskSpec,
        locate: Callable[[], Path],
        *,
        split: str = "test",
        k_values: Sequence[int] = DEFAULT_K,
        ignore_identical_ids: bool = False,
    ) -> None:
        self.spec = spec
        self._locate = locate
        self.split = split
        self.k_values = tuple(k_values)
        self.ignore_identical_ids = ignore_identical_ids

    @functools.cached_property
    def folder(self) -> Path:
        return self._locate()

    @functools.cached_property
    def data(self) -> RetrievalData:
        return load_beir(self.folder, split=self.split)

    def data_fingerprint(self) -> str:
        return fingerprint(beir_fingerprint(self.folder), self.split)

    def evaluate(self, encoder: Encoder, backend: SearchBackend | None) -> TaskScores:
        if backend is None:
            raise ZooError(f"task {self.spec.name!r} needs a search backend; pass --backend exact")
        data = self.data
        doc_ids = list(data.corpus)
        query_ids = list(data.queries)
        doc_vectors = encoder.encode([data.corpus[i] for i in doc_ids], role="document")
        query_vectors = encoder.encode([data.queries[i] for i in query_ids], role="query")

        start = time.perf_counter()
        backend.build(doc_vectors, doc_ids, encoder.similarity)
        built = time.perf_counter()
        # one extra hit so that dropping a query's own id still leaves max(k) results
        k = max(self.k_values) + int(self.ignore_identical_ids)
        hits, scores = backend.search(query_vectors, k)
        searched = time.perf_counter()

        run = {
            qid: dict(zip(hits[row], scores[row].tolist())) for row, qid in enumerate(query_ids)
        }
        metrics = retrieval_scores(
            data.qrels, run, self.k_values, ignore_identical_ids=self.ignore_identical_ids
        )
        stats = SearchStats(
            build_seconds=built - start,
            search_seconds=searched - built,
            n_queries=len(query_ids),
            n_documents=len(doc_ids),
        )
        return TaskScores(metrics, metrics[self.spec.main_metric], self.split, stats)
