"""A benchmark-only zoo plugin: ``counted:<encoder>`` is that encoder, counting what it encodes in every process.

``benchmarks/scale.py`` kills runs with ``kill -9`` and needs the work they had done, in the driver (the local
engine) and in Ray's workers, which open encoders by name in their own processes. After every call, each
process replaces ``$ZOO_SCALE_COUNTS/<pid>`` with its running total of items encoded (an atomic rename: a
killed process leaves its last total). The vectors are the wrapped encoder's, under its fingerprint.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from zoo import hookimpl
from zoo.protocols import EncoderSpec

PREFIX = "counted:"
COUNTS_ENV = "ZOO_SCALE_COUNTS"


class Counted:
    """The wrapped encoder under the name ``counted:<its name>``, every other attribute its own."""

    def __init__(self, encoder: Any, name: str) -> None:
        self._encoder, self.name, self._count = encoder, name, 0

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._encoder, attribute)

    def encode(self, inputs: Sequence[Any], **kwargs: Any) -> np.ndarray:
        out = self._encoder.encode(inputs, **kwargs)
        self._count += len(inputs)
        folder = os.environ.get(COUNTS_ENV)
        if folder:
            path = Path(folder) / str(os.getpid())
            tmp = path.with_suffix(".tmp")
            tmp.write_text(str(self._count))
            tmp.replace(path)
        return out


def total(folder: Path) -> int:
    """Items encoded so far, every process together."""
    count = 0
    for path in folder.iterdir():
        if path.suffix != ".tmp":
            try:
                count += int(path.read_text())
            except (OSError, ValueError):
                pass  # replaced meanwhile
    return count


@hookimpl
def resolve_encoder(name: str) -> EncoderSpec | None:
    if not name.startswith(PREFIX):
        return None
    inner = name[len(PREFIX) :]

    def load() -> Counted:
        from zoo.registry import Registry

        return Counted(Registry.from_plugins().encoder(inner).load(), name)

    return EncoderSpec(name=name, load=load, family="benchmark")
