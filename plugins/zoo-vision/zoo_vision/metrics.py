"""Scores for the vision tasks: similarity matrices, top-k accuracy and hit rate (recall@k as in CLIP)."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from zoo.api import ZooError


def similarity_matrix(queries: np.ndarray, documents: np.ndarray, similarity: str) -> np.ndarray:
    """(n_queries, n_documents) similarities, higher is better, as the encoder means them."""
    q = np.asarray(queries, dtype=np.float64)
    d = np.asarray(documents, dtype=np.float64)
    if similarity == "cosine":
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
        d = d / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12)
        return q @ d.T
    if similarity == "dot":
        return q @ d.T
    if similarity == "euclidean":
        squared = (q * q).sum(1)[:, None] - 2 * q @ d.T + (d * d).sum(1)[None, :]
        return -np.sqrt(np.maximum(squared, 0.0))
    raise ZooError(f"unknown similarity {similarity!r}: use cosine, dot or euclidean")


def ranked(scores: np.ndarray) -> np.ndarray:
    """Column indices of each row, best first; ties keep the lower index first."""
    return np.argsort(-scores, axis=1, kind="stable")


def topk_accuracy(scores: np.ndarray, labels: Sequence[int], k: int) -> float:
    """Share of rows whose true column is among their k best."""
    order = ranked(scores)[:, :k]
    truth = np.asarray(labels)[:, None]
    return float((order == truth).any(axis=1).mean())


def hit_rate(hits: Mapping[str, Sequence[str]], relevant: Mapping[str, set[str]], k: int) -> float:
    """Share of queries with a relevant id among their first k hits: recall@k as CLIP and COCO report it
    (not trec_eval's recall, the share of a query's relevant ids found)."""
    if not relevant:
        raise ZooError("no queries with relevant documents to score")
    return float(np.mean([bool(set(hits.get(q, [])[:k]) & rel) for q, rel in relevant.items()]))
