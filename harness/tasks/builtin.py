"""The tasks shipped with the harness, built offline from data that installable packages carry.

Each spec's ``load`` refers to the spec itself by name; it runs only after the module is imported.
"""

from __future__ import annotations

from pathlib import Path

from zoo.protocols import Task, TaskSpec

ICD_META = dict(
    type="retrieval",
    main_metric="ndcg_at_10",
    uses_search=True,
    source="simple-icd-10-cm (PyPI, MIT): ICD-10-CM code titles and inclusion terms from CMS/NCHS",
    license="ICD-10-CM: public domain (US government work); simple-icd-10-cm: MIT",
    citation=(
        "Centers for Medicare & Medicaid Services / National Center for Health Statistics, "
        "ICD-10-CM; S. Travasci, simple-icd-10-cm."
    ),
)


def _icd_task(spec: TaskSpec) -> Task:
    from harness.data.icd10cm import build_icd10cm
    from harness.tasks.retrieval import RetrievalTask

    # the sample scores 500 of the full task's queries: the rest are its held-out queries; the full task
    # scores all of its own and has none (a recall target falls back to documents there)
    pool = (lambda: build_icd10cm(ICD10CM.name)) if spec.name == ICD10CM_SMALL.name else None
    return RetrievalTask(spec, lambda: build_icd10cm(spec.name), query_pool=pool)


def _lee_task(spec: TaskSpec) -> Task:
    from harness.data.lee_sts import load_lee_sts
    from harness.tasks.sts import STSTask

    return STSTask(spec, load_lee_sts)


ICD10CM_SMALL = TaskSpec(
    name="icd10cm-small",
    load=lambda: _icd_task(ICD10CM_SMALL),
    version="1",
    default=True,
    aliases=("icd-small",),
    description="ICD-10-CM: find a code's title from one of its inclusion terms (sampled corpus)",
    **ICD_META,
)

ICD10CM = TaskSpec(
    name="icd10cm",
    load=lambda: _icd_task(ICD10CM),
    version="1",
    aliases=("icd10cm-full",),
    description="ICD-10-CM: find a code's title from one of its inclusion terms (all codes)",
    **ICD_META,
)

LEE_STS = TaskSpec(
    name="lee-sts",
    type="sts",
    load=lambda: _lee_task(LEE_STS),
    main_metric="cosine_spearman",
    version="1",
    default=True,
    aliases=("lee",),
    description="Lee et al. 2005: human similarity judgments of 50 news documents, all 1,225 pairs",
    source="gensim's bundled test data (Lee corpus and its human similarity judgments)",
    license="research use, as redistributed in gensim's test data (gensim: LGPL-2.1)",
    citation=(
        "Lee, Pincombe & Welsh (2005). An empirical evaluation of models of text document "
        "similarity. Proc. 27th Annual Conference of the Cognitive Science Society."
    ),
)


def _fortunes_task(spec: TaskSpec) -> Task:
    from harness.data.fortunes import load_fortunes
    from harness.tasks.clustering import ClusteringTask

    return ClusteringTask(spec, load_fortunes)


# --- fortunes clustering (reads the Debian package's installed files; see harness.data.fortunes) ---
FORTUNES = TaskSpec(
    name="fortunes-clustering",
    type="clustering",
    load=lambda: _fortunes_task(FORTUNES),
    main_metric="v_measure",
    version="1",
    aliases=("fortunes",),
    description="Debian fortunes: cluster 14,964 quotes into their 40 fortune files (computers, love, ...)",
    source="Debian package fortunes (fortune-mod 1.99.1 data), installed files in /usr/share/games/fortunes",
    license="fortune-mod: BSD (Regents of the University of California); quotes of mixed authorship, "
    "read from the installed package, not redistributed",
    citation="Ken Arnold et al., fortune(6), BSD games; Debian package fortunes.",
)


def builtin_task_specs() -> list[TaskSpec]:
    from harness.data.icd10cm_labels import icd_label_task_specs
    from harness.data.icd10cm_pairs import icd_pair_task_specs

    return [ICD10CM_SMALL, ICD10CM, LEE_STS, *icd_label_task_specs(), *icd_pair_task_specs(), FORTUNES]


def beir_folder_spec(folder: Path, split: str = "test") -> TaskSpec:
    """An ad-hoc retrieval task for a user's BEIR folder, named by the folder."""
    from harness.tasks.retrieval import RetrievalTask

    folder = Path(folder)
    spec = TaskSpec(
        name=folder.resolve().name,
        type="retrieval",
        load=lambda: RetrievalTask(spec, lambda: folder, split=split),
        main_metric="ndcg_at_10",
        uses_search=True,
        description=f"BEIR folder {folder}",
        source=str(folder.resolve()),
    )
    return spec
