"""Retrieval: embed corpus and queries, search with a backend, score the run with trec_eval semantics."""

from __future__ import annotations

import functools
import re
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from harness.approximate import RANKED
from harness.data.beir import RetrievalData, beir_fingerprint, load_beir, read_queries
from harness.metrics import DEFAULT_K, RunningScores
from zoo.errors import ZooError
from zoo.fingerprint import fingerprint
from zoo.protocols import Encoder, SearchBackend, SearchStats, TaskScores, TaskSpec
from zoo.stored import StoredMatrix

MAIN_METRIC = "ndcg_at_10"
SEARCH_BATCH = 1024  # queries per backend call: bounds memory and drives the progress bar
LATENCY_SAMPLE = 200  # queries timed one by one for p50/p99 latency


BatchConsumer = Callable[[int, list[list[str]], np.ndarray], None]  # (first query row, hits, scores)


class _Collected:
    """Every batch's hits and scores, kept: what one big search returns."""

    def __init__(self) -> None:
        self.hits: list[list[str]] = []
        self.scores: list[np.ndarray] = []

    def __call__(self, start: int, hits: list[list[str]], scores: np.ndarray) -> None:
        self.hits.extend(hits)
        self.scores.append(scores)

    def result(self, k: int) -> tuple[list[list[str]], np.ndarray]:
        width = min(k, max((len(row) for row in self.hits), default=0))
        return self.hits, np.concatenate(self.scores) if self.scores else np.zeros((0, width), dtype=np.float32)


def search_in_batches(
    backend: SearchBackend, queries: np.ndarray, k: int, *, label: str = "search"
) -> tuple[list[list[str]], np.ndarray]:
    """Search query batches in turn, with a progress bar; returns what one big search would."""
    collected = _Collected()
    search_batches(backend, queries, k, collected, label=label)
    return collected.result(k)


def search_batches(
    backend: SearchBackend, queries: np.ndarray, k: int, consume: BatchConsumer, *, label: str = "search"
) -> float:
    """Search query batches in turn, with a progress bar, handing each batch's hits and scores to
    ``consume`` as it comes (so a caller keeps only what it needs); returns the seconds spent searching."""
    from tqdm.auto import tqdm

    seconds = 0.0
    with tqdm(total=len(queries), desc=label, unit="query", disable=None, leave=False, file=sys.stderr) as bar:
        for start in range(0, len(queries), SEARCH_BATCH):
            began = time.perf_counter()
            batch_hits, batch_scores = backend.search(queries[start : start + SEARCH_BATCH], k)
            seconds += time.perf_counter() - began
            consume(start, batch_hits, np.asarray(batch_scores, dtype=np.float32))
            bar.update(len(batch_hits))
    return seconds


def timed_search(
    backend: SearchBackend,
    doc_vectors: np.ndarray,
    doc_ids: list[str],
    query_vectors: np.ndarray,
    similarity: str,
    k: int,
    *,
    label: str = "search",
) -> tuple[list[list[str]], np.ndarray, SearchStats]:
    """Build, batch-search and time single queries: the hits, their scores and what it all cost."""
    collected = _Collected()
    stats = measured_search(backend, doc_vectors, doc_ids, query_vectors, similarity, k, collected, label=label)
    return *collected.result(k), stats


def measured_search(
    backend: SearchBackend,
    doc_vectors: np.ndarray | StoredMatrix,
    doc_ids: list[str],
    query_vectors: np.ndarray,
    similarity: str,
    k: int,
    consume: BatchConsumer,
    *,
    label: str = "search",
) -> SearchStats:
    """Build, batch-search (each batch handed to ``consume``) and time single queries: what it cost.

    A backend that hands back an index it built before (``harness.operating_points.SharedIndex``, one
    index searched at several operating points) reports that build's time as ``build_seconds``.
    """
    start = time.perf_counter()
    backend.build(doc_vectors, doc_ids, similarity)  # type: ignore[arg-type]
    built = time.perf_counter()
    search_seconds = search_batches(backend, query_vectors, k, consume, label=label)
    latencies = single_query_latencies(backend, query_vectors, k)
    earlier = getattr(backend, "build_seconds", None)
    return SearchStats(
        build_seconds=earlier if isinstance(earlier, float) else built - start,
        search_seconds=search_seconds,
        n_queries=len(query_vectors),
        n_documents=len(doc_ids),
        latency_p50_ms=float(np.percentile(latencies, 50)) if len(latencies) else None,
        latency_p99_ms=float(np.percentile(latencies, 99)) if len(latencies) else None,
        index_bytes=index_bytes(backend),
        depth=k,
    )


def corpus_vectors(encoder: Encoder, backend: SearchBackend, texts: list[str]) -> np.ndarray | StoredMatrix:
    """The corpus's vectors: left in the embedding cache, for the backend to stream, where the encoder can
    leave them there (``encode_stored``) and the backend reads them so (``reads_stored``); else in memory."""
    encode_stored = getattr(encoder, "encode_stored", None)
    if callable(encode_stored) and getattr(backend, "reads_stored", False):
        return encode_stored(texts, role="document")
    return encoder.encode(texts, role="document")


def single_query_latencies(
    backend: SearchBackend, queries: np.ndarray, k: int, *, sample: int = LATENCY_SAMPLE, seed: int = 0
) -> np.ndarray:
    """Milliseconds per query, searching one query at a time over a seeded sample of the queries."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(queries), size=min(sample, len(queries)), replace=False)
    times = np.empty(len(rows))
    for i, row in enumerate(rows):
        start = time.perf_counter()
        backend.search(queries[row : row + 1], k)
        times[i] = (time.perf_counter() - start) * 1000
    return times


def index_bytes(backend: SearchBackend) -> int | None:
    """The backend's own account of its memory, for backends that offer ``nbytes()``."""
    nbytes = getattr(backend, "nbytes", None)
    value = nbytes() if callable(nbytes) else None
    return int(value) if value is not None else None


def _text_key(text: str) -> str:
    return " ".join(text.split()).casefold()


class RetrievalTask:
    """A BEIR-style retrieval task over a folder that ``locate()`` returns (building it if needed).

    ``query_pool()`` returns the BEIR folder whose queries, less the scored ones, are the task's held-out
    queries (default: its own folder, whose other splits' queries are held out).
    """

    def __init__(
        self,
        spec: TaskSpec,
        locate: Callable[[], Path],
        *,
        split: str = "test",
        k_values: Sequence[int] = DEFAULT_K,
        ignore_identical_ids: bool = False,
        query_pool: Callable[[], Path] | None = None,
    ) -> None:
        self.spec = spec
        self._locate = locate
        self.split = split
        self.k_values = tuple(k_values)
        self.ignore_identical_ids = ignore_identical_ids
        self._query_pool = query_pool

    @functools.cached_property
    def folder(self) -> Path:
        return self._locate()

    @functools.cached_property
    def data(self) -> RetrievalData:
        return load_beir(self.folder, split=self.split)

    def cutoffs(self, depth: int | None) -> tuple[int, ...]:
        """The cutoffs a search of ``depth`` hits can score: those within it, and the depth itself."""
        if depth is None:
            return self.k_values
        cutoff = re.search(r"_at_(\d+)$", self.spec.main_metric)
        main_k = int(cutoff[1]) if cutoff else 1
        if depth < main_k:
            raise ZooError(
                f"--depth {depth} is shallower than {self.spec.name}'s main metric "
                f"{self.spec.main_metric}: use --depth {main_k} or more"
            )
        return tuple(sorted({k for k in self.k_values if k <= depth} | {depth}))

    def fit_inputs(self) -> list[str]:
        """What post-processors are fit on: the corpus (the transductive setting of BERT-whitening)."""
        return list(self.data.corpus.values())

    def data_fingerprint(self) -> str:
        return fingerprint(beir_fingerprint(self.folder), self.split)

    def tuning_queries(self, limit: int, seed: int) -> list[str]:
        """Up to ``limit`` texts of real queries this task never scores, drawn with ``seed``: what a recall
        target is tuned on. A query whose text a scored one shares (case and spacing aside) is left out."""
        scored = self.data.queries
        scored_texts = {_text_key(text) for text in scored.values()}
        pool = read_queries(self._query_pool() if self._query_pool is not None else self.folder)
        held_out = sorted(
            qid for qid, text in pool.items() if qid not in scored and _text_key(text) not in scored_texts
        )
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(len(held_out), size=min(limit, len(held_out)), replace=False))
        return [pool[held_out[row]] for row in rows]

    def evaluate(self, encoder: Encoder, backend: SearchBackend | None, *, depth: int | None = None) -> TaskScores:
        """Search ``depth`` hits per query (default: the deepest cutoff) and score them at every cutoff."""
        if backend is None:
            raise ZooError(f"task {self.spec.name!r} needs a search backend; pass --backend exact")
        k_values = self.cutoffs(depth)
        data = self.data
        doc_ids = list(data.corpus)
        query_ids = list(data.queries)
        doc_vectors = corpus_vectors(encoder, backend, [data.corpus[i] for i in doc_ids])
        query_vectors = encoder.encode([data.queries[i] for i in query_ids], role="query")

        # Each batch of hits is scored as it comes and dropped: a run of every query's hits with their
        # scores would outgrow the vectors themselves at depth 1000. The ranking keeps what the comparison
        # of an approximate backend with exact search reads.
        running = RunningScores(data.qrels, k_values, ignore_identical_ids=self.ignore_identical_ids)
        ranking: dict[str, list[str]] = {}

        def score(start: int, hits: list[list[str]], scores: np.ndarray) -> None:
            for qid, row, row_scores in zip(query_ids[start : start + len(hits)], hits, scores):
                if qid in running.judged:  # one query's hits as a dict at a time: ~90 bytes a hit
                    running.add({qid: dict(zip(row, row_scores.tolist()))})
                ranking[qid] = row[:RANKED]

        # one extra hit so that dropping a query's own id still leaves max(k) results
        k = max(k_values) + int(self.ignore_identical_ids)
        stats = measured_search(
            backend, doc_vectors, doc_ids, query_vectors, encoder.similarity, k, score, label=f"{encoder.name}: search"
        )
        metrics = running.means()
        main = self.spec.main_metric
        return TaskScores(metrics, metrics[main], self.split, stats, ranking, running.items(main))
