"""Cohort files, the seeded split, the vocabulary and the onset samples, on the hand-made cohort."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from handmade_cohort import N_CASES, N_PATIENTS, ONSET
from zoo_medical.cohort import load_cohort, split_patients, vocabulary
from zoo_medical.history import parse_history
from zoo_medical.onset import WINDOW_DAYS, onset_samples
from zoo_medical.targets import HEART_FAILURE, TYPE2_DIABETES

from zoo.errors import DataError


def test_load_reads_patients_events_and_concepts(cohort_folder: Path) -> None:
    cohort = load_cohort(cohort_folder)
    assert len(cohort.patients) == N_PATIENTS
    case = cohort.patients["p00"]
    assert case.first_day(HEART_FAILURE.concepts) == ONSET.toordinal()
    assert case.first_day(TYPE2_DIABETES.concepts) is None
    assert case.end_day == dt.date(2025, 1, 1).toordinal()  # alive: the record ends at the reference date
    assert cohort.concepts["SNOMED:3000"].modules == ("injuries",)
    assert [when for when, _ in case.events] == sorted(when for when, _ in case.events)


def test_a_missing_file_is_a_data_error_naming_the_fix(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="lacks patients.csv.gz.*generate_cohort.py"):
        load_cohort(tmp_path)


def test_split_is_seeded_disjoint_and_stratified_by_heart_failure(cohort_folder: Path) -> None:
    cohort = load_cohort(cohort_folder)
    split = split_patients(cohort)
    assert split == split_patients(cohort)
    assert not set(split.train) & set(split.test)
    assert set(split.train) | set(split.test) == set(cohort.patients)
    test_cases = [pid for pid in split.test if int(pid[1:]) < N_CASES]
    assert len(test_cases) == N_CASES // 2 and len(split.test) == N_PATIENTS // 2
    assert split_patients(cohort, seed=1) != split


def test_vocabulary_keeps_concepts_of_enough_patients(cohort_folder: Path) -> None:
    cohort = load_cohort(cohort_folder)
    assert vocabulary(cohort, ["p00", "p01", "p20"], min_patients=2) == [
        "SNOMED:1000",
        "SNOMED:2000",
        "SNOMED:88805009",
    ]
    assert vocabulary(cohort, ["p00", "p01", "p20"], min_patients=3) == ["SNOMED:1000"]


def test_cases_are_indexed_within_a_year_before_onset(cohort_folder: Path) -> None:
    cohort = load_cohort(cohort_folder)
    samples = onset_samples(cohort, list(cohort.patients), HEART_FAILURE)
    cases = [s for s in samples if s.label]
    assert len(cases) == N_CASES
    for case in cases:
        assert 1 <= ONSET.toordinal() - case.index_day <= WINDOW_DAYS
        history = parse_history(case.history)
        assert history.index_day == case.index_day
        assert "SNOMED:2000" in history.concepts and "SNOMED:88805009" not in history.concepts


def test_controls_are_age_matched_and_followed_for_the_whole_window(cohort_folder: Path) -> None:
    cohort = load_cohort(cohort_folder)
    samples = onset_samples(cohort, list(cohort.patients), HEART_FAILURE)
    case_ages = {s.index_day - cohort.patients[s.patient].birth_day for s in samples if s.label}
    controls = [s for s in samples if not s.label]
    assert len(controls) == N_PATIENTS - N_CASES
    for control in controls:
        patient = cohort.patients[control.patient]
        assert control.index_day - patient.birth_day in case_ages
        assert control.index_day + WINDOW_DAYS <= patient.end_day
        assert all(when < control.index_day for when, _ in parse_history(control.history).events)
    assert samples == onset_samples(cohort, list(cohort.patients), HEART_FAILURE)


def test_a_target_nobody_has_gives_no_samples(cohort_folder: Path) -> None:
    cohort = load_cohort(cohort_folder)
    assert onset_samples(cohort, list(cohort.patients), TYPE2_DIABETES) == []
