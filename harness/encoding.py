"""MeasuredEncoder: encodes each distinct input once per task, through the disk cache and an engine, timed."""

from __future__ import annotations

from typing import Any, Hashable, Sequence

import numpy as np

from harness.engines import EncodeJob, Engine
from harness.engines.commit import Committer, CommitPolicy
from harness.engines.local import LocalEngine
from zoo.cache import CacheNamespace, EmbeddingCache, cacheable
from zoo.protocols import ApiUsage, Encoder, Role
from zoo.stored import StoredMatrix

CallKey = tuple[str, str | None, tuple[Hashable, ...]]  # role, instruction, the inputs


class MeasuredEncoder:
    """An Encoder wrapper for one task: memoised, cached on disk, timed. Counts only real encoding.

    ``engine`` runs the encoding (this process unless told otherwise); ``spec_name`` is the registry name
    that opens the same encoder in another process (default: the encoder's name). Model loading is timed
    apart from encoding (``load_seconds``) for encoders with a ``load()`` method.
    """

    def __init__(
        self,
        encoder: Encoder,
        *,
        cache: EmbeddingCache | None = None,
        progress: bool = True,
        engine: Engine | None = None,
        spec_name: str | None = None,
        commit: CommitPolicy = CommitPolicy(),
    ) -> None:
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
        # what a served model's answers cost in this run (0 when all came from the cache); None where the
        # encoder is not served, its server counts no tokens, or another process's copy did the calls (ray)
        served = callable(getattr(encoder, "api_usage", None))
        self.api_tokens: int | None = 0 if served else None
        self.api_cost_usd: float | None = 0.0 if served else None
        self._memo: dict[CallKey, np.ndarray | StoredMatrix] = {}  # whole calls: no per-row copies
        self._pinned: list[Sequence[Any]] = []
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

    def encode(self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None) -> np.ndarray:
        """(n, dim) float32, read-only. Each distinct input of a call is encoded (or read from the cache)
        once; the same call again (fitting a chain on the corpus, then searching it) returns the same array."""
        key = _call_key(inputs, role, instruction)
        known = self._memo.get(key)
        if isinstance(known, np.ndarray):
            return known
        if known is not None:  # a StoredMatrix: this caller needs the vectors in memory
            return self._remember(key, inputs, np.asarray(known))
        items = list(inputs)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        unique, inverse = _distinct(items, key[2])
        vectors = self._vectors(unique, role, instruction)
        return self._remember(key, inputs, vectors if inverse is None else vectors[inverse])

    def encode_stored(
        self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None
    ) -> np.ndarray | StoredMatrix:
        """``encode``'s vectors, left in the embedding cache where every input is cacheable: a StoredMatrix
        reading rows on demand, for a search that streams the corpus instead of holding it in memory."""
        items = list(inputs)
        if self.cache is None or not items or not all(cacheable(item) for item in items):
            return self.encode(items, role=role, instruction=instruction)
        key = _call_key(items, role, instruction)
        known = self._memo.get(key)
        if known is not None:
            return known
        unique, inverse = _distinct(items, key[2])
        stored = self._stored(unique, role, instruction)
        if stored is None:  # the cache could not keep them (a full disk): hold them in memory
            return self.encode(items, role=role, instruction=instruction)
        self._memo[key] = stored if inverse is None else stored.take(inverse)
        return self._memo[key]

    def _remember(self, key: CallKey, inputs: Sequence[Any], vectors: np.ndarray) -> np.ndarray:
        """Memoise a call's vectors as a read-only view: every caller gets the same array, none can change it."""
        view = vectors.view()
        view.flags.writeable = False
        self._memo[key] = view
        if any(isinstance(k, tuple) and k[:1] == ("id",) for k in key[2]):
            self._pinned.append(inputs)  # keyed by id(): keep the objects alive so no other takes their ids
        return view

    def _vectors(self, items: list[Any], role: Role, instruction: str | None) -> np.ndarray:
        """From the cache where it has them, else encoded (and stored): one array, nothing copied twice."""
        if self.cache is None or not any(cacheable(item) for item in items):
            return self._encode_fresh(items, role, instruction, None)
        namespace = CacheNamespace(self.fingerprint(), role, instruction, encoder_name=self.name)
        found = self.cache.lookup(namespace, items)
        self.items_cached += len(found.hits)
        fresh = None
        if found.misses:
            fresh = self._encode_fresh([items[i] for i in found.misses], role, instruction, namespace)
        return found.assemble(fresh)

    def _stored(self, items: list[Any], role: Role, instruction: str | None) -> StoredMatrix | None:
        """The items' vectors as a StoredMatrix, encoding (and storing) those the cache lacks; None if the
        cache could not store them."""
        assert self.cache is not None
        namespace = CacheNamespace(self.fingerprint(), role, instruction, encoder_name=self.name)
        found = self.cache.lookup(namespace, items)
        self.items_cached += len(found.hits)
        if found.misses:
            self._encode_fresh([items[i] for i in found.misses], role, instruction, namespace)
            found = self.cache.lookup(namespace, items)
        return None if found.misses else found.stored

    def _encode_fresh(
        self, items: list[Any], role: Role, instruction: str | None, namespace: CacheNamespace | None
    ) -> np.ndarray:
        """Encoded by the engine, which commits them to the cache as they are finished."""
        sink = None if self.cache is None or namespace is None else Committer(self.cache, namespace, self.commit)
        job = EncodeJob(self.encoder, self.spec_name, items, role, instruction, sink, self.progress)
        before = self._api_usage()
        try:
            done = self.engine.encode(job)
        finally:
            if sink is not None:
                sink.close()  # also on Ctrl-C: what was encoded is kept
            self._count_api(before, self._api_usage())
        self.load_seconds += done.load_seconds
        self.encode_seconds += done.encode_seconds
        self.items_encoded += len(items)
        self.startup_seconds += done.startup_seconds
        for node, count in done.items_by_node.items():
            self.items_by_node[node] = self.items_by_node.get(node, 0) + count
        return done.vectors

    def _api_usage(self) -> ApiUsage | None:
        usage = getattr(self.encoder, "api_usage", None)
        return usage() if callable(usage) else None

    def _count_api(self, before: ApiUsage | None, after: ApiUsage | None) -> None:
        """Add what the engine's calls cost; unknown from then on where a count or a price is missing."""
        if before is None or after is None:
            return
        if self.engine.name != "local":  # the workers' own copies of the encoder made the calls
            self.api_tokens = self.api_cost_usd = None
            return
        if self.api_tokens is not None:
            self.api_tokens = (
                None
                if after.tokens is None or before.tokens is None
                else self.api_tokens + after.tokens - before.tokens
            )
        if self.api_cost_usd is not None:
            self.api_cost_usd = (
                None
                if after.cost_usd is None or before.cost_usd is None
                else self.api_cost_usd + after.cost_usd - before.cost_usd
            )

    def engine_params(self) -> dict[str, Any]:
        """The engine's settings and, where it reports them, the items each node encoded."""
        placed = {"items_by_node": dict(self.items_by_node)} if self.items_by_node else {}
        started = {"startup_seconds": round(self.startup_seconds, 3)} if self.startup_seconds else {}
        return {**self.engine.params(), **placed, **started}


def _call_key(inputs: Sequence[Any], role: Role, instruction: str | None) -> CallKey:
    return role, instruction, tuple(_hashable(item) for item in inputs)


def _distinct(items: list[Any], keys: tuple[Hashable, ...]) -> tuple[list[Any], np.ndarray | None]:
    """The distinct items, first occurrences in order, and where each item's vector lies among theirs
    (None when all are distinct, the usual case: no copy to expand)."""
    if len(set(keys)) == len(keys):  # a set costs a third of the dict below: a million items are common
        return items, None
    slots: dict[Hashable, int] = {}
    firsts: list[int] = []
    for i, key in enumerate(keys):
        if key not in slots:
            slots[key] = len(firsts)
            firsts.append(i)
    return [items[i] for i in firsts], np.fromiter((slots[key] for key in keys), dtype=np.int64, count=len(keys))


def _hashable(item: Any) -> Hashable:
    if isinstance(item, (str, bytes, int, tuple)):
        return item
    return ("id", id(item))  # unhashable inputs (images, arrays) are encoded per call, not shared
