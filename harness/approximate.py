"""How far an approximate search strays from exact search on the same vectors."""

from __future__ import annotations

from typing import Mapping, Sequence

from zoo.protocols import TaskScores

RECALL_K = (10, 100)
RANKED = max(RECALL_K)  # ids per query a ranking must keep for the comparison


def recall_against(
    reference: Mapping[str, Sequence[str]], approximate: Mapping[str, Sequence[str]], k: int
) -> float:
    """Mean over queries of |approximate top-k ∩ exact top-k| / |exact top-k| (ANN-benchmarks' recall)."""
    total = 0.0
    for qid, exact_hits in reference.items():
        truth = set(exact_hits[:k])
        if truth:
            total += len(truth & set(approximate.get(qid, ())[:k])) / len(truth)
    return total / len(reference) if reference else float("nan")


def compare_with_exact(exact: TaskScores, approximate: TaskScores) -> dict[str, float]:
    """Recall of the approximate top-k against exact top-k, and the main score under each."""
    if exact.ranking is None or approximate.ranking is None:
        return {}
    depth = approximate.search.depth if approximate.search is not None else None
    comparison = {
        f"recall_at_{k}": recall_against(exact.ranking, approximate.ranking, k)
        for k in RECALL_K if depth is None or k <= depth
    }
    comparison["exact_main_score"] = exact.main_score
    comparison["main_score_delta"] = approximate.main_score - exact.main_score
    return comparison
