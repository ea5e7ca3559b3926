"""The one way the zoo reads a text file a user hands it, and the JSON inside it.

Policy, the same for every input (corpora, queries, qrels, task.json, ``--fit-on`` files, TREC qrels and
run files, result files, merge recipes):

- bytes are strict UTF-8; one UTF-8 byte-order mark at the very start is dropped (editors on Windows
  write one, and it would otherwise become part of the first id);
- anything else (a UTF-16 or UTF-32 file, a Latin-1 byte, a surrogate encoded in UTF-8) is a one-line
  ``DataError`` naming the file, the line and the byte offset, and how to re-save it;
- lines end at ``\\n``; a ``\\r`` before it is dropped (Windows line endings);
- JSON may nest at most ``MAX_DEPTH`` deep, may not hold NaN or Infinity (they are not JSON), and its
  strings may not hold lone surrogates (``"\\ud800"``), which no tokenizer or hash can encode.
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterator

from zoo.errors import DataError

PathLike = str | os.PathLike[str]

UTF8_BOM = b"\xef\xbb\xbf"
OTHER_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
MAX_DEPTH = 64  # far deeper than any record, config or result the zoo reads; Python's parser recurses
RESAVE = "re-save it as UTF-8"


def text_lines(path: PathLike) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its line ending) for each line of a UTF-8 text file."""
    name = os.fspath(path)
    offset = 0
    with _open(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1:
                _check_start(name, raw)
                if raw.startswith(UTF8_BOM):
                    raw, offset = raw[len(UTF8_BOM) :], len(UTF8_BOM)
            yield number, _decode(raw, name, number, offset).rstrip("\n").removesuffix("\r")
            offset += len(raw)


def read_text(path: PathLike) -> str:
    """A whole UTF-8 text file as a string (BOM dropped, ``\\r\\n`` kept as written)."""
    name = os.fspath(path)
    with _open(path) as handle:
        data = handle.read()
    _check_start(name, data)
    start = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, start + exc.start) + 1
        raise _not_utf8(name, line, start + exc.start, exc) from None


def read_json(path: PathLike, fix: str = "write valid JSON") -> Any:
    """A UTF-8 JSON file parsed under the module's rules; DataError naming the file (and line) otherwise."""
    return loads(read_text(path), os.fspath(path), fix=fix, whole_file=True)


def loads(text: str, where: str, *, fix: str = "write valid JSON", whole_file: bool = False) -> Any:
    """JSON text parsed under the module's rules; ``where`` (``file`` or ``file:line``) starts any error,
    with the line of a syntax error added for a ``whole_file``."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        line = f":{exc.lineno}" if whole_file else ""
        raise DataError(f"{where}{line}: invalid JSON ({exc.msg} at column {exc.colno}); {fix}") from None
    except RecursionError:
        raise _too_deep(where) from None
    except _NotJson as exc:
        raise DataError(f"{where}: {exc} is not JSON; write null or a number") from None
    check_value(value, where)
    return value


def check_value(value: Any, where: str) -> None:
    """Raise DataError if ``value`` nests deeper than MAX_DEPTH or holds a string with a lone surrogate."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            check_string(item, where)
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise _too_deep(where)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (str, dict, list)))


def check_string(text: str, where: str) -> str:
    """``text`` unchanged, or a DataError where it holds a lone surrogate (``\\ud800``-``\\udfff``)."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise DataError(
                f"{where}: the text holds a lone surrogate {text[exc.start]!r} (half of a "
                "UTF-16 pair, e.g. a \\ud83d escape without its partner), which cannot be "
                "encoded; remove it or write the whole character"
            ) from None
    return text


class _NotJson(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotJson(name)


def _too_deep(where: str) -> DataError:
    return DataError(f"{where}: JSON nested more than {MAX_DEPTH} levels deep; flatten it")


def _open(path: PathLike) -> Any:
    name = os.fspath(path)
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise DataError(f"{name}: no such file; check the path") from None
    except IsADirectoryError:
        raise DataError(f"{name}: is a folder, not a file; name the file inside it") from None
    except PermissionError:
        raise DataError(f"{name}: permission denied; make it readable") from None


def _check_start(name: str, data: bytes) -> None:
    for bom, encoding in OTHER_BOMS.items():
        if data.startswith(bom):
            raise DataError(
                f"{name}: the file is {encoding} text (it starts with a {encoding} byte-order "
                f"mark), not UTF-8; {RESAVE}"
            )


def _decode(raw: bytes, name: str, number: int, offset: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, number, offset + exc.start, exc) from None


def _not_utf8(name: str, line: int, byte: int, exc: UnicodeDecodeError) -> DataError:
    bad = exc.object[exc.start : exc.start + 1].hex()
    return DataError(
        f"{name}:{line}: not UTF-8 text (byte 0x{bad} at byte offset {byte}: {exc.reason}); "
        f"{RESAVE} (e.g. iconv -f latin1 -t utf-8)"
    )


def json_objects(path: PathLike) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSONL file; anything else is a DataError
    naming the file and line."""
    name = os.fspath(path)
    for number, line in text_lines(path):
        if not line.strip():
            continue
        record = loads(line, f"{name}:{number}", fix="write one JSON object per line")
        if not isinstance(record, dict):
            raise DataError(
                f"{name}:{number}: expected a JSON object, got {type(record).__name__}; write one JSON object per line"
            )
        yield number, record
