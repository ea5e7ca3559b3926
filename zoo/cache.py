"""A content-addressed embedding cache: an input is encoded once per encoder fingerprint, role and instruction.

Layout: ``<root>/v1/<encoder fingerprint>/<role>.<instruction digest>/seg-<time>-<uuid>/`` holding
``keys.npy`` (n x 16 uint8: blake2b of each item), ``vectors.npy`` (n x dim float32) and ``header.json``
(namespace, dim, count, dtype, checksum). Segments are append-only and never pickled: each ``store`` builds
one in a temporary folder and renames it into place, so readers never see half a segment and concurrent
writers never clobber each other. A segment that fails its checks is removed with a warning and its items
count as misses, so they are recomputed. Only ``str`` and ``bytes`` items are cacheable.

Writers that commit often (every few seconds, so that a killed run loses little) leave many small segments;
``compact`` merges each run of them into one segment named to sort where the run's first one did, so every
key keeps the copy that won before. The merged segment is in place before the small ones are removed, and a
reader that finds a listed segment gone lists the folder again, so readers never miss an item.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from zoo.plugins import warn
from zoo.stored import StoredMatrix, release_pages

ENV_VAR = "ZOO_CACHE_HOME"
FORMAT = 1
KEY_BYTES = 16
DTYPE = np.dtype("<f4")
STALE_TMP_SECONDS = 3600  # a writer's temporary folder older than this was left by a crash
COMPACT_BELOW = 4096  # rows: a segment smaller than this is small
COMPACT_AT = 16  # contiguous small segments that are merged into one
COMPACT_MAX_BYTES = 256 << 20  # vector bytes per merged segment: bounds the memory a merge takes
OPEN_ATTEMPTS = 3  # listings of a folder whose segments vanish while they are opened (a merge, a clear)
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def cache_home() -> Path:
    """``$ZOO_CACHE_HOME`` if set, else ``~/.cache/embedding-zoo/embeddings``."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "embedding-zoo" / "embeddings"


def cacheable(item: Any) -> bool:
    return isinstance(item, (str, bytes))


def item_key(item: str | bytes) -> bytes:
    """16-byte digest of an item's content; the type tag keeps ``"a"`` and ``b"a"`` apart."""
    data = b"s" + item.encode("utf-8", "surrogatepass") if isinstance(item, str) else b"b" + bytes(item)
    return hashlib.blake2b(data, digest_size=KEY_BYTES).digest()


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _checksum(keys: np.ndarray, vectors: np.ndarray) -> str:
    """sha256 over the raw bytes: with SHA-NI it hashes ~1 GB/s, about twice blake2b."""
    hasher = hashlib.sha256(memoryview(keys))
    hasher.update(memoryview(vectors))
    return "sha256:" + hasher.hexdigest()


def _safe(name: str) -> str:
    """A folder name: the name itself when harmless, else a digest of it."""
    return name if _SAFE_NAME.fullmatch(name) else "_" + _digest(name)


@dataclass(frozen=True)
class CacheNamespace:
    """What besides the item decides its vector. ``encoder_name`` is a display label only."""

    encoder_fingerprint: str
    role: str
    instruction: str | None = None
    encoder_name: str = field(default="", compare=False)

    def relpath(self) -> Path:
        instruction = "none" if self.instruction is None else _digest(self.instruction)[:16]
        return Path(_safe(self.encoder_fingerprint)) / f"{_safe(self.role)}.{instruction}"

    def identity(self) -> dict[str, Any]:
        return {"encoder": self.encoder_fingerprint, "role": self.role, "instruction": self.instruction}


@dataclass(frozen=True)
class NamespaceInfo:
    namespace: CacheNamespace
    entries: int  # rows stored; an item two processes encoded at once counts twice
    dim: int | None
    bytes: int
    segments: int


@dataclass
class CacheLookup:
    """The outcome of ``lookup``: which items are cached and which still need encoding.

    The hits' vectors stay in the segment files (``stored``) until read: ``assemble`` copies them once,
    straight into the result.
    """

    n: int
    hits: list[int]
    misses: list[int]
    stored: StoredMatrix | None = field(default=None, repr=False)  # the hits' vectors, in hit order

    @property
    def vectors(self) -> np.ndarray | None:
        """The hits' vectors in hit order, (len(hits), dim) float32: a private copy."""
        return None if self.stored is None else np.asarray(self.stored)

    def assemble(self, fresh: np.ndarray | None) -> np.ndarray:
        """All n vectors in item order, given the vectors encoded for ``misses`` (in that order).

        With no hits, the fresh vectors are the result themselves (no copy).
        """
        got = 0 if fresh is None else len(fresh)
        if len(self.misses) != got:
            raise ValueError(f"{len(self.misses)} misses but {got} fresh vectors")
        if self.stored is None and fresh is None:
            raise ValueError("nothing to assemble: no hits and no fresh vectors")
        if self.stored is None:
            assert fresh is not None
            return np.ascontiguousarray(fresh, dtype=DTYPE)
        out = np.empty((self.n, self.stored.shape[1]), dtype=DTYPE)
        self.stored.copy_to(out, self.hits)
        if self.misses:
            out[self.misses] = fresh
        return out


class CorruptSegment(Exception):
    """A segment that failed a check: never used, removed by the reader that finds it."""


@dataclass
class _Segment:
    name: str
    keys: np.ndarray
    vectors: np.ndarray  # a read-only memmap


@dataclass
class _Index:
    segments: list[_Segment] = field(default_factory=list)
    rows: dict[bytes, int] = field(default_factory=dict)  # key -> segment << 32 | row; first wins
    dim: int | None = None

    def add(self, segment: _Segment) -> None:
        self.dim = self.dim or segment.vectors.shape[1]
        base = len(self.segments) << 32  # one int per key, not a tuple: a million keys cost ~100 MB less
        self.segments.append(segment)
        buffer = segment.keys.tobytes()
        for row in range(len(segment.keys)):
            self.rows.setdefault(buffer[row * KEY_BYTES : (row + 1) * KEY_BYTES], base | row)


class EmbeddingCache:
    """Keep one instance per process: it remembers which segments it has already verified."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else cache_home()
        self._indexes: dict[CacheNamespace, _Index] = {}

    @property
    def base(self) -> Path:
        return self.root / f"v{FORMAT}"

    def lookup(self, namespace: CacheNamespace, items: Sequence[Any]) -> CacheLookup:
        index = self._index(namespace)
        found = [index.rows.get(item_key(item)) if cacheable(item) else None for item in items]
        hits = [i for i, where in enumerate(found) if where is not None]
        misses = [i for i, where in enumerate(found) if where is None]
        return CacheLookup(len(items), hits, misses, _located(index, [found[i] for i in hits]))

    def store(self, namespace: CacheNamespace, items: Sequence[Any], vectors: np.ndarray) -> int:
        """Add the vectors of cacheable items not cached yet; returns how many rows were written."""
        vectors = np.ascontiguousarray(vectors, dtype=DTYPE)
        if vectors.ndim != 2 or len(vectors) != len(items):
            raise ValueError(f"need one row per item: {len(items)} items, vectors of shape {vectors.shape}")
        index = self._index(namespace)
        if index.dim is not None and vectors.shape[1] != index.dim:
            raise ValueError(f"{namespace} holds {index.dim}-d vectors, got {vectors.shape[1]}-d")
        keys: dict[bytes, int] = {}
        for i, item in enumerate(items):
            if cacheable(item):
                key = item_key(item)
                if key not in index.rows:
                    keys.setdefault(key, i)
        if not keys:
            return 0
        key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, KEY_BYTES)
        new = vectors if len(keys) == len(vectors) else vectors[list(keys.values())]  # all new: no copy
        try:
            folder = self._write_segment(namespace, key_array, new)
            index.add(_open_segment(folder, namespace, verify=False))  # we just hashed it
        except (OSError, CorruptSegment) as exc:  # a full disk or a concurrent clear must not fail a run
            warn(f"embedding cache: could not store {len(keys)} vectors in {self.base}: {exc}")
            return 0
        return len(keys)

    def info(self) -> list[NamespaceInfo]:
        folders = sorted(self.base.glob("[!.]*/[!.]*"))  # not the .trash-/.tmp- of a clear or a write
        return [self._info(folder) for folder in folders if folder.is_dir()]

    def clear(self, encoder_fingerprint: str | None = None) -> int:
        """Delete one encoder's namespaces, or everything; returns the bytes freed."""
        target = self.base if encoder_fingerprint is None else self.base / _safe(encoder_fingerprint)
        freed = _tree_bytes(target)
        _remove(target)
        self._indexes = {
            ns: ix for ns, ix in self._indexes.items() if encoder_fingerprint not in (None, ns.encoder_fingerprint)
        }
        return freed

    def total_bytes(self) -> int:
        return _tree_bytes(self.base)

    def _index(self, namespace: CacheNamespace) -> _Index:
        """The namespace's index, refreshed with the segments other processes added (or merged) since."""
        for _ in range(OPEN_ATTEMPTS):
            index, complete = self._refresh(namespace)
            if complete:
                break
        return index

    def _refresh(self, namespace: CacheNamespace) -> tuple[_Index, bool]:
        """The index over the folder as listed now, and False if a listed segment vanished meanwhile."""
        index = self._indexes.setdefault(namespace, _Index())
        folder = self.base / namespace.relpath()
        names = sorted(p.name for p in folder.glob("seg-*")) if folder.is_dir() else []
        known = [segment.name for segment in index.segments]
        if names == known:
            return index, True
        if names[: len(known)] != known:
            # a segment vanished or sorts before a known one: rebuild in name order, so that every
            # process agrees on which copy of a key wins
            opened = {segment.name: segment for segment in index.segments}
            index = self._indexes[namespace] = _Index()
        else:
            opened, names = {}, names[len(known) :]
        complete = True
        for name in names:
            if name in opened:
                index.add(opened[name])
            else:
                complete = self._open_into(index, folder / name, namespace) and complete
        return index, complete

    def _open_into(self, index: _Index, folder: Path, namespace: CacheNamespace) -> bool:
        """Add one segment to the index; False if it is gone (merged or cleared since it was listed)."""
        try:
            segment = _open_segment(folder, namespace)
            if index.dim is not None and segment.vectors.shape[1] != index.dim:
                raise CorruptSegment(f"{segment.vectors.shape[1]}-d vectors among {index.dim}-d ones")
        except CorruptSegment as exc:
            if not folder.exists():
                return False
            warn(f"embedding cache: removed corrupt segment {folder} ({exc}); its items will be recomputed")
            _remove(folder)
            return True
        index.add(segment)
        return True

    def compact(self, namespace: CacheNamespace) -> int:
        """Merge each run of ``COMPACT_AT`` or more contiguous small segments; returns segments removed.

        One process merges a namespace at a time (others skip); a merge keeps the first copy of each key.
        """
        runs = _small_runs(self._index(namespace).segments)
        if not runs:
            return 0
        folder = self.base / namespace.relpath()
        removed = 0
        with _exclusive(folder / ".compact.lock") as locked:
            if not locked:
                return 0
            for run in _small_runs(self._index(namespace).segments):  # as it is now no one else merges
                removed += self._merge(namespace, run)
        return removed

    def _merge(self, namespace: CacheNamespace, run: list[_Segment]) -> int:
        keys = np.concatenate([segment.keys for segment in run])
        _, first = np.unique(keys.view(f"V{KEY_BYTES}").ravel(), return_index=True)
        keep = np.sort(first)  # the first copy of a key wins, as it does in the index
        vectors = np.concatenate([segment.vectors for segment in run])[keep]
        for segment in run:
            release_pages(segment.vectors)  # read once to merge: not kept resident while the run goes on
        try:
            self._write_segment(
                namespace, np.ascontiguousarray(keys[keep]), vectors, name=f"{run[0].name}-{uuid.uuid4().hex[:8]}"
            )  # sorts just after run[0]
        except OSError as exc:
            warn(f"embedding cache: could not merge {len(run)} segments in {self.base}: {exc}")
            return 0
        for segment in run:
            _remove(self.base / namespace.relpath() / segment.name)
        return len(run)

    def _write_segment(
        self, namespace: CacheNamespace, keys: np.ndarray, vectors: np.ndarray, name: str | None = None
    ) -> Path:
        parent = self.base / namespace.relpath()
        parent.mkdir(parents=True, exist_ok=True)
        _sweep_stale(parent)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=parent))
        try:
            _save(tmp / "keys.npy", keys)
            _save(tmp / "vectors.npy", vectors)
            header = {
                "format": FORMAT,
                **namespace.identity(),
                "encoder_name": namespace.encoder_name,
                "dim": int(vectors.shape[1]),
                "count": len(keys),
                "dtype": DTYPE.str,
                "checksum": _checksum(keys, vectors),
            }
            with open(tmp / "header.json", "w", encoding="utf-8") as fh:
                json.dump(header, fh, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            final = parent / (name or f"seg-{time.time_ns():020d}-{uuid.uuid4().hex[:12]}")
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _fsync_dir(parent)
        return final

    def _info(self, folder: Path) -> NamespaceInfo:
        namespace, dim, entries, segments = None, None, 0, 0
        for header_path in sorted(folder.glob("seg-*/header.json")):
            try:
                header = _read_header(header_path)
            except CorruptSegment:
                continue
            namespace = namespace or CacheNamespace(
                header["encoder"], header["role"], header["instruction"], header.get("encoder_name", "")
            )
            dim, entries, segments = dim or header["dim"], entries + header["count"], segments + 1
        if namespace is None:  # nothing readable: name it after its folders
            namespace = CacheNamespace(folder.parent.name, folder.name.split(".")[0], None)
        return NamespaceInfo(namespace, entries, dim, _tree_bytes(folder), segments)


def _small_runs(segments: list[_Segment]) -> list[list[_Segment]]:
    """Runs of at least COMPACT_AT contiguous small segments, each cut to COMPACT_MAX_BYTES of vectors."""
    runs: list[list[_Segment]] = []
    current: list[_Segment] = []
    size = 0
    for segment in [*segments, None]:
        small = segment is not None and len(segment.keys) < COMPACT_BELOW
        if small and size + segment.vectors.nbytes <= COMPACT_MAX_BYTES:
            current.append(segment)
            size += segment.vectors.nbytes
            continue
        if len(current) >= COMPACT_AT:
            runs.append(current)
        current, size = ([segment], segment.vectors.nbytes) if small else ([], 0)
    return runs


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[bool]:
    """An advisory lock held while the block runs, or False at once if another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: no merging rather than merging unguarded
        yield False
        return
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _located(index: _Index, where: list[int]) -> StoredMatrix | None:
    """The located rows as a matrix that reads them from the segments' memmaps when asked, in the order given."""
    if not where:
        return None
    located = np.asarray(where, dtype=np.int64)
    return StoredMatrix([segment.vectors for segment in index.segments], located >> 32, located & 0xFFFFFFFF)


def _save(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as fh:
        np.save(fh, array, allow_pickle=False)
        fh.flush()
        os.fsync(fh.fileno())


def _read_header(path: Path) -> dict[str, Any]:
    try:
        header = json.loads(path.read_text(encoding="utf-8"))
        if header["format"] != FORMAT or header["dtype"] != DTYPE.str:
            raise CorruptSegment(f"unknown format {header['format']!r} or dtype {header['dtype']!r}")
        if not (isinstance(header["dim"], int) and isinstance(header["count"], int) and header["dim"] > 0):
            raise CorruptSegment("bad dim or count")
        return header
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorruptSegment(f"unreadable header: {exc}") from None


def _open_segment(folder: Path, namespace: CacheNamespace, verify: bool = True) -> _Segment:
    """Load and check one segment; raises CorruptSegment on any mismatch."""
    header = _read_header(folder / "header.json")
    if {k: header.get(k) for k in ("encoder", "role", "instruction")} != namespace.identity():
        raise CorruptSegment("header names another namespace")
    keys = _load(folder / "keys.npy", np.dtype(np.uint8), (header["count"], KEY_BYTES))
    vectors = _load(folder / "vectors.npy", DTYPE, (header["count"], header["dim"]))
    if verify:
        checksum = _checksum(keys, vectors)
        release_pages(vectors)  # hashing read every page: readers map back only the rows they use
        if checksum != header["checksum"]:
            raise CorruptSegment("checksum mismatch")
    return _Segment(folder.name, keys, vectors)


def _load(path: Path, dtype: np.dtype, shape: tuple[int, int]) -> np.ndarray:
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
        size = path.stat().st_size
    except (OSError, ValueError, EOFError) as exc:
        raise CorruptSegment(f"{path.name}: {exc}") from None
    if array.dtype != dtype or array.shape != shape or not array.flags.c_contiguous:
        raise CorruptSegment(f"{path.name}: {array.dtype} {array.shape}, expected {dtype} {shape}")
    if size != array.offset + array.nbytes:
        raise CorruptSegment(f"{path.name}: {size} bytes on disk, expected {array.offset + array.nbytes}")
    return array


def _tree_bytes(path: Path) -> int:
    total = 0
    for file in path.rglob("*") if path.is_dir() else []:
        try:
            total += file.stat().st_size if file.is_file() else 0
        except OSError:
            pass  # removed meanwhile
    return total


def _remove(path: Path) -> None:
    """Rename aside first, so another process never sees a half-deleted folder."""
    if not path.exists():
        return
    trash = path.with_name(f".trash-{uuid.uuid4().hex}")
    try:
        os.rename(path, trash)
    except OSError:
        return  # another process removed it first
    shutil.rmtree(trash, ignore_errors=True)


def _sweep_stale(parent: Path) -> None:
    for tmp in parent.glob(".tmp-*"):
        try:
            if time.time() - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass


def _fsync_dir(path: Path) -> None:
    """Make the rename durable; directories cannot be opened on Windows, where this is skipped."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
