"""Run the hostile-input corpus (manifest.json) through the real CLI and classify each outcome.

A case writes its files into a fresh folder, runs one ``zoo`` command in this process (click's
CliRunner, a per-case alarm as the hang detector) and is classified:

    clear error  exit status 2 and one error line that matches the case's ``message`` pattern
    survived     exit status 0 and every check of the output holds (the right scores, files written)
    traceback    any exception other than a clean exit, or a Python traceback in the output
    silent       exit 0 where an error was due, a wrong result, or a misleading message
    hang         still running when the case's timeout ran out
    lost         a file that had to stay (an earlier result, a file outside the output folder) changed,
                 or one that must not appear did

``python3 -m tests.hostile.runner`` prints the counts per outcome and every case that is not a clear
error or survived.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

HERE = Path(__file__).parent
MANIFEST = HERE / "manifest.json"
DATA = HERE.parent / "data"
GOOD = ("clear error", "survived")
DEFAULT_TIMEOUT = 60  # seconds: every case runs in well under 10 on a loaded laptop
FAST_BENCH = ("--no-progress", "--no-chance", "--no-leaderboard")


class Hang(Exception):
    """The case outlived its timeout."""


@dataclass(frozen=True)
class Outcome:
    name: str
    kind: str  # one of the classes in the module docstring
    detail: str
    seconds: float = 0.0


def cases() -> list[dict[str, Any]]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))["cases"]


def materialise(case: dict[str, Any], root: Path) -> None:
    """Write the case's base data and files under ``root``."""
    for target, source in case.get("copy", {}).items():
        shutil.copytree(DATA / source, root / target) if (DATA / source).is_dir() else _copy_file(
            DATA / source, root / target
        )
    for name, spec in case.get("files", {}).items():
        path = root / name
        if isinstance(spec, dict) and spec.get("dir"):
            path.unlink(missing_ok=True)
            path.mkdir(parents=True, exist_ok=True)
            continue
        if path.is_dir():
            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file_bytes(spec, root))
    for name in case.get("delete", []):
        path = root / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def file_bytes(spec: Any, root: Path) -> bytes:
    """A file's content: a string (UTF-8), or {"text"|"latin1"|"b64"|"json", "bom", "repeat", "prefix_of"}."""
    if isinstance(spec, str):
        return spec.encode("utf-8")
    if "b64" in spec:
        data = base64.b64decode(spec["b64"])
    elif "latin1" in spec:  # every character U+0000..U+00FF as the one byte of that value
        data = spec["latin1"].encode("latin-1")
    elif "json" in spec:
        data = json.dumps(spec["json"]).encode("utf-8")
    elif "from" in spec:  # a file the case already wrote or copied
        data = (root / spec["from"]).read_bytes()
    else:
        data = spec.get("text", "").encode("utf-8")
    data = data * spec.get("repeat", 1)
    if "replace" in spec:  # latin-1, so that a replacement can hold any byte
        old, new = spec["replace"]
        data = data.replace(old.encode("latin-1"), new.encode("latin-1"))
    if "truncate" in spec:
        data = data[: spec["truncate"]]
    return (b"\xef\xbb\xbf" if spec.get("bom") else b"") + data + spec.get("append", "").encode("latin-1")


def expand(value: str, root: Path) -> str:
    return value.replace("{tmp}", str(root))


@contextlib.contextmanager
def alarm(seconds: int) -> Iterator[None]:
    def ring(signum: int, frame: Any) -> None:
        raise Hang()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def snapshot(root: Path, names: list[str]) -> dict[str, bytes | None]:
    return {name: (root / name).read_bytes() if (root / name).is_file() else None for name in names}


def run_case(case: dict[str, Any], root: Path) -> Outcome:
    """Materialise ``case`` under ``root``, run it, and classify what happened."""
    from click.testing import CliRunner

    from zoo.cli import main

    root.mkdir(parents=True, exist_ok=True)
    materialise(case, root)
    args = [expand(a, root) for a in case["args"]]
    if args[0] == "bench":
        args += [a for a in FAST_BENCH if a not in args]
    kept = snapshot(root, case.get("keep", []))
    main.registry.cache_clear()
    main.plugin_manager.cache_clear()
    env = {"ZOO_CACHE_HOME": str(root / ".cache"), "TQDM_DISABLE": "1"}
    try:
        with alarm(case.get("timeout", DEFAULT_TIMEOUT)):
            result = CliRunner().invoke(main.build_cli(), args, env=env, catch_exceptions=True)
    except Hang:
        return Outcome(case["name"], "hang", f"still running after {case.get('timeout', DEFAULT_TIMEOUT)} s")
    return classify(case, root, result, kept)


def classify(case: dict[str, Any], root: Path, result: Any, kept: dict[str, bytes | None]) -> Outcome:
    name, output = case["name"], result.output
    if isinstance(result.exception, Hang):
        return Outcome(name, "hang", f"still running after {case.get('timeout', DEFAULT_TIMEOUT)} s")
    if (result.exception is not None and not isinstance(result.exception, SystemExit)) or "Traceback" in output:
        exc = result.exception
        return Outcome(name, "traceback", f"{type(exc).__name__}: {exc}" if exc else output[-300:])
    changed = [n for n, data in kept.items() if snapshot(root, [n])[n] != data]
    appeared = [n for n in case.get("absent", []) if (root / n).exists() or list(root.glob(n))]
    if changed or appeared:
        return Outcome(name, "lost", f"changed {changed}, appeared {appeared}")
    if case["expect"] == "error":
        return _as_error(case, result)
    if result.exit_code != 0:
        error = _error_line(result)
        ok = result.exit_code == 2 and error and re.search(case.get("message", ""), error)
        kind = "clear error" if ok else "silent"
        return Outcome(name, kind, f"exit {result.exit_code}: {error or output[-300:]}")
    failed = _failed_checks(case, root, result)
    return Outcome(name, "silent" if failed else "survived", "; ".join(failed) or "ok")


def _error_line(result: Any) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith(("zoo: error:", "Error:"))]
    return lines[0] if len(lines) == 1 else ""


def _as_error(case: dict[str, Any], result: Any) -> Outcome:
    name = case["name"]
    if result.exit_code == 0:
        return Outcome(name, "silent", f"exit 0 where an error was due: {result.output[-300:]}")
    error = _error_line(result)
    if result.exit_code != 2 or not error:
        return Outcome(name, "silent", f"exit {result.exit_code} without one error line: {result.stderr[-300:]}")
    if not re.search(case["message"], error):
        return Outcome(name, "silent", f"misleading message: {error}")
    if case.get("stderr_absent") and case["stderr_absent"] in result.stderr.replace(error, ""):
        return Outcome(name, "silent", f"failed only after work began ({case['stderr_absent']!r} on stderr): {error}")
    return Outcome(name, "clear error", error)


def _failed_checks(case: dict[str, Any], root: Path, result: Any) -> list[str]:
    failed = []
    for text in case.get("stdout", []):
        if expand(text, root) not in result.stdout:
            failed.append(f"stdout lacks {text!r}")
    for text in case.get("stderr", []):
        if expand(text, root) not in result.stderr:
            failed.append(f"stderr lacks {text!r}")
    if "json_stdout" in case:
        try:
            data = json.loads(result.stdout)
        except ValueError:
            return [*failed, "stdout is not JSON"]
        failed += _check_values(data, case["json_stdout"], "stdout")
    for pattern, expected in case.get("count", {}).items():
        found = len(list(root.glob(pattern)))
        if found != expected:
            failed.append(f"{found} files match {pattern}, expected {expected}")
    for pattern, checks in case.get("json_files", {}).items():
        for path in root.glob(pattern):
            failed += _check_values(json.loads(path.read_text(encoding="utf-8")), checks, path.name)
    return failed


def _check_values(data: Any, checks: dict[str, Any], where: str) -> list[str]:
    failed = []
    for dotted, expected in checks.items():
        value = data
        for key in dotted.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(expected, float) and isinstance(value, (int, float)):
            good = abs(value - expected) <= 1e-4
        else:
            good = value == expected
        if not good:
            failed.append(f"{where}: {dotted} = {value!r}, expected {expected!r}")
    return failed


def run_all(root: Path, names: list[str] | None = None) -> list[Outcome]:
    outcomes = []
    for case in cases():
        if names and case["name"] not in names:
            continue
        folder = root / case["name"]
        cwd = Path.cwd()
        os.chdir(root)
        started = time.perf_counter()
        try:
            outcome = run_case(case, folder)
            outcomes.append(dataclasses.replace(outcome, seconds=time.perf_counter() - started))
        finally:
            os.chdir(cwd)
    return outcomes


def main(argv: list[str]) -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        outcomes = run_all(Path(tmp), argv or None)
    counts = Counter(o.kind for o in outcomes)
    for outcome in outcomes:
        if outcome.kind not in GOOD or os.environ.get("HOSTILE_VERBOSE"):
            print(f"{outcome.kind:12} {outcome.name} ({outcome.seconds:.1f} s): {outcome.detail[:300]}")
    print(
        f"{len(outcomes)} cases: "
        + ", ".join(f"{counts[k]} {k}" for k in ("clear error", "survived", "traceback", "silent", "hang", "lost"))
    )
    return 0 if set(counts) <= set(GOOD) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
