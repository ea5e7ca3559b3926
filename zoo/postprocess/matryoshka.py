"""Matryoshka truncation: keep the first ``dim`` coordinates (Kusupati et al., 2022) and renormalise."""

from __future__ import annotations

from typing import Any

import numpy as np

from zoo.errors import ZooError
from zoo.postprocess import BasePostProcessor, as_matrix


class Matryoshka(BasePostProcessor):
    """Keeps the first ``dim`` columns; with ``normalize`` each row is scaled to unit L2 norm (zero rows stay
    zero). Only meaningful for models trained with a Matryoshka loss; others lose quality quickly.
    """

    def __init__(self, dim: int = 256, normalize: bool = True) -> None:
        self.dim = dim
        self.normalize = normalize

    def fit(self, X: np.ndarray, y: Any = None) -> Matryoshka:
        arr = self._check_fit_input(X)
        width = arr.shape[1]
        dim = self.dim
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not 1 <= dim <= width:
            raise ZooError(f"Matryoshka dim={self.dim!r} must be an integer in [1, {width}] (the input dim is {width})")
        if not isinstance(self.normalize, (bool, np.bool_)):
            raise ZooError(f"Matryoshka normalize={self.normalize!r} must be true or false")
        self.n_features_in_ = int(width)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        self._check_fitted("n_features_in_")
        arr = as_matrix(X, "Matryoshka.transform")
        self._check_width(arr, self.n_features_in_, "transform")
        kept = np.array(arr[:, : int(self.dim)], dtype=np.float32)
        if self.normalize:
            norms = np.linalg.norm(kept, axis=1, keepdims=True)
            np.divide(kept, norms, out=kept, where=norms > 0)
        return kept
