"""Records of a task file: one JSON object per JSONL line or one parquet row, each with its location.

A record's location is ``path:line`` (JSONL, 1-based) or ``path:row`` (parquet, 1-based); every
error about a record names it, so the user can open the file at the right place.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from harness.data.beir import read_jsonl
from zoo.errors import DataError

Located = tuple[str, dict[str, Any]]  # (where, record)


def fail(where: Path | str, what: str, fix: str) -> DataError:
    """A one-line DataError: where the problem is, what it is, and how to fix it."""
    return DataError(f"{where}: {what}; {fix}".replace("\n", " "))


def short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def split_path(folder: Path, split: str) -> Path:
    """``<split>.jsonl`` or ``<split>.parquet`` in ``folder``: exactly one of them."""
    found = [p for p in (folder / f"{split}.jsonl", folder / f"{split}.parquet") if p.is_file()]
    if len(found) == 2:
        raise fail(found[1], f"both {found[0].name} and {found[1].name} hold split {split!r}", "keep one")
    if not found:
        raise fail(
            folder / f"{split}.jsonl",
            "missing file",
            f"write split {split!r} as {split}.jsonl or {split}.parquet (see harness.data.folders)",
        )
    return found[0]


def records(path: Path) -> Iterator[Located]:
    """Each record of a JSONL or parquet file with its location, ``path:line`` or ``path:row``."""
    yield from (_parquet_records(path) if path.suffix == ".parquet" else _jsonl_records(path))


def _jsonl_records(path: Path) -> Iterator[Located]:
    for number, record in read_jsonl(path):
        yield f"{path}:{number}", record


def _parquet_records(path: Path) -> Iterator[Located]:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds; all mean the same to the user
        raise fail(
            path, f"cannot read parquet ({type(exc).__name__}: {exc})", "write it with pandas.DataFrame.to_parquet"
        ) from None
    for number, record in enumerate(frame.to_dict("records"), start=1):
        yield f"{path}:{number}", {key: plain(value, pd.NA) for key, value in record.items()}


def plain(value: Any, na: Any = None) -> Any:
    """Python values for what pandas or arrow hand back: arrays to lists, numpy scalars to numbers, NaN to None."""
    if isinstance(value, np.ndarray):
        return [plain(v, na) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if (na is not None and value is na) or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def located_rows(rows: Any, label: str, columns: dict[str, str]) -> Iterator[Located]:
    """``(where, record)`` per dataset row, with ``columns`` (ours -> theirs) renamed to our names."""
    for number, row in enumerate(rows, start=1):
        yield f"{label} row {number}", {ours: row.get(theirs) for ours, theirs in columns.items()}


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """One JSON object per line, UTF-8, as the loaders read them."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
