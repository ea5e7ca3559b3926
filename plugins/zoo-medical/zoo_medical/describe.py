"""The description-based concept encoder: a registered text encoder applied to each concept's title.

Titles come from the cohort's concept table (the display strings Synthea writes for SNOMED CT, RxNorm,
LOINC and CVX codes, e.g. "Chronic congestive heart failure (disorder)") and, for ``ICD10CM:<code>``,
from the ``simple-icd-10-cm`` package ("Heart failure"). The same text model thereby meets the
co-occurrence encoder on the concept tasks.
"""

from __future__ import annotations

import functools
import importlib.metadata
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoo.api import BaseEncoder, Encoder, Role, ZooError, fingerprint
from zoo_medical.cohort import load_cohort
from zoo_medical.concept_encoder import check_concepts

if TYPE_CHECKING:
    import numpy as np

CODE_VERSION = 1
ICD_PACKAGE = "simple-icd-10-cm"


@functools.lru_cache(maxsize=1)
def _icd() -> Any:
    with warnings.catch_warnings():  # its importlib.resources calls are deprecated, not our concern
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm  # parses the XML on import: a few seconds

    return simple_icd_10_cm


def icd_version() -> str:
    try:
        return importlib.metadata.version(ICD_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


class Titles:
    """Concept -> title, from the cohort's concept table and ICD-10-CM."""

    def __init__(self, cohort_folder: Path | None = None) -> None:
        self.cohort_folder = cohort_folder

    def fingerprint(self) -> str:
        """The concept table's hash and the ICD-10-CM package version: all the titles depend on."""
        return fingerprint("titles", load_cohort(self.cohort_folder).concepts_fingerprint, ICD_PACKAGE, icd_version())

    def __call__(self, concept: str) -> str:
        system, _, code = concept.partition(":")
        if system == "ICD10CM":
            return self._icd_title(code)
        entry = load_cohort(self.cohort_folder).concepts.get(concept)
        if entry is None or not entry.display:
            raise ZooError(
                f"no title for concept {concept!r}: the description encoder knows the cohort's "
                "SNOMED/RXNORM/LOINC/CVX codes and ICD10CM codes"
            )
        return entry.display

    def _icd_title(self, code: str) -> str:
        if icd_version() == "not installed":
            raise ZooError(f"ICD10CM titles need {ICD_PACKAGE}; pip install {ICD_PACKAGE}")
        cm = _icd()
        if not cm.is_valid_item(code):
            raise ZooError(f"ICD10CM:{code} is not an ICD-10-CM code; write codes as ICD10CM:I50 or ICD10CM:I50.9")
        return cm.get_description(code)


class DescriptionEncoder(BaseEncoder):
    """Encodes a concept as ``text_encoder`` encodes its title."""

    modalities = ("concept", "cohort-concept")

    def __init__(self, text_encoder: Encoder, *, titles: Titles | None = None, name: str | None = None) -> None:
        if "text" not in text_encoder.modalities:
            raise ZooError(
                f"describe: {text_encoder.name} does not encode text; pick a text encoder from `zoo list encoders`"
            )
        self.text_encoder = text_encoder
        self.titles = titles or Titles()
        self.name = name or f"describe:{text_encoder.name}"
        self.similarity = text_encoder.similarity

    @property
    def dim(self) -> int:
        return self.text_encoder.dim

    @property
    def n_parameters(self) -> int | None:
        return getattr(self.text_encoder, "n_parameters", None)

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return ("describe", CODE_VERSION, self.text_encoder.fingerprint(), self.titles.fingerprint())

    def check_inputs(self, inputs: Sequence[Any]) -> list[str]:
        return check_concepts(inputs, self.name)

    def encode_items(self, items: list[str], role: Role, instruction: str | None) -> np.ndarray:
        import numpy as np

        texts = [self.titles(concept) for concept in items]
        vectors = self.text_encoder.encode(texts, role=role, instruction=instruction)
        return np.asarray(vectors, dtype=np.float32)
