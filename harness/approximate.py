"""How far an approximate search strays from exact search on the same vectors, and tuning it to a recall.

A recall target (``hnsw?recall=0.95``) is met on documents used as queries, not on the task's queries:
a seeded sample of the indexed vectors, each searched for its nearest *other* documents (its own id is
dropped from both the exact and the approximate answer). Holding task queries out instead would change
the scored query set, so the tuned run's main score could no longer be set beside exact search's and
other backends'; and the index holds nothing else that a task of any kind is sure to have. Documents
lie on the corpus's own manifold, and each was linked into the graph by a search for its neighbours,
where real queries (another role, a shorter text, another modality) may fall between: recall on them is
often lower. With hashing-bow-256 on icd10cm-small (M=16, ef_construction=200), ef_search=16 reaches
0.987 on the documents but 0.860 on the task's queries. Each result therefore carries both: the tuned
recall in ``backend_params`` and the recall reached on the scored queries in ``vs_exact``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from zoo.protocols import TaskScores

RECALL_K = (10, 100)
TUNING_QUERIES = 1000  # documents searched per ladder value; recall on them has a standard error under 0.01
TUNING_SEED = 0


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


@dataclass(frozen=True)
class TuningSample:
    """Documents searched as queries: their vectors and ids, drawn with a seed from the indexed ones."""

    queries: np.ndarray
    ids: list[str]
    seed: int

    @classmethod
    def draw(cls, vectors: np.ndarray, ids: Sequence[str], *, size: int = TUNING_QUERIES,
             seed: int = TUNING_SEED) -> TuningSample:
        rows = np.sort(np.random.default_rng(seed).choice(len(ids), size=min(size, len(ids)), replace=False))
        return cls(np.asarray(vectors)[rows], [ids[row] for row in rows], seed)

    def describe(self) -> str:
        return f"{len(self.ids)} indexed documents as queries, each without itself (seed {self.seed})"

    def neighbours(self, backend: Any, k: int) -> dict[str, list[str]]:
        """Each sampled document's k nearest other documents, as ``backend`` finds them."""
        found, _ = backend.search(self.queries, k + 1)
        return {own: [doc for doc in hits if doc != own][:k] for own, hits in zip(self.ids, found)}


def tune(backend: Any, option: str, ladder: Sequence[Any], target: float,
         truth: Mapping[str, Sequence[str]], sample: TuningSample, k: int,
         set_option: Callable[[Any, str, Any], None]) -> tuple[Any, float]:
    """The smallest ladder value at which ``backend`` finds the sample's exact neighbours (``truth``) with
    recall@k of at least ``target``, and that recall; the largest value and its recall if none does.
    The backend is left set to the value returned."""
    value, recall = None, float("nan")
    for value in ladder:
        set_option(backend, option, value)
        recall = recall_against(truth, sample.neighbours(backend, k), k)
        if recall >= target:
            break
    return value, recall


def default_ladder(n: int) -> list[int]:
    """Powers of two from 1 up to the corpus size, and the corpus size itself."""
    return sorted({*(1 << i for i in range(max(n, 1).bit_length())), n})
