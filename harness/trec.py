"""Read and write TREC qrels and run files; bad input raises DataError naming the file and line.

qrels: ``qid 0 docid grade`` (trec_eval) or BEIR's ``query-id<TAB>corpus-id<TAB>score`` with a
header line. run: ``qid Q0 docid rank score tag``. Fields are whitespace separated; blank lines are
skipped. A qrels pair repeated with the same grade is accepted (some BEIR files do this); with a
different grade, or any repeated pair in a run, it is an error.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from harness.data.paths import atomic_write_text
from harness.metrics import trec_order
from zoo.errors import DataError, ZooError
from zoo.textio import check_string, text_lines

PathLike = str | os.PathLike[str]

QRELS_TREC = "'query-id 0 doc-id grade'"
QRELS_BEIR = "'query-id corpus-id score'"
RUN_FORMAT = "'query-id Q0 doc-id rank score tag'"
_HEADER_FIRST_FIELDS = {"query-id", "query_id", "qid", "query"}


MAX_CUTOFF = 2**31 - 1  # trec_eval reads cutoffs as C ints


def parse_cutoffs(text: str) -> tuple[int, ...]:
    """``"1,10,100"`` as cutoffs, each a whole number in [1, 2**31 - 1]; anything else is a ZooError."""
    try:
        ks = tuple(int(k) for k in text.split(","))
    except ValueError:
        raise ZooError(f"--k takes comma-separated whole numbers, got {text!r}") from None
    bad = [k for k in ks if not 1 <= k <= MAX_CUTOFF]
    if bad:
        raise ZooError(f"--k cutoffs must lie in [1, {MAX_CUTOFF}], got {bad[0]}: e.g. -k 1,10,100")
    return tuple(dict.fromkeys(ks))


def read_qrels(path: PathLike) -> dict[str, dict[str, int]]:
    """Query id -> doc id -> integer relevance grade, from a TREC or BEIR qrels file."""
    name = os.fspath(path)
    qrels: dict[str, dict[str, int]] = {}
    seen: dict[tuple[str, str], int] = {}
    for number, qid, doc, grade in qrels_rows(path):
        previous = seen.get((qid, doc))
        if previous is not None and qrels[qid][doc] != grade:
            _fail(
                name,
                number,
                f"doc {doc!r} for query {qid!r} has grade {grade} but line {previous} gave {qrels[qid][doc]}",
                "keep one of the two lines",
            )
        seen.setdefault((qid, doc), number)
        qrels.setdefault(qid, {})[doc] = grade
    if not qrels:
        raise DataError(f"{name}: no judgments found; expected lines {QRELS_TREC} or {QRELS_BEIR}")
    return qrels


def qrels_rows(path: PathLike, *, beir_tsv: bool = False) -> Iterator[tuple[int, str, str, int]]:
    """(line number, query id, doc id, grade) of each judgment: the one qrels parser.

    By default TREC's ``qid 0 docid grade`` or BEIR's three columns, whitespace separated, an optional
    BEIR header skipped. ``beir_tsv``: a BEIR folder's ``qrels/<split>.tsv``, read as BEIR reads it: tab
    separated (ids may hold spaces) and with a header line, which BEIR skips unread.
    """
    name = os.fspath(path)
    expected: int | None = 3 if beir_tsv else None
    header_seen = False
    for number, fields in _tsv_lines(path) if beir_tsv else _lines(path):
        if beir_tsv and len(fields) != 3:
            _fail(
                name,
                number,
                f"expected 3 tab-separated fields, got {len(fields)}",
                "write query-id<TAB>corpus-id<TAB>score",
            )
        if not header_seen:
            header_seen = True
            if beir_tsv and _is_number(fields[-1]):
                # BEIR skips the first line unread: a missing header would silently lose a judgment
                _fail(name, number, "missing header line", "start the file with query-id<TAB>corpus-id<TAB>score")
            if beir_tsv or (fields[0].lower() in _HEADER_FIRST_FIELDS and not _is_number(fields[-1])):
                continue
        if expected is None:
            if len(fields) not in (3, 4):
                _fail(
                    name,
                    number,
                    f"expected 4 fields {QRELS_TREC} or 3 fields {QRELS_BEIR}, got {len(fields)}",
                    "fix or remove the line",
                )
            expected = len(fields)
        if len(fields) != expected:
            layout = QRELS_TREC if expected == 4 else QRELS_BEIR
            _fail(
                name,
                number,
                f"expected {expected} fields {layout}, got {len(fields)}",
                "fix or remove the line; earlier lines set the format",
            )
        column = "score" if beir_tsv else "grade"
        yield number, fields[0], fields[-2], _parse_grade(fields[-1], name, number, column)


def read_run(path: PathLike) -> dict[str, dict[str, float]]:
    """Query id -> doc id -> score, from a TREC run file (the rank column is checked, not used)."""
    name = os.fspath(path)
    run: dict[str, dict[str, float]] = {}
    seen: dict[tuple[str, str], int] = {}
    for number, fields in _lines(path):
        if len(fields) != 6:
            _fail(name, number, f"expected 6 fields {RUN_FORMAT}, got {len(fields)}", "fix or remove the line")
        qid, _, doc, rank, score_text, _ = fields
        if not _is_int(rank):
            _fail(name, number, f"rank {rank!r} is not an integer", "write ranks as 1, 2, 3, ...")
        score = _parse_score(score_text, name, number)
        previous = seen.get((qid, doc))
        if previous is not None:
            _fail(
                name,
                number,
                f"doc {doc!r} for query {qid!r} already appears on line {previous}",
                "keep one line per (query, doc) pair",
            )
        seen[(qid, doc)] = number
        run.setdefault(qid, {})[doc] = score
    if not run:
        raise DataError(f"{name}: no results found; expected lines {RUN_FORMAT}")
    return run


def write_run(run: Mapping[str, Mapping[str, float]], path: PathLike, tag: str = "zoo") -> None:
    """Write a run in TREC format, ranked in trec_eval order, atomically (temp file, os.replace)."""
    _check_token(tag, "tag")
    lines = []
    for qid in sorted(run):
        _check_token(qid, "query id")
        hits = run[qid]
        for rank, doc in enumerate(trec_order(hits), start=1):
            _check_token(doc, f"doc id (query {qid!r})")
            lines.append(f"{qid} Q0 {doc} {rank} {float(hits[doc])!r} {tag}\n")
    atomic_write_text(Path(path), "".join(lines))


def _lines(path: PathLike) -> Iterator[tuple[int, list[str]]]:
    """(1-based line number, whitespace-split fields) of each non-blank line."""
    for number, line in _text_lines(path):
        fields = line.split()
        if fields:
            yield number, fields


def _tsv_lines(path: PathLike) -> Iterator[tuple[int, list[str]]]:
    """(1-based line number, tab-split and stripped fields) of each non-blank line."""
    for number, line in _text_lines(path):
        if line.strip():
            yield number, [field.strip() for field in line.split("\t")]


def _text_lines(path: PathLike) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) through the one text reader (UTF-8, BOM dropped), lone surrogates refused."""
    name = os.fspath(path)
    for number, line in text_lines(path):
        yield number, check_string(line, f"{name}:{number}")


def _fail(name: str, number: int, problem: str, fix: str) -> None:
    raise DataError(f"{name}:{number}: {problem}; {fix}")


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse_grade(text: str, name: str, number: int, column: str = "grade") -> int:
    # BEIR files sometimes write grades as "1.0"; trec_eval reads them as integers
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value.is_integer():
        _fail(name, number, f"{column} {text!r} is not an integer", "use a grade such as 0, 1 or 2")
    return int(value)


def _parse_score(text: str, name: str, number: int) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        _fail(name, number, f"score {text!r} is not a finite number", "write a decimal number")
    return value


def _check_token(value: str, what: str) -> None:
    if not value or any(c.isspace() for c in value):
        raise DataError(
            f"cannot write run: {what} {value!r} is empty or contains whitespace; "
            "TREC files separate fields by whitespace, so rename it"
        )
