"""Semantic textual similarity data: the Lee corpus that gensim ships, and user JSONL files.

gensim's wheel carries ``gensim/test/test_data/lee.cor`` (50 ABC news documents, one per line,
Latin-1) and ``similarities0-1.txt``: a 50x50 upper-triangular matrix of mean human ratings
(1 to 5 scaled by 1/5, so 0.2 to 1.0) with ones on the diagonal and zeros below it. The task is
the 1,225 pairs i < j, as in gensim's own ``test_lee.py`` and in Lee, Pincombe & Welsh (2005).
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zoo.errors import DataError
from zoo.fingerprint import fingerprint, hash_file
from zoo.textio import json_objects

LEE_DOCUMENTS = "lee.cor"
LEE_SIMILARITIES = "similarities0-1.txt"
LEE_SIZE = 50

DESCRIPTION = "Lee et al. (2005): human similarity of 50 news documents, all 1,225 pairs"
SOURCE = "gensim's bundled test data (gensim/test/test_data/lee.cor and similarities0-1.txt)"
LICENSE = (
    "no explicit licence: corpus and judgments provided by M. D. Lee to gensim and shipped in its "
    "LGPL-2.1 wheel; documents are Australian Broadcasting Corporation news items; research use"
)
CITATION = (
    "Lee, M. D., Pincombe, B., & Welsh, M. (2005). An empirical evaluation of models of text "
    "document similarity. Proceedings of the 27th Annual Conference of the Cognitive Science "
    "Society."
)


@dataclass(frozen=True, eq=False)
class STSData:
    """Sentence pairs with gold similarity ``scores`` (float64, one per pair)."""

    sentences1: list[str]
    sentences2: list[str]
    scores: np.ndarray
    split: str

    def __len__(self) -> int:
        return len(self.sentences1)


def lee_data_dir() -> Path:
    """The folder inside the installed gensim package that holds the Lee files (gensim is not imported)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("gensim is not installed, and the Lee STS task reads its test data; pip install gensim")
    folder = Path(list(spec.submodule_search_locations)[0]) / "test" / "test_data"
    for name in (LEE_DOCUMENTS, LEE_SIMILARITIES):
        if not (folder / name).is_file():
            raise DataError(
                f"{folder / name}: missing from the installed gensim; "
                "reinstall gensim from its wheel (pip install --force-reinstall gensim)"
            )
    return folder


def lee_fingerprint() -> str:
    folder = lee_data_dir()
    return fingerprint(hash_file(folder / LEE_DOCUMENTS), hash_file(folder / LEE_SIMILARITIES))


def load_lee_sts() -> STSData:
    """The 1,225 unique document pairs of the Lee corpus with their mean human similarity (0.2 to 1.0)."""
    folder = lee_data_dir()
    documents = _lee_documents(folder / LEE_DOCUMENTS)
    matrix = _lee_matrix(folder / LEE_SIMILARITIES)
    rows, cols = np.triu_indices(LEE_SIZE, k=1)
    return STSData(
        sentences1=[documents[i] for i in rows],
        sentences2=[documents[j] for j in cols],
        scores=matrix[rows, cols].astype(np.float64),
        split="test",
    )


def _lee_documents(path: Path) -> list[str]:
    # Latin-1, as gensim's test_lee.py reads it: the file has a raw 0xA3 pound sign
    documents = [" ".join(line.split()) for line in path.read_text(encoding="latin-1").splitlines()]
    documents = [d for d in documents if d]
    if len(documents) != LEE_SIZE:
        raise DataError(
            f"{path}: expected {LEE_SIZE} documents, found {len(documents)}; reinstall gensim from its wheel"
        )
    return documents


def _lee_matrix(path: Path) -> np.ndarray:
    matrix = np.loadtxt(path, dtype=np.float64)
    if matrix.shape != (LEE_SIZE, LEE_SIZE) or not np.all(np.isfinite(matrix)):
        raise DataError(
            f"{path}: expected a finite {LEE_SIZE}x{LEE_SIZE} matrix, got shape "
            f"{matrix.shape}; reinstall gensim from its wheel"
        )
    return matrix


def load_sts_jsonl(path: Path | str, split: str = "test") -> STSData:
    """Read one JSON object per line with ``sentence1``, ``sentence2`` (strings) and ``score`` (number)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file; expected JSONL with sentence1, sentence2 and score per line")
    left: list[str] = []
    right: list[str] = []
    scores: list[float] = []
    for number, record in json_objects(path):
        left.append(_sentence(path, number, record, "sentence1"))
        right.append(_sentence(path, number, record, "sentence2"))
        scores.append(_score(path, number, record))
    if not scores:
        raise DataError(f"{path}: no pairs; write one JSON object per line with sentence1, sentence2, score")
    return STSData(left, right, np.asarray(scores, dtype=np.float64), split)


def _sentence(path: Path, number: int, record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        what = f'missing "{key}"' if value is None else f'"{key}" must be a string'
        raise DataError(f"{path}:{number}: {what}; give every line string sentence1 and sentence2")
    return value


def _score(path: Path, number: int, record: dict[str, Any]) -> float:
    value = record.get("score")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        what = 'missing "score"' if value is None else f'"score" must be a finite number, got {value!r}'
        raise DataError(f"{path}:{number}: {what}; give every line a numeric score")
    return float(value)
