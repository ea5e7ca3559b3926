"""The onsets the onset-prediction tasks predict: a name and the concepts whose first record is the onset."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A diagnosis whose first record in a patient's history is its onset."""

    name: str
    concepts: frozenset[str]
    title: str


# Synthea records heart failure as chronic CHF (congestive_heart_failure module, "CHF Condition Start")
# and as acute heart failure after COVID-19 (covid19/outcomes); either one marks the onset.
HEART_FAILURE = Target("heart-failure", frozenset({"SNOMED:88805009", "SNOMED:84114007"}), "heart failure")
# metabolic_syndrome_disease: prediabetes, recorded at wellness visits, often precedes type 2 diabetes:
# a recorded (if weak) precursor, which heart failure lacks
TYPE2_DIABETES = Target("type2-diabetes", frozenset({"SNOMED:44054006"}), "type 2 diabetes")
