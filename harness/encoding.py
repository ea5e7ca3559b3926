"""MeasuredEncoder: encodes each distinct input once per task, through the disk cache, timed, with progress."""

from __future__ import annotations

import sys
import time
from typing import Any, Hashable, Sequence

import numpy as np

from zoo.cache import CacheNamespace, EmbeddingCache, cacheable
from zoo.errors import ZooError
from zoo.protocols import Encoder, Role

ENCODE_CHUNK = 256  # items per call into the encoder: bounds the progress bar's granularity
STORE_EVERY = 4096  # items per cache segment: an interrupted run keeps what it encoded


class MeasuredEncoder:
    """An Encoder wrapper for one task: memoised, cached on disk, timed. Counts only real encoding."""

    def __init__(self, encoder: Encoder, *, cache: EmbeddingCache | None = None, progress: bool = True
                 ) -> None:
        self.encoder = encoder
        self.name = encoder.name
        self.modalities = encoder.modalities
        self.similarity = encoder.similarity
        self.cache = cache
        self.progress = progress
        self.encode_seconds = 0.0
        self.items_encoded = 0
        self.items_cached = 0
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
        from tqdm.auto import tqdm

        parts: list[np.ndarray] = []
        pending: list[np.ndarray] = []  # encoded but not yet in the cache
        stored = 0
        bar = tqdm(total=len(items), desc=f"{self.name}: {role}s", unit="item",
                   disable=None if self.progress else True, file=sys.stderr, leave=False)
        with bar:
            for start in range(0, len(items), ENCODE_CHUNK):
                chunk = items[start : start + ENCODE_CHUNK]
                began = time.perf_counter()
                out = self.encoder.encode(chunk, role=role, instruction=instruction)
                self.encode_seconds += time.perf_counter() - began
                parts.append(_checked(out, len(chunk), self.name))
                pending.append(parts[-1])
                bar.update(len(chunk))
                done = start + len(chunk)
                if self.cache is not None and namespace is not None and (
                    done - stored >= STORE_EVERY or done == len(items)
                ):
                    self.cache.store(namespace, items[stored:done], np.concatenate(pending))
                    pending, stored = [], done
        self.items_encoded += len(items)
        return np.concatenate(parts)


def _hashable(item: Any) -> Hashable:
    if isinstance(item, (str, bytes, int, tuple)):
        return item
    return ("id", id(item))  # unhashable inputs (images, arrays) are encoded per call, not shared


def _checked(out: Any, n: int, name: str) -> np.ndarray:
    array = np.asarray(out)
    if array.ndim != 2 or array.shape[0] != n:
        raise ZooError(
            f"encoder {name!r} returned shape {array.shape} for {n} inputs; "
            "Encoder.encode must return an (n, dim) array"
        )
    return array.astype(np.float32, copy=False)
