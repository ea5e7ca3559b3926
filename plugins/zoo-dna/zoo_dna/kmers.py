"""Canonical k-mer counting: a k-mer and its reverse complement share one column, so both strands agree."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Sequence

from zoo.api import ZooError
from zoo_dna.sequences import UNKNOWN, to_codes

if TYPE_CHECKING:
    import numpy as np

MAX_K = 8  # 32,896 columns; beyond that dense vectors of a few thousand fragments no longer fit in memory


def check_k(k: int) -> None:
    if not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise ZooError(f"k-mer size must be an integer from 1 to {MAX_K}, got {k!r}; e.g. kmer-6")


def n_canonical(k: int) -> int:
    """Columns of a canonical k-mer vector: (4^k + 4^(k/2)) / 2 for even k (palindromes), 4^k / 2 for odd."""
    return (4**k + (4 ** (k // 2) if k % 2 == 0 else 0)) // 2


@functools.cache
def canonical_columns(k: int) -> np.ndarray:
    """For each k-mer index (base-4 number, first base most significant), its canonical column."""
    import numpy as np

    check_k(k)
    index = np.arange(4**k, dtype=np.int64)
    digits = (index[:, None] // 4 ** np.arange(k - 1, -1, -1)) % 4  # first base first
    reverse = ((3 - digits[:, ::-1]) * 4 ** np.arange(k - 1, -1, -1)).sum(axis=1)
    canonical = np.minimum(index, reverse)
    _, columns = np.unique(canonical, return_inverse=True)  # columns in lexicographic order of canonical k-mers
    return columns.astype(np.int32)


def kmer_columns(codes: np.ndarray, k: int) -> np.ndarray:
    """The canonical column of every k-mer in a coded sequence; k-mers holding an N are left out."""
    import numpy as np

    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int32)
    wide = codes.astype(np.int32)
    index = np.zeros(n, dtype=np.int32)
    unknown = np.zeros(n, dtype=bool)
    for offset in range(k):  # k shifted vector passes: far cheaper than one row per window
        part = wide[offset : offset + n]
        index = index * 4 + (part & 3)
        unknown |= part == UNKNOWN
    return canonical_columns(k)[index[~unknown]]


def kmer_counts(sequences: Sequence[str], k: int) -> np.ndarray:
    """Counts of canonical k-mers, float32 (n, n_canonical(k)), for cleaned sequences."""
    import numpy as np

    width = n_canonical(k)
    out = np.zeros((len(sequences), width), dtype=np.float32)
    for row, sequence in enumerate(sequences):
        out[row] = np.bincount(kmer_columns(to_codes(sequence), k), minlength=width)
    return out


def canonical_kmers(k: int) -> list[str]:
    """The k-mer each column stands for (the lexicographically smaller of the pair)."""
    import numpy as np

    columns = canonical_columns(k)
    first = np.unique(columns, return_index=True)[1]
    digits = (first[:, None] // 4 ** np.arange(k - 1, -1, -1)) % 4
    return ["".join("ACGT"[d] for d in row) for row in digits]
