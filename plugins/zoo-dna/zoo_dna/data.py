"""The shipped 16S rRNA sequences (RDP via Debian's microbiomeutil-data) and the genus split.

Split rule: a genus belongs to the training side when the first byte of ``blake2b(genus, digest 8)`` is
below 128, else to the evaluation side. Every task evaluates evaluation-side genera only, and the in-house
encoder trains on training-side genera only, so no genus (and no sequence) is seen on both sides.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from zoo.api import hash_file

DATA_FILE = "rrna16s.tsv.gz"
Side = Literal["train", "eval"]


@dataclass(frozen=True)
class Record:
    """One 16S rRNA gene: RDP id, organism as the header names it, six-rank lineage and the sequence."""

    id: str
    organism: str
    lineage: tuple[str, ...]
    sequence: str

    @property
    def genus(self) -> str:
        return self.lineage[-1]


def data_path() -> str:
    return str(resources.files("zoo_dna") / "data" / DATA_FILE)


@functools.lru_cache(maxsize=1)
def records() -> tuple[Record, ...]:
    """All 5,181 sequences in file order."""
    with gzip.open(data_path(), "rt", encoding="utf-8") as fh:
        next(fh)  # header row
        rows = [line.rstrip("\n").split("\t") for line in fh]
    return tuple(
        Record(ident, organism, tuple(lineage.split("; ")), sequence) for ident, organism, lineage, sequence in rows
    )


def data_fingerprint() -> str:
    return hash_file(data_path())  # type: ignore[arg-type]


def genus_side(genus: str) -> Side:
    """Which side of the split a genus is on (see the module docstring)."""
    first_byte = hashlib.blake2b(genus.encode("utf-8"), digest_size=8).digest()[0]
    return "train" if first_byte < 128 else "eval"


def split_records(side: Side) -> list[Record]:
    """The records whose genus lies on ``side``, in file order."""
    return [record for record in records() if genus_side(record.genus) == side]


def by_genus(items: list[Record]) -> dict[str, list[Record]]:
    """Records grouped by genus, genera in order of first appearance."""
    groups: dict[str, list[Record]] = {}
    for record in items:
        groups.setdefault(record.genus, []).append(record)
    return groups
