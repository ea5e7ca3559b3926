"""Concept vectors from time-windowed co-occurrence: weighted counts, PPMI, truncated SVD.

The seed paper (Choi, Schuetz, Stewart & Sun 2016) learns vectors so that concepts recorded close in time lie
close together. This is the count-based route to the same end (Levy, Goldberg & Dagan 2015):

1. counts: two events of one patient ``d`` days apart (``d <= window_days``) add
   ``1 / (1 + d / scale_days)`` to their concepts' pair, both ways; a concept's pairs with itself are
   dropped (the diagonal is zeroed).
2. PPMI: ``max(0, log(p(a, b) / (p(a) p_alpha(b))))`` with the context distribution smoothed by
   ``alpha`` (0.75, as word2vec's negative sampling does).
3. SVD ``M = U S V^T``: a concept's vector is its row of ``(U + V)[:, :dim] * S[:dim] ** power``, the
   "w + c" sum of its word and context vectors with the symmetric split ``power = 0.5`` (Levy et al.).
   Adding V matters: two concepts seen only with each other have orthogonal rows of U but equal rows of
   U + V. Each component's sign is fixed so its largest-magnitude entry is positive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

WINDOW_DAYS = 30
SCALE_DAYS = 7.0
ALPHA = 0.75
POWER = 0.5


def time_weight(days: int, *, window_days: int = WINDOW_DAYS, scale_days: float = SCALE_DAYS) -> float:
    """The weight of a pair of events ``days`` apart: harmonic decay inside the window, 0 outside."""
    return 1.0 / (1.0 + days / scale_days) if 0 <= days <= window_days else 0.0


def cooccurrence_counts(
    histories: Iterable[Sequence[tuple[int, str]]],
    vocabulary: Sequence[str],
    *,
    window_days: int = WINDOW_DAYS,
    scale_days: float = SCALE_DAYS,
) -> np.ndarray:
    """The symmetric (V, V) float64 matrix of time-weighted pair counts; concepts outside ``vocabulary``
    are skipped."""
    import numpy as np

    index = {concept: i for i, concept in enumerate(vocabulary)}
    counts = np.zeros((len(vocabulary), len(vocabulary)))
    for history in histories:
        by_day: dict[int, set[int]] = {}
        for when, concept in history:
            if concept in index:
                by_day.setdefault(when, set()).add(index[concept])
        days = sorted(by_day)
        rows_of = {when: np.asarray(sorted(rows)) for when, rows in by_day.items()}
        for i, first in enumerate(days):
            rows = rows_of[first]
            for second in days[i:]:
                weight = time_weight(second - first, window_days=window_days, scale_days=scale_days)
                if weight == 0.0:
                    break
                cols = rows_of[second]
                counts[np.ix_(rows, cols)] += weight
                if second != first:
                    counts[np.ix_(cols, rows)] += weight
    np.fill_diagonal(counts, 0.0)
    return counts


def ppmi(counts: np.ndarray, *, alpha: float = ALPHA) -> np.ndarray:
    """Positive pointwise mutual information of a co-occurrence matrix, context counts raised to ``alpha``."""
    import numpy as np

    total = counts.sum()
    if total <= 0:
        return np.zeros_like(counts)
    rows = counts.sum(axis=1) / total
    context = counts.sum(axis=0) ** alpha
    context = context / context.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((counts / total) / np.outer(rows, context))
    return np.where(counts > 0, np.maximum(pmi, 0.0), 0.0)


def svd_vectors(matrix: np.ndarray, dim: int, *, power: float = POWER) -> np.ndarray:
    """``(U + V)[:, :dim] * S[:dim] ** power``, signs fixed: float32 (V, dim), zero-padded when V < dim."""
    import numpy as np

    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    k = min(dim, len(s))
    both = u[:, :k] + vt[:k].T
    flip = np.sign(both[np.abs(both).argmax(axis=0), np.arange(k)])
    vectors = both * np.where(flip == 0, 1.0, flip) * s[:k] ** power
    out = np.zeros((matrix.shape[0], dim), dtype=np.float32)
    out[:, :k] = vectors
    return out
