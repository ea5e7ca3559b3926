"""The top k of a score vector, best first, equal scores in corpus order (the exact backend's rule)."""

from __future__ import annotations

import numpy as np


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, best first, equal scores by position (earlier first)."""
    k = min(k, len(scores))
    if k < len(scores):
        floor = np.partition(scores, len(scores) - k)[len(scores) - k]
        above = np.flatnonzero(scores > floor)
        level = np.flatnonzero(scores == floor)[: k - len(above)]  # ties at the cut: earliest positions
        chosen = np.concatenate([above, level])
    else:
        chosen = np.arange(len(scores))
    return chosen[np.lexsort((chosen, -scores[chosen]))]
