"""One index searched at several operating points: built once per content, its search options set in between.

A task builds and searches through whatever backend it is given. ``SharedIndex`` is such a backend that
keeps what it builds: building the same vectors, ids and similarity again hands back the index already
built, so evaluating a task once per operating point builds each of its indexes once. Setting a search
option (``set_option``) changes every index held. With a recall target, each index is tuned when it is
first searched, at the depth it is searched (:func:`harness.approximate.tune`), on the task's held-out
queries where ``tuning`` offers them, else on its own documents used as queries.
"""

from __future__ import annotations

import copy
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from harness.approximate import TuningSample, default_ladder, tune
from harness.quantized import QuantizedSearch
from zoo.errors import ZooError
from zoo.plugins import warn
from zoo.protocols import SearchBackend, SearchPoints, Similarity
from zoo.stored import StoredMatrix


def set_search_option(backend: Any, option: str, value: Any) -> None:
    """``setattr`` on the backend that owns the option (through a QuantizedSearch wrapper)."""
    setattr(_inner(backend), option, value)


def search_ladder(backend: Any, option: str, n: int) -> list[Any]:
    """The values of ``option`` worth trying, ascending: the backend's ``search_ladder`` or powers of two."""
    ladder = getattr(_inner(backend), "search_ladder", None)
    return list(ladder(option)) if callable(ladder) else default_ladder(n)


def content_key(vectors: np.ndarray, ids: Sequence[str], similarity: str) -> str:
    """A digest of what an index is built from (vectors byte for byte, ids, similarity)."""
    array = np.ascontiguousarray(vectors)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{similarity}|{array.dtype}|{array.shape}|".encode())
    digest.update(memoryview(array).cast("B"))
    digest.update("\0".join(ids).encode())
    return digest.hexdigest()


@dataclass
class _Index:
    backend: Any
    build_seconds: float
    n: int
    pending: tuple[np.ndarray, list[str], str] | None = None  # what to tune on, until tuned
    tuned: dict[int, dict[str, Any]] = field(default_factory=dict)  # per search depth: what tuning chose


@dataclass
class _Store:
    """What the views of one SharedIndex share: the backends built, the option values set, the counts."""

    make: Callable[[], SearchBackend]
    points: SearchPoints | None
    reference: Callable[[], SearchBackend]
    tuning: Callable[[], TuningSample | None] | None
    keep: bool
    indexes: dict[str, _Index] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    spare: Any = None  # a backend made but not yet built (its name and similarities are read first)
    builds: int = 0


class SharedIndex:
    """A SearchBackend over backends made by ``make``, one per distinct build, kept across evaluations.

    ``reference`` makes the exact backend a recall target is measured against (default: ExactBackend);
    ``tuning`` gives the held-out queries it is met on (called only when tuning; None or returning None:
    the indexed documents, each searched as a query).
    With ``keep=False`` (one evaluation, nothing to share) every build is a fresh one and nothing is
    held beyond the index now searched. A deep copy (a task that copies its backend to build a second
    index) is another view of the same store: its own current index, the same built ones.
    """

    def __init__(
        self,
        make: Callable[[], SearchBackend],
        *,
        points: SearchPoints | None = None,
        reference: Callable[[], SearchBackend] | None = None,
        tuning: Callable[[], TuningSample | None] | None = None,
        keep: bool = True,
    ) -> None:
        self._store = _Store(make, points, reference or _exact, tuning, keep)
        self._current: _Index | None = None
        self._depth = 0  # k of the last search: which tuning the parameters report

    def __deepcopy__(self, memo: dict) -> SharedIndex:
        view = copy.copy(self)  # the same store; a current index of its own, from its own build()
        view._current, view._depth = None, 0
        return view

    @property
    def _prototype(self) -> Any:
        """The backend now searched, or one made (not built) to read its name and settings."""
        store = self._store
        if self._current is not None:
            return self._current.backend
        if store.spare is None:
            store.spare = store.make()
            for option, value in store.settings.items():
                set_search_option(store.spare, option, value)
        return store.spare

    @property
    def name(self) -> str:
        return self._prototype.name

    @property
    def similarities(self) -> Any:
        backend = self._prototype
        return getattr(_inner(backend), "similarities", None)

    @property
    def reads_stored(self) -> bool:
        """Whether the corpus may come as a StoredMatrix (read from the cache's files): where the backend
        streams one and nothing here hashes the vectors (one operating point) or tunes on them."""
        store = self._store
        tuned = store.points is not None and store.points.target_recall is not None
        return not store.keep and not tuned and bool(getattr(self._prototype, "reads_stored", False))

    @property
    def builds(self) -> int:
        """Indexes built so far, through every view."""
        return self._store.builds

    @property
    def build_seconds(self) -> float | None:
        """Seconds the index now searched took to build, when it was first built."""
        return self._current.build_seconds if self._current is not None else None

    def set_option(self, option: str, value: Any) -> None:
        """Search every index, built or still to build, with ``option`` set to ``value``."""
        store = self._store
        store.settings[option] = value
        for backend in [index.backend for index in store.indexes.values()] + [store.spare]:
            if backend is not None:
                set_search_option(backend, option, value)

    def params(self) -> dict[str, Any]:
        """The current index's settings, the search option operating points vary, what tuning chose."""
        backend = self._prototype
        points = self._store.points
        options = tuple(getattr(_inner(backend), "search_options", ()))
        option = points.option if points is not None else options[0] if options else None
        tuned = self._current.tuned.get(self._depth, {}) if self._current is not None else {}
        return {**backend.params(), **({"search_option": option} if option else {}), **tuned}

    def nbytes(self) -> int | None:
        nbytes = getattr(self._prototype, "nbytes", None)
        return nbytes() if callable(nbytes) else None

    def __len__(self) -> int:
        return self._current.n if self._current is not None else 0

    def build(self, vectors: np.ndarray | StoredMatrix, ids: Sequence[str], similarity: Similarity) -> None:
        store = self._store
        ids = list(ids)
        key = content_key(vectors, ids, similarity) if store.keep else ""
        if not store.keep:
            store.indexes.clear()
        if key not in store.indexes:
            backend, store.spare = store.spare if store.spare is not None else store.make(), None
            for option, value in store.settings.items():
                set_search_option(backend, option, value)
            start = time.perf_counter()
            backend.build(vectors, ids, similarity)
            index = _Index(backend, time.perf_counter() - start, len(ids))
            if store.points is not None and store.points.target_recall is not None:
                index.pending = (vectors, ids, similarity)
            store.indexes[key] = index
            store.builds += 1
        self._current = store.indexes[key]

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        index = self._current
        if index is None:
            raise ZooError(f"{self.name} backend: call build() before search()")
        points = self._store.points
        if index.pending is not None and points is not None:
            if k not in index.tuned:
                self._tune(index, k)
            set_search_option(index.backend, points.option, index.tuned[k][points.option])
        self._depth = k
        return index.backend.search(queries, k)

    def _tune(self, index: _Index, k: int) -> None:
        """Record (and set) the smallest ladder value that reaches the recall target at depth k."""
        points = self._store.points
        assert points is not None and points.target_recall is not None and index.pending is not None
        vectors, ids, similarity = index.pending
        held_out = self._store.tuning() if self._store.tuning is not None else None
        sample = held_out if held_out is not None else TuningSample.documents(vectors, ids)
        reference = self._store.reference()
        reference.build(vectors, ids, similarity)
        truth = sample.neighbours(reference, k)
        ladder = search_ladder(index.backend, points.option, len(ids))
        value, recall = tune(
            index.backend, points.option, ladder, points.target_recall, truth, sample, k, set_search_option
        )
        if recall < points.target_recall:
            warn(
                f"{self.name}: no {points.option} up to {value} reaches recall@{k} {points.target_recall} on "
                f"{sample.describe()} (it reaches {recall:.4f}); searching at {points.option}={value}"
            )
        index.tuned[k] = {
            points.option: value,
            "target_recall": points.target_recall,
            "tuned_recall": recall,
            "tuned_on": sample.describe(),
        }


def _inner(backend: Any) -> Any:
    return backend.backend if isinstance(backend, QuantizedSearch) else backend


def _exact() -> SearchBackend:
    from harness.backends.exact import ExactBackend

    return ExactBackend()
