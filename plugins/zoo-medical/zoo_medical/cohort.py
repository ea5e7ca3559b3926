"""The synthetic cohort shipped in ``zoo_medical/data`` (see scripts/generate_cohort.py): loading and splits.

Concepts are written ``SYSTEM:CODE`` (``SNOMED:44054006``, ``RXNORM:860975``, ``LOINC:4548-4``,
``CVX:140``); days are ``date.toordinal()`` numbers.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zoo.api import DataError, fingerprint, hash_file
from zoo_medical.targets import HEART_FAILURE

if TYPE_CHECKING:
    import pandas as pd

DATA_FILES = ("patients.csv.gz", "events.csv.gz", "concepts.csv.gz", "cohort.json")
SPLIT_SEED = 20160101
TEST_FRACTION = 0.5
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class Concept:
    """A code's title and the Synthea modules whose states emit it (empty when none names it)."""

    display: str
    modules: tuple[str, ...]


@dataclass(frozen=True)
class Patient:
    """One synthetic patient: sex, birth, the day the record ends (death or the reference date), events."""

    id: str
    gender: str
    birth_day: int
    end_day: int
    events: tuple[tuple[int, str], ...]  # (day, concept), sorted

    def first_day(self, concepts: Iterable[str]) -> int | None:
        """The day of the first event with one of ``concepts``, or None."""
        wanted = set(concepts)
        return next((when for when, concept in self.events if concept in wanted), None)


@dataclass(frozen=True, eq=False)
class Cohort:
    """Patients by id, concepts by ``SYSTEM:CODE``, a hash of all files and one of the concept table."""

    patients: dict[str, Patient]
    concepts: dict[str, Concept]
    fingerprint: str
    concepts_fingerprint: str


@dataclass(frozen=True)
class Split:
    """Disjoint, sorted patient ids: ``train`` for fitting encoders, ``test`` for the tasks to evaluate."""

    train: tuple[str, ...]
    test: tuple[str, ...]


def data_folder() -> Path:
    return Path(__file__).resolve().parent / "data"


@functools.lru_cache(maxsize=4)
def load_cohort(folder: Path | None = None) -> Cohort:
    """Read the cohort files in ``folder`` (default: the shipped data); cached per folder."""
    import pandas as pd

    folder = Path(folder) if folder is not None else data_folder()
    missing = [name for name in DATA_FILES if not (folder / name).is_file()]
    if missing:
        raise DataError(
            f"cohort folder {folder} lacks {', '.join(missing)}; regenerate it with scripts/generate_cohort.py"
        )
    meta = json.loads((folder / "cohort.json").read_text())
    reference_day = dt.datetime.strptime(str(meta["reference_date"]), "%Y%m%d").date().toordinal()
    events = pd.read_csv(folder / "events.csv.gz", dtype=str, keep_default_na=False)
    people = pd.read_csv(folder / "patients.csv.gz", dtype=str, keep_default_na=False)
    concepts = pd.read_csv(folder / "concepts.csv.gz", dtype=str, keep_default_na=False)
    by_patient = _events_by_patient(events)
    patients = {
        row.patient: Patient(
            row.patient,
            row.gender,
            _day(row.birth_date),
            _day(row.death_date) if row.death_date else reference_day,
            tuple(by_patient.get(row.patient, ())),
        )
        for row in people.itertuples(index=False)
    }
    table = {
        f"{row.system}:{row.code}": Concept(row.display, tuple(filter(None, row.modules.split("|"))))
        for row in concepts.itertuples(index=False)
    }
    digest = fingerprint("zoo-medical-cohort", [hash_file(folder / name) for name in DATA_FILES])
    return Cohort(patients, table, digest, hash_file(folder / "concepts.csv.gz"))


def _events_by_patient(events: pd.DataFrame) -> dict[str, list[tuple[int, str]]]:
    import numpy as np

    days = (events["date"].to_numpy(dtype="datetime64[D]").astype(np.int64) + EPOCH_ORDINAL).tolist()
    concepts = (events["system"] + ":" + events["code"]).tolist()
    grouped: dict[str, list[tuple[int, str]]] = {}
    for patient, when, concept in zip(events["patient"].tolist(), days, concepts):
        grouped.setdefault(patient, []).append((when, concept))
    for rows in grouped.values():
        rows.sort()
    return grouped


def _day(text: str) -> int:
    return dt.date.fromisoformat(text[:10]).toordinal()


def split_patients(cohort: Cohort, *, test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED) -> Split:
    """A seeded patient-level split, stratified by whether a patient ever has heart failure."""
    import numpy as np

    rng = np.random.default_rng(seed)
    train: list[str] = []
    test: list[str] = []
    ever = {pid for pid, p in cohort.patients.items() if p.first_day(HEART_FAILURE.concepts) is not None}
    for stratum in (sorted(ever), sorted(set(cohort.patients) - ever)):
        order = [stratum[i] for i in rng.permutation(len(stratum))]
        cut = round(test_fraction * len(order))
        test += order[:cut]
        train += order[cut:]
    return Split(tuple(sorted(train)), tuple(sorted(test)))


def vocabulary(cohort: Cohort, patient_ids: Iterable[str], *, min_patients: int = 3) -> list[str]:
    """Concepts recorded for at least ``min_patients`` of ``patient_ids``, sorted."""
    from collections import Counter

    seen: Counter[str] = Counter()
    for pid in patient_ids:
        seen.update({concept for _, concept in cohort.patients[pid].events})
    return sorted(concept for concept, n in seen.items() if n >= min_patients)
