"""MeasuredEncoder: encodes each distinct input once per task, through the disk cache and an engine, timed."""

from __future__ import annotations

from typing import Any, Hashable, Sequence

import numpy as np

from harness.engines import EncodeJob, Engine
from harness.engines.commit import Committer, CommitPolicy
from harness.engines.local import LocalEngine
from zoo.cache import CacheNamespace, EmbeddingCache, cacheable
from zoo.protocols import Encoder, Role


class MeasuredEncoder:
    """An Encoder wrapper for one task: memoised, cached on disk, timed. Counts only real encoding.

    ``engine`` runs the encoding (this process unless told otherwise); ``spec_name`` is the registry name
    that opens the same encoder in another process (default: the encoder's name). Model loading is timed
    apart from encoding (``load_seconds``) for encoders with a ``load()`` method.
    """

    def __init__(self, encoder: Encoder, *, cache: EmbeddingCache | None = None, progress: bool = True,
                 engine: Engine | None = None, spec_name: str | None = None,
                 commit: CommitPolicy = CommitPolicy()) -> None:
        self.encoder = encoder
        self.name = encoder.name
        self.modalities = encoder.modalities
        self.similarity = encoder.similarity
        self.cache = cache
        self.progress = progress
        self.engine: Engine = engine or LocalEngine()
        self.spec_name = spec_name or encoder.name
        self.commit = commit
        self.load_seconds = 0.0
        self.encode_seconds = 0.0
        self.items_encoded = 0
        self.items_cached = 0
        self.items_by_node: dict[str, int] = {}  # where the engine encoded them, when it says (ray)
        self.startup_seconds = 0.0  # the engine's own start-up (ray: starting workers), apart from both
        self._memo: dict[tuple[str, str | None, Hashable], np.ndarray] = {}
        self._fingerprint: str | None = None

    @property
    def dim(self) -> int:
        return self.encoder.dim

    @property
    def n_parameters(self) -> int | None:
        """The encoder's learned weights, where it says (an optional Encoder attribute)."""
        count = getattr(self.encoder, "n_parameters", None)
        return int(count) if count is not None else None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = self.encoder.fingerprint()
        return self._fingerprint

    def encode(
        self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None
    ) -> np.ndarray:
        keys = [(role, instruction, _hashable(item)) for item in inputs]
        todo: dict[Any, Any] = {}
        for key, item in zip(keys, inputs):
            if key not in self._memo and key not in todo:
                todo[key] = item
        if todo:
            self._memo.update(zip(todo, self._vectors(list(todo.values()), role, instruction)))
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[key] for key in keys])

    def _vectors(self, items: list[Any], role: Role, instruction: str | None) -> np.ndarray:
        """From the cache where it has them, else encoded (and stored)."""
        if self.cache is None or not any(cacheable(item) for item in items):
            return self._encode_fresh(items, role, instruction, None)
        namespace = CacheNamespace(self.fingerprint(), role, instruction, encoder_name=self.name)
        found = self.cache.lookup(namespace, items)
        self.items_cached += len(found.hits)
        fresh = None
        if found.misses:
            fresh = self._encode_fresh([items[i] for i in found.misses], role, instruction, namespace)
        return found.assemble(fresh)

    def _encode_fresh(self, items: list[Any], role: Role, instruction: str | None,
                      namespace: CacheNamespace | None) -> np.ndarray:
        """Encoded by the engine, which commits them to the cache as they are finished."""
        sink = None if self.cache is None or namespace is None else Committer(self.cache, namespace, self.commit)
        job = EncodeJob(self.encoder, self.spec_name, items, role, instruction, sink, self.progress)
        try:
            done = self.engine.encode(job)
        finally:
            if sink is not None:
                sink.close()  # also on Ctrl-C: what was encoded is kept
        self.load_seconds += done.load_seconds
        self.encode_seconds += done.encode_seconds
        self.items_encoded += len(items)
        self.startup_seconds += done.startup_seconds
        for node, count in done.items_by_node.items():
            self.items_by_node[node] = self.items_by_node.get(node, 0) + count
        return done.vectors

    def engine_params(self) -> dict[str, Any]:
        """The engine's settings and, where it reports them, the items each node encoded."""
        placed = {"items_by_node": dict(self.items_by_node)} if self.items_by_node else {}
        started = {"startup_seconds": round(self.startup_seconds, 3)} if self.startup_seconds else {}
        return {**self.engine.params(), **placed, **started}


def _hashable(item: Any) -> Hashable:
    if isinstance(item, (str, bytes, int, tuple)):
        return item
    return ("id", id(item))  # unhashable inputs (images, arrays) are encoded per call, not shared
