"""Post-processors: fitted transforms applied to encoder vectors before search (scikit-learn estimator rules).

Rules every post-processor here follows:

- parameters are keyword arguments of ``__init__``, stored unchanged under their own names; no validation
  and no work in ``__init__``;
- ``fit(X) -> self`` validates the parameters (raising ``ZooError``) and learns trailing-underscore state;
- ``transform(X)`` raises ``ZooError`` before ``fit`` or when X's width differs from the fitted one;
- ``get_params()`` returns the parameters; ``fingerprint()`` hashes class, version, parameters and
  fitted state (arrays by their bytes).

Importing this package imports no numpy: the built-in plugin lists post-processors without loading them.
"""

from __future__ import annotations

import hashlib
import inspect
from typing import TYPE_CHECKING, Any

from zoo.errors import ZooError
from zoo.fingerprint import DIGEST_CHARS, fingerprint

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BasePostProcessor", "as_matrix", "digest"]


def digest(value: Any) -> Any:
    """A JSON-friendly stand-in for a fitted value: arrays become dtype, shape and a hash of their bytes."""
    if isinstance(value, BasePostProcessor):  # a fitted helper inside another post-processor
        return value.fingerprint()
    if hasattr(value, "tobytes") and hasattr(value, "dtype"):
        data = hashlib.sha256(value.tobytes()).hexdigest()[:DIGEST_CHARS]
        return {"dtype": str(value.dtype), "shape": list(getattr(value, "shape", ())), "sha256": data}
    return value


def as_matrix(X: Any, who: str) -> np.ndarray:
    """X as a 2-D float32 array, or a ZooError naming ``who`` and the shape it got."""
    import numpy as np

    arr = np.asarray(X, dtype=np.float32)
    if arr.ndim != 2:
        raise ZooError(f"{who} expects a 2-D (n, dim) array, got shape {arr.shape}: pass one vector per row")
    return arr


class BasePostProcessor:
    """Shared plumbing: parameters from the ``__init__`` signature, fitted checks, fingerprint, repr."""

    version: str = "1"  # bump when the same params and state would give different outputs

    def get_params(self) -> dict[str, Any]:
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def fitted_state(self) -> dict[str, Any]:
        """The public trailing-underscore attributes that ``fit`` learned."""
        return {k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("_")}

    def fingerprint(self) -> str:
        state = {k: digest(v) for k, v in sorted(self.fitted_state().items())}
        return fingerprint(type(self).__name__, self.version, self.get_params(), state)

    def _check_fitted(self, attr: str) -> None:
        if not hasattr(self, attr):
            name = type(self).__name__
            raise ZooError(f"{name} is not fitted yet: call {name}.fit(X) before transform")

    def _check_width(self, X: np.ndarray, expected: int, who: str) -> None:
        if X.shape[-1] != expected:
            raise ZooError(
                f"{type(self).__name__}.{who} got vectors of dim {X.shape[-1]} but was fitted on dim "
                f"{expected}: fit it on vectors from the same encoder"
            )

    def _check_fit_input(self, X: Any) -> np.ndarray:
        import numpy as np

        arr = as_matrix(X, f"{type(self).__name__}.fit")
        if arr.shape[0] == 0 or arr.shape[1] == 0:
            raise ZooError(f"{type(self).__name__}.fit got an empty array {arr.shape}: fit on at least one vector")
        if not np.isfinite(arr).all():
            raise ZooError(f"{type(self).__name__}.fit got NaN or inf values: check the encoder's output")
        return arr

    def __repr__(self) -> str:
        params = ",".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"
