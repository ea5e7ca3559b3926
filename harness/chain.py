"""Post-processor chains: parse ``name?k=v+name``, fit on a task's corpus, apply to what an encoder gives.

A chain whose last step is a Quantizer stores codes; ``QuantizedSearch`` searches them through any
backend and, where the quantizer asks for it, rescores the candidates with the float queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from zoo.errors import ZooError
from zoo.fingerprint import fingerprint
from zoo.options import keyword_types, parse_options, split_options
from zoo.protocols import PostProcessor, PostProcessorSpec, Quantizer, Role, SearchBackend


@dataclass(frozen=True)
class ChainStep:
    spec: PostProcessorSpec
    options: dict[str, Any]

    @property
    def label(self) -> str:
        args = ",".join(f"{key}={value}" for key, value in sorted(self.options.items()))
        return f"{self.spec.name}({args})" if args else self.spec.name

    def make(self) -> PostProcessor:
        return self.spec.factory(**self.options)


def parse_chain(text: str, lookup: Any) -> tuple[ChainStep, ...]:
    """``"matryoshka?dim=128+binary?rescore=4"`` -> steps; ``lookup(name)`` returns a PostProcessorSpec."""
    steps = []
    for part in filter(None, (p.strip() for p in text.split("+"))):
        name, query = split_options(part)
        spec = lookup(name)
        steps.append(ChainStep(spec, parse_options(f"post-processor {spec.name!r}", query,
                                                   keyword_types(spec.factory))))
    if not steps:
        raise ZooError(f"empty post-processor chain {text!r}: name one, e.g. --post binary?rescore=4")
    return tuple(steps)


def is_quantizer(step: PostProcessor) -> bool:
    return isinstance(step, Quantizer)


class ChainEncoder:
    """An encoder seen through fitted post-processors. With a rescoring quantizer last, queries stay float."""

    def __init__(
        self, encoder: Any, steps: Sequence[PostProcessor], labels: Sequence[str], float_dim: int
    ) -> None:
        self.encoder = encoder
        self.steps = list(steps)
        self.labels = tuple(labels)
        self.name = encoder.name
        self.modalities = encoder.modalities
        last = self.steps[-1]
        self.quantizer: Quantizer | None = last if is_quantizer(last) else None
        quantized_similarity = self.quantizer.similarity if self.quantizer else None
        self.similarity = quantized_similarity or encoder.similarity
        self.dim = float_dim  # dimensions of the float vectors before any quantizer

    @classmethod
    def fit(cls, encoder: Any, chain: Sequence[ChainStep], corpus: Sequence[Any]) -> ChainEncoder:
        """Fit each step in turn on the corpus embeddings (the transductive setting, recorded as such)."""
        X = encoder.encode(list(corpus), role="document")
        steps = []
        float_dim = X.shape[1]
        for step in chain:
            fitted = step.make().fit(X)
            if not is_quantizer(fitted):
                X = fitted.transform(X)
                float_dim = X.shape[1]
            steps.append(fitted)
        if any(is_quantizer(step) for step in steps[:-1]):
            raise ZooError("a quantizer must be the last step of a chain: its codes are not float vectors")
        return cls(encoder, steps, [step.label for step in chain], float_dim)

    @property
    def bytes_per_vector(self) -> int:
        if self.quantizer is not None:
            return int(self.quantizer.bytes_per_vector(self.dim))
        return 4 * self.dim

    def fingerprint(self) -> str:
        return fingerprint(self.encoder.fingerprint(), [step.fingerprint() for step in self.steps])

    def encode(self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None
               ) -> np.ndarray:
        X = self._float_stage(self.encoder.encode(inputs, role=role, instruction=instruction))
        if self.quantizer is None:
            return X
        if role == "query" and self.quantizer.rescore > 0:
            return X  # QuantizedSearch quantizes them for the candidate search and rescores in float
        return self.quantizer.transform(X)

    def _float_stage(self, X: np.ndarray) -> np.ndarray:
        for step in self.steps[:-1] if self.quantizer is not None else self.steps:
            X = step.transform(X)
        return X


class QuantizedSearch:
    """Search quantized documents through any backend; rescore ``rescore * k`` candidates in float."""

    def __init__(self, backend: SearchBackend, quantizer: Quantizer) -> None:
        self.backend = backend
        self.quantizer = quantizer
        self.name = backend.name
        self._codes: np.ndarray | None = None
        self._rows: dict[str, int] = {}

    def params(self) -> dict[str, Any]:
        return {**self.backend.params(), "rescore": self.quantizer.rescore}

    def nbytes(self) -> int | None:
        inner = getattr(self.backend, "nbytes", None)
        return int(inner()) if callable(inner) else None

    def build(self, vectors: np.ndarray, ids: Sequence[str], similarity: str) -> None:
        self._codes = vectors
        self._rows = {doc: row for row, doc in enumerate(ids)}
        self.backend.build(vectors, ids, similarity)

    def search(self, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
        if self.quantizer.rescore <= 0:
            return self.backend.search(queries, k)
        assert self._codes is not None, "build() first"
        candidates, _ = self.backend.search(self.quantizer.transform(queries), k * self.quantizer.rescore)
        hits, scores = [], []
        for query, found in zip(queries, candidates):
            rows = np.fromiter((self._rows[doc] for doc in found), dtype=np.int64, count=len(found))
            # one query at a time: the unpacked candidates of a whole batch would not fit in memory
            rescored = self.quantizer.rescore_scores(query[None, :], self._codes[rows][None])[0]
            # best first; equal scores keep the earlier-built document first, as exact search does
            order = np.lexsort((rows, -rescored))[:k]
            hits.append([found[i] for i in order])
            scores.append(rescored[order])
        width = min(k, len(self._rows))
        return hits, np.asarray(scores, dtype=np.float32).reshape(len(queries), width)
