"""Commits finished vectors into the embedding cache as they come, so a killed run loses only a moment's work.

A commit is one cache segment: a few files and an fsync, ~20 ms on a laptop SSD. Done in the encoding
thread, committing every 256 items would cost a fast encoder (WordLlama, ~13k items/s on two cores) a fifth
of its time, and committing every second lost it 13k items. So commits happen on a writer thread that runs
beside the encoder: it stores what is pending once at least 256 items wait and a quarter of a second has
passed since its last commit. Encoding never waits for the disk, and a kill loses at most what was encoded
during one commit plus the chunk in hand: ~256 items for a slow encoder, a quarter of a second of work for a
fast one. Runs of small segments are merged as they accumulate (``EmbeddingCache.compact``, on the same
thread), so a long run leaves few segments to open.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from zoo.cache import CacheNamespace, EmbeddingCache

COMMIT_ITEMS = 256
COMMIT_SECONDS = 0.25
PENDING_BYTES = 64 << 20  # an encoder faster than the disk waits here rather than holding its output twice


@dataclass(frozen=True)
class CommitPolicy:
    """Commit once at least ``items`` are pending and ``seconds`` have passed since the last commit began."""

    items: int = COMMIT_ITEMS
    seconds: float = COMMIT_SECONDS
    max_pending_bytes: int = PENDING_BYTES  # ``add`` waits while more than this waits for the writer

    def due(self, pending: int, elapsed: float) -> bool:
        return pending >= self.items and elapsed >= self.seconds


class Committer:
    """Collects (item, vector) pairs for one cache namespace; a writer thread stores them when the policy
    says. ``flush`` and ``close`` return once everything handed over is stored; an error on the writer
    thread is raised in the caller's thread at its next call."""

    def __init__(
        self,
        cache: EmbeddingCache,
        namespace: CacheNamespace,
        policy: CommitPolicy = CommitPolicy(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cache = cache
        self.namespace = namespace
        self.policy = policy
        self.clock = clock
        self.committed = 0  # items handed to the cache (it skips those another process stored first)
        self._items: list[Any] = []
        self._vectors: list[np.ndarray] = []
        self._bytes = 0  # of the vectors in _vectors
        self._last = clock()
        self._in_flight = 0  # items the writer is storing now
        self._wanted = 0  # flush requests made; the writer answers each by emptying what is pending
        self._answered = 0
        self._closing = False
        self._failure: BaseException | None = None
        self._changed = threading.Condition()
        self._writer = threading.Thread(target=self._write, name=f"zoo-commit-{namespace.role}", daemon=True)
        self._writer.start()

    @property
    def pending(self) -> int:
        """Items handed over and not yet committed (those on their way to the disk included)."""
        with self._changed:
            return len(self._items) + self._in_flight

    def add(self, items: Sequence[Any], vectors: np.ndarray) -> None:
        """Hand over finished vectors; the writer commits them (with those pending) when the policy says.
        Waits while the writer is more than ``max_pending_bytes`` behind."""
        with self._changed:
            self._raise_failure()
            self._items.extend(items)
            self._vectors.append(vectors)
            self._bytes += vectors.nbytes
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._bytes <= self.policy.max_pending_bytes or self._failure is not None)

    def flush(self) -> None:
        """Commit what is pending now and wait until it is stored (and small segments merged)."""
        with self._changed:
            self._raise_failure()
            self._wanted += 1
            wanted = self._wanted
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._answered >= wanted or self._failure is not None)
            self._raise_failure()

    def close(self) -> None:
        """Store everything handed over, then stop the writer."""
        try:
            self.flush()
        finally:
            with self._changed:
                self._closing = True
                self._changed.notify_all()
            self._writer.join()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _write(self) -> None:
        """The writer thread: wait until a commit is due or asked for, take what is pending, store it."""
        while True:
            with self._changed:
                self._changed.wait_for(self._ready, timeout=self._wait_left())
                if self._closing and self._answered >= self._wanted:
                    return
                if not self._ready():
                    continue  # the policy's time came round: check again
                answering = self._wanted
                items, vectors = self._items, self._vectors
                self._items, self._vectors, self._bytes = [], [], 0
                self._in_flight = len(items)
                self._last = self.clock()
            try:
                self._store(items, vectors)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread, raised there
                with self._changed:
                    self._failure = exc
            with self._changed:
                self._in_flight = 0
                self._answered = max(self._answered, answering)
                self._changed.notify_all()

    def _ready(self) -> bool:
        return (
            self._closing
            or self._answered < self._wanted
            or self._bytes > self.policy.max_pending_bytes
            or self.policy.due(len(self._items), self.clock() - self._last)
        )

    def _wait_left(self) -> float | None:
        """How long until the policy's time comes round, where enough items wait for it (else an add wakes us)."""
        if len(self._items) < self.policy.items:
            return None
        return max(0.0, self.policy.seconds - (self.clock() - self._last))

    def _store(self, items: list[Any], vectors: list[np.ndarray]) -> None:
        if items:
            self.cache.store(self.namespace, items, np.concatenate(vectors))
            self.committed += len(items)
            self.cache.compact(self.namespace)
