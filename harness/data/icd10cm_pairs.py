"""ICD-10-CM pair classification and reranking tasks, built offline from ``simple-icd-10-cm``.

- ``icd10cm-pairs`` (pair classification): two code titles, labelled 1 when both codes sit in the same
  innermost block ("A00-A09") and 0 when they sit in different blocks of one chapter: the negatives are
  hard, both titles come from the same body system or kind of condition. Titles are drawn from the pool
  of ``harness.data.icd10cm_labels`` (most specific codes, unique titles, no 7th-character extensions);
  1,000 positive and 1,000 negative pairs, each code drawn uniformly, no pair twice, in a seeded order.
- ``icd10cm-rerank`` (reranking): the query is an inclusion term of the retrieval task
  (``harness.data.icd10cm``), its positives the titles of the codes it is listed under, its negatives 19
  titles of other codes in the block of its first code (hard negatives: the same family of conditions),
  never a code above or below a relevant one in the hierarchy. 500 queries drawn in a seeded order among
  those whose block has enough such codes.

Both are task folders (``harness.data.folders``) built on first use under ``data_home()``, with a
``build.json`` recording the package version, the ICD-10-CM release, the seed and the sizes.
"""

from __future__ import annotations

import functools
import json
import random
import warnings
from pathlib import Path
from typing import Any, Callable

from harness.data.icd10cm import _full, icd10cm_release, package_version
from harness.data.icd10cm_labels import (
    CITATION,
    LICENSE,
    SOURCE,
    _grouped,
    _pool,
)
from harness.data.paths import TASK_FILE, atomic_write_text, build_once, data_home
from zoo.errors import DataError
from zoo.protocols import Task, TaskSpec

VERSION = "1"  # bump when the build rules change: it names the cache folder
PAIRS = "icd10cm-pairs"
RERANK = "icd10cm-rerank"
SEED = 20240613
PAIRS_PER_LABEL = 1000
QUERIES = 500
NEGATIVES = 19

PAIRS_DESCRIPTION = (
    "ICD-10-CM pair classification: are two code titles in the same block (1,000 pairs) or "
    "in two blocks of one chapter (1,000 pairs)?"
)
RERANK_DESCRIPTION = "ICD-10-CM reranking: rank a term's code title above 19 titles from the same block (500 queries)"


def pair_rows() -> list[dict[str, Any]]:
    """Seeded same-block (1) and same-chapter, other-block (0) pairs of code titles, shuffled."""
    rng = random.Random(SEED)
    pool = _pool()
    groups = {1: _grouped(3), 0: _grouped(2)}  # where a partner is drawn from: the block, the chapter
    block_of = {code: block for code, _, _, block in pool}
    seen: set[frozenset[str]] = set()
    rows: list[dict[str, Any]] = []
    for label in (1, 0):
        made = 0
        while made < PAIRS_PER_LABEL:  # draw both codes again whenever the partner does not fit
            code, title, chapter, block = pool[rng.randrange(len(pool))]
            candidates = groups[label][block if label else chapter]
            other, other_title = candidates[rng.randrange(len(candidates))]
            fits = other != code and (block_of[other] == block) == bool(label)
            if not fits or frozenset((code, other)) in seen:
                continue
            seen.add(frozenset((code, other)))
            rows.append({"sentence1": title, "sentence2": other_title, "label": label, "code1": code, "code2": other})
            made += 1
    rng.shuffle(rows)
    return rows


def rerank_rows() -> list[dict[str, Any]]:
    """Seeded queries with their relevant titles and 19 hard negatives from the same block."""
    rng = random.Random(SEED)
    retrieval = _full()
    blocks = _grouped(3)
    order = sorted(retrieval.queries)
    rng.shuffle(order)
    rows: list[dict[str, Any]] = []
    for qid in order:
        relevant = sorted(retrieval.qrels[qid])
        titles = {retrieval.corpus[code].casefold() for code in relevant}
        others = [
            (code, title)
            for code, title in blocks.get(_block(relevant[0]), [])
            if title.casefold() not in titles and not any(_related(code, r) for r in relevant)
        ]
        if len(others) < NEGATIVES:
            continue
        negatives = rng.sample(others, NEGATIVES)
        rows.append(
            {
                "query": retrieval.queries[qid],
                "positive": [retrieval.corpus[c] for c in relevant],
                "negative": [title for _, title in negatives],
                "id": qid,
                "positive_codes": relevant,
                "negative_codes": [code for code, _ in negatives],
            }
        )
        if len(rows) == QUERIES:
            return rows
    raise DataError(f"only {len(rows)} ICD-10-CM terms have {NEGATIVES} hard negatives; expected {QUERIES}")


def _block(code: str) -> str:
    """The innermost block holding ``code``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm

    return next(a for a in cm.get_ancestors(code) if cm.is_block(a))


def _related(a: str, b: str) -> bool:
    """True when one code is the other or lies below it (ICD-10-CM codes extend their parent's)."""
    return a.startswith(b) or b.startswith(a)


BUILDERS: dict[str, tuple[str, Callable[[], list[dict[str, Any]]], dict[str, int]]] = {
    PAIRS: ("pair_classification", pair_rows, {"pairs_per_label": PAIRS_PER_LABEL}),
    RERANK: ("reranking", rerank_rows, {"queries": QUERIES, "negatives": NEGATIVES}),
}


def build_icd_pairs(variant: str, root: Path | None = None) -> Path:
    """The task folder of ``variant``, built under ``root`` (default ``data_home()``) on first use."""
    if variant not in BUILDERS:
        raise DataError(f"unknown ICD-10-CM task {variant!r}; use one of {', '.join(BUILDERS)}")
    kind, make_rows, sizes = BUILDERS[variant]
    folder = Path(root if root is not None else data_home()) / "icd10cm" / variant / f"v{VERSION}"
    info = {
        "builder": f"harness.data.icd10cm_pairs v{VERSION}",
        "variant": variant,
        "package": "simple-icd-10-cm",
        "package_version": package_version(),
        "icd10cm_release": icd10cm_release(),
        "seed": SEED,
        "sample": sizes,
    }
    return build_once(folder, info, functools.partial(_write_variant, variant, kind, make_rows))


def _write_variant(
    variant: str, kind: str, make_rows: Callable[[], list[dict[str, Any]]], folder: Path
) -> dict[str, object]:
    from harness.data.folders import write_jsonl

    rows = make_rows()
    write_jsonl(folder / "test.jsonl", rows)
    atomic_write_text(folder / TASK_FILE, json.dumps({"type": kind, "name": variant}, indent=1) + "\n")
    return {"rows": len(rows)}


def _task(spec: TaskSpec) -> Task:
    from harness.data.folders import make_task

    return make_task(spec, build_icd_pairs(spec.name), spec.type)


ICD_PAIRS = TaskSpec(
    name=PAIRS,
    type="pair_classification",
    main_metric="max_ap",
    version=VERSION,
    load=lambda: _task(ICD_PAIRS),
    aliases=("icd-pairs",),
    description=PAIRS_DESCRIPTION,
    source=SOURCE,
    license=LICENSE,
    citation=CITATION,
)

ICD_RERANK = TaskSpec(
    name=RERANK,
    type="reranking",
    main_metric="map_at_1000",
    version=VERSION,
    load=lambda: _task(ICD_RERANK),
    aliases=("icd-rerank",),
    description=RERANK_DESCRIPTION,
    source=SOURCE,
    license=LICENSE,
    citation=CITATION,
)


def icd_pair_task_specs() -> list[TaskSpec]:
    return [ICD_PAIRS, ICD_RERANK]
