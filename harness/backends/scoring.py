"""Arithmetic and checks shared by the search backends, so that they agree bit for bit.

Backends find candidates however they like (blocked matrix products, a graph walk), each with its own
rounding; the scores they return are then recomputed here, one (query, document) pair at a time, with
arithmetic that depends only on the two vectors. The same pair therefore gets the same float32 score from
every backend, batch and chunk size, and equal scores are ordered by corpus position, lower first.

A candidate key (a backend's own score or distance) differs from ``f(score)``, for a fixed increasing
``f``, by at most the bound of ``key_error_bound``. If the last key a backend holds lies more than twice
that below its k-th best key, no document it did not hold can enter the rescored top k (``settled``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from zoo.errors import ZooError
from zoo.protocols import SIMILARITIES, Similarity
from zoo.stored import StoredMatrix

UNIT_ROUNDOFF = 2.0**-24  # float32
PAIR_BLOCK = 1 << 18  # floats per temporary in pair_scores: bounds its memory
CHECK_BLOCK = 1 << 18  # floats per block when checking values: no mask the size of the corpus


def as_matrix(x: Any, what: str) -> np.ndarray:
    """A C-contiguous float32 matrix with only finite values, or a ZooError saying what is wrong."""
    try:
        arr = np.ascontiguousarray(x, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ZooError(f"{what} must be a numeric array: {exc}") from None
    if arr.ndim != 2:
        raise ZooError(f"{what} must be 2-D (n, dim), got shape {arr.shape}")
    check_finite(arr, what)
    return arr


def check_finite(x: np.ndarray | StoredMatrix, what: str) -> None:
    """A ZooError naming the first row holding NaN or an infinity, checked a block of rows at a time."""
    rows = max(1, CHECK_BLOCK // max(1, x.shape[1]))
    for start in range(0, len(x), rows):
        finite = np.isfinite(x[start : start + rows]).all(axis=1)
        if not finite.all():
            bad = start + int(np.flatnonzero(~finite)[0])
            raise ZooError(f"{what} contain NaN or infinite values (first in row {bad})")


def positive_int(value: Any, what: str, backend: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ZooError(f"{backend} backend: {what} must be a positive integer, got {value!r}")
    return int(value)


def check_corpus(
    vectors: Any, ids: Sequence[str], similarity: str, backend: str
) -> tuple[np.ndarray | StoredMatrix, list[str]]:
    """The corpus as a float32 matrix (a StoredMatrix stays one, read to be checked) and its ids as a list,
    or a ZooError naming the problem."""
    if similarity not in SIMILARITIES:
        raise ZooError(f"{backend} backend: unknown similarity {similarity!r}; use one of {', '.join(SIMILARITIES)}")
    if isinstance(vectors, StoredMatrix):
        x: np.ndarray | StoredMatrix = vectors
        check_finite(x, "corpus vectors")
    else:
        x = as_matrix(vectors, "corpus vectors")
    ids = list(ids)
    if x.shape[0] == 0:
        raise ZooError(f"{backend} backend: cannot build an index over an empty corpus")
    if len(ids) != x.shape[0]:
        raise ZooError(f"{backend} backend: {x.shape[0]} vectors but {len(ids)} ids; they must match one to one")
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        raise ZooError(f"{backend} backend: document ids must be unique; {dup!r} appears more than once")
    return x, ids


def check_queries(queries: Any, dim: int, backend: str) -> np.ndarray:
    q = as_matrix(queries, "query vectors")
    if q.shape[1] != dim:
        raise ZooError(f"{backend} backend: queries have dimension {q.shape[1]} but the index has dimension {dim}")
    return q


def normalised(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero (similarity 0 to everything)."""
    return x / row_norms(x)


def row_norms(x: np.ndarray) -> np.ndarray:
    """What ``normalised`` divides each row by, shape (n, 1): its length, or 1 for a zero row.

    Each depends on its row alone, so dividing gathered rows by their norms gives what normalising
    the whole matrix and gathering would, bit for bit.
    """
    norms = np.sqrt((x * x).sum(axis=1, keepdims=True))  # np.linalg.norm's arithmetic, less overhead
    norms[norms == 0] = 1.0
    return norms


def pair_scores(
    queries: np.ndarray,
    vectors: np.ndarray,
    positions: np.ndarray,
    similarity: Similarity,
    *,
    norms: np.ndarray | None = None,
) -> np.ndarray:
    """Float32 scores of query row i against ``vectors[positions[i, j]]``, from those two vectors alone.

    Products are exact elementwise operations and numpy sums the last axis pairwise in an order fixed by
    its length, so a pair's score does not depend on the shapes or memory layout around it. Queries must
    already be normalised for cosine; the stored vectors too, unless their ``row_norms`` are given, by
    which the gathered rows are divided here (``normalised``'s arithmetic, row by row).
    """
    m, c = positions.shape
    rows = max(1, PAIR_BLOCK // max(1, c * vectors.shape[1]))
    if m <= rows:
        return _pair_block(queries, vectors, positions, similarity, norms)
    out = np.empty((m, c), dtype=np.float32)
    for start in range(0, m, rows):
        out[start : start + rows] = _pair_block(
            queries[start : start + rows], vectors, positions[start : start + rows], similarity, norms
        )
    return out


def _pair_block(
    queries: np.ndarray, vectors: np.ndarray, positions: np.ndarray, similarity: str, norms: np.ndarray | None
) -> np.ndarray:
    docs = vectors[positions]  # a fresh copy: safe to work in place
    if norms is not None:
        docs /= norms[positions]
    if similarity == "euclidean":
        docs -= queries[:, None, :]
        docs *= docs
        return np.float32(0.0) - np.sqrt(docs.sum(axis=-1))
    docs *= queries[:, None, :]
    return docs.sum(axis=-1)


def rank(positions: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k best (position, score) pairs: higher score first, then lower position."""
    order = np.lexsort((positions, -scores), axis=-1)[:, :k]
    rows = np.arange(len(order))[:, None]  # fancy indexing: cheaper than take_along_axis on small batches
    return positions[rows, order], scores[rows, order]


def rescored_top(
    queries: np.ndarray,
    vectors: np.ndarray,
    positions: np.ndarray,
    keys: np.ndarray,
    k: int,
    bound: np.ndarray,
    similarity: Similarity,
    *,
    norms: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The k best candidates by rescored score (``pair_scores``); candidates and keys best first by key.

    A candidate whose key lies more than twice the bound below the k-th key cannot overtake the k
    above it, so only the leading columns that some row may still need are rescored.
    """
    reach = keys[:, k - 1 : k].astype(np.float64) - 2 * bound[:, None]
    width = max(k, int((keys >= reach).sum(axis=1).max(initial=k)))  # count_nonzero(axis=) is slower
    candidates = positions[:, :width]
    return rank(candidates, pair_scores(queries, vectors, candidates, similarity, norms=norms), k)


def key_error_bound(queries: np.ndarray, max_norm: float, similarity: Similarity) -> np.ndarray:
    """Per query, a bound on |key - f(score)| for any float32 dot-product or squared-distance key.

    Sums of d float32 products err by at most gamma_d times the sum of their magnitudes (any order,
    with or without FMA); both the key and the rescored score carry such an error, hence the factor 2,
    doubled again for safety. The constant term covers the rounding of keys such as hnswlib's ``1 - q.x``.
    """
    d = queries.shape[1] + 4
    gamma = d * UNIT_ROUNDOFF / (1 - d * UNIT_ROUNDOFF)
    norms = np.sqrt((queries * queries).sum(axis=1), dtype=np.float64)
    scale = (norms + max_norm) ** 2 if similarity == "euclidean" else norms * max_norm
    return (4 * gamma + 4 * UNIT_ROUNDOFF) * scale + (4 * UNIT_ROUNDOFF + 1e-30)


def settled(keys: np.ndarray, k: int, bound: np.ndarray) -> np.ndarray:
    """Rows where every key a backend did not return is too low to reach the top k after rescoring.

    ``keys`` holds, per row and best first, the c > k highest keys the backend found; every other
    document's key is at most the row's last.
    """
    return keys[:, k - 1].astype(np.float64) - keys[:, -1] > 2 * bound  # in float64: no float32 rounding


def candidate_count(k: int, n: int) -> int:
    """How many candidates to rescore for a top k: a margin so that near-ties rarely need a second look."""
    return min(n, k + max(8, k // 2))
