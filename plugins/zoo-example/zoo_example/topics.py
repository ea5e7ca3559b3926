"""Known-item retrieval over Python's help topics (``pydoc_data.topics``, the text behind ``help("if")``).

Each topic starts with a title line underlined with ``*``. Query: the title ("The "assert" statement");
its one relevant document: the topic's body, title and underline removed. Topics without such a title
are skipped; a topic whose title or body repeats an earlier one (in sorted key order) is dropped.
The BEIR folder is built on first use under ``data_home()`` and rebuilt when Python's topics change.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Mapping

from harness.api import RetrievalData, build_once, data_home, write_beir
from zoo.api import DataError

BUILD_VERSION = "1"  # bump when the build rules change: it names the cache folder
SPLIT = "test"
PYTHON = ".".join(map(str, sys.version_info[:3]))


def split_title(text: str) -> tuple[str, str] | None:
    """(title, body) when ``text`` opens with a title line underlined with ``*``, else None."""
    lines = text.lstrip("\n").split("\n")
    if len(lines) < 3:
        return None
    title, underline = lines[0].strip(), lines[1].strip()
    if not title or len(underline) < 3 or set(underline) != {"*"}:
        return None
    body = "\n".join(lines[2:]).strip()
    return (title, body) if body else None


def topics_data(topics: Mapping[str, str]) -> RetrievalData:
    """The retrieval split for a topics mapping: ids are topic keys, queries are ``q-<key>``."""
    corpus: dict[str, str] = {}
    queries: dict[str, str] = {}
    seen_titles: set[str] = set()
    seen_bodies: set[str] = set()
    for key in sorted(topics):
        parsed = split_title(topics[key])
        if parsed is None:
            continue
        title, body = parsed
        title_key, body_key = " ".join(title.split()).casefold(), " ".join(body.split())
        if title_key in seen_titles or body_key in seen_bodies:
            continue  # e.g. "if" and "else" share one topic text
        seen_titles.add(title_key)
        seen_bodies.add(body_key)
        corpus[key] = body
        queries[f"q-{key}"] = title
    if not queries:
        raise DataError("pydoc_data.topics holds no titled topics; is this a standard CPython install?")
    qrels = {f"q-{key}": {key: 1} for key in corpus}
    return RetrievalData(corpus, queries, qrels, SPLIT)


def build_pydoc_topics(root: Path | None = None) -> Path:
    """The task's BEIR folder under ``root`` (default ``data_home()``), built atomically on first use."""
    folder = Path(root if root is not None else data_home()) / "pydoc-topics" / f"v{BUILD_VERSION}-py{PYTHON}"
    info: dict[str, object] = {"builder": f"zoo_example.topics v{BUILD_VERSION}", "python": PYTHON, "split": SPLIT}
    return build_once(folder, info, _write_topics)


def _write_topics(folder: Path) -> dict[str, object]:
    data = topics_data(_pydoc_topics())
    write_beir(data, folder)
    return {"documents": len(data.corpus), "queries": len(data.queries)}


def _pydoc_topics() -> Mapping[str, str]:
    try:
        from pydoc_data.topics import topics
    except ImportError:  # some Linux distributions package it apart from the interpreter
        raise DataError(
            "this Python has no pydoc_data module: install its full standard library to build the pydoc-topics task"
        ) from None
    return topics
