"""Concept-relatedness retrieval: do a concept's nearest neighbours share its clinical group?

Both tasks are BEIR folders for the harness's ``RetrievalTask`` (queries and documents are concept
strings; a query's own id is ignored in its ranking):

- ``synthea-concept-modules`` (modality "cohort-concept"): the concepts of the co-occurrence encoder's
  vocabulary (training split, ``MIN_PATIENTS``) that some Synthea module emits. Queries are those emitted
  by exactly one module; relevant: every other concept that module emits.
- ``icd10cm-concept-blocks`` (modality "concept"): every ICD-10-CM category (three characters,
  ``ICD10CM:I50``); relevant: the other categories of its block (``I30-I5A``), the finest grouping above it.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from zoo.api import fingerprint
from zoo_medical.cohort import Cohort, load_cohort, split_patients, vocabulary
from zoo_medical.concept_encoder import MIN_PATIENTS

VERSION = "1"  # bump when the build rules change: it names the cache folder


Qrels = dict[str, dict[str, int]]


def module_relatedness(cohort: Cohort, concepts: list[str]) -> tuple[dict[str, str], Qrels]:
    """Corpus (concept -> concept) and qrels, from the modules each concept's table entry names."""
    known = [c for c in concepts if c in cohort.concepts]
    modules = {c: cohort.concepts[c].modules for c in known if cohort.concepts[c].modules}
    members: dict[str, set[str]] = defaultdict(set)
    for concept, names in modules.items():
        for name in names:
            members[name].add(concept)
    qrels = {}
    for concept, names in sorted(modules.items()):
        if len(names) == 1 and len(members[names[0]]) > 1:
            qrels[concept] = {other: 1 for other in sorted(members[names[0]] - {concept})}
    return {concept: concept for concept in sorted(modules)}, qrels


def icd_block_relatedness() -> tuple[dict[str, str], Qrels]:
    """Corpus of ICD-10-CM categories and qrels: same block, self excluded."""
    from zoo_medical.describe import _icd

    cm = _icd()
    blocks: dict[str, list[str]] = defaultdict(list)
    for code in cm.get_all_codes(False):
        if cm.is_category(code):
            blocks[cm.get_parent(code)].append(f"ICD10CM:{code}")
    corpus = {concept: concept for members in blocks.values() for concept in members}
    qrels = {
        concept: {other: 1 for other in members if other != concept}
        for members in blocks.values()
        if len(members) > 1
        for concept in members
    }
    return corpus, dict(sorted(qrels.items()))


def build_module_task(cohort_folder: Path | None = None) -> Path:
    cohort = load_cohort(cohort_folder)
    concepts = vocabulary(cohort, split_patients(cohort).train, min_patients=MIN_PATIENTS)
    return _write("synthea-concept-modules", cohort.fingerprint, *module_relatedness(cohort, concepts))


def build_icd_task() -> Path:
    from zoo_medical.describe import icd_version

    return _write("icd10cm-concept-blocks", fingerprint("simple-icd-10-cm", icd_version()), *icd_block_relatedness())


def _write(name: str, source: str, corpus: dict[str, str], qrels: Qrels) -> Path:
    """The BEIR folder under the data home, written once per source fingerprint (its name is the stamp)."""
    from harness.api import RetrievalData, build_once, data_home, write_beir

    folder = data_home() / "zoo-medical" / name / f"v{VERSION}-{source}"
    data = RetrievalData(corpus, {concept: concept for concept in qrels}, qrels, "test")

    def write(tmp: Path) -> None:
        write_beir(data, tmp)

    return build_once(folder, None, write)
