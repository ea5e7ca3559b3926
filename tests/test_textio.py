"""zoo.textio: one encoding policy for every text input, errors that name the file, line and byte."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given

from tests.fuzzing import FUZZ, hostile_bytes
from zoo.errors import DataError, ZooError
from zoo.textio import MAX_DEPTH, json_objects, loads, read_json, read_text, text_lines


def write(tmp_path: Path, data: bytes, name: str = "f.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_utf8_bom_is_dropped_and_line_endings_are_normalised(tmp_path: Path):
    path = write(tmp_path, b"\xef\xbb\xbfq1 0 d1 1\r\nq2 0 d2 0\n\nlast")
    assert list(text_lines(path)) == [(1, "q1 0 d1 1"), (2, "q2 0 d2 0"), (3, ""), (4, "last")]
    assert read_text(path).startswith("q1 0 d1 1\r\n")


def test_a_latin1_byte_names_the_file_line_and_byte_offset(tmp_path: Path):
    path = write(tmp_path, b"\xef\xbb\xbfabc\ndef caf\xe9\n")
    with pytest.raises(DataError) as caught:
        list(text_lines(path))
    message = str(caught.value)
    assert message.startswith(f"{path}:2: not UTF-8 text (byte 0xe9 at byte offset 14")  # 3 (BOM) + 4 + 7
    assert "re-save it as UTF-8" in message and "\n" not in message
    with pytest.raises(DataError, match=r":2: not UTF-8 text \(byte 0xe9 at byte offset 14"):
        read_text(path)


@pytest.mark.parametrize("encoding, name", [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_utf16_and_utf32_files_are_named_as_such(tmp_path: Path, encoding: str, name: str):
    path = write(tmp_path, '{"a": 1}\n'.encode(encoding))
    with pytest.raises(DataError, match=f"is {name} text .* not UTF-8; re-save it as UTF-8"):
        list(text_lines(path))


def test_json_nesting_lone_surrogates_and_nan_are_refused():
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with pytest.raises(DataError, match="nested more than 64 levels"):
        loads(deep, "x.json")
    with pytest.raises(DataError, match="nested more than 64 levels"):
        loads("[" * 100_000 + "]" * 100_000, "x.json")  # past Python's own recursion limit
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH, "x.json") is not None
    with pytest.raises(DataError, match="lone surrogate"):
        loads('{"text": "a \\ud83d b"}', "x.jsonl:3")
    with pytest.raises(DataError, match="lone surrogate"):
        loads('{"\\udc00": 1}', "x.jsonl:3")  # in a key too
    assert loads('{"text": "\\ud83d\\ude00"}', "x")["text"] == "\U0001f600"  # a whole pair is a character
    with pytest.raises(DataError, match="NaN is not JSON"):
        loads('{"score": NaN}', "x")


def test_jsonl_errors_name_the_line(tmp_path: Path):
    path = write(tmp_path, b'{"a": 1}\n\n[1]\n')
    with pytest.raises(DataError, match=r"f\.jsonl:3: expected a JSON object, got list"):
        list(json_objects(path))
    path = write(tmp_path, b'{"a": 1}\n{"a": \n')
    with pytest.raises(DataError, match=r"f\.jsonl:2: invalid JSON"):
        list(json_objects(path))
    path = write(tmp_path, b'{\n "a": 1,\n}', "c.json")
    with pytest.raises(DataError, match=r"c\.json:3: invalid JSON"):
        read_json(path)


def test_missing_files_and_folders_are_one_line_errors(tmp_path: Path):
    with pytest.raises(DataError, match="no such file"):
        read_text(tmp_path / "absent.json")
    with pytest.raises(DataError, match="is a folder, not a file"):
        list(text_lines(tmp_path))


def roundtrip_or_error(fn, data: bytes) -> None:  # noqa: ANN001
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.jsonl"
        path.write_bytes(data)
        try:
            fn(path)
        except ZooError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)


@FUZZ
@given(hostile_bytes(b'{"_id": "d1", "text": "caf\xc3\xa9"}\n{"_id": "d2", "text": "b"}\n'))
def test_any_bytes_read_as_lines_or_one_line_error(data: bytes):
    roundtrip_or_error(lambda p: list(json_objects(p)), data)
    roundtrip_or_error(lambda p: list(text_lines(p)), data)
    roundtrip_or_error(read_json, data)


def test_what_reads_back_is_exactly_what_was_written(tmp_path: Path):
    records = [{"_id": "1", "text": "caf\u00e9 \U0001f600 \u2028 tab\there"}, {"_id": "2", "text": ""}]
    path = write(tmp_path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode())
    assert [record for _, record in json_objects(path)] == records
