"""Where built task data lives, and writes that never leave a half-built file or folder behind."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Mapping

from zoo.errors import ZooError

ENV_VAR = "ZOO_DATA_HOME"
TASK_FILE = "task.json"  # names the type of a task folder (see harness.data.folders)
BUILD_FILE = "build.json"  # the stamp of a built data folder: what built it, from what, with which rules


def data_home() -> Path:
    """``$ZOO_DATA_HOME`` if set, else ``~/.cache/embedding-zoo/data``."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "embedding-zoo" / "data"


def writable_folder(folder: Path | str, option: str = "--out") -> Path:
    """``folder``, created if need be, once a file has been written and removed there; else a ZooError.

    Called before a run starts, so an output folder that cannot be written is found before the work, not
    after it (when the results would be lost)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".zoo-write-check.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ZooError(
            f"{option} {folder}: cannot write there ({exc.strerror or exc}); choose a folder you can write to"
        ) from None
    return folder


def build_once(
    folder: Path, stamp: Mapping[str, object] | None, build: Callable[[Path], Mapping[str, object] | None]
) -> Path:
    """``folder``, built by ``build`` unless a build with the same ``stamp`` is already there.

    ``build(tmp)`` fills an empty temporary folder, which then replaces ``folder`` whole, with ``build.json``
    holding the stamp and whatever facts ``build`` returns (sizes, counts). A change to any stamp value (a
    rule's version, a source package's version) rebuilds the folder on next use. ``stamp`` None: the
    folder's path is its stamp (a version and a source hash in its name), so any folder there is the build
    and nothing is written beside what ``build`` wrote.
    """
    folder = Path(folder)
    if is_built(folder, stamp):
        return folder
    with atomic_dir(folder) as tmp:
        facts = build(tmp) or {}
        if stamp is not None:
            atomic_write_text(tmp / BUILD_FILE, json.dumps({**stamp, **facts}, indent=1, sort_keys=True) + "\n")
    return folder


def is_built(folder: Path, stamp: Mapping[str, object] | None) -> bool:
    """True when ``folder`` holds a complete build whose stamp agrees with ``stamp`` on every key (``stamp``
    None: when it exists, as ``atomic_dir`` only ever puts complete folders in place)."""
    if stamp is None:
        return Path(folder).is_dir()
    try:
        built = json.loads((Path(folder) / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(built, dict) and all(built.get(key) == value for key, value in stamp.items())


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write text to a temporary file beside ``path``, then rename it into place."""
    _atomic_write(path, text, "w", encoding)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside ``path``, then rename it into place."""
    _atomic_write(path, data, "wb", None)


def _atomic_write(path: Path, data: str | bytes, mode: str, encoding: str | None) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline="\n" if encoding else None) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_dir(final: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``final``; on success it replaces ``final`` whole.

    On an exception the temporary folder is removed and ``final`` is left as it was.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    try:
        os.chmod(tmp, 0o755)
        yield tmp
        _move_into_place(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _move_into_place(tmp: Path, final: Path) -> None:
    try:
        os.rename(tmp, final)
        return
    except OSError:
        if not final.exists():
            raise
    # a directory cannot be os.replace'd over a non-empty one: move the old one aside first
    trash = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent))
    try:
        os.rename(final, trash / final.name)
    except FileNotFoundError:
        pass  # another process removed it meanwhile
    try:
        os.rename(tmp, final)
    except OSError:
        if not final.exists():
            raise
        # another process put its own build in place first; theirs is as good as ours
    finally:
        shutil.rmtree(trash, ignore_errors=True)
