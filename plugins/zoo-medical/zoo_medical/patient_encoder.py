"""Patient encoders (modality "patient", see ``history``): concept vectors aggregated, and raw code counts.

- ``ConceptPatientEncoder``: the weighted mean of the concept vectors of a history's events, from any
  concept encoder. Uniform weights are the seed paper's aggregation; with ``half_life_days`` an event
  ``d`` days before the index date weighs ``0.5 ** (d / half_life_days)``. Events whose concept encodes
  as the zero vector (outside a learned vocabulary) carry no information and are left out of the mean.
- ``CodeCountEncoder``: the raw baseline, ``log(1 + number of events)`` per concept of the training
  vocabulary.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoo.api import BaseEncoder, Encoder, Role, ZooError
from zoo_medical.cohort import load_cohort, split_patients, vocabulary
from zoo_medical.concept_encoder import MIN_PATIENTS
from zoo_medical.history import History, parse_history

if TYPE_CHECKING:
    import numpy as np

CODE_VERSION = 1
CONCEPT_MODALITIES = {"concept", "cohort-concept"}


def parse_histories(inputs: Sequence[Any], encoder: str) -> list[History]:
    if isinstance(inputs, str):
        raise ZooError(f"{encoder}: encode() takes a list of patient histories; wrap the single one in a list")
    return [parse_history(item) for item in inputs]


class ConceptPatientEncoder(BaseEncoder):
    """A patient vector: the (optionally time-decayed) mean of its history's concept vectors."""

    modalities = ("patient",)

    def __init__(self, concepts: Encoder, *, half_life_days: float | None = None, name: str | None = None) -> None:
        if half_life_days is not None and half_life_days <= 0:
            raise ZooError(f"patient-decay: half_life_days must be positive, got {half_life_days}")
        if not CONCEPT_MODALITIES & set(concepts.modalities):
            raise ZooError(
                f"patient vectors need a concept encoder, and {concepts.name} encodes "
                f"{'/'.join(concepts.modalities)}; use e.g. cooc-ppmi-svd-64 or "
                "describe:<text encoder>"
            )
        self.concepts = concepts
        self.half_life_days = half_life_days
        kind = "patient-mean" if half_life_days is None else "patient-decay"
        self.name = name or f"{kind}:{concepts.name}"
        self.similarity = concepts.similarity
        self._vectors: dict[str, np.ndarray] = {}  # concept vectors met so far: histories share most

    @property
    def dim(self) -> int:
        return self.concepts.dim

    @property
    def n_parameters(self) -> int | None:
        return getattr(self.concepts, "n_parameters", None)

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return ("patient-from-concepts", CODE_VERSION, self.concepts.fingerprint(), self.half_life_days)

    def check_inputs(self, inputs: Sequence[Any]) -> list[History]:
        return parse_histories(inputs, self.name)

    def encode_items(self, items: list[History], role: Role, instruction: str | None) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(items), self.dim), dtype=np.float32)
        unique = sorted({concept for history in items for concept in history.concepts})
        if not unique:
            return out
        table = self.concept_vectors(unique)
        row = {concept: i for i, concept in enumerate(unique)}
        known = np.abs(table).sum(axis=1) > 0
        for i, history in enumerate(items):
            rows = np.asarray([row[c] for c in history.concepts], dtype=np.int64)
            weights = self.weights(history) * known[rows]
            if weights.sum() > 0:
                out[i] = weights @ table[rows] / weights.sum()
        return out

    def concept_vectors(self, concepts: list[str]) -> np.ndarray:
        """Rows of the concept encoder's vectors, encoding each concept once per encoder instance."""
        import numpy as np

        new = [concept for concept in concepts if concept not in self._vectors]
        if new:
            self._vectors.update(zip(new, self.concepts.encode(new, role="document")))
        return np.stack([self._vectors[concept] for concept in concepts])

    def weights(self, history: History) -> np.ndarray:
        """One weight per event: 1, or halved every ``half_life_days`` before the index date."""
        import numpy as np

        before = np.asarray([history.index_day - when for when, _ in history.events], dtype=np.float64)
        if self.half_life_days is None:
            return np.ones_like(before)
        return 0.5 ** (before / self.half_life_days)


class CodeCountEncoder(BaseEncoder):
    """The raw baseline: ``log1p`` event counts over the concepts of the training split's vocabulary."""

    modalities = ("patient",)
    n_parameters = 0

    def __init__(
        self, *, min_patients: int = MIN_PATIENTS, cohort_folder: Path | None = None, name: str = "patient-code-counts"
    ) -> None:
        self.min_patients = min_patients
        self.cohort_folder = cohort_folder
        self.name = name

    @functools.cached_property
    def vocabulary(self) -> tuple[str, ...]:
        cohort = load_cohort(self.cohort_folder)
        return tuple(vocabulary(cohort, split_patients(cohort).train, min_patients=self.min_patients))

    @property
    def dim(self) -> int:
        return len(self.vocabulary)

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return ("patient-code-counts", CODE_VERSION, "log1p", self.vocabulary)

    def check_inputs(self, inputs: Sequence[Any]) -> list[History]:
        return parse_histories(inputs, self.name)

    def encode_items(self, items: list[History], role: Role, instruction: str | None) -> np.ndarray:
        import numpy as np

        column = {concept: j for j, concept in enumerate(self.vocabulary)}
        counts = np.zeros((len(items), self.dim), dtype=np.float32)
        for i, history in enumerate(items):
            for concept in history.concepts:
                if concept in column:
                    counts[i, column[concept]] += 1
        return np.log1p(counts)
