"""Evaluation metrics in pure Python/numpy, checked against pytrec_eval (trec_eval) and scipy.

Retrieval scores follow trec_eval exactly:

* Ranking: a query's hits are sorted by score, highest first; equal scores are ordered by
  document id, *descending* (trec_eval compares docnos with ``strcmp`` in reverse), so of two
  tied docs "b" ranks above "a". Python's ``str`` order equals ``strcmp`` on UTF-8 bytes.
* A document is relevant when its qrels grade is >= 1; unjudged documents and grades <= 0 are
  non-relevant and have gain 0.
* ``ndcg_at_k`` is trec_eval ``ndcg_cut.k``: linear gain (gain = grade), discount
  ``log2(rank + 1)``, ideal DCG from the query's qrels grades cut at k; 0 when the query has
  no relevant document.
* ``map_at_k`` is ``map_cut.k``, ``recall_at_k`` is ``recall.k``, ``precision_at_k`` is ``P.k``
  (always divided by k, even when fewer than k documents were retrieved).
* ``mrr_at_k`` is ``recip_rank`` on the run cut to its top k in trec order (as BEIR and MTEB do).
* Averaging (trec_eval ``-c``): the mean is over every query with at least one judgment in qrels.
  A judged query missing from the run, or with no hits, scores 0 on every measure. Run queries
  absent from qrels are ignored. (BEIR/MTEB average only over queries present in the run.)
* ``ignore_identical_ids`` drops a hit whose document id equals its query id before ranking.

Scores must not be NaN (trec_eval's order is undefined for them).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np

from zoo.protocols import ItemScores

MEASURES = ("ndcg", "map", "recall", "precision", "mrr")
DEFAULT_K = (1, 3, 5, 10, 20, 100, 1000)

Qrels = Mapping[str, Mapping[str, int]]
Run = Mapping[str, Mapping[str, float]]


def metric_name(measure: str, k: int) -> str:
    """The result key for a measure at cutoff k, e.g. ``ndcg_at_10``."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
    return f"{measure}_at_{k}"


def trec_order(hits: Mapping[str, float]) -> list[str]:
    """Document ids in trec_eval rank order: score descending, then doc id descending."""
    return [doc for doc, _ in sorted(hits.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)]


def retrieval_scores(
    qrels: Qrels,
    run: Run,
    k_values: Sequence[int] = DEFAULT_K,
    *,
    ignore_identical_ids: bool = False,
) -> dict[str, float]:
    """Mean of every measure at every k over the judged queries (see the module docstring)."""
    scores = RunningScores(qrels, k_values, ignore_identical_ids=ignore_identical_ids)
    scores.add(run)
    return scores.means()


class RunningScores:
    """``retrieval_scores`` over a run that arrives in parts: each part's queries are scored as it comes
    and only their scores are kept (a float per measure and query), never the hits (BEIR #109: holding
    a million-document run at depth 1000 took 50-60 GB)."""

    def __init__(
        self, qrels: Qrels, k_values: Sequence[int] = DEFAULT_K, *, ignore_identical_ids: bool = False
    ) -> None:
        self.ks = _check_k(k_values)
        self.names = _names(self.ks)
        self.judged = {qid: rels for qid, rels in qrels.items() if rels}
        if not self.judged:
            raise ValueError("qrels has no judged queries: nothing to score")
        self.ignore_identical_ids = ignore_identical_ids
        self._row = {qid: row for row, qid in enumerate(self.judged)}
        # a judged query never added keeps zeros: what trec_eval gives a query missing from the run
        self._values = np.zeros((len(self.judged), len(self.names)), dtype=np.float64)

    def add(self, run: Run) -> None:
        """Score the judged queries of this part of the run (a query added again is scored anew)."""
        for qid, hits in run.items():
            rels = self.judged.get(qid)
            if rels is None:
                continue
            scores = _scored(qid, hits, rels, self.ks, self.ignore_identical_ids)
            self._values[self._row[qid]] = [scores[name] for name in self.names]

    def means(self) -> dict[str, float]:
        """Each measure's mean over every judged query (exactly summed: the order of parts does not matter)."""
        n = len(self.judged)
        return {name: math.fsum(self._values[:, col].tolist()) / n for col, name in enumerate(self.names)}

    def items(self, metric: str) -> ItemScores:
        """One measure per judged query, by query id (qrels order): the evidence behind its mean."""
        return ItemScores(self._values[:, self.names.index(metric)].copy(), "mean", "query", tuple(self.judged))


def mean_scores(per_query: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """Each measure's mean over the queries of ``per_query_retrieval_scores``."""
    names = list(next(iter(per_query.values()), {}))
    n = len(per_query)
    return {name: math.fsum(scores[name] for scores in per_query.values()) / n for name in names}


def query_items(per_query: Mapping[str, Mapping[str, float]], metric: str) -> ItemScores:
    """One measure per judged query, by query id: the evidence behind its mean, for intervals and tests."""
    values = np.fromiter((scores[metric] for scores in per_query.values()), dtype=np.float64, count=len(per_query))
    return ItemScores(values, "mean", "query", tuple(per_query))


def per_query_retrieval_scores(
    qrels: Qrels,
    run: Run,
    k_values: Sequence[int] = DEFAULT_K,
    *,
    ignore_identical_ids: bool = False,
) -> dict[str, dict[str, float]]:
    """Query id -> metric name -> value, for every judged query in qrels."""
    ks = _check_k(k_values)
    judged = {qid: rels for qid, rels in qrels.items() if rels}
    if not judged:
        raise ValueError("qrels has no judged queries: nothing to score")
    return {qid: _scored(qid, run.get(qid) or {}, rels, ks, ignore_identical_ids) for qid, rels in judged.items()}


def _scored(
    qid: str, hits: Mapping[str, float], rels: Mapping[str, int], ks: tuple[int, ...], ignore_identical_ids: bool
) -> dict[str, float]:
    """Every measure at every k for one judged query's hits."""
    if ignore_identical_ids and qid in hits:
        hits = {doc: score for doc, score in hits.items() if doc != qid}
    return _query_scores(_relevant_ranks(hits, rels), rels, ks)


def _check_k(k_values: Sequence[int]) -> tuple[int, ...]:
    ks = tuple(dict.fromkeys(int(k) for k in k_values))
    if not ks or min(ks) < 1:
        raise ValueError(f"k values must be positive integers, got {list(k_values)!r}")
    return ks


def _names(k_values: Sequence[int]) -> list[str]:
    return [metric_name(m, k) for k in _check_k(k_values) for m in MEASURES]


def _relevant_ranks(hits: Mapping[str, float], rels: Mapping[str, int]) -> list[tuple[int, int]]:
    """(rank, grade) of each retrieved relevant document, by rank; ranks are 1-based, trec order."""
    found = [(doc, grade) for doc, grade in rels.items() if grade >= 1 and doc in hits]
    if not found:
        return []
    # Only relevant docs carry gain, so we rank those few instead of sorting the whole run:
    # rank = 1 + (#higher scores) + (#equal scores with a larger doc id).
    scores = np.fromiter(hits.values(), dtype=np.float64, count=len(hits))
    ordered = np.sort(scores)
    ids: list[str] | None = None
    ranked = []
    for doc, grade in found:
        score = hits[doc]
        low = int(np.searchsorted(ordered, score, side="left"))
        high = int(np.searchsorted(ordered, score, side="right"))
        rank = len(ordered) - high + 1
        if high - low > 1:
            ids = ids if ids is not None else list(hits)
            rank += sum(ids[i] > doc for i in np.flatnonzero(scores == score))
        ranked.append((rank, grade))
    ranked.sort()
    return ranked


def _query_scores(ranked: list[tuple[int, int]], rels: Mapping[str, int], ks: tuple[int, ...]) -> dict[str, float]:
    """All measures at every k for one query, from the ranks of its retrieved relevant docs."""
    num_rel = sum(1 for grade in rels.values() if grade >= 1)
    ideal = sorted((grade for grade in rels.values() if grade >= 1), reverse=True)
    ideal_dcg = [0.0, *itertools.accumulate(g / math.log2(i + 2) for i, g in enumerate(ideal))]
    ranks = [rank for rank, _ in ranked]
    dcg = [0.0, *itertools.accumulate(g / math.log2(r + 1) for r, g in ranked)]
    sum_prec = [0.0, *itertools.accumulate((i + 1) / r for i, r in enumerate(ranks))]

    out: dict[str, float] = {}
    for k in ks:
        n = bisect.bisect_right(ranks, k)
        idcg = ideal_dcg[min(k, len(ideal))]
        out[f"ndcg_at_{k}"] = dcg[n] / idcg if idcg > 0 else 0.0
        out[f"map_at_{k}"] = sum_prec[n] / num_rel if num_rel else 0.0
        out[f"recall_at_{k}"] = n / num_rel if num_rel else 0.0
        out[f"precision_at_{k}"] = n / k
        out[f"mrr_at_{k}"] = 1.0 / ranks[0] if n else 0.0
    return out


def sts_scores(predicted: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """Pearson and Spearman correlation between predicted similarities and gold scores."""
    from scipy import stats

    predicted = np.asarray(predicted, dtype=np.float64).ravel()
    gold = np.asarray(gold, dtype=np.float64).ravel()
    if predicted.shape != gold.shape:
        raise ValueError(f"predicted has {predicted.size} scores but gold has {gold.size}")
    if predicted.size < 2:
        raise ValueError("STS correlation needs at least 2 pairs")
    return {
        "pearson": float(stats.pearsonr(predicted, gold)[0]),
        "spearman": float(stats.spearmanr(predicted, gold)[0]),
    }
