"""A small hand-made cohort in the shipped files' format, where the right answers are known.

40 patients born 1950-1951, record end 2025-01-01. Patients 0-11 are cases: heart failure
(SNOMED:88805009) recorded on 2015-06-01, a risk marker (SNOMED:2000) 400 days before it, and yearly
check-ups (SNOMED:1000) from 1990. Patients 12-39 are controls: the same check-ups and a sprain
(SNOMED:3000) with a fracture (SNOMED:3001) two days later, in 2000. So a history before any case's
index date holds the marker and no control's does.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from pathlib import Path

N_PATIENTS = 40
N_CASES = 12
ONSET = dt.date(2015, 6, 1)
CONCEPTS = [
    ("SNOMED", "1000", "General examination of patient (procedure)", "wellness_encounters"),
    ("SNOMED", "2000", "Essential hypertension (disorder)", "heart"),
    ("SNOMED", "88805009", "Chronic congestive heart failure (disorder)", "congestive_heart_failure|heart"),
    ("SNOMED", "3000", "Sprain of ankle (disorder)", "injuries"),
    ("SNOMED", "3001", "Fracture of ankle (disorder)", "injuries"),
]


def patient_events(number: int) -> list[tuple[str, str, str]]:
    """(date, system, code) rows of patient ``number``."""
    rows = [(f"{year}-03-0{1 + number % 9}", "SNOMED", "1000") for year in range(1990, 2025)]
    if number < N_CASES:
        rows += [
            ((ONSET - dt.timedelta(days=400)).isoformat(), "SNOMED", "2000"),
            (ONSET.isoformat(), "SNOMED", "88805009"),
        ]
    else:
        rows += [("2000-07-10", "SNOMED", "3000"), ("2000-07-12", "SNOMED", "3001")]
    return sorted(rows)


def write_cohort(folder: Path) -> Path:
    """Write the hand-made cohort's four files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "patients.csv.gz", "wt", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["patient", "birth_date", "gender", "death_date"])
        for n in range(N_PATIENTS):
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=11 * n)
            out.writerow([f"p{n:02d}", birth.isoformat(), "female" if n % 2 else "male", ""])
    with gzip.open(folder / "events.csv.gz", "wt", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["patient", "date", "system", "code"])
        for n in range(N_PATIENTS):
            out.writerows([f"p{n:02d}", *row] for row in patient_events(n))
    with gzip.open(folder / "concepts.csv.gz", "wt", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["system", "code", "display", "modules"])
        out.writerows(CONCEPTS)
    (folder / "cohort.json").write_text(json.dumps({"reference_date": "20250101", "patients": N_PATIENTS}))
    return folder
