"""Sequencing reads with seeded errors, and references cut into overlapping fragments (Embed-Search-Align)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from zoo.api import ZooError
from zoo_dna.sequences import UNKNOWN, from_codes, to_codes

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class ErrorRates:
    """Per-base probabilities of a substitution, an inserted base after it, and its deletion."""

    substitution: float = 0.02
    insertion: float = 0.005
    deletion: float = 0.005

    def __post_init__(self) -> None:
        for name in ("substitution", "insertion", "deletion"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ZooError(f"read error rate {name}={getattr(self, name)} must lie in [0, 1)")


@dataclass(frozen=True)
class Read:
    """A simulated read: its bases, the reference it came from, where it starts there, and its strand."""

    id: str
    sequence: str
    reference: str
    start: int
    reverse: bool


@dataclass(frozen=True)
class Fragment:
    id: str
    sequence: str
    reference: str
    start: int


def mutate(codes: np.ndarray, rates: ErrorRates, rng: np.random.Generator) -> np.ndarray:
    """Apply deletions, then substitutions (to one of the three other bases), then insertions."""
    import numpy as np

    out = codes[rng.random(len(codes)) >= rates.deletion]
    hit = (rng.random(len(out)) < rates.substitution) & (out != UNKNOWN)
    out = out.copy()
    out[hit] = (out[hit] + rng.integers(1, 4, int(hit.sum()))) % 4
    after = np.flatnonzero(rng.random(len(out)) < rates.insertion) + 1
    return np.insert(out, after, rng.integers(0, 4, len(after)).astype(out.dtype))


def reverse_complement_codes(codes: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.where(codes == UNKNOWN, UNKNOWN, 3 - codes)[::-1].astype(codes.dtype)


def simulate_read(
    codes: np.ndarray, start: int, length: int, rates: ErrorRates, rng: np.random.Generator, *, reverse: bool = False
) -> np.ndarray:
    """``length`` bases read from ``start`` with errors (fewer only at the reference's very end)."""
    margin = 8 + int(3 * length * rates.deletion)  # spare bases that deletions pull into the read
    read = mutate(codes[start : start + length + margin], rates, rng)[:length]
    return reverse_complement_codes(read) if reverse else read


def fragment_starts(size: int, length: int, stride: int) -> list[int]:
    """Starts of windows of ``length`` every ``stride`` bases, plus one flush with the end."""
    if length <= 0 or stride <= 0:
        raise ZooError(f"fragment length and stride must be positive, got {length} and {stride}")
    if size <= length:
        return [0]
    starts = list(range(0, size - length + 1, stride))
    return starts if starts[-1] == size - length else [*starts, size - length]


def fragments(reference_id: str, sequence: str, length: int, stride: int) -> list[Fragment]:
    return [
        Fragment(f"{reference_id}:{start}", sequence[start : start + length], reference_id, start)
        for start in fragment_starts(len(sequence), length, stride)
    ]


def simulate_reads(
    references: dict[str, str], per_reference: int, length: int, rates: ErrorRates, reverse_fraction: float, seed: int
) -> list[Read]:
    """``per_reference`` reads from uniform starts of each reference (in the dict's order), seeded."""
    import numpy as np

    rng = np.random.default_rng(seed)
    reads = []
    for ref_id, sequence in references.items():
        codes = to_codes(sequence)
        for n in range(per_reference):
            start = int(rng.integers(0, max(len(sequence) - length, 0) + 1))
            reverse = bool(rng.random() < reverse_fraction)
            bases = from_codes(simulate_read(codes, start, length, rates, rng, reverse=reverse))
            reads.append(Read(f"{ref_id}/r{n}", bases, ref_id, start, reverse))
    return reads
