"""Chance levels: what a task gives vectors that know nothing, and whether a result is above it.

Each task's chance level is the score of ``RandomVectors`` (seeded Gaussian vectors, one per distinct
input and role) through the task's own protocol and exact search; where predicting the most frequent
training label scores higher (a classification task with unequal classes), that is the baseline. A
result is *at chance* unless it is above that level and the paired randomization test over their items
says so (p < 0.05, two-sided); without items, unless it is above the level at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from harness.data.paths import atomic_write_text
from harness.item_files import describe, read_items, write_items
from harness.significance import ALPHA, compare
from zoo.encoders.skeleton import BaseEncoder
from zoo.errors import DataError
from zoo.protocols import ItemScores, Role, TaskScores
from zoo.textio import read_json

RANDOM_DIM = 128
RANDOM_SEED = 0


class RandomVectors(BaseEncoder):
    """An encoder that knows nothing: a seeded N(0, I) vector per (role, input), whatever the input is."""

    name = "random-vectors"
    modalities: tuple[str, ...] = ("text", "image", "dna", "codes")
    trained = False

    def __init__(self, dim: int = RANDOM_DIM, seed: int = RANDOM_SEED) -> None:
        self._dim = dim
        self.seed = seed

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def label(self) -> str:
        return f"random vectors (dim {self.dim}, seed {self.seed})"

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return (self.name, self.dim, self.seed)

    def check_inputs(self, inputs: Sequence[Any]) -> list[Any]:
        return list(inputs)  # any input of any modality: its bytes only seed the vector

    def encode_items(self, items: list[Any], role: Role, instruction: str | None) -> np.ndarray:
        out = np.empty((len(items), self.dim), dtype=np.float32)
        for row, item in enumerate(items):
            key = int.from_bytes(hashlib.sha256(role.encode() + b"\0" + _content(item)).digest()[:8], "little")
            out[row] = np.random.default_rng([self.seed, key]).standard_normal(self.dim)
        return out


def _content(item: Any) -> bytes:
    """The bytes an input is known by: its text, or its pixels/array, else its repr."""
    if isinstance(item, str):
        return item.encode("utf-8")
    as_bytes = getattr(item, "tobytes", None)
    return as_bytes() if callable(as_bytes) else repr(item).encode("utf-8")


@dataclass(frozen=True, eq=False)
class ChanceLevel:
    """A task's chance score, what gave it, and its items (to test a result against)."""

    score: float
    baseline: str
    items: ItemScores | None = None

    def against(self, scores: TaskScores) -> dict[str, Any]:
        """A result's ``chance`` field: the level, the test, and whether the result is at chance."""
        out: dict[str, Any] = {"score": self.score, "baseline": self.baseline}
        if self.items is not None and scores.items is not None and len(self.items) == len(scores.items):
            p_value = compare(self.items, scores.items).p_value
            out["p_value"] = p_value
            out["at_chance"] = not (scores.main_score > self.score and p_value < ALPHA)
        else:
            out["at_chance"] = not scores.main_score > self.score
        return out


def measure_chance(task: Any, backend: Any, depth: int | None = None) -> ChanceLevel:
    """The higher of the random-vectors score (searched with ``backend`` to ``depth``, for search tasks)
    and the task's own baseline (its ``majority_baseline()``, where it has one)."""
    from harness.runner import evaluate

    encoder = RandomVectors()
    scores = evaluate(task, encoder, backend, depth, explicit=False)
    levels = [ChanceLevel(float(scores.main_score), encoder.label, scores.items)]
    own = getattr(task, "majority_baseline", None)
    baseline = own() if callable(own) else None
    if baseline is not None:
        levels.append(ChanceLevel(float(baseline.main_score), "majority class", baseline.items))
    return max(levels, key=lambda level: level.score)


class ChanceStore:
    """Chance levels kept in a result store's ``chance/`` folder, one per task and data fingerprint."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, task: str, data_fingerprint: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in task)[:80]
        return self.folder / f"{safe}__{data_fingerprint[:16]}.json"

    def get(self, task: str, data_fingerprint: str) -> ChanceLevel | None:
        path = self.path(task, data_fingerprint)
        if not path.exists():
            return None
        try:
            data = read_json(path)
            if data.get("random_vectors") != RandomVectors().fingerprint():
                return None  # made by other random vectors: measure again
            return ChanceLevel(data["score"], data["baseline"], read_items(path, data.get("items", {})))
        except (AttributeError, KeyError, TypeError, DataError):
            return None  # a damaged entry is measured again, never trusted

    def put(self, task: str, data_fingerprint: str, level: ChanceLevel) -> None:
        path = self.path(task, data_fingerprint)
        data = {
            "task": task,
            "data_fingerprint": data_fingerprint,
            "score": level.score,
            "baseline": level.baseline,
            "random_vectors": RandomVectors().fingerprint(),
            "items": {},
        }
        if level.items is not None:
            write_items(level.items, path)
            data["items"] = describe(level.items, path)
        atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
