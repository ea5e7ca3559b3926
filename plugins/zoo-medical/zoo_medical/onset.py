"""Onset-prediction samples: one (history before an index date, label) per eligible patient.

- Case: the target's first record falls on day ``t`` at age >= ``min_age_years``; the index date is
  ``t - u`` with ``u`` drawn uniformly from 1..``window_days``, so the onset lies in the window after it.
- Control: the target is never recorded. Its index age is drawn from the cases' index ages of the same
  split (redrawn up to ``DRAWS`` times) so that age alone cannot tell cases from controls, and the whole
  window after the index date must lie inside the record (before death or the reference date).
- Both need at least one event before the index date; events on or after it are cut off.
Draws come from one generator seeded with ``seed``, patients visited in sorted order: reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zoo_medical.cohort import Cohort, Patient
from zoo_medical.history import format_history
from zoo_medical.targets import Target

WINDOW_DAYS = 365
MIN_AGE_YEARS = 18
DRAWS = 10
SEED = 8


@dataclass(frozen=True)
class OnsetSample:
    """A patient at an index day: its history string and whether the target's onset follows in the window."""

    patient: str
    index_day: int
    label: int
    history: str


def onset_samples(
    cohort: Cohort,
    patient_ids: Sequence[str],
    target: Target,
    *,
    window_days: int = WINDOW_DAYS,
    min_age_years: int = MIN_AGE_YEARS,
    seed: int = SEED,
) -> list[OnsetSample]:
    """Cases and age-matched controls among ``patient_ids`` (see the module docstring), sorted by patient."""
    import numpy as np

    rng = np.random.default_rng(seed)
    min_age = round(min_age_years * 365.25)
    cases: dict[str, int] = {}
    for pid in sorted(patient_ids):
        patient = cohort.patients[pid]
        onset = patient.first_day(target.concepts)
        if onset is not None and onset - patient.birth_day >= min_age + window_days:
            cases[pid] = onset - int(rng.integers(1, window_days + 1))
    case_ages = [index - cohort.patients[pid].birth_day for pid, index in cases.items()]
    samples = [_sample(cohort.patients[pid], index, 1) for pid, index in cases.items()]
    for pid in sorted(patient_ids):
        patient = cohort.patients[pid]
        if pid in cases or patient.first_day(target.concepts) is not None or not case_ages:
            continue
        for _ in range(DRAWS):
            index = patient.birth_day + case_ages[int(rng.integers(len(case_ages)))]
            if index + window_days <= patient.end_day:
                samples.append(_sample(patient, index, 0))
                break
    return sorted((s for s in samples if s is not None), key=lambda s: s.patient)


def _sample(patient: Patient, index_day: int, label: int) -> OnsetSample | None:
    """The sample at ``index_day``, or None when nothing was recorded before it."""
    before = [(when, concept) for when, concept in patient.events if when < index_day]
    return OnsetSample(patient.id, index_day, label, format_history(index_day, before)) if before else None
