"""Exact MaxSim (late interaction, as ColBERT scores): for each query vector the best inner product with
any of a document's vectors, summed over the query's vectors. Sets are held flat, with offsets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from zoo.ranking import top_k


@dataclass(frozen=True)
class VectorSets:
    """Sets of vectors held as one (total, dim) float32 array and each set's start: set i is
    ``vectors[starts[i]:starts[i + 1]]``. Empty sets are not allowed (a set scores by its best vector)."""

    vectors: np.ndarray
    starts: np.ndarray  # (n + 1,) int64

    @classmethod
    def of(cls, sets: Sequence[np.ndarray]) -> VectorSets:
        if any(len(s) == 0 for s in sets):
            raise ValueError("a multi-vector set is empty: every input needs at least one vector")
        lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
        starts = np.concatenate([[0], np.cumsum(lengths)])
        vectors = (
            np.concatenate([np.asarray(s, dtype=np.float32) for s in sets])
            if len(sets)
            else np.zeros((0, 0), dtype=np.float32)
        )
        return cls(np.ascontiguousarray(vectors), starts)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, i: Any) -> Any:
        """Set ``i``'s vectors; a slice of sets gives a VectorSets (the sets of a batch of queries)."""
        if isinstance(i, slice):
            first, last, step = i.indices(len(self))
            if step != 1:
                return self.take(range(first, last, step))
            last = max(first, last)
            return VectorSets(
                self.vectors[self.starts[first] : self.starts[last]], self.starts[first : last + 1] - self.starts[first]
            )
        return self.vectors[self.starts[i] : self.starts[i + 1]]

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.starts)

    @property
    def owners(self) -> np.ndarray:
        """The set each vector belongs to."""
        return np.repeat(np.arange(len(self)), self.lengths)

    def take(self, rows: Sequence[int]) -> VectorSets:
        return VectorSets.of([self[i] for i in rows])

    @property
    def nbytes(self) -> int:
        return int(self.vectors.nbytes + self.starts.nbytes)


def maxsim(
    query: np.ndarray, documents: VectorSets, rows: np.ndarray | None = None, *, block: int = 1 << 16
) -> np.ndarray:
    """MaxSim of one query set against documents (all, or those at ``rows``), float32 (n_rows,).

    The documents' vectors are read ``block`` at a time; each block's per-document maxima are taken with
    ``np.maximum.reduceat`` over its whole documents."""
    sets = documents if rows is None else documents.take(rows)
    q = np.asarray(query, dtype=np.float32)
    out = np.empty(len(sets), dtype=np.float32)
    first = 0
    while first < len(sets):
        last = int(np.searchsorted(sets.starts, sets.starts[first] + block, side="right")) - 1
        last = max(last, first + 1)  # at least one whole document
        lo, hi = sets.starts[first], sets.starts[last]
        sims = q @ sets.vectors[lo:hi].T  # (m, vectors of these documents)
        best = np.maximum.reduceat(sims, sets.starts[first:last] - lo, axis=1)  # (m, documents)
        out[first:last] = best.sum(axis=0, dtype=np.float64)
        first = last
    return out


def maxsim_top_k(queries: VectorSets, documents: VectorSets, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top k documents per query by MaxSim: positions and scores, best first, ties by position."""
    k = min(k, len(documents))
    positions = np.zeros((len(queries), k), dtype=np.int64)
    scores = np.zeros((len(queries), k), dtype=np.float32)
    for i in range(len(queries)):
        s = maxsim(queries[i], documents)
        positions[i] = top_k(s, k)
        scores[i] = s[positions[i]]
    return positions, scores
