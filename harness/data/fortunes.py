"""Clustering of Debian ``fortunes`` quotes by category: one category per fortune file.

The Debian package ``fortunes`` (fortune-mod's data) installs plain-text files under
``/usr/share/games/fortunes`` (``$ZOO_FORTUNES_DIR`` overrides it), one topic per file ("computers",
"love", "science"...), quotes separated by lines holding only ``%``. The task reads the installed
files; it does not ship a copy (the quotes come from many, mostly unattributed, authors).

Rules, so that the data is the same on every machine with the same package version:
- files are the names without a dot (``*.dat`` are indexes, ``*.u8`` links to the same files);
- a quote is the text between separators with whitespace runs collapsed to one space; empty ones go;
- a quote found in several categories is dropped (its label would be ambiguous), repeats within one
  category are kept once;
- categories with fewer than ``MIN_PER_CATEGORY`` quotes are dropped (too few to form a cluster).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

from harness.tasks.clustering import ClusteringData
from zoo.errors import DataError

DEFAULT_DIR = Path("/usr/share/games/fortunes")
ENV_VAR = "ZOO_FORTUNES_DIR"
MIN_PER_CATEGORY = 20
SEPARATOR = re.compile(r"^%\s*$", re.MULTILINE)


def fortunes_dir() -> Path:
    """The folder of fortune files: ``$ZOO_FORTUNES_DIR``, else Debian's location."""
    folder = Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)
    if not folder.is_dir():
        raise DataError(
            f"{folder}: no fortune files; install them (apt-get install fortunes) "
            f"or point ${ENV_VAR} at a folder of fortune files"
        )
    return folder


def parse_fortunes(text: str) -> list[str]:
    """The quotes of one fortune file, whitespace collapsed, empty ones left out."""
    quotes = (" ".join(chunk.split()) for chunk in SEPARATOR.split(text))
    return [quote for quote in quotes if quote]


def read_categories(folder: Path) -> dict[str, list[str]]:
    """Each category file's distinct quotes, in file order."""
    categories = {}
    for path in sorted(folder.iterdir()):
        if "." in path.name or not path.is_file():
            continue
        quotes = parse_fortunes(path.read_text(encoding="utf-8", errors="replace"))
        categories[path.name] = list(dict.fromkeys(quotes))
    return categories


def fortunes_clustering(categories: dict[str, list[str]], min_per_category: int = MIN_PER_CATEGORY) -> ClusteringData:
    """Quotes labelled by category, ambiguous quotes and small categories dropped (the module's rules)."""
    homes: dict[str, set[str]] = defaultdict(set)
    for name, quotes in categories.items():
        for quote in quotes:
            homes[quote].add(name)
    texts: list[str] = []
    labels: list[str] = []
    for name in sorted(categories):
        kept = [quote for quote in categories[name] if len(homes[quote]) == 1]
        if len(kept) >= min_per_category:
            texts += kept
            labels += [name] * len(kept)
    if len(set(labels)) < 2:
        raise DataError(
            f"fortune files: fewer than two categories with {min_per_category}+ quotes; "
            "reinstall the fortunes package (apt-get install --reinstall fortunes)"
        )
    return ClusteringData(texts, labels, "test")


def load_fortunes() -> ClusteringData:
    return fortunes_clustering(read_categories(fortunes_dir()))
