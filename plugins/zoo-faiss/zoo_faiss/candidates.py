"""From faiss's candidates to the exact top k, scored with the harness's shared arithmetic.

faiss returns each query's c best candidates by its own float arithmetic (or by PQ estimates), padded
with label -1 where its search reached fewer. Their scores are recomputed by
:mod:`harness.backends.scoring`, so a (query, document) pair scores the same here as under exact search,
and equal scores rank the lower corpus position first.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from harness.api import candidate_count, pair_scores, rank, settled
from zoo.api import Similarity

# (queries, c) -> corpus positions and keys of each query's c best candidates, best first; missing
# candidates have position -1 and key -inf. A key is any increasing function of the score, up to rounding.
Fetch = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]

REFETCH_GROWTH = 4


def rescored(
    queries: np.ndarray,
    vectors: np.ndarray,
    positions: np.ndarray,
    keys: np.ndarray,
    k: int,
    bound: np.ndarray,
    similarity: Similarity,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k best candidates by exact score; missing ones rank last, at position -1 and score -inf.

    As in ``rescored_top``, a candidate whose key lies more than twice ``bound`` below the k-th key cannot
    overtake the k above it, so only the leading columns some row may still need are rescored. An
    infinite bound rescores every candidate (for keys that are estimates, such as PQ distances).
    """
    reach = keys[:, k - 1 : k].astype(np.float64) - 2 * bound[:, None]
    needed = np.count_nonzero((keys >= reach) & (positions >= 0), axis=1)
    width = min(positions.shape[1], max(k, int(needed.max(initial=k))))
    candidates = positions[:, :width]
    missing = candidates < 0
    scores = pair_scores(queries, vectors, np.where(missing, 0, candidates), similarity)
    scores[missing] = -np.inf
    return rank(candidates, scores, k)


def exact_top(
    queries: np.ndarray,
    vectors: np.ndarray,
    k: int,
    fetch: Fetch,
    limit: int,
    bound: np.ndarray,
    similarity: Similarity,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact top k among what ``fetch`` offers, fetching more where the k-th place is in doubt.

    A row whose c candidates all came back, the last within rounding of the k-th, may be missing a
    document that ties or beats its k-th: it is fetched again with ``REFETCH_GROWTH`` times more, up to
    ``limit`` candidates. Returns positions, scores, and which rows got fewer than k candidates.
    """
    m, n = len(queries), len(vectors)
    top_idx = np.empty((m, k), dtype=np.int64)
    top_scores = np.empty((m, k), dtype=np.float32)
    short = np.zeros(m, dtype=bool)
    rows = np.arange(m)
    c = min(limit, candidate_count(k, n))
    while len(rows):
        positions, keys = fetch(queries[rows], c)
        top_idx[rows], top_scores[rows] = rescored(queries[rows], vectors, positions, keys, k, bound[rows], similarity)
        found = np.count_nonzero(positions >= 0, axis=1)
        short[rows] = found < k
        if c >= limit:
            break
        full = found == c  # fewer than c back: the search held no more, nothing is in doubt
        doubt = np.zeros(len(rows), dtype=bool)
        doubt[full] = ~settled(keys[full], k, bound[rows[full]])
        rows, c = rows[doubt], min(limit, c * REFETCH_GROWTH)
    return top_idx, top_scores, short
