"""A deterministic stand-in encoder whose vectors are chosen by the test: known answers for the tasks."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from zoo_vision.inputs import ImageText, as_items


class KeyedEncoder:
    """Maps each item to one-hot(key(item)) over ``dim`` slots: items with equal keys match exactly."""

    similarity = "cosine"

    def __init__(
        self, key: Callable[[ImageText], int], dim: int = 16, modalities: tuple[str, ...] = ("image", "text")
    ) -> None:
        self.key = key
        self.dim = dim
        self.modalities = modalities
        self.name = "keyed"
        self.calls: list[tuple[str, str | None, int]] = []

    def fingerprint(self) -> str:
        return "keyed"

    def encode(self, inputs: Sequence[Any], *, role: str = "document", instruction: str | None = None) -> np.ndarray:
        items = as_items(inputs)
        self.calls.append((role, instruction, len(items)))
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for row, item in enumerate(items):
            out[row, self.key(item) % self.dim] = 1.0
        return out
