"""Token embeddings of a sentence-transformers model as a multi-vector encoder: each text's last-layer
token vectors ([CLS] and [SEP] included, padding dropped), L2-normalised.

This is not a trained late-interaction model (ColBERT is trained so that MaxSim over its token vectors
ranks well; all-MiniLM-L6-v2 was trained for its mean-pooled vector). It is what the zoo can run offline
to measure MaxSim search and MUVERA's approximation of it, not a claim about late interaction's quality.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from zoo.fingerprint import fingerprint
from zoo.protocols import Role


class TokenEmbeddingEncoder:
    """The token vectors of a SentenceTransformerEncoder's model (its prompts, if any, are not used)."""

    modalities = ("text",)
    similarity = "maxsim"

    def __init__(self, inner: Any, *, name: str, batch_size: int = 64) -> None:
        self.inner = inner
        self.name = name
        self.batch_size = batch_size

    @property
    def dim(self) -> int:
        return int(self.inner.dim)

    @property
    def n_parameters(self) -> int | None:
        return getattr(self.inner, "n_parameters", None)

    def fingerprint(self) -> str:
        return fingerprint("token-embeddings", 1, self.inner.fingerprint())

    def load(self) -> None:
        """Load the weights now (the harness times this apart from encoding)."""
        self.inner.model  # noqa: B018 (the property loads the model)

    def encode_sets(self, inputs: Sequence[Any], *, role: Role = "document") -> list[np.ndarray]:
        tokens = self.inner.model.encode(
            [str(text) for text in inputs],
            output_value="token_embeddings",
            batch_size=self.batch_size,
            convert_to_numpy=False,
            show_progress_bar=False,
        )
        out = []
        for matrix in tokens:
            vectors = matrix.float().cpu().numpy()
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            out.append(np.ascontiguousarray(vectors / np.where(norms == 0, 1, norms), dtype=np.float32))
        return out
