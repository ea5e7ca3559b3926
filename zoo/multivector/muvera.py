"""MUVERA's fixed-dimensional encodings (Dhulipala et al., 2024): one vector per set whose inner products
approximate MaxSim, so that an ordinary single-vector index finds a query's candidates.

Per repetition r (of ``repetitions``, each with its own randomness, seeded ``seed + r``):

1. SimHash: ``k_sim`` Gaussian hyperplanes split the space into B = 2^k_sim partitions; a vector's
   partition is its sign bits read as a binary number (the reference code reads them as a Gray code:
   another numbering of the same partitions, which changes no inner product).
2. Each vector is projected to ``d_proj`` dimensions by ψ(x) = S x / sqrt(d_proj), S uniform ±1 (the
   paper's ψ; ``d_proj=None`` keeps the vectors whole, the identity).
3. Block k of the encoding: a query's vectors in partition k summed; a document's averaged (their
   centroid). An empty block of a document is filled (``fill_empty``) with the projection of its
   vector whose sign bits are nearest to partition k in Hamming distance (the first such vector); a
   query's empty blocks stay zero.

The repetitions' B x d_proj blocks are concatenated (repetitions x B x d_proj dimensions). Optionally a
final projection to ``d_final`` dimensions, by Count Sketch as the reference code does it (each
coordinate added, with a random sign, into one random output coordinate), shrinks the encoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from zoo.fingerprint import fingerprint
from zoo.multivector.maxsim import VectorSets

MAX_K_SIM = 16  # 65,536 partitions: beyond this the blocks are all but empty
CHUNK_POINTS = 1 << 16  # vectors encoded at a time (their Hamming table is points x partitions)


@dataclass(frozen=True)
class FDEConfig:
    """The encoding's settings; queries and documents must be encoded with the same ones."""

    dim: int
    repetitions: int = 20
    k_sim: int = 5
    d_proj: int | None = 16
    d_final: int | None = None
    fill_empty: bool = True
    seed: int = 1

    def __post_init__(self) -> None:
        if self.dim < 1 or self.repetitions < 1:
            raise ValueError(f"FDE needs dim >= 1 and repetitions >= 1, got {self.dim}, {self.repetitions}")
        if not 0 <= self.k_sim <= MAX_K_SIM:
            raise ValueError(f"k_sim must lie in [0, {MAX_K_SIM}], got {self.k_sim}")
        if self.d_proj is not None and self.d_proj < 1 or self.d_final is not None and self.d_final < 1:
            raise ValueError(f"d_proj and d_final must be positive, got {self.d_proj}, {self.d_final}")

    @property
    def partitions(self) -> int:
        return 1 << self.k_sim

    @property
    def block_dim(self) -> int:
        return self.d_proj if self.d_proj is not None else self.dim

    @property
    def output_dim(self) -> int:
        return self.d_final or self.repetitions * self.partitions * self.block_dim

    def to_dict(self) -> dict[str, Any]:
        return {
            "repetitions": self.repetitions,
            "k_sim": self.k_sim,
            "d_proj": self.d_proj,
            "d_final": self.d_final,
            "fill_empty": self.fill_empty,
            "seed": self.seed,
        }


class FixedDimensionalEncoder:
    """Encodes vector sets into FDEs: ``queries`` (sums) and ``documents`` (centroids, empty blocks filled)."""

    def __init__(self, config: FDEConfig) -> None:
        self.config = config

    def fingerprint(self) -> str:
        return fingerprint("muvera-fde", 1, self.config.dim, self.config.to_dict())

    @cached_property
    def _randomness(self) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Per repetition: the SimHash hyperplanes (dim, k_sim) and the projection S^T / sqrt(d_proj)."""
        c = self.config
        out = []
        for r in range(c.repetitions):
            rng = np.random.default_rng(c.seed + r)
            planes = rng.standard_normal((c.dim, c.k_sim)).astype(np.float32)
            projection = None
            if c.d_proj is not None:
                signs = rng.integers(0, 2, size=(c.dim, c.d_proj)).astype(np.float32) * 2 - 1
                projection = signs / np.float32(np.sqrt(c.d_proj))
            out.append((planes, projection))
        return out

    @cached_property
    def _final(self) -> Any:
        """Count Sketch of the concatenated blocks, a sparse (width, d_final) matrix: one random output
        coordinate and sign per input coordinate; None without a final projection."""
        from scipy import sparse

        c = self.config
        if c.d_final is None:
            return None
        rng = np.random.default_rng([c.seed, 1])
        width = c.repetitions * c.partitions * c.block_dim
        index, sign = rng.integers(0, c.d_final, size=width), rng.integers(0, 2, size=width) * 2.0 - 1
        return sparse.csr_matrix((sign, (np.arange(width), index)), shape=(width, c.d_final))

    def queries(self, sets: VectorSets) -> np.ndarray:
        return self._encode(sets, average=False)

    def documents(self, sets: VectorSets) -> np.ndarray:
        return self._encode(sets, average=True)

    def _encode(self, sets: VectorSets, *, average: bool) -> np.ndarray:
        c = self.config
        if sets.vectors.shape[1:] != (c.dim,) and len(sets):
            raise ValueError(f"FDE of dim {c.dim} given vectors of dim {sets.vectors.shape[1]}")
        out = np.zeros((len(sets), c.output_dim), dtype=np.float32)
        first = 0
        while first < len(sets):  # whole sets, about CHUNK_POINTS vectors at a time
            last = int(np.searchsorted(sets.starts, sets.starts[first] + CHUNK_POINTS, side="right")) - 1
            last = max(last, first + 1)
            chunk = VectorSets(
                sets.vectors[sets.starts[first] : sets.starts[last]], sets.starts[first : last + 1] - sets.starts[first]
            )
            out[first:last] = self._finalised(self._blocks(chunk, average))
            first = last
        return out

    def _blocks(self, sets: VectorSets, average: bool) -> np.ndarray:
        """(n, repetitions x B x block_dim): every repetition's blocks, before any final projection."""
        c = self.config
        n, owners, B = len(sets), sets.owners, c.partitions
        reps = []
        for planes, projection in self._randomness:
            bits = (sets.vectors @ planes) > 0  # (points, k_sim)
            part = bits.astype(np.int64) @ (1 << np.arange(c.k_sim - 1, -1, -1, dtype=np.int64))
            projected = sets.vectors if projection is None else sets.vectors @ projection
            cell = owners * B + part
            blocks = _summed(cell, projected, n * B)
            if average:
                sizes = np.bincount(cell, minlength=n * B)
                filled = sizes > 0
                blocks[filled] /= sizes[filled, None]
                if c.fill_empty and c.k_sim > 0 and not filled.all():
                    self._fill(blocks, ~filled, part, projected, sets)
            reps.append(blocks.reshape(n, B * c.block_dim))
        return np.concatenate(reps, axis=1)

    def _fill(
        self, blocks: np.ndarray, empty: np.ndarray, part: np.ndarray, projected: np.ndarray, sets: VectorSets
    ) -> None:
        """Each empty (set, partition) block takes the projection of the set's vector nearest to the
        partition in Hamming distance between sign bits, the set's earliest on ties."""
        B = self.config.partitions
        codes = np.arange(B)
        hamming = _popcount(part[:, None] ^ codes[None, :])  # (points, B)
        local = np.arange(len(part)) - np.repeat(sets.starts[:-1], sets.lengths)
        key = hamming.astype(np.int64) * (int(sets.lengths.max()) + 1) + local[:, None]
        best = np.minimum.reduceat(key, sets.starts[:-1], axis=0)  # (sets, B): min distance, then position
        nearest = sets.starts[:-1, None] + best % (int(sets.lengths.max()) + 1)
        rows, cols = np.divmod(np.flatnonzero(empty), B)
        blocks[rows * B + cols] = projected[nearest[rows, cols]]

    def _finalised(self, blocks: np.ndarray) -> np.ndarray:
        final = self._final
        return (blocks if final is None else np.asarray(blocks @ final)).astype(np.float32)


def _summed(cells: np.ndarray, rows: np.ndarray, n_cells: int) -> np.ndarray:
    """(n_cells, width) float64: the sum of the rows falling in each cell (a sparse product, not a loop)."""
    from scipy import sparse

    onto = sparse.csr_matrix((np.ones(len(cells)), (cells, np.arange(len(cells)))), shape=(n_cells, len(cells)))
    return np.asarray(onto @ rows.astype(np.float64))


def _popcount(x: np.ndarray) -> np.ndarray:
    """Set bits of non-negative integers below 2^MAX_K_SIM."""
    x = x.astype(np.uint32)
    count = np.zeros(x.shape, dtype=np.uint8)
    while x.any():
        count += (x & 1).astype(np.uint8)
        x >>= 1
    return count
