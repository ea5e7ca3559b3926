"""Paths made from data (task names, model names, revisions, archive members) that stay in their folder.

A name that comes from data is never trusted as a path: ``component`` turns it into one safe file or
folder name (no separators, no ``..``, no leading dot, bounded length, a hash suffix where it had to
change so that two names never collide), and ``inside`` joins components under a folder and refuses,
as a last check, any result that resolves outside it. ``extract_zip`` unpacks an archive under the same
rule, with bounds on the total size, the compression ratio and the number of members.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path
from typing import BinaryIO

from zoo.errors import DataError, ZooError

MAX_COMPONENT = 120
UNSAFE = re.compile(r"[^A-Za-z0-9._=+-]+")
MAX_ZIP_BYTES = 20 * 2**30  # unpacked: MMEB's image archive is about 2 GB
MAX_ZIP_RATIO = 200  # a member unpacking to 200x its compressed size is a zip bomb, not images or text
MAX_ZIP_MEMBERS = 1_000_000


def component(name: str) -> str:
    """One safe path component for ``name``: itself where it is already safe, else a cleaned form plus a
    short hash of the original (``../x`` -> ``x-1a2b3c4d``), so that distinct names stay distinct."""
    cleaned = UNSAFE.sub("_", name).strip("._") or "unnamed"
    if cleaned == name and len(name) <= MAX_COMPONENT:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned[: MAX_COMPONENT - 9]}-{digest}"


def inside(folder: Path | str, *parts: str) -> Path:
    """``folder / part / ...`` with each part made a safe component; refuses a path outside ``folder``."""
    path = Path(folder).joinpath(*(component(part) for part in parts))
    return checked_inside(folder, path)


def checked_inside(folder: Path | str, path: Path | str) -> Path:
    """``path`` itself if it lies inside ``folder`` (both resolved); a ZooError otherwise."""
    root, target = Path(folder).resolve(), Path(path).resolve()
    if target != root and root not in target.parents:
        raise ZooError(f"refusing to write {path}: it lies outside {folder}")
    return Path(path)


def extract_zip(
    archive: Path | str,
    folder: Path | str,
    *,
    max_bytes: int = MAX_ZIP_BYTES,
    max_ratio: float = MAX_ZIP_RATIO,
    max_members: int = MAX_ZIP_MEMBERS,
) -> list[Path]:
    """Unpack ``archive`` under ``folder``: every member checked first (no absolute paths, no ``..``, no
    links, the total unpacked size, each member's compression ratio and the member count bounded), then
    copied with the bytes counted as they come, so a header that lies about sizes cannot overrun."""
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{archive}: not a readable zip archive ({exc}); fetch it again") from None
    with zipped:
        members = [m for m in zipped.infolist() if not m.is_dir()]
        _check_members(archive, folder, members, max_bytes, max_ratio, max_members)
        written, budget = [], max_bytes
        for member in members:
            target = checked_inside(folder, Path(folder) / member.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zipped.open(member) as source, open(target, "wb") as sink:
                    budget -= _copy_bounded(source, sink, min(budget, member.file_size), archive, member.filename)
            except zipfile.BadZipFile as exc:  # a bad CRC, or a stream longer than its header says
                raise DataError(f"{archive}: member {member.filename!r} is damaged ({exc}); fetch it again") from None
            written.append(target)
    return written


def _check_members(
    archive: Path | str,
    folder: Path | str,
    members: list[zipfile.ZipInfo],
    max_bytes: int,
    max_ratio: float,
    max_members: int,
) -> None:
    if len(members) > max_members:
        raise DataError(f"{archive}: {len(members)} members, more than {max_members}; refusing to unpack it")
    total = 0
    for member in members:
        name = member.filename
        if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
            raise DataError(f"{archive}: member {name!r} would unpack outside {folder}; refusing the archive")
        if (member.external_attr >> 16) & 0o170000 == 0o120000:
            raise DataError(f"{archive}: member {name!r} is a symbolic link; refusing the archive")
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > max_ratio:
            raise DataError(
                f"{archive}: member {name!r} unpacks to {ratio:.0f}x its compressed size "
                f"(limit {max_ratio:.0f}x), a zip bomb; refusing the archive"
            )
        total += member.file_size
    if total > max_bytes:
        raise DataError(
            f"{archive}: unpacks to {total:,} bytes, more than the limit of {max_bytes:,}; refusing the archive"
        )


def _copy_bounded(source: BinaryIO, sink: BinaryIO, limit: int, archive: Path | str, name: str) -> int:
    copied = 0
    while chunk := source.read(2**20):
        copied += len(chunk)
        if copied > limit:
            raise DataError(
                f"{archive}: member {name!r} unpacks to more bytes than its header says; refusing the archive"
            )
        sink.write(chunk)
    return copied
