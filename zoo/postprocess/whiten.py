"""Whitening (BERT-whitening, Su et al., 2021): centre the vectors and decorrelate them to unit variance.

``fit`` learns the mean and ``W = U diag(1 / sqrt(s + eps))`` from the SVD ``U diag(s) U^T`` of the
covariance; ``transform`` returns ``(X - mean) @ W[:, :k]``: the first ``k`` whitened dimensions, in order
of decreasing variance. Queries and documents go through the same map.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zoo.errors import ZooError
from zoo.postprocess import BasePostProcessor, as_matrix

STATE_KEYS = ("mean_", "components_", "explained_variance_")


class Whiten(BasePostProcessor):
    """Whitening with optional truncation to ``k`` dimensions (``k=0`` keeps every dimension).

    ``eps`` is added to each variance before its inverse square root: it keeps directions the fitting data
    never spans (fewer vectors than dimensions) from being blown up to huge values.
    """

    def __init__(self, k: int = 0, eps: float = 1e-6) -> None:
        self.k = k
        self.eps = eps

    def fit(self, X: np.ndarray, y: Any = None) -> Whiten:
        arr = self._check_fit_input(X).astype(np.float64)
        width = arr.shape[1]
        self._check_params(width)
        mean = arr.mean(axis=0)
        centred = arr - mean
        cov = centred.T @ centred / arr.shape[0]
        u, s, _ = np.linalg.svd(cov, hermitian=True)
        keep = int(self.k) or width
        self.mean_ = mean.astype(np.float32)
        self.components_ = (u[:, :keep] / np.sqrt(s[:keep] + float(self.eps))).astype(np.float32)
        self.explained_variance_ = s[:keep].astype(np.float32)
        self.n_features_in_ = int(width)
        self.n_samples_fit_ = int(arr.shape[0])
        return self

    def _check_params(self, width: int) -> None:
        k, eps = self.k, self.eps
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= width:
            raise ZooError(f"Whiten k={k!r} must be an integer in [0, {width}] (0 keeps all {width} dims)")
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps >= 0:
            raise ZooError(f"Whiten eps={eps!r} must be a number >= 0, e.g. 1e-6")

    def transform(self, X: np.ndarray) -> np.ndarray:
        self._check_fitted("components_")
        arr = as_matrix(X, "Whiten.transform")
        self._check_width(arr, self.n_features_in_, "transform")
        return ((arr - self.mean_) @ self.components_).astype(np.float32, copy=False)

    def save(self, path: Path | str) -> Path:
        """Write the parameters and fitted state to an ``.npz`` file (no pickle); returns its path."""
        self._check_fitted("components_")
        path = Path(path).with_suffix(".npz")  # numpy would add the suffix itself
        np.savez(
            path,
            k=self.k,
            eps=self.eps,
            n_samples_fit_=self.n_samples_fit_,
            **{key: getattr(self, key) for key in STATE_KEYS},
        )
        return path

    @classmethod
    def load(cls, path: Path | str) -> Whiten:
        """A fitted Whiten from a file written by ``save``."""
        with np.load(Path(path), allow_pickle=False) as data:
            whiten = cls(k=int(data["k"]), eps=float(data["eps"]))
            for key in STATE_KEYS:
                setattr(whiten, key, data[key])
            whiten.n_features_in_ = int(whiten.mean_.shape[0])
            whiten.n_samples_fit_ = int(data["n_samples_fit_"])
        return whiten
