"""The corpus of ``benchmarks/scale.py``: a million documents of real text this box already has, offline.

Sources (each yields short documents: a title, a term, a quote, a sentence), interleaved one document
from each in turn so that any size draws on every source while it lasts; whitespace is collapsed,
documents of fewer than 3 words or more than 2,000 characters are dropped, and an exact duplicate is
dropped wherever it appears again (the first source to yield a text keeps it):

  icd10cm     ICD-10-CM through simple-icd-10-cm, the package the icd10cm task is built from: every code's
              title, inclusion terms, notes, "includes", "excludes1/2", "code first/also", "use additional
              code" entries and 7th-character definitions
  fortunes    the quotes of Debian's ``fortunes`` (/usr/share/games/fortunes; ``apt-get install fortunes``)
  debian      the one-line description of every package apt knows (``apt-cache dumpavail``), and the
              sentences of the long descriptions of installed packages (/var/lib/dpkg/status)
  pydoc       sentences of Python's help topics (``pydoc_data.topics``)
  docstrings  sentences of the docstrings of the installed Python standard library and packages, read
              with ``ast`` (nothing is imported)
  gensim      sentences of the English text in gensim's test data: a Wikipedia excerpt, Lee's news
              corpora, Pang and Lee's movie-review sentences
  synthetic   only when the real text runs short: 6-24 words drawn by frequency from the real documents'
              words (seeded). For throughput and memory figures, never for scores.
"""

from __future__ import annotations

import ast
import bz2
import collections
import html
import importlib.util
import json
import re
import subprocess
import sysconfig
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

MIN_WORDS = 3
MAX_CHARS = 2000
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
WIKI_REFS = re.compile(r"<ref[^>]*/>|<ref[^>]*>.*?</ref>|\{\{[^}]*\}\}|<[^>]*>|'{2,}")
WIKI_LINKS = re.compile(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]|\[https?://\S+ ?([^\]]*)\]")


def sentences(text: str) -> Iterator[str]:
    """The sentences of a paragraph, by end punctuation followed by a capital (good enough for prose)."""
    yield from SENTENCE_END.split(" ".join(text.split()))


def icd10cm() -> Iterator[str]:
    import simple_icd_10_cm as cm  # parses the XML on import: a few seconds

    for code in cm.get_all_codes(True):
        yield cm.get_description(code)
        for getter in (
            cm.get_inclusion_term,
            cm.get_includes,
            cm.get_excludes1,
            cm.get_excludes2,
            cm.get_notes,
            cm.get_code_first,
            cm.get_code_also,
            cm.get_use_additional_code,
        ):
            yield from getter(code)
        yield from cm.get_seven_chr_def(code).values()
        note = cm.get_seven_chr_note(code)
        if note:
            yield note


def fortunes() -> Iterator[str]:
    from harness.data.fortunes import DEFAULT_DIR, parse_fortunes

    for path in sorted(DEFAULT_DIR.glob("*")) if DEFAULT_DIR.is_dir() else []:
        if path.is_file() and "." not in path.name:
            yield from parse_fortunes(path.read_text(encoding="utf-8", errors="replace"))


def debian() -> Iterator[str]:
    listing = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=False).stdout
    yield from (line[len("Description:") :] for line in listing.splitlines() if line.startswith("Description:"))
    status = Path("/var/lib/dpkg/status")
    for stanza in status.read_text(encoding="utf-8", errors="replace").split("\n\n") if status.exists() else []:
        found = re.search(r"^Description:[^\n]*\n((?: [^\n]*(?:\n|$))*)", stanza, re.MULTILINE)
        if found:
            yield from sentences(" ".join(line for line in found[1].splitlines() if line.strip() != "."))


def pydoc() -> Iterator[str]:
    from pydoc_data.topics import topics

    for name in sorted(topics):
        for paragraph in re.split(r"\n\s*\n", topics[name]):
            yield from sentences(paragraph)


def docstrings() -> Iterator[str]:
    """Docstring sentences of every .py file under the standard library (site-packages included)."""
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).rglob("*.py")):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError, OSError, RecursionError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                for paragraph in re.split(r"\n\s*\n", ast.get_docstring(node) or ""):
                    yield from sentences(paragraph)


def gensim() -> Iterator[str]:
    spec = importlib.util.find_spec("gensim")
    if spec is None or spec.origin is None:
        return
    data = Path(spec.origin).parent / "test" / "test_data"
    wiki = data / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
    if wiki.exists():
        for line in bz2.open(wiki, "rt", encoding="utf-8", errors="replace"):
            if line[:1].isalpha() and len(line.split()) >= 8 and not line.startswith(("{", "|", "=", "!")):
                text = WIKI_REFS.sub("", html.unescape(line))
                yield from sentences(WIKI_LINKS.sub(lambda link: link[1] or link[2] or "", text))
    for name in ("lee_background.cor", "lee.cor", "pang_lee_polarity.cor"):
        if (data / name).exists():
            for line in (data / name).read_text(encoding="utf-8", errors="replace").splitlines():
                yield from sentences(line)


SOURCES: dict[str, Callable[[], Iterable[str]]] = {
    "icd10cm": icd10cm,
    "fortunes": fortunes,
    "debian": debian,
    "pydoc": pydoc,
    "docstrings": docstrings,
    "gensim": gensim,
}


def keep(text: str) -> str | None:
    """The text, whitespace collapsed, if it is a document: 3+ words, at most 2,000 characters."""
    text = " ".join(text.split())
    return text if len(text.split()) >= MIN_WORDS and len(text) <= MAX_CHARS else None


def real_documents(limit: int) -> Iterator[tuple[str, str]]:
    """Up to ``limit`` distinct (source, text) pairs, one from each source in turn while it lasts."""
    seen: set[str] = set()
    running = {name: iter(make()) for name, make in SOURCES.items()}
    while running and len(seen) < limit:
        for name, source in list(running.items()):
            for raw in source:
                text = keep(raw)
                if text is not None and text not in seen:
                    seen.add(text)
                    yield name, text
                    break
            else:
                del running[name]
            if len(seen) >= limit:
                return


def synthetic(texts: list[str], count: int, seed: int = 0) -> Iterator[str]:
    """``count`` documents of 6-24 words drawn by frequency from the words of ``texts``."""
    frequency = collections.Counter(chain.from_iterable(text.split() for text in texts))
    words, weights = zip(*frequency.most_common(100_000))
    cdf = np.cumsum(weights, dtype=np.float64) / sum(weights)
    rng = np.random.default_rng(seed)
    lengths = rng.integers(6, 25, count)
    picks = np.minimum(np.searchsorted(cdf, rng.random(int(lengths.sum()))), len(words) - 1)
    ends = np.cumsum(lengths)
    for end, length in zip(ends.tolist(), lengths.tolist()):
        yield " ".join(words[i] for i in picks[end - length : end].tolist())


def build(path: Path, size: int) -> dict[str, int]:
    """Write ``size`` documents to ``path`` (JSON lines: source, text); returns how many came from each source."""
    documents = list(real_documents(size))
    texts = [text for _, text in documents]
    seen = set(texts)
    extra = (text for text in synthetic(texts, 2 * (size - len(documents)) + 100) if text not in seen)
    while len(documents) < size:
        text = next(extra)
        seen.add(text)
        documents.append(("synthetic", text))
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        for source, text in documents:
            out.write(json.dumps({"source": source, "text": text}, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return dict(collections.Counter(source for source, _ in documents))


def load(path: Path) -> tuple[list[str], list[str]]:
    """(sources, texts) of a corpus file ``build`` wrote."""
    sources, texts = [], []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            sources.append(row["source"])
            texts.append(row["text"])
    return sources, texts
