"""Commits finished vectors into the embedding cache as they come, so a killed run loses only a few seconds.

A commit is one cache segment: a few files and an fsync, ~20 ms on a laptop SSD. Committing every 256 items
would cost a fast encoder (WordLlama, ~50k items/s) thousands of fsyncs a minute; committing every 4,096
lost a slow one (MiniLM on a CPU, ~150 items/s) half a minute of work. So a commit waits for both 256 items
and one second: a kill loses at most max(256 items, one second of work) plus the chunk being encoded, and
commits cost at most ~2% of encoding time. Runs of small segments are merged as they accumulate
(``EmbeddingCache.compact``), so a long run leaves few segments to open.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from zoo.cache import CacheNamespace, EmbeddingCache

COMMIT_ITEMS = 256
COMMIT_SECONDS = 1.0


@dataclass(frozen=True)
class CommitPolicy:
    """Commit once at least ``items`` are pending and ``seconds`` have passed since the last commit."""

    items: int = COMMIT_ITEMS
    seconds: float = COMMIT_SECONDS

    def due(self, pending: int, elapsed: float) -> bool:
        return pending >= self.items and elapsed >= self.seconds


class Committer:
    """Collects (item, vector) pairs for one cache namespace and stores them when the policy says."""

    def __init__(self, cache: EmbeddingCache, namespace: CacheNamespace, policy: CommitPolicy = CommitPolicy(),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.cache = cache
        self.namespace = namespace
        self.policy = policy
        self.clock = clock
        self.committed = 0  # items handed to the cache (it skips those another process stored first)
        self._items: list[Any] = []
        self._vectors: list[np.ndarray] = []
        self._last = clock()

    @property
    def pending(self) -> int:
        return len(self._items)

    def add(self, items: Sequence[Any], vectors: np.ndarray) -> None:
        """Take finished vectors; commit them (with those pending) if the policy says it is time."""
        self._items.extend(items)
        self._vectors.append(vectors)
        if self.policy.due(self.pending, self.clock() - self._last):
            self.flush()

    def flush(self) -> None:
        """Commit what is pending now, and merge small segments once enough have accumulated."""
        if self._items:
            self.cache.store(self.namespace, self._items, np.concatenate(self._vectors))
            self.committed += len(self._items)
            self._items, self._vectors = [], []
            self.cache.compact(self.namespace)
        self._last = self.clock()

    def close(self) -> None:
        self.flush()
