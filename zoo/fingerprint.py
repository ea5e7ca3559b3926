"""Stable content hashes for models, data and settings."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

DIGEST_CHARS = 16


def fingerprint(*parts: Any) -> str:
    """Hash JSON-serialisable parts (dict keys sorted) into a short hex digest."""
    payload = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:DIGEST_CHARS]


def hash_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()[:DIGEST_CHARS]


def hash_files(root: Path, patterns: Iterable[str] = ("**/*",)) -> str:
    """Hash the names and contents of the files under root that match patterns, in sorted order."""
    root = Path(root)
    files = sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(hash_file(path).encode())
    return digest.hexdigest()[:DIGEST_CHARS]
