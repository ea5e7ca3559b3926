"""Post-processor chains: parse ``name?k=v+name``, fit on a task's corpus, apply to what an encoder gives.

A chain whose last step is a Quantizer gives float vectors from the steps before it: the search backend is
wrapped in ``harness.quantized.QuantizedSearch``, which quantizes documents and queries and rescores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from zoo.errors import ZooError
from zoo.fingerprint import fingerprint
from zoo.options import parse_spec_options, split_options
from zoo.protocols import PostProcessor, PostProcessorSpec, Quantizer, Role


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
        step = ChainStep(spec, parse_spec_options(f"post-processor {spec.name!r}", query, spec))
        try:
            step.make()  # cheap (no work in __init__): an option an undeclared factory refuses fails now
        except TypeError as exc:
            raise ZooError(f"post-processor {spec.name!r}: {exc}") from None
        steps.append(step)
    if not steps:
        raise ZooError(f"empty post-processor chain {text!r}: name one, e.g. --post binary?rescore=4")
    return tuple(steps)


def is_quantizer(step: PostProcessor) -> bool:
    return isinstance(step, Quantizer)


class ChainEncoder:
    """An encoder seen through fitted post-processors. With a rescoring quantizer last, queries stay float."""

    def __init__(self, encoder: Any, steps: Sequence[PostProcessor], labels: Sequence[str], float_dim: int) -> None:
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
    def fit(
        cls, encoder: Any, chain: Sequence[ChainStep], inputs: Sequence[Any], fitted_on: str = "fit:corpus"
    ) -> ChainEncoder:
        """Fit each step in turn on the embeddings of ``inputs``; ``fitted_on`` names where they came from
        and ends the labels, so results say whether a chain was fit transductively."""
        X = encoder.encode(list(inputs), role="document")
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
        return cls(encoder, steps, [*(step.label for step in chain), fitted_on], float_dim)

    @property
    def bytes_per_vector(self) -> int:
        if self.quantizer is not None:
            return int(self.quantizer.bytes_per_vector(self.dim))
        return 4 * self.dim

    def fingerprint(self) -> str:
        return fingerprint(self.encoder.fingerprint(), [step.fingerprint() for step in self.steps])

    def encode(self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None) -> np.ndarray:
        """Float vectors after every step but a final quantizer: QuantizedSearch applies that one."""
        return self._float_stage(self.encoder.encode(inputs, role=role, instruction=instruction))

    def _float_stage(self, X: np.ndarray) -> np.ndarray:
        for step in self.steps[:-1] if self.quantizer is not None else self.steps:
            X = step.transform(X)
        return X
