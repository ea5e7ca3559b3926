"""The in-house DNA encoder at inference: canonical k-mer profile -> two-layer MLP, in numpy alone.

Trained by ``python -m zoo_dna.train`` (torch); the weights ship as ``weights/kmer-mlp-16s.npz``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoo.api import ZooError
from zoo_dna.kmers import kmer_counts, n_canonical

if TYPE_CHECKING:
    import numpy as np

WEIGHTS_FILE = "kmer-mlp-16s.npz"
LAYERS = ("w1", "b1", "w2", "b2")


def shipped_weights() -> Path:
    return Path(str(resources.files("zoo_dna") / "weights" / WEIGHTS_FILE))


def profile(sequences: list[str], k: int) -> np.ndarray:
    """The model's input: square roots of canonical k-mer counts, scaled to unit length (zero stays zero)."""
    import numpy as np

    roots = np.sqrt(kmer_counts(sequences, k))
    norms = np.linalg.norm(roots, axis=1, keepdims=True)
    return roots / np.where(norms > 0, norms, 1.0)


@dataclass(frozen=True, eq=False)
class KmerMLP:
    """Weights of profile -> ReLU(profile @ w1 + b1) @ w2 + b2, and how they were made."""

    k: int
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    meta: dict[str, Any]

    @property
    def dim(self) -> int:
        return int(self.w2.shape[1])

    @property
    def n_parameters(self) -> int:
        return int(sum(getattr(self, name).size for name in LAYERS))

    def forward(self, features: np.ndarray) -> np.ndarray:
        import numpy as np

        hidden = np.maximum(features @ self.w1 + self.b1, 0.0)
        return (hidden @ self.w2 + self.b2).astype(np.float32)

    def save(self, path: Path) -> None:
        import numpy as np

        arrays = {name: getattr(self, name).astype(np.float16) for name in LAYERS}
        np.savez_compressed(path, k=np.int64(self.k), meta=np.array(json.dumps(self.meta, sort_keys=True)), **arrays)


@functools.lru_cache(maxsize=4)
def load_model(path: str) -> KmerMLP:
    """Weights from an .npz written by ``KmerMLP.save`` (float16 on disk, float32 in memory)."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name].astype(np.float32) for name in LAYERS}
            model = KmerMLP(int(data["k"]), meta=json.loads(str(data["meta"])), **arrays)
    except (OSError, KeyError, ValueError) as exc:
        raise ZooError(f"cannot read k-mer MLP weights {path}: {exc}; retrain with python -m zoo_dna.train") from None
    if model.w1.shape[0] != n_canonical(model.k):
        raise ZooError(f"k-mer MLP weights {path} do not fit k={model.k}; retrain with python -m zoo_dna.train")
    return model
