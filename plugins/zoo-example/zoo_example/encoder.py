"""Character n-gram hashing: fastText-style subword features hashed into signed buckets, no weights.

Each lower-cased word is wrapped in boundary markers (``<word>``) and cut into its character n-grams
(n = 3..5 by default); each distinct n-gram of a text gets weight 1 (or 1 + log(count) with sublinear tf)
and adds it, with a hash-chosen sign, to a hash-chosen bucket. Rows are L2-normalised.
A typo changes only the few n-grams that span it, so misspelt words stay close to the right ones.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Any

import numpy as np

from zoo.api import BaseEncoder, ZooError

VERSION = 1  # bump when the features change: it is part of the fingerprint
TOKEN = re.compile(r"\w+", re.UNICODE)
BOW, EOW = "<", ">"
ROLES = ("query", "document")
CHUNK = 4096  # texts per bincount: bounds memory at CHUNK x dim float64
HASH_BITS = 51  # leaves 13 bits of a uint64 for the row within a chunk (CHUNK <= 2**13)
SIGN_BIT = np.uint64(HASH_BITS - 1)
CACHE_WORDS = 1 << 18


class CharNgramEncoder(BaseEncoder):
    """Bag of hashed character n-grams of each word; symmetric, so role and instruction change nothing."""

    def __init__(
        self,
        dim: int = 512,
        *,
        min_n: int = 3,
        max_n: int = 5,
        sublinear_tf: bool = True,
        name: str | None = None,
    ) -> None:
        if dim < 1:
            raise ZooError(f"char n-gram encoder: dim must be a positive integer, got {dim}")
        if not 1 <= min_n <= max_n:
            raise ZooError(f"char n-gram encoder: need 1 <= min_n <= max_n, got min_n={min_n}, max_n={max_n}")
        self._dim = dim
        self.min_n = min_n
        self.max_n = max_n
        self.sublinear_tf = sublinear_tf
        self.name = name or f"char-ngram-hash-{dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def params(self) -> dict[str, Any]:
        return {"dim": self._dim, "min_n": self.min_n, "max_n": self.max_n, "sublinear_tf": self.sublinear_tf}

    def fingerprint_parts(self) -> tuple[Any, ...]:
        # the name is left out: it does not change the vectors
        return ("char-ngram-hash", VERSION, self.params(), TOKEN.pattern, BOW, EOW, f"blake2b-{HASH_BITS}")

    def encode_items(self, items: list[str], role: str, instruction: str | None) -> np.ndarray:
        return np.concatenate([self._encode_chunk(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK)])

    def _encode_chunk(self, texts: list[str]) -> np.ndarray:
        rows, hashes = self._features(texts)
        weights = np.ones(len(hashes))
        if self.sublinear_tf and len(hashes):
            rows, hashes, counts = _count_pairs(rows, hashes)
            weights = 1.0 + np.log(counts)
        signs = np.where((hashes >> SIGN_BIT) & np.uint64(1), 1.0, -1.0)
        flat = rows * self._dim + (hashes % np.uint64(self._dim)).astype(np.int64)
        out = np.bincount(flat, weights=signs * weights, minlength=len(texts) * self._dim)
        out = out.reshape(len(texts), self._dim)
        norms = np.sqrt(np.einsum("ij,ij->i", out, out))[:, None]
        return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)

    def _features(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, 51-bit n-gram hash) for every n-gram occurrence, row-major."""
        cache = _word_cache(self.min_n, self.max_n)
        arrays: list[np.ndarray] = []
        rows: list[int] = []
        for row, text in enumerate(texts):
            for word in TOKEN.findall(text.lower()):
                hashes = cache.get(word)
                if hashes is None:
                    hashes = cache[word] = word_hashes(word, self.min_n, self.max_n)
                arrays.append(hashes)
                rows.append(row)
        if len(cache) > CACHE_WORDS:
            cache.clear()  # a crude bound; refilling costs one hash per n-gram
        if not arrays:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
        lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
        return np.repeat(np.asarray(rows, dtype=np.int64), lengths), np.concatenate(arrays)


def char_ngrams(word: str, min_n: int = 3, max_n: int = 5) -> list[str]:
    """The n-grams of ``<word>``; a word shorter than ``min_n`` with its markers gives itself."""
    padded = f"{BOW}{word}{EOW}"
    grams = [padded[i : i + n] for n in range(min_n, max_n + 1) for i in range(len(padded) - n + 1)]
    return grams or [padded]


def word_hashes(word: str, min_n: int = 3, max_n: int = 5) -> np.ndarray:
    """51-bit blake2b hashes of a word's n-grams: stable across processes, unlike ``hash()``."""
    mask = (1 << HASH_BITS) - 1
    values = [
        int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little") & mask
        for gram in char_ngrams(word, min_n, max_n)
    ]
    array = np.array(values, dtype=np.uint64)
    array.flags.writeable = False  # shared by every caller through the cache
    return array


@functools.cache
def _word_cache(min_n: int, max_n: int) -> dict[str, np.ndarray]:
    return {}


def _count_pairs(rows: np.ndarray, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (row, hash) pairs and how often each occurs: one sort of a packed uint64 key."""
    keys = np.sort((rows.astype(np.uint64) << np.uint64(HASH_BITS)) | hashes)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    counts = np.diff(np.r_[starts, len(keys)])
    unique = keys[starts]
    mask = np.uint64((1 << HASH_BITS) - 1)
    return (unique >> np.uint64(HASH_BITS)).astype(np.int64), unique & mask, counts
