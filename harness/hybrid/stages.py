"""A model opened by name as one stage of a composite retriever: it indexes texts and ranks them for query
texts. A dense encoder is encoded through the run's embedding cache and engine and searched exactly; a
retriever (BM25) prepares the texts itself."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from harness.retrievers import StageContext, is_retriever
from zoo.errors import ZooError
from zoo.fingerprint import fingerprint


class Stage:
    """One model's ranking of a corpus of texts; ``fingerprint`` names the model and its settings."""

    def __init__(self, name: str, context: StageContext) -> None:
        from zoo.registry import Registry

        self.name = name
        self.model: Any = Registry.from_plugins().encoder(name).load()
        self.context = context
        self._backend: Any = None
        self._encoder: Any = None
        attach = getattr(self.model, "attach", None)
        if callable(attach):
            attach(context)

    @property
    def dense(self) -> bool:
        return not is_retriever(self.model)

    def fingerprint(self) -> str:
        return fingerprint(self.name, self.model.fingerprint())

    def nbytes(self) -> int:
        if self.dense:
            nbytes = getattr(self._backend, "nbytes", None)
            return int(nbytes()) if callable(nbytes) else 0
        nbytes = getattr(self.model, "nbytes", None)
        return int(nbytes()) if callable(nbytes) else 0

    def index(self, texts: Sequence[str], ids: Sequence[str]) -> None:
        if not self.dense:
            self.model.index(self.model.prepare(list(texts), role="document"), list(ids))
            return
        from harness.backends.exact import ExactBackend
        from harness.encoding import MeasuredEncoder

        if "text" not in self.model.modalities:
            raise ZooError(f"{self.name} does not encode text: a stage ranks texts")
        self._encoder = MeasuredEncoder(
            self.model,
            cache=self.context.cache,
            engine=self.context.engine,
            progress=self.context.progress,
            spec_name=self.name,
        )
        self._backend = ExactBackend()
        self._backend.build(self._encoder.encode(list(texts), role="document"), list(ids), self.model.similarity)

    def search(self, texts: Sequence[str], k: int) -> tuple[list[list[str]], np.ndarray]:
        if not self.dense:
            return self.model.search(self.model.prepare(list(texts), role="query"), k)
        if self._backend is None:
            raise ZooError(f"stage {self.name} searched before it was indexed")
        return self._backend.search(self._encoder.encode(list(texts), role="query"), k)
