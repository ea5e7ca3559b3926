"""Labelled ICD-10-CM tasks built offline from ``simple-icd-10-cm``: chapter classification, block clustering.

Texts are code titles ("Typhoid meningitis"). The pool is every category or subcategory with no child
short of a 7th-character extension: the most specific concept of each branch. Extensions are left out:
their titles repeat their parent's with an encounter suffix ("..., initial encounter"), which would
make chapters 19 and 20 recognisable by the suffix. Titles that occur more than once (case-insensitive)
are dropped, so no text has two labels and no text is in both splits.

- ``icd10cm-chapters``: label = chapter number ("1" to "21"; chapter 22, three codes, is left out);
  a seeded sample of 80 training and 80 test titles per chapter (1,680 + 1,680).
- ``icd10cm-blocks``: label = innermost block ("A00-A09"); a seeded sample of 40 blocks among those
  with at least 50 titles, 50 titles each (2,000).

Both are built on first use under ``data_home()`` as task folders (see ``harness.data.folders``; each
record also carries its ``code``) with a ``build.json`` recording the package version, the ICD-10-CM
release, the seed and the sample sizes.
"""

from __future__ import annotations

import functools
import json
import random
import warnings
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from harness.data.icd10cm import icd10cm_release, package_version
from harness.data.paths import BUILD_FILE, TASK_FILE, atomic_write_text, build_once, data_home
from zoo.errors import DataError
from zoo.fingerprint import hash_files
from zoo.protocols import Task, TaskSpec

if TYPE_CHECKING:  # the task modules import numpy and scikit-learn: `zoo list` must not
    from harness.tasks.classification import ClassificationData
    from harness.tasks.clustering import ClusteringData


VERSION = "1"  # bump when the build rules change: it names the cache folder
CHAPTERS = "icd10cm-chapters"
BLOCKS = "icd10cm-blocks"
VARIANTS = (CHAPTERS, BLOCKS)
SEED = 20240612
PER_CHAPTER = {"train": 80, "test": 80}
N_BLOCKS = 40
PER_BLOCK = 50
SAMPLES_PER_LABEL = 32  # mteb's default is 8; 32 is its most common override (e.g. YahooAnswersTopics)

SOURCE = "simple-icd-10-cm (PyPI, MIT): ICD-10-CM tabular list from CMS/NCHS"
LICENSE = "ICD-10-CM: US government work (CMS/NCHS), free to use; simple-icd-10-cm: MIT"
CITATION = (
    "Centers for Medicare & Medicaid Services and National Center for Health Statistics, "
    "ICD-10-CM Tabular List of Diseases and Injuries; "
    "S. Travasci, simple_icd_10_cm, https://github.com/StefanoTrv/simple_icd_10_CM"
)
CHAPTERS_DESCRIPTION = (
    "ICD-10-CM chapter classification: which of 21 chapters a code title belongs to "
    "(logistic regression on 32 examples per chapter, 10 experiments)"
)
BLOCKS_DESCRIPTION = "ICD-10-CM block clustering: 2,000 code titles from 40 blocks, k-means with k = 40"


@functools.lru_cache(maxsize=1)
def _pool() -> tuple[tuple[str, str, str, str], ...]:
    """(code, title, chapter, innermost block) of every eligible code, with unique titles, in code order."""
    with warnings.catch_warnings():  # its importlib.resources calls are deprecated, not our concern
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm

    rows = []
    for code in dict.fromkeys(cm.get_all_codes(True)):
        if not cm.is_category_or_subcategory(code) or cm.is_extended_subcategory(code):
            continue
        if any(not cm.is_extended_subcategory(child) for child in cm.get_children(code)):
            continue
        ancestors = cm.get_ancestors(code)  # nearest first, chapter last
        block = next(a for a in ancestors if cm.is_block(a))
        rows.append((code, " ".join(cm.get_description(code).split()), ancestors[-1], block))
    counts: dict[str, int] = defaultdict(int)
    for _, title, _, _ in rows:
        counts[title.casefold()] += 1
    return tuple(row for row in rows if counts[row[1].casefold()] == 1)


def _grouped(index: int) -> dict[str, list[tuple[str, str]]]:
    """(code, title) pairs grouped by column ``index`` of the pool (2: chapter, 3: block)."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in _pool():
        groups[row[index]].append((row[0], row[1]))
    return groups


def chapter_splits() -> dict[str, list[dict[str, str]]]:
    """Seeded train and test samples per chapter; chapters too small for both are left out."""
    rng = random.Random(SEED)
    need = sum(PER_CHAPTER.values())
    splits: dict[str, list[dict[str, str]]] = {split: [] for split in PER_CHAPTER}
    for chapter, items in sorted(_grouped(2).items(), key=lambda kv: int(kv[0])):
        if len(items) < need:
            continue
        chosen = rng.sample(items, need)
        start = 0
        for split, size in PER_CHAPTER.items():
            splits[split] += [{"text": t, "label": chapter, "code": c} for c, t in chosen[start : start + size]]
            start += size
    return splits


def block_sample() -> list[dict[str, str]]:
    """Seeded blocks with enough titles, and a seeded sample of titles from each."""
    rng = random.Random(SEED)
    groups = _grouped(3)
    eligible = sorted(block for block, items in groups.items() if len(items) >= PER_BLOCK)
    rows = []
    for block in sorted(rng.sample(eligible, N_BLOCKS)):
        rows += [{"text": t, "label": block, "code": c} for c, t in rng.sample(groups[block], PER_BLOCK)]
    return rows


def build_icd_labels(variant: str, root: Path | None = None) -> Path:
    """The task folder of ``variant``, built under ``root`` (default ``data_home()``) on first use."""
    if variant not in VARIANTS:
        raise DataError(f"unknown ICD-10-CM label task {variant!r}; use one of {', '.join(VARIANTS)}")
    folder = Path(root if root is not None else data_home()) / "icd10cm" / variant / f"v{VERSION}"
    info = {
        "builder": f"harness.data.icd10cm_labels v{VERSION}",
        "variant": variant,
        "package": "simple-icd-10-cm",
        "package_version": package_version(),
        "icd10cm_release": icd10cm_release(),
        "seed": SEED,
        "sample": PER_CHAPTER if variant == CHAPTERS else {"blocks": N_BLOCKS, "per_block": PER_BLOCK},
    }
    return build_once(folder, info, functools.partial(_write_variant, variant))


def _write_variant(variant: str, folder: Path) -> dict[str, object]:
    from harness.data.folders import write_jsonl

    splits = chapter_splits() if variant == CHAPTERS else {"test": block_sample()}
    task = (
        {"type": "classification", "name": variant, "samples_per_label": SAMPLES_PER_LABEL}
        if variant == CHAPTERS
        else {"type": "clustering", "name": variant}
    )
    for split, rows in splits.items():
        write_jsonl(folder / f"{split}.jsonl", rows)
    atomic_write_text(folder / TASK_FILE, json.dumps(task, indent=1) + "\n")
    return {"sizes": {split: len(rows) for split, rows in splits.items()}}


def folder_fingerprint(folder: Path) -> str:
    return hash_files(folder, ("*.jsonl", TASK_FILE, BUILD_FILE))


def load_chapter_classification(root: Path | None = None) -> ClassificationData:
    from harness.data.folders import load_classification

    return load_classification(build_icd_labels(CHAPTERS, root))


def load_block_clustering(root: Path | None = None) -> ClusteringData:
    from harness.data.folders import load_clustering

    return load_clustering(build_icd_labels(BLOCKS, root))


def _chapter_task(spec: TaskSpec) -> Task:
    from harness.tasks.classification import ClassificationTask

    return ClassificationTask(spec, load_chapter_classification, samples_per_label=SAMPLES_PER_LABEL)


def _block_task(spec: TaskSpec) -> Task:
    from harness.tasks.clustering import ClusteringTask

    return ClusteringTask(spec, load_block_clustering)


ICD_CHAPTERS = TaskSpec(
    name=CHAPTERS,
    type="classification",
    main_metric="accuracy",
    version=VERSION,
    load=lambda: _chapter_task(ICD_CHAPTERS),
    aliases=("icd-chapters",),
    description=CHAPTERS_DESCRIPTION,
    source=SOURCE,
    license=LICENSE,
    citation=CITATION,
    default=False,
)

ICD_BLOCKS = TaskSpec(
    name=BLOCKS,
    type="clustering",
    main_metric="v_measure",
    version=VERSION,
    load=lambda: _block_task(ICD_BLOCKS),
    aliases=("icd-blocks",),
    description=BLOCKS_DESCRIPTION,
    source=SOURCE,
    license=LICENSE,
    citation=CITATION,
    default=False,
)


def icd_label_task_specs() -> list[TaskSpec]:
    return [ICD_CHAPTERS, ICD_BLOCKS]
