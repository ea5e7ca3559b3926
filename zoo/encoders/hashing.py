"""A lexical baseline with no weights: tokens hashed into signed buckets (the hashing trick), L2-normalised."""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Any

import numpy as np

from zoo.encoders.skeleton import BaseEncoder
from zoo.errors import ZooError

TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEncoder(BaseEncoder):
    """Bag of lower-cased word tokens, each hashed (blake2b) to a bucket and a sign; deterministic."""

    n_parameters = 0  # nothing learned: the hash is the model

    def __init__(self, dim: int = 256, *, name: str | None = None) -> None:
        if dim < 1:
            raise ZooError(f"hashing encoder dim must be positive, got {dim}")
        self._dim = dim
        self.name = name or f"hashing-bow-{dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return ("hashing-bow", 1, self._dim, TOKEN.pattern)

    def encode_items(self, items: list[str], role: str, instruction: str | None) -> np.ndarray:
        out = np.zeros((len(items), self._dim), dtype=np.float32)
        for row, text in enumerate(items):
            for token in TOKEN.findall(text.lower()):
                bucket, sign = _slot(token, self._dim)
                out[row, bucket] += sign
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


@functools.lru_cache(maxsize=1 << 18)
def _slot(token: str, dim: int) -> tuple[int, float]:
    value = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
    return value % dim, 1.0 if (value >> 63) & 1 else -1.0
