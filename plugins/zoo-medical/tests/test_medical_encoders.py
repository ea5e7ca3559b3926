"""The concept, patient and description encoders: the Encoder contract and hand-computed vectors."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from zoo_medical.cohort import load_cohort, split_patients
from zoo_medical.concept_encoder import CooccurrenceConceptEncoder, read_vectors, vectors_path
from zoo_medical.describe import DescriptionEncoder, Titles
from zoo_medical.patient_encoder import CodeCountEncoder, ConceptPatientEncoder

from zoo.errors import ZooError
from zoo.testing import check_encoder

CONCEPTS = ["SNOMED:1000", "SNOMED:3000", "SNOMED:3001", "SNOMED:424242"]
HISTORIES = [
    "@2001-01-01 2000-07-10 SNOMED:3000 2000-07-12 SNOMED:3001 2000-12-01 SNOMED:1000",
    "@2016-01-01 2014-04-27 SNOMED:2000 2015-03-01 SNOMED:1000",
    "@2016-01-01",
]


class TableEncoder:
    """A fake concept encoder: fixed vectors per concept, zeros for anything else."""

    name = "table"
    modalities = ("concept",)
    similarity = "cosine"
    dim = 2
    TABLE: ClassVar[dict[str, list[float]]] = {"X:A": [1.0, 0.0], "X:B": [0.0, 1.0]}

    def fingerprint(self) -> str:
        return "table-1"

    def encode(self, inputs: Sequence[str], *, role: str = "document", instruction: str | None = None) -> np.ndarray:
        return np.asarray([self.TABLE.get(c, [0.0, 0.0]) for c in inputs], dtype=np.float32).reshape(-1, 2)


class LengthEncoder:
    """A fake text encoder that remembers what it was asked to encode."""

    name = "length"
    modalities = ("text",)
    similarity = "cosine"
    dim = 2
    n_parameters = 7

    def __init__(self) -> None:
        self.seen: list[str] = []

    def fingerprint(self) -> str:
        return "length-1"

    def encode(self, inputs: Sequence[str], *, role: str = "document", instruction: str | None = None) -> np.ndarray:
        self.seen += list(inputs)
        return np.asarray([[len(t), t.count(" ") + 1] for t in inputs], dtype=np.float32).reshape(-1, 2)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# --- co-occurrence concept encoder ----------------------------------------------------------------


def test_cooc_encoder_meets_the_contract(cohort_folder: Path) -> None:
    check_encoder(CooccurrenceConceptEncoder(4, cohort_folder=cohort_folder), inputs=CONCEPTS)


def test_concepts_recorded_together_get_the_same_direction(cohort_folder: Path) -> None:
    # sprain and fracture, two days apart, co-occur only with each other; yearly check-ups meet no
    # other concept within 30 days, so they have no co-occurrence evidence at all
    sprain, fracture, checkup = CooccurrenceConceptEncoder(4, cohort_folder=cohort_folder).encode(
        ["SNOMED:3000", "SNOMED:3001", "SNOMED:1000"]
    )
    assert cosine(sprain, fracture) == pytest.approx(1.0, abs=1e-6)
    assert not checkup.any()


def test_unseen_concepts_are_zero_and_malformed_ones_rejected(cohort_folder: Path) -> None:
    encoder = CooccurrenceConceptEncoder(4, cohort_folder=cohort_folder)
    assert not encoder.encode(["SNOMED:424242"]).any()
    with pytest.raises(ZooError, match="SYSTEM:CODE.*input 1 is 'aspirin'"):
        encoder.encode(["SNOMED:1000", "aspirin"])
    with pytest.raises(ZooError, match="wrap the single concept in a list"):
        encoder.encode("SNOMED:1000")


def test_fitted_vectors_are_saved_under_the_fingerprint_with_the_training_patients(
    cohort_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder = CooccurrenceConceptEncoder(4, cohort_folder=cohort_folder)
    first = encoder.encode(CONCEPTS)
    path = vectors_path(encoder.fingerprint())
    with np.load(path) as saved:
        assert '"fit_on": "train split"' in str(saved["meta"])
        assert all(pid in str(saved["meta"]) for pid in split_patients(load_cohort(cohort_folder)).train)
    assert read_vectors(path).vocabulary == encoder.model.vocabulary
    monkeypatch.setattr(CooccurrenceConceptEncoder, "fit", lambda self: pytest.fail("refit"))
    np.testing.assert_array_equal(CooccurrenceConceptEncoder(4, cohort_folder=cohort_folder).encode(CONCEPTS), first)
    assert encoder.n_parameters == 4 * len(encoder.model.vocabulary)


def test_fingerprint_covers_parameters_and_training_cohort(cohort_folder: Path, tmp_path: Path) -> None:
    base = CooccurrenceConceptEncoder(4, cohort_folder=cohort_folder).fingerprint()
    assert base == CooccurrenceConceptEncoder(4, cohort_folder=cohort_folder, name="renamed").fingerprint()
    assert base != CooccurrenceConceptEncoder(8, cohort_folder=cohort_folder).fingerprint()
    assert base != CooccurrenceConceptEncoder(4, window_days=10, cohort_folder=cohort_folder).fingerprint()
    from handmade_cohort import write_cohort

    other = write_cohort(tmp_path / "other")
    (other / "cohort.json").write_text('{"reference_date": "20240101"}')
    assert base != CooccurrenceConceptEncoder(4, cohort_folder=other).fingerprint()


def test_bad_parameters_are_user_errors() -> None:
    with pytest.raises(ZooError, match="dim >= 1"):
        CooccurrenceConceptEncoder(0)


# --- patient encoders -----------------------------------------------------------------------------


def test_patient_mean_averages_known_concepts_only() -> None:
    encoder = ConceptPatientEncoder(TableEncoder())
    vectors = encoder.encode(["@2000-01-11 2000-01-01 X:A X:UNKNOWN 2000-01-06 X:B", "@2000-01-11"])
    np.testing.assert_allclose(vectors, [[0.5, 0.5], [0.0, 0.0]])
    assert encoder.name == "patient-mean:table"


def test_patient_decay_halves_weights_every_half_life() -> None:
    # A is 10 days before the index (weight 1/4), B 5 days (1/2): (1/4 A + 1/2 B) / (3/4)
    encoder = ConceptPatientEncoder(TableEncoder(), half_life_days=5)
    vectors = encoder.encode(["@2000-01-11 2000-01-01 X:A 2000-01-06 X:B"])
    np.testing.assert_allclose(vectors, [[1 / 3, 2 / 3]], rtol=1e-6)
    assert encoder.fingerprint() != ConceptPatientEncoder(TableEncoder()).fingerprint()


def test_patient_encoders_meet_the_contract(cohort_folder: Path) -> None:
    concepts = CooccurrenceConceptEncoder(4, cohort_folder=cohort_folder)
    check_encoder(ConceptPatientEncoder(concepts), inputs=HISTORIES)
    check_encoder(ConceptPatientEncoder(concepts, half_life_days=365), inputs=HISTORIES)
    check_encoder(CodeCountEncoder(cohort_folder=cohort_folder), inputs=HISTORIES)


def test_code_counts_are_log1p_over_the_training_vocabulary(cohort_folder: Path) -> None:
    encoder = CodeCountEncoder(cohort_folder=cohort_folder)
    assert encoder.vocabulary == ("SNOMED:1000", "SNOMED:2000", "SNOMED:3000", "SNOMED:3001", "SNOMED:88805009")
    (row,) = encoder.encode(["@2002-01-01 2000-03-01 SNOMED:1000 SNOMED:3000 2001-03-01 SNOMED:1000 X:NEW"])
    np.testing.assert_allclose(row, [math.log(3), 0, math.log(2), 0, 0], rtol=1e-6)


def test_patient_encoders_reject_bad_histories() -> None:
    with pytest.raises(ZooError, match="starts with '@'"):
        ConceptPatientEncoder(TableEncoder()).encode(["2000-01-01 X:A"])
    with pytest.raises(ZooError, match="wrap the single one in a list"):
        ConceptPatientEncoder(TableEncoder()).encode("@2000-01-01")
    with pytest.raises(ZooError, match="half_life_days must be positive"):
        ConceptPatientEncoder(TableEncoder(), half_life_days=0)
    with pytest.raises(ZooError, match="need a concept encoder, and length encodes text"):
        ConceptPatientEncoder(LengthEncoder())  # type: ignore[arg-type]


# --- description encoder --------------------------------------------------------------------------


def test_description_encoder_encodes_titles_from_the_cohort(cohort_folder: Path) -> None:
    text = LengthEncoder()
    encoder = DescriptionEncoder(text, titles=Titles(cohort_folder))
    vectors = encoder.encode(["SNOMED:3000", "SNOMED:1000"])
    assert text.seen == ["Sprain of ankle (disorder)", "General examination of patient (procedure)"]
    np.testing.assert_array_equal(vectors, [[26, 4], [42, 5]])
    assert encoder.name == "describe:length" and encoder.n_parameters == 7
    check_encoder(encoder, inputs=["SNOMED:3000", "SNOMED:3001", "SNOMED:2000"])


@pytest.mark.slow
def test_icd10cm_titles_come_from_simple_icd_10_cm(cohort_folder: Path) -> None:
    titles = Titles(cohort_folder)
    assert titles("ICD10CM:I50") == "Heart failure"
    with pytest.raises(ZooError, match="ICD10CM:ZZZ is not an ICD-10-CM code"):
        titles("ICD10CM:ZZZ")


def test_description_encoder_needs_titles_and_a_text_encoder(cohort_folder: Path) -> None:
    with pytest.raises(ZooError, match="no title for concept 'SNOMED:424242'"):
        DescriptionEncoder(LengthEncoder(), titles=Titles(cohort_folder)).encode(["SNOMED:424242"])
    with pytest.raises(ZooError, match="does not encode text"):
        DescriptionEncoder(TableEncoder())  # type: ignore[arg-type]
