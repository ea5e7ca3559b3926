"""The generation script's reduction of a FHIR bundle to event rows (no synthea run needed)."""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "generate_cohort.py"

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
BUNDLE = {
    "resourceType": "Bundle",
    "entry": [
        {
            "resource": {
                "resourceType": "Patient",
                "birthDate": "1950-02-03",
                "gender": "female",
                "deceasedDateTime": "2020-01-01T10:00:00+00:00",
            }
        },
        {
            "resource": {
                "resourceType": "Condition",
                "onsetDateTime": "2010-05-06T08:00:00+00:00",
                "code": {
                    "coding": [
                        {
                            "system": "http://snomed.info/sct",
                            "code": "88805009",
                            "display": "Chronic congestive heart failure (disorder)",
                        }
                    ]
                },
            }
        },
        {
            "resource": {
                "resourceType": "MedicationRequest",
                "authoredOn": "2010-05-06T09:00:00+00:00",
                "medicationCodeableConcept": {
                    "coding": [{"system": RXNORM, "code": "1719286", "display": "Furosemide"}]
                },
            }
        },
        {
            "resource": {
                "resourceType": "Procedure",
                "performedPeriod": {"start": "2011-01-02T00:00:00+00:00"},
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "430193006"}]},
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "effectiveDateTime": "2010-05-06T10:00:00+00:00",
                "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "effectiveDateTime": "2010-05-06T11:00:00+00:00",
                "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
            }
        },  # same day
        {"resource": {"resourceType": "Claim", "created": "2010-05-06"}},
    ],
}


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_cohort", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundle_rows_keep_one_event_per_day_and_code(script: ModuleType) -> None:
    patient, events, displays = script.bundle_rows(BUNDLE)
    assert patient == {"birth_date": "1950-02-03", "gender": "female", "death_date": "2020-01-01"}
    assert sorted(events) == [
        ("2010-05-06", "LOINC", "8480-6"),
        ("2010-05-06", "RXNORM", "1719286"),
        ("2010-05-06", "SNOMED", "88805009"),
        ("2011-01-02", "SNOMED", "430193006"),
    ]
    assert displays[("RXNORM", "1719286")] == "Furosemide"


def test_codings_finds_codes_at_any_depth(script: ModuleType) -> None:
    module = {
        "states": {
            "a": {"codes": [{"system": "SNOMED-CT", "code": 1, "display": "x"}]},
            "b": {"activities": [{"system": "RxNorm", "code": "2"}], "other": [1, "x"]},
        }
    }
    assert [c["code"] for c in script._codings(module)] == [1, "2"]


def test_merge_writes_the_cohort_files_byte_for_byte_reproducibly(
    script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient, events, displays = script.bundle_rows(BUNDLE)
    chunk = tmp_path / "chunk-0000.json.gz"
    with gzip.open(chunk, "wt") as fh:
        json.dump(
            [
                {
                    "patient": patient,
                    "events": sorted(events),
                    "displays": [[s, c, d] for (s, c), d in sorted(displays.items())],
                }
            ],
            fh,
        )
    emitted = {("SNOMED", "88805009"): {"congestive_heart_failure"}}
    monkeypatch.setattr(script, "module_codes", lambda: emitted)
    monkeypatch.setattr(script.metadata, "version", lambda name: "1.5.0")
    args = argparse.Namespace(patients=1, chunk=1, seed=42, age="45-90", reference_date="20250101")
    script.merge([chunk], tmp_path / "out", args)
    with gzip.open(tmp_path / "out" / "concepts.csv.gz", "rt") as fh:
        concepts = {row["code"]: row for row in csv.DictReader(fh)}
    assert concepts["88805009"]["modules"] == "congestive_heart_failure"
    assert concepts["8480-6"]["modules"] == ""
    script.merge([chunk], tmp_path / "again", args)
    for name in ("patients.csv.gz", "events.csv.gz", "concepts.csv.gz", "cohort.json"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "again" / name).read_bytes()
    meta = json.loads((tmp_path / "out" / "cohort.json").read_text())
    assert meta["patients"] == 1 and meta["events"] == 4
    assert meta["command"].endswith("--reference-date 20250101")
    from zoo_medical.cohort import load_cohort

    cohort = load_cohort(tmp_path / "out")
    assert [concept for _, concept in cohort.patients["p000-000"].events][-1] == "SNOMED:430193006"
