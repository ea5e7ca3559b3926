"""Fusing two runs of one query: reciprocal-rank fusion and a convex combination of normalised scores,
and the convex weight tuned on a dev split of the queries.

A run here is one query's hits, best first, with their scores: ``(ids, scores)``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from harness.metrics import RunningScores

Hits = tuple[Sequence[str], Sequence[float]]  # one query's ids, best first, and their scores
RRF_K = 60  # Cormack, Clarke and Buettcher (2009): k = 60
WEIGHTS = tuple(round(w, 2) for w in np.linspace(0.0, 1.0, 21))  # the convex weights tried in tuning


def rrf(runs: Sequence[Sequence[str]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal-rank fusion: each document scores the sum over runs of 1 / (k + its rank), ranks from 1."""
    if k < 0:
        raise ValueError(f"RRF needs k >= 0, got {k}")
    fused: dict[str, float] = {}
    for ranking in runs:
        for rank, doc in enumerate(ranking, start=1):
            fused[doc] = fused.get(doc, 0.0) + 1.0 / (k + rank)
    return fused


def min_max(scores: Sequence[float]) -> np.ndarray:
    """Scores mapped onto [0, 1] over one run's hits (all equal: all 1, so a lone hit still counts)."""
    values = np.asarray(scores, dtype=np.float64)
    if not len(values):
        return values
    low, high = values.min(), values.max()
    return np.ones_like(values) if high == low else (values - low) / (high - low)


def convex(first: Hits, second: Hits, weight: float) -> dict[str, float]:
    """``weight`` x the first run's min-max normalised score + (1 - weight) x the second's; a document
    absent from a run takes that run's floor, 0."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"the convex weight must lie in [0, 1], got {weight}")
    fused: dict[str, float] = {}
    for (ids, scores), share in ((first, weight), (second, 1.0 - weight)):
        for doc, value in zip(ids, min_max(scores).tolist()):
            fused[doc] = fused.get(doc, 0.0) + share * value
    return fused


def ranked(fused: Mapping[str, float], order: Mapping[str, int], k: int) -> tuple[list[str], np.ndarray]:
    """The k best of a fused run, equal scores in corpus order (``order``: each id's corpus position)."""
    best = sorted(fused, key=lambda doc: (-fused[doc], order[doc]))[:k]
    return best, np.array([fused[doc] for doc in best], dtype=np.float32)


def dev_split(query_ids: Sequence[str], share: float, seed: int = 0) -> tuple[list[str], list[str]]:
    """Query ids cut into a dev part (``share`` of them, drawn with ``seed``) and the rest, in their order."""
    if not 0.0 < share < 1.0:
        raise ValueError(f"the dev share must lie strictly between 0 and 1, got {share}")
    rng = np.random.default_rng(seed)
    dev_rows = set(rng.choice(len(query_ids), size=max(1, round(share * len(query_ids))), replace=False).tolist())
    dev = [q for row, q in enumerate(query_ids) if row in dev_rows]
    return dev, [q for row, q in enumerate(query_ids) if row not in dev_rows]


def tune_weight(
    first: Mapping[str, Hits],
    second: Mapping[str, Hits],
    qrels: Mapping[str, Mapping[str, int]],
    dev: Sequence[str],
    *,
    metric: str = "ndcg_at_10",
    weights: Sequence[float] = WEIGHTS,
) -> tuple[float, dict[float, float]]:
    """The convex weight with the best mean ``metric`` over the ``dev`` queries, and
    every weight's dev score. Among equal scores, the most even mixture. Only dev queries are read."""
    cutoff = int(metric.rsplit("_at_", 1)[1])
    judged = {q: qrels[q] for q in dev if qrels.get(q)}
    if not judged:
        raise ValueError("no dev query has a judgment: nothing to tune the weight on")
    curve = {}
    for weight in weights:
        running = RunningScores(judged, (cutoff,))
        running.add({q: convex(first[q], second[q], weight) for q in judged})
        curve[float(weight)] = running.means()[metric]
    best = max(curve, key=lambda w: (curve[w], -abs(w - 0.5)))  # equals: the most even mixture
    return best, curve
