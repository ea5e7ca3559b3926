"""Option checks and search ladders the faiss backends share."""

from __future__ import annotations

from typing import Any

import numpy as np

from zoo.api import ZooError


def seed_option(value: Any, limit: int, backend: str) -> int:
    """A seed in [0, limit), or a ZooError naming the range."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < limit:
        raise ZooError(f"{backend} backend: seed must be a non-negative integer below {limit}, got {value!r}")
    return int(value)


def doubling(start: int, top: int) -> list[int]:
    """``start``, twice that, and so on, ending at ``top``: the values a recall target tries in turn."""
    values = [min(start, top)]
    while values[-1] < top:
        values.append(min(2 * values[-1], top))
    return values
