"""BEIR retrieval folders: ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv``.

Loading follows BEIR's ``GenericDataLoader`` (only the queries judged in the split are kept) but checks
everything it trusts, and names the file and line of the first problem it finds.
A document's text is ``(title + " " + text).strip()`` when it has a non-empty title, else
``text.strip()``: the rule of BEIR's SentenceBERT wrapper and of MTEB's corpus loader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from zoo.errors import DataError
from zoo.fingerprint import hash_files
from zoo.textio import json_objects

CORPUS = "corpus.jsonl"
QUERIES = "queries.jsonl"
QRELS_DIR = "qrels"
QRELS_HEADER = ("query-id", "corpus-id", "score")
LAYOUT = f"{CORPUS}, {QUERIES} and {QRELS_DIR}/<split>.tsv"
FINGERPRINT_FILES = (CORPUS, QUERIES, f"{QRELS_DIR}/*.tsv", "build.json")


@dataclass(frozen=True)
class RetrievalData:
    """One split of a retrieval task: texts by id and graded judgments ``qrels[query_id][doc_id]``."""

    corpus: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    split: str


def load_beir(folder: Path | str, split: str = "test") -> RetrievalData:
    """Load and validate one split of a BEIR folder; raise ``DataError`` naming file and line."""
    folder = Path(folder)
    qrels_path = _qrels_path(folder, split)
    corpus = _read_corpus(_required(folder, CORPUS))
    queries = _read_queries(_required(folder, QUERIES))
    qrels = _read_qrels(qrels_path, queries, corpus)
    return RetrievalData(corpus, {qid: queries[qid] for qid in qrels}, qrels, split)


def read_queries(folder: Path | str) -> dict[str, str]:
    """Every query in a BEIR folder's ``queries.jsonl``, judged in some split or in none."""
    return _read_queries(_required(Path(folder), QUERIES))


def available_splits(folder: Path | str) -> list[str]:
    qrels_dir = Path(folder) / QRELS_DIR
    return sorted(p.stem for p in qrels_dir.glob("*.tsv") if p.is_file()) if qrels_dir.is_dir() else []


def beir_fingerprint(folder: Path | str) -> str:
    """Content hash of the folder's data files (and its ``build.json`` when a builder wrote one)."""
    return hash_files(Path(folder), FINGERPRINT_FILES)


def write_beir(data: RetrievalData, folder: Path | str) -> Path:
    """Write ``data`` as a BEIR folder (empty titles, so BEIR and MTEB read the same texts back)."""
    folder = Path(folder)
    (folder / QRELS_DIR).mkdir(parents=True, exist_ok=True)
    _write_jsonl(folder / CORPUS, ({"_id": i, "title": "", "text": t} for i, t in data.corpus.items()))
    _write_jsonl(folder / QUERIES, ({"_id": i, "text": t} for i, t in data.queries.items()))
    rows = ["\t".join(QRELS_HEADER)]
    rows += [f"{q}\t{d}\t{s}" for q, docs in data.qrels.items() for d, s in docs.items()]
    (folder / QRELS_DIR / f"{data.split}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


# --- layout -------------------------------------------------------------------------------------


def _fail(path: Path, line: int | None, what: str, fix: str) -> DataError:
    where = f"{path}:{line}" if line is not None else str(path)
    return DataError(f"{where}: {what}; {fix}".replace("\n", " "))


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _required(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise _fail(path, None, "missing file", f"a BEIR folder holds {LAYOUT}")
    return path


def _qrels_path(folder: Path, split: str) -> Path:
    if not folder.is_dir():
        raise _fail(folder, None, "no such BEIR folder", f"expected a folder holding {LAYOUT}")
    qrels_dir = folder / QRELS_DIR
    if not qrels_dir.is_dir():
        raise _fail(qrels_dir, None, "missing folder", f"a BEIR folder holds {LAYOUT}")
    path = qrels_dir / f"{split}.tsv"
    if path.is_dir():
        raise _fail(
            path,
            None,
            "is a folder, not a qrels file",
            "replace it with a file of query-id<TAB>corpus-id<TAB>score lines",
        )
    if not path.is_file():
        splits = ", ".join(available_splits(folder)) or "none"
        raise _fail(
            path,
            None,
            f"unknown split {split!r} (available: {splits})",
            f"pass one of the available splits or add {QRELS_DIR}/{split}.tsv",
        )
    return path


# --- JSONL --------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line, read as zoo.textio says (UTF-8, BOM dropped)."""
    return json_objects(path)


def _record_id(path: Path, number: int, record: dict[str, Any]) -> str:
    value = record.get("_id")
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == "":
        what = 'missing "_id"' if value is None else f'"_id" must be a non-empty string, got {_short(value)}'
        raise _fail(path, number, what, 'give every record a unique string "_id"')
    return str(value)


def _string_field(path: Path, number: int, record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        what = f'missing "{key}"' if value is None else f'"{key}" must be a string, got {_short(value)}'
        raise _fail(path, number, what, f'give every record a string "{key}"')
    return value


def _read_texts(path: Path, kind: str, with_title: bool) -> dict[str, str]:
    texts: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for number, record in read_jsonl(path):
        record_id = _record_id(path, number, record)
        if record_id in texts:
            raise _fail(
                path,
                number,
                f"duplicate {kind} id {_short(record_id)} (first on line {first_line[record_id]})",
                f'give every {kind} a unique "_id"',
            )
        text = _string_field(path, number, record, "text")
        title = record.get("title") if with_title else None
        if title is not None and not isinstance(title, str):
            raise _fail(
                path, number, f'"title" must be a string, got {_short(title)}', "use a string title or leave it out"
            )
        texts[record_id] = f"{title} {text}".strip() if title else text.strip()
        first_line[record_id] = number
    if not texts:
        plural = "queries" if kind == "query" else f"{kind}s"
        raise _fail(path, None, f"no {plural}", f"write one JSON object per {kind}, one per line")
    return texts


def _read_corpus(path: Path) -> dict[str, str]:
    return _read_texts(path, "document", with_title=True)


def _read_queries(path: Path) -> dict[str, str]:
    return _read_texts(path, "query", with_title=False)


# --- qrels --------------------------------------------------------------------------------------


def _read_qrels(path: Path, queries: dict[str, str], corpus: dict[str, str]) -> dict[str, dict[str, int]]:
    from harness.trec import qrels_rows  # here: harness.trec imports numpy, and `zoo list` imports this module

    qrels: dict[str, dict[str, int]] = {}
    for number, qid, doc_id, score in qrels_rows(path, beir_tsv=True):
        if qid not in queries:
            raise _fail(path, number, f"unknown query id {_short(qid)}", "add it to queries.jsonl or remove the line")
        if doc_id not in corpus:
            raise _fail(
                path, number, f"unknown corpus id {_short(doc_id)}", "add it to corpus.jsonl or remove the line"
            )
        judged = qrels.setdefault(qid, {})
        if doc_id in judged:
            raise _fail(
                path,
                number,
                f"duplicate judgment for ({_short(qid)}, {_short(doc_id)})",
                "keep one line per query and document",
            )
        judged[doc_id] = score
    if not qrels:
        raise _fail(
            path, None, "no judgments in this split", "add query-id<TAB>corpus-id<TAB>score lines after the header"
        )
    return qrels


def _write_jsonl(path: Path, records: Iterator[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
