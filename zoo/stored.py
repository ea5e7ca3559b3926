"""StoredMatrix: a float32 matrix whose rows stay in the embedding cache's segment files until read.

A corpus the cache already holds need not be copied out of it to be searched: a StoredMatrix records
where each row lies (segment, row) and reads rows when asked, by position (``m[positions]``), in
storage-order blocks for a streaming pass (``blocks``), or all at once (``np.asarray(m)``). The
segments are read-only memory maps, so reading maps file pages into the process; ``release`` unmaps
them again (the OS keeps them in its page cache), so that a pass over a large corpus does not stay
counted in the process's resident memory beside a copy of it.
"""

from __future__ import annotations

import mmap
from typing import Any, Iterator, Sequence

import numpy as np

DTYPE = np.dtype("<f4")
IN_PLACE_ROWS = 512  # a run of this many consecutive stored rows is read in place, not gathered


def release_pages(array: np.ndarray) -> None:
    """Unmap the resident pages of a memory-mapped array from this process (a no-op for other arrays).

    ``MADV_DONTNEED`` on a read-only file mapping only drops this process's page-table entries: the
    next read faults the pages back in from the page cache, unchanged.
    """
    mapping = getattr(array, "_mmap", None)  # np.memmap keeps its mmap.mmap here
    if isinstance(mapping, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        try:
            mapping.madvise(mmap.MADV_DONTNEED)
        except (OSError, ValueError):  # a closed mapping, or a platform that refuses: nothing to free
            pass


class StoredMatrix:
    """An (n, dim) float32 matrix: row i is row ``rows[i]`` of ``arrays[segments[i]]``.

    ``arrays`` are 2-D float32 arrays of one width, usually read-only memory maps of cache segments;
    several rows may point at the same stored row (a corpus with repeated texts).
    """

    dtype = DTYPE
    ndim = 2

    def __init__(self, arrays: Sequence[np.ndarray], segments: np.ndarray, rows: np.ndarray) -> None:
        if not arrays:
            raise ValueError("a StoredMatrix needs at least one array to read from")
        self._mapped = tuple(arrays)  # as given: memmaps keep the mapping that release() unmaps
        self._arrays = tuple(np.asarray(array) for array in arrays)  # plain views: slicing a memmap is slow
        self._segments = np.asarray(segments, dtype=np.int32)  # 8 bytes a row for both: 8 MB a million
        self._rows = np.asarray(rows, dtype=np.int32)
        if self._segments.shape != self._rows.shape or self._segments.ndim != 1:
            raise ValueError("segments and rows must be 1-D arrays of one length")
        self.shape = (len(self._rows), int(self._arrays[0].shape[1]))
        self._runs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # storage order, on the first pass

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def nbytes(self) -> int:
        """Bytes of the matrix's values (what a copy in memory would take), not of the files behind it."""
        return self.shape[0] * self.shape[1] * DTYPE.itemsize

    def __getitem__(self, index: Any) -> np.ndarray:
        """The rows at ``index`` (positions of any shape, a slice or one position), read into a new array."""
        where = np.arange(len(self))[index] if isinstance(index, (slice, int, np.integer)) else np.asarray(index)
        if where.dtype.kind not in "iu":
            raise TypeError(f"StoredMatrix rows are indexed by integer positions, not {where.dtype}")
        out = np.empty((where.size, self.shape[1]), dtype=DTYPE)
        self._copy(where.ravel(), out, np.arange(where.size))
        return out.reshape(*where.shape, self.shape[1])

    def take(self, positions: np.ndarray | slice) -> StoredMatrix:
        """The matrix of the given rows, in that order; nothing is read."""
        return StoredMatrix(self._mapped, self._segments[positions], self._rows[positions])

    def copy_to(self, out: np.ndarray, at: np.ndarray | Sequence[int] | None = None) -> None:
        """Write row i into ``out[at[i]]`` (``out[i]`` by default), one segment at a time, releasing each
        segment's pages once copied: the copy is all that stays resident."""
        self.release()
        targets = np.arange(len(self)) if at is None else np.asarray(at, dtype=np.int64)
        self._copy(np.arange(len(self)), out, targets, release=True)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.empty(self.shape, dtype=DTYPE)
        self.copy_to(out)
        return out if dtype is None else out.astype(dtype, copy=False)

    def blocks(self, size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every row once, in blocks of at most ``size`` rows in storage order: (positions, rows).

        Storage order reads each segment front to back. A run of consecutive stored rows long enough
        to be worth it comes as a view of its segment (read in place, nothing copied); shorter runs (rows
        of other tasks in between) and positions repeating a stored row are gathered into one buffer,
        which the next block overwrites: use the rows before asking for the next block.
        """
        order, starts, repeats = self._storage_runs()
        buffer = np.empty((min(size, len(self)), self.shape[1]), dtype=DTYPE)
        gathered: list[np.ndarray] = []  # positions of the rows in the buffer so far
        used = 0
        for first, stop in zip(starts.tolist(), [*starts[1:].tolist(), len(order)]):
            positions = order[first:stop]
            array, row = self._arrays[self._segments[positions[0]]], int(self._rows[positions[0]])
            if len(positions) >= min(size, IN_PLACE_ROWS):
                for start in range(0, len(positions), size):
                    piece = positions[start : start + size]
                    yield piece, array[row + start : row + start + len(piece)]
                continue
            if used + len(positions) > len(buffer):
                yield np.concatenate(gathered), buffer[:used]
                gathered, used = [], 0
            buffer[used : used + len(positions)] = array[row : row + len(positions)]
            gathered.append(positions)
            used += len(positions)
        for start in range(0, len(repeats), size):
            piece = repeats[start : start + size]
            if used + len(piece) > len(buffer):
                yield np.concatenate(gathered), buffer[:used]
                gathered, used = [], 0
            self._copy(piece, buffer[used : used + len(piece)], np.arange(len(piece)))
            gathered.append(piece)
            used += len(piece)
        if used:
            yield np.concatenate(gathered), buffer[:used]

    def release(self) -> None:
        """Unmap the pages read so far from this process (they stay in the OS page cache)."""
        for array in self._mapped:
            release_pages(array)

    def _storage_runs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Storage order, split in two: positions of distinct stored rows, with where each run of
        consecutive rows of one segment starts among them; and positions repeating a row before them."""
        if self._runs is None:
            order = np.lexsort((self._rows, self._segments))
            segments, rows = self._segments[order], self._rows[order]
            repeat = np.r_[False, (np.diff(segments) == 0) & (np.diff(rows) == 0)]
            order, repeats, segments, rows = order[~repeat], order[repeat], segments[~repeat], rows[~repeat]
            breaks = np.flatnonzero((np.diff(segments) != 0) | (np.diff(rows) != 1)) + 1
            self._runs = order, np.r_[0, breaks] if len(order) else breaks, repeats
        return self._runs

    def _copy(self, where: np.ndarray, out: np.ndarray, targets: np.ndarray, release: bool = False) -> None:
        """``out[targets[i]] = row where[i]``, reading each segment once, its rows in file order."""
        order = np.lexsort((self._rows[where], self._segments[where]))
        segments, rows, targets = self._segments[where[order]], self._rows[where[order]], targets[order]
        for first, stop in _runs(segments):
            part = np.empty((stop - first, self.shape[1]), dtype=DTYPE)
            _read(self._arrays[segments[first]], rows[first:stop], part)
            out[targets[first:stop]] = part
            if release:
                release_pages(self._mapped[segments[first]])


def _runs(values: np.ndarray) -> Iterator[tuple[int, int]]:
    """(start, stop) of each run of equal values in a sorted array."""
    cuts = [0, *(np.flatnonzero(np.diff(values)) + 1).tolist(), len(values)]
    return zip(cuts, cuts[1:]) if len(values) else iter(())


def _read(array: np.ndarray, rows: np.ndarray, out: np.ndarray) -> None:
    """``out[:] = array[rows]`` for ascending rows: one slice of the file where they run consecutively."""
    if (np.diff(rows) == 1).all():
        out[...] = array[rows[0] : rows[-1] + 1]
    else:
        np.take(array, rows, axis=0, out=out)
