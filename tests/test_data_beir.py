"""BEIR folder loading: the happy path, and one clear line naming file and line for every mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.data.beir import RetrievalData, available_splits, beir_fingerprint, load_beir, write_beir
from zoo.errors import DataError

CORPUS = [
    {"_id": "d1", "title": "Cholera", "text": "An acute diarrhoeal infection."},
    {"_id": "d2", "title": "", "text": " Typhoid fever "},
    {"_id": "d3", "text": "Salmonella enteritis"},
]
QUERIES = [
    {"_id": "q1", "text": "rice-water stools"},
    {"_id": "q2", "text": "enteric fever"},
    {"_id": "q3", "text": "not judged in any split"},
]
QRELS = "query-id\tcorpus-id\tscore\nq1\td1\t2\nq2\td2\t1\nq2\td3\t0\n"


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def make_folder(
    root: Path, corpus: str | None = None, queries: str | None = None, qrels: dict[str, str] | None = None
) -> Path:
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text(jsonl(CORPUS) if corpus is None else corpus)
    (root / "queries.jsonl").write_text(jsonl(QUERIES) if queries is None else queries)
    for split, text in (qrels or {"test": QRELS}).items():
        (root / "qrels" / f"{split}.tsv").write_text(text)
    return root


def test_loads_and_joins_title_like_beir_and_mteb(tmp_path: Path) -> None:
    data = load_beir(make_folder(tmp_path))
    assert data.corpus == {
        "d1": "Cholera An acute diarrhoeal infection.",
        "d2": "Typhoid fever",
        "d3": "Salmonella enteritis",
    }
    assert data.qrels == {"q1": {"d1": 2}, "q2": {"d2": 1, "d3": 0}}
    assert list(data.queries) == ["q1", "q2"]  # q3 has no judgments in this split
    assert data.split == "test"


def test_accepts_integer_ids_blank_lines_and_crlf(tmp_path: Path) -> None:
    corpus = '{"_id": 7, "text": "seven"}\n\n{"_id": "8", "text": "eight"}\n'
    queries = '{"_id": 1, "text": "number"}\n'
    qrels = "query-id\tcorpus-id\tscore\r\n1\t7\t1\r\n\r\n1\t8\t0\r\n"
    data = load_beir(make_folder(tmp_path, corpus, queries, {"dev": qrels}), split="dev")
    assert data.corpus == {"7": "seven", "8": "eight"}
    assert data.qrels == {"1": {"7": 1, "8": 0}}


def test_write_round_trip_and_fingerprint(tmp_path: Path) -> None:
    data = load_beir(make_folder(tmp_path / "src"))
    out = write_beir(data, tmp_path / "out")
    again = load_beir(out)
    assert again == data
    assert beir_fingerprint(out) == beir_fingerprint(write_beir(again, tmp_path / "copy"))
    before = beir_fingerprint(out)
    (out / "qrels" / "test.tsv").write_text(QRELS.replace("\t2\n", "\t1\n"))
    assert beir_fingerprint(out) != before


def test_available_splits(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, qrels={"test": QRELS, "dev": QRELS})
    assert available_splits(folder) == ["dev", "test"]


def expect_error(folder: Path, where: str, *needles: str, split: str = "test") -> str:
    with pytest.raises(DataError) as info:
        load_beir(folder, split=split)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(where), message
    for needle in needles:
        assert needle in message, message
    return message


def test_missing_folder(tmp_path: Path) -> None:
    expect_error(tmp_path / "nope", str(tmp_path / "nope"), "corpus.jsonl", "queries.jsonl", "qrels/<split>.tsv")


@pytest.mark.parametrize("name", ["corpus.jsonl", "queries.jsonl"])
def test_missing_file(tmp_path: Path, name: str) -> None:
    folder = make_folder(tmp_path)
    (folder / name).unlink()
    expect_error(folder, f"{folder / name}: missing file", "qrels/<split>.tsv")


def test_missing_qrels_folder(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    (folder / "qrels" / "test.tsv").unlink()
    (folder / "qrels").rmdir()
    expect_error(folder, f"{folder / 'qrels'}: missing folder")


def test_unknown_split_names_the_available_ones(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, qrels={"dev": QRELS, "train": QRELS})
    expect_error(folder, str(folder / "qrels" / "test.tsv"), "'test'", "dev, train")


CORPUS_ERRORS = [
    ('{"_id": "d1", "text": "a"}\n{"_id": "d2", "text": "b"\n', 2, "invalid JSON"),
    ('["d1", "a"]\n', 1, "expected a JSON object"),
    ('{"_id": "d1", "text": "a"}\n{"text": "b"}\n', 2, 'missing "_id"'),
    ('{"_id": "", "text": "a"}\n', 1, '"_id" must be a non-empty string'),
    ('{"_id": "d1", "text": "a"}\n{"_id": "d2", "title": "t"}\n', 2, 'missing "text"'),
    ('{"_id": "d1", "text": 3}\n', 1, '"text" must be a string'),
    ('{"_id": "d1", "text": "a", "title": 5}\n', 1, '"title" must be a string'),
    ('{"_id": "d1", "text": "a"}\n\n{"_id": "d1", "text": "b"}\n', 3, "duplicate document id 'd1' (first on line 1)"),
]


@pytest.mark.parametrize(("corpus", "line", "needle"), CORPUS_ERRORS)
def test_corpus_errors_name_file_and_line(tmp_path: Path, corpus: str, line: int, needle: str) -> None:
    folder = make_folder(tmp_path, corpus=corpus, qrels={"test": "query-id\tcorpus-id\tscore\nq1\td1\t1\n"})
    expect_error(folder, f"{folder / 'corpus.jsonl'}:{line}: ", needle)


@pytest.mark.parametrize(
    ("queries", "line", "needle"),
    [
        ('{"_id": "q1", "text": "a"}\n{"_id": "q2"}\n', 2, 'missing "text"'),
        ('{"text": "a"}\n', 1, 'missing "_id"'),
        ('{"_id": "q1", "text": "a"}\n{"_id": "q1", "text": "b"}\n', 2, "duplicate query id"),
        ("{oops}\n", 1, "invalid JSON"),
    ],
)
def test_query_errors_name_file_and_line(tmp_path: Path, queries: str, line: int, needle: str) -> None:
    folder = make_folder(tmp_path, queries=queries)
    expect_error(folder, f"{folder / 'queries.jsonl'}:{line}: ", needle)


HEADER = "query-id\tcorpus-id\tscore\n"


@pytest.mark.parametrize(
    ("qrels", "line", "needle"),
    [
        (HEADER + "q1\td1\t1\nq9\td1\t1\n", 3, "unknown query id 'q9'"),
        (HEADER + "q1\td9\t1\n", 2, "unknown corpus id 'd9'"),
        (HEADER + "q1\td1\t1.5\n", 2, "score '1.5' is not an integer"),
        (HEADER + "q1\td1\thigh\n", 2, "score 'high' is not an integer"),
        (HEADER + "q1 d1 1\n", 2, "expected 3 tab-separated fields, got 1"),
        (HEADER + "q1\t0\td1\t1\n", 2, "expected 3 tab-separated fields, got 4"),
        ("q1\td1\t1\n", 1, "missing header line"),
        (HEADER + "q1\td1\t1\nq1\td1\t2\n", 3, "duplicate judgment"),
    ],
)
def test_qrels_errors_name_file_and_line(tmp_path: Path, qrels: str, line: int, needle: str) -> None:
    folder = make_folder(tmp_path, qrels={"test": qrels})
    expect_error(folder, f"{folder / 'qrels' / 'test.tsv'}:{line}: ", needle)


@pytest.mark.parametrize(
    ("part", "needle"),
    [
        ("corpus.jsonl", "no documents"),
        ("queries.jsonl", "no queries"),
        ("qrels/test.tsv", "no judgments"),
    ],
)
def test_empty_parts(tmp_path: Path, part: str, needle: str) -> None:
    folder = make_folder(tmp_path)
    (folder / part).write_text(HEADER if part.startswith("qrels") else "\n")
    expect_error(folder, f"{folder / part}: ", needle)


def test_retrieval_data_is_frozen() -> None:
    data = RetrievalData({"d": "x"}, {"q": "y"}, {"q": {"d": 1}}, "test")
    with pytest.raises(AttributeError):
        data.split = "dev"  # type: ignore[misc]
