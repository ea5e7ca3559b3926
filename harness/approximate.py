"""How far an approximate search strays from exact search on the same vectors, and tuning it to a recall.

A recall target (``hnsw?recall=0.95``) is met on real queries the task never scores, where it has them
(``tuning_queries``: another split's queries in a BEIR folder, the full ICD-10-CM task's for its sample):
a seeded sample of at most 1,000, encoded as the scored queries are, whose exact neighbours on the same
index are the truth. The scored queries stay untouched, so the tuned run's score sits beside exact search's
and other backends'. Only where a task has no such queries is the target met on documents used as queries
(each without itself). That is a poor stand-in: documents lie on the corpus's own manifold and each was
linked into the graph by a search for its neighbours, where real queries (another role, a shorter text,
another modality) fall between. With hashing-bow-256 on icd10cm-small (M=16, ef_construction=200),
ef_search=16 reaches recall@10 0.987 on documents but 0.860 on the scored queries. Each result carries what
it was tuned on and the recall reached there (``backend_params``) beside the recall on the scored queries
(``vs_exact``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from zoo.protocols import TaskScores

RECALL_K = (10, 100)
RANKED = max(RECALL_K)  # ids per query a ranking must keep for the comparison
TUNING_QUERIES = 1000  # queries searched per ladder value; recall on them has a standard error under 0.01
TUNING_SEED = 0


def recall_against(reference: Mapping[str, Sequence[str]], approximate: Mapping[str, Sequence[str]], k: int) -> float:
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
        for k in RECALL_K
        if depth is None or k <= depth
    }
    comparison["exact_main_score"] = exact.main_score
    comparison["main_score_delta"] = approximate.main_score - exact.main_score
    return comparison


@dataclass(frozen=True)
class TuningSample:
    """What a recall target is tuned on: query vectors and, for documents searched as queries, their own
    ids (dropped from every answer, exact and approximate alike)."""

    queries: np.ndarray
    own_ids: list[str] | None  # None: held-out queries, in the index under no id
    seed: int

    @classmethod
    def documents(
        cls, vectors: np.ndarray, ids: Sequence[str], *, size: int = TUNING_QUERIES, seed: int = TUNING_SEED
    ) -> TuningSample:
        """A seeded sample of the indexed documents, each to be searched for its nearest other documents."""
        rows = np.sort(np.random.default_rng(seed).choice(len(ids), size=min(size, len(ids)), replace=False))
        return cls(np.asarray(vectors)[rows], [ids[row] for row in rows], seed)

    @classmethod
    def held_out(cls, queries: np.ndarray, seed: int = TUNING_SEED) -> TuningSample:
        """Real queries that are not scored, already drawn (with ``seed``) and encoded."""
        return cls(np.asarray(queries), None, seed)

    def describe(self) -> str:
        if self.own_ids is None:
            return f"{len(self.queries):,} held-out queries (not scored), drawn with seed {self.seed}"
        return (
            f"{len(self.queries):,} indexed documents used as queries, each without itself "
            f"(seed {self.seed}): the task has no held-out queries"
        )

    def neighbours(self, backend: Any, k: int) -> dict[str, list[str]]:
        """Each sampled query's k nearest documents (other than itself), as ``backend`` finds them."""
        if self.own_ids is None:
            found, _ = backend.search(self.queries, k)
            return {str(row): list(hits) for row, hits in enumerate(found)}
        found, _ = backend.search(self.queries, k + 1)
        return {own: [doc for doc in hits if doc != own][:k] for own, hits in zip(self.own_ids, found)}


def held_out_sample(
    task: Any, encoder: Any, *, size: int = TUNING_QUERIES, seed: int = TUNING_SEED
) -> TuningSample | None:
    """The task's held-out queries (its optional ``tuning_queries(limit, seed)``), encoded by ``encoder`` as
    queries; None where it offers none."""
    offer = getattr(task, "tuning_queries", None)
    texts = offer(size, seed) if callable(offer) else []
    return TuningSample.held_out(encoder.encode(texts, role="query"), seed) if texts else None


def tune(
    backend: Any,
    option: str,
    ladder: Sequence[Any],
    target: float,
    truth: Mapping[str, Sequence[str]],
    sample: TuningSample,
    k: int,
    set_option: Callable[[Any, str, Any], None],
) -> tuple[Any, float]:
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
