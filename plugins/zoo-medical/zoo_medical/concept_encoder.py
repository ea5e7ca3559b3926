"""The learned concept encoder: PPMI + SVD of time-windowed co-occurrence in the training patients.

Modality "cohort-concept": a ``SYSTEM:CODE`` string from the cohort's code systems. It is fit on the
training split of the shipped cohort only (never on the patients the onset tasks evaluate), once per
fingerprint; the fitted vectors are saved as ``<data home>/zoo-medical/concept-vectors/<fingerprint>.npz``
(vocabulary, vectors, training patient ids), so every result's encoder fingerprint names the file
holding its vectors. A concept outside the vocabulary (recorded for fewer than ``min_patients``
training patients) has no co-occurrence evidence and encodes as the zero vector.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoo.api import BaseEncoder, Role, ZooError
from zoo_medical import cooccurrence as cooc
from zoo_medical.cohort import Cohort, load_cohort, split_patients, vocabulary
from zoo_medical.history import CONCEPT

if TYPE_CHECKING:
    import numpy as np

CODE_VERSION = 1  # bump when the fitting changes the vectors
MIN_PATIENTS = 3


@dataclass(frozen=True, eq=False)
class FittedConcepts:
    """A fitted vocabulary and its vectors (row i is ``vocabulary[i]``)."""

    vocabulary: tuple[str, ...]
    vectors: np.ndarray

    @functools.cached_property
    def row(self) -> dict[str, int]:
        return {concept: i for i, concept in enumerate(self.vocabulary)}


def check_concepts(inputs: Sequence[Any], encoder: str) -> list[str]:
    """The inputs as concept strings, or a ZooError naming the first that is not ``SYSTEM:CODE``."""
    if isinstance(inputs, str):
        raise ZooError(f"{encoder}: encode() takes a list of concepts; wrap the single concept in a list")
    for row, item in enumerate(inputs):
        if not isinstance(item, str) or not CONCEPT.fullmatch(item):
            raise ZooError(
                f"{encoder} encodes concepts written SYSTEM:CODE (e.g. SNOMED:44054006); input {row} is {item!r}"
            )
    return list(inputs)


class CooccurrenceConceptEncoder(BaseEncoder):
    """Concept vectors from PPMI + SVD of time-weighted co-occurrence counts (see ``cooccurrence``).

    Its model is the fitted vocabulary and vectors: read from the data home, or fit there on first use.
    """

    modalities = ("cohort-concept",)

    def __init__(
        self,
        dim: int = 64,
        *,
        window_days: int = cooc.WINDOW_DAYS,
        scale_days: float = cooc.SCALE_DAYS,
        alpha: float = cooc.ALPHA,
        power: float = cooc.POWER,
        min_patients: int = MIN_PATIENTS,
        cohort_folder: Path | None = None,
        name: str | None = None,
    ) -> None:
        if dim < 1 or window_days < 0 or scale_days <= 0 or min_patients < 1:
            raise ZooError(
                f"cooc-ppmi-svd: need dim >= 1, window_days >= 0, scale_days > 0 and "
                f"min_patients >= 1; got {dim}, {window_days}, {scale_days}, {min_patients}"
            )
        self._dim = dim
        self.params = {
            "dim": dim,
            "window_days": window_days,
            "scale_days": scale_days,
            "alpha": alpha,
            "power": power,
            "min_patients": min_patients,
        }
        self.cohort_folder = cohort_folder
        self.name = name or f"cooc-ppmi-svd-{dim}"

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def cohort(self) -> Cohort:
        return load_cohort(self.cohort_folder)

    @functools.cached_property
    def training_patients(self) -> tuple[str, ...]:
        return split_patients(self.cohort).train

    def fingerprint_parts(self) -> tuple[Any, ...]:
        """Code version, parameters, the cohort files and the exact training patients it is fit on."""
        return (
            "cooc-ppmi-svd",
            CODE_VERSION,
            self.params,
            self.cohort.fingerprint,
            "train-split",
            self.training_patients,
        )

    @property
    def n_parameters(self) -> int:
        return len(self.model.vocabulary) * self._dim

    def load_model(self) -> FittedConcepts:
        """The vectors saved for this fingerprint, fitting and saving them on first use."""
        path = vectors_path(self.fingerprint())
        if path.is_file():
            return read_vectors(path)
        fitted = self.fit()
        write_vectors(
            path,
            fitted,
            {
                "encoder": self.name,
                "params": self.params,
                "cohort": self.cohort.fingerprint,
                "fit_on": "train split",
                "patients": list(self.training_patients),
            },
        )
        return fitted

    def fit(self) -> FittedConcepts:
        """Fit on the training split's full histories (never the evaluation patients')."""
        p = self.params
        cohort = self.cohort
        concepts = vocabulary(cohort, self.training_patients, min_patients=p["min_patients"])
        histories = (cohort.patients[pid].events for pid in self.training_patients)
        counts = cooc.cooccurrence_counts(histories, concepts, window_days=p["window_days"], scale_days=p["scale_days"])
        vectors = cooc.svd_vectors(cooc.ppmi(counts, alpha=p["alpha"]), self._dim, power=p["power"])
        return FittedConcepts(tuple(concepts), vectors)

    def check_inputs(self, inputs: Sequence[Any]) -> list[str]:
        return check_concepts(inputs, self.name)

    def encode_items(self, items: list[str], role: Role, instruction: str | None) -> np.ndarray:
        import numpy as np

        fitted: FittedConcepts = self.model
        out = np.zeros((len(items), self._dim), dtype=np.float32)
        for i, concept in enumerate(items):
            row = fitted.row.get(concept)
            if row is not None:
                out[i] = fitted.vectors[row]
        return out


def vectors_path(digest: str) -> Path:
    from harness.api import data_home

    return data_home() / "zoo-medical" / "concept-vectors" / f"{digest}.npz"


def write_vectors(path: Path, fitted: FittedConcepts, meta: dict[str, Any]) -> None:
    """Save atomically: vocabulary and vectors as arrays, what they were fit on as JSON text."""
    import io

    import numpy as np

    from harness.api import atomic_write_bytes

    buffer = io.BytesIO()
    np.savez(
        buffer,
        vocabulary=np.asarray(fitted.vocabulary, dtype=str),
        vectors=fitted.vectors,
        meta=np.asarray(json.dumps(meta, sort_keys=True)),
    )
    atomic_write_bytes(path, buffer.getvalue())


def read_vectors(path: Path) -> FittedConcepts:
    import numpy as np

    with np.load(path, allow_pickle=False) as saved:
        return FittedConcepts(tuple(saved["vocabulary"].tolist()), saved["vectors"].astype(np.float32))
