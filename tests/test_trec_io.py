"""TREC qrels/run reading and writing: round trips and one-line errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.trec import read_qrels, read_run, write_run
from zoo.errors import DataError


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(call, *args) -> str:
    with pytest.raises(DataError) as info:
        call(*args)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_read_trec_qrels(tmp_path: Path) -> None:
    path = _write(tmp_path, "qrels.txt", "q1 0 d1 1\nq1 0 d2 0\n\nq2\t0\td3\t2\nq2 0 d4 -1\n")
    assert read_qrels(path) == {"q1": {"d1": 1, "d2": 0}, "q2": {"d3": 2, "d4": -1}}


def test_read_beir_qrels_with_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2.0\n")
    assert read_qrels(path) == {"q1": {"d1": 1, "d2": 2}}


def test_qrels_identical_duplicate_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, "qrels.txt", "q1 0 d1 1\nq1 0 d1 1\n")
    assert read_qrels(path) == {"q1": {"d1": 1}}


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("q1 0 d1 1\nq1 0 d2 1\nq1 d3\n", 3, "expected 4 fields 'query-id 0 doc-id grade', got 2"),
        ("q1 d1 1\nq1 0 d2 1\n", 2, "expected 3 fields 'query-id corpus-id score', got 4"),
        ("q1 0 d1 1 extra x\n", 1, "got 6"),
        ("q1 0 d1 1\nq1 0 d2 high\n", 2, "grade 'high' is not an integer"),
        ("q1 0 d1 1.5\n", 1, "grade '1.5' is not an integer"),
        ("q1 0 d1 1\nq1 0 d2 0\nq1 0 d1 2\n", 3, "has grade 2 but line 1 gave 1"),
    ],
)
def test_qrels_errors(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = _write(tmp_path, "qrels.tsv", text)
    message = _error(read_qrels, path)
    assert message.startswith(f"{path}:{line}: ")
    assert fragment in message


@pytest.mark.parametrize("text", ["", "\n\n", "query-id\tcorpus-id\tscore\n"])
def test_empty_qrels(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, "qrels.tsv", text)
    assert _error(read_qrels, path).startswith(f"{path}: no judgments found")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    assert "no such file" in _error(read_qrels, path)
    assert str(path) in _error(read_run, path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "run.txt"
    path.write_bytes(b"q1 Q0 \xff 1 0.5 t\n")
    assert "not UTF-8" in _error(read_run, path)


def test_run_round_trip(tmp_path: Path) -> None:
    run = {"q2": {"a": 0.5, "b": 0.5, "c": 1 / 3}, "q1": {"d10": -2.0, "d9": 1e-17}}
    path = tmp_path / "run.trec"
    write_run(run, path, tag="mine")
    assert path.read_text().splitlines() == [
        "q1 Q0 d9 1 1e-17 mine",
        "q1 Q0 d10 2 -2.0 mine",
        "q2 Q0 b 1 0.5 mine",  # tie on 0.5: doc id descending, as trec_eval
        "q2 Q0 a 2 0.5 mine",
        f"q2 Q0 c 3 {1 / 3!r} mine",
    ]
    assert read_run(path) == run
    write_run({"q": {"x": 1.0}}, path)  # overwrites in place
    assert read_run(path) == {"q": {"x": 1.0}}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.trec"]  # no temp file left


def test_write_run_rejects_whitespace_ids(tmp_path: Path) -> None:
    path = tmp_path / "run.trec"
    assert "contains whitespace" in _error(write_run, {"q 1": {"d": 1.0}}, path)
    assert "doc id" in _error(write_run, {"q1": {"d 1": 1.0}}, path)
    assert not path.exists()


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            "q1 Q0 d1 1 0.5 t\nq1 Q0 d2 2 0.4\n",
            2,
            "expected 6 fields 'query-id Q0 doc-id rank score tag', got 5",
        ),
        ("q1 Q0 d1 1 high t\n", 1, "score 'high' is not a finite number"),
        ("q1 Q0 d1 1 nan t\n", 1, "score 'nan' is not a finite number"),
        ("q1 Q0 d1 first 0.5 t\n", 1, "rank 'first' is not an integer"),
        ("q1 Q0 d1 1 0.5 t\nq2 Q0 d1 1 0.5 t\nq1 Q0 d1 2 0.4 t\n", 3, "already appears on line 1"),
    ],
)
def test_run_errors(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = _write(tmp_path, "run.txt", text)
    message = _error(read_run, path)
    assert message.startswith(f"{path}:{line}: ")
    assert fragment in message


def test_empty_run(tmp_path: Path) -> None:
    path = _write(tmp_path, "run.txt", "")
    assert _error(read_run, path).startswith(f"{path}: no results found")


def test_a_byte_order_mark_is_not_part_of_the_first_query_id(tmp_path: Path) -> None:
    qrels, run = tmp_path / "qrels.txt", tmp_path / "run.txt"
    qrels.write_bytes(b"\xef\xbb\xbfq1 0 d1 1\r\nq2 0 d2 1\r\n")
    run.write_bytes(b"\xef\xbb\xbfq1 Q0 d1 1 2.0 t\nq2 Q0 d2 1 1.0 t\n")
    assert read_qrels(qrels) == {"q1": {"d1": 1}, "q2": {"d2": 1}}
    assert read_run(run) == {"q1": {"d1": 2.0}, "q2": {"d2": 1.0}}
