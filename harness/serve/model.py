"""The model behind ``zoo serve``: an encoder, its chain fitted once, optionally read through the cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from harness.chain import ChainEncoder, parse_chain
from harness.fitting import parse_fit_source
from harness.serve.batcher import Embedded
from zoo.cache import CacheNamespace, EmbeddingCache
from zoo.errors import ZooError
from zoo.protocols import Encoder, Role

# what OpenAI-compatible clients send as input_type, and the zoo role each means
ROLES: dict[str, Role] = {
    "query": "query",
    "search_query": "query",
    "document": "document",
    "passage": "document",
    "search_document": "document",
}

TokenCounter = Callable[[list[str]], np.ndarray]


class CachedEncoder:
    """An encoder read through the embedding cache: texts it holds are answered from it, new ones stored."""

    def __init__(self, encoder: Encoder, cache: EmbeddingCache) -> None:
        self.encoder = encoder
        self.cache = cache
        self.name = encoder.name
        self.modalities = encoder.modalities
        self.similarity = encoder.similarity

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def fingerprint(self) -> str:
        return self.encoder.fingerprint()

    def encode(self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None) -> np.ndarray:
        items = list(inputs)
        namespace = CacheNamespace(self.fingerprint(), role, instruction, encoder_name=self.name)
        found = self.cache.lookup(namespace, items)
        fresh = None
        if found.misses:
            missing = [items[i] for i in found.misses]
            fresh = self.encoder.encode(missing, role=role, instruction=instruction)
            self.cache.store(namespace, missing, fresh)
        return found.assemble(fresh)


@dataclass
class ServedModel:
    """What one server answers with: ``embed`` gives the chain's output for each text, and the token counts
    of its inputs where the model has a tokenizer."""

    name: str
    encoder: Any  # the encoder, or the encoder read through the cache
    view: ChainEncoder | None = None
    aliases: tuple[str, ...] = ()
    count_tokens: TokenCounter | None = field(default=None, repr=False)

    @property
    def fingerprint(self) -> str:
        return self.view.fingerprint() if self.view is not None else self.encoder.fingerprint()

    @property
    def chain(self) -> tuple[str, ...]:
        return self.view.labels if self.view is not None else ()

    @property
    def quantized(self) -> bool:
        return self.view is not None and self.view.quantizer is not None

    @property
    def dim(self) -> int:
        """The width of what is served: a final quantizer's code width, else the float dimensions."""
        if self.quantized:
            assert self.view is not None and self.view.quantizer is not None
            return int(self.view.quantizer.transform(np.ones((1, self.view.dim), dtype=np.float32)).shape[1])
        return self.view.dim if self.view is not None else self.encoder.dim

    def accepts(self, model: str | None) -> bool:
        """Whether a request's ``model`` names this model (any name, alias or its fingerprint; or none)."""
        return not model or model.casefold() in {n.casefold() for n in (self.name, *self.aliases, self.fingerprint)}

    def embed(self, texts: list[str], role: str) -> Embedded:
        zoo_role = ROLES[role]
        source = self.view if self.view is not None else self.encoder
        vectors = source.encode(texts, role=zoo_role)
        if self.quantized:
            assert self.view is not None and self.view.quantizer is not None
            vectors = self.view.quantizer.transform(vectors)
        tokens = self.count_tokens(texts) if self.count_tokens is not None else None
        return Embedded(np.asarray(vectors, dtype=np.float32), tokens)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.name,
            "object": "model",
            "owned_by": "embedding-zoo",
            "fingerprint": self.fingerprint,
            "dimensions": self.dim,
            "chain": list(self.chain),
            "aliases": list(self.aliases),
            "quantized": self.quantized,
        }


def load_served_model(
    registry: Any, model: str, chain: str | None = None, fit_on: str | None = None, cache: EmbeddingCache | None = None
) -> ServedModel:
    """The encoder ``model`` loaded now, its chain (``-p``) fitted on ``fit_on``'s texts, and where a cache is
    given, read through it."""
    spec = registry.encoder(model)
    if "text" not in spec.modalities:
        raise ZooError(f"zoo serve serves text encoders; {spec.name} encodes {'+'.join(spec.modalities)}")
    steps = parse_chain(chain, registry.postprocessor) if chain else ()
    source = parse_fit_source(fit_on) if fit_on else None
    if steps and (source is None or source.kind == "corpus"):
        raise ZooError("a served chain is fit once, before serving: add --fit-on task:<name> or file:<path>")
    encoder = spec.load()
    load = getattr(encoder, "load", None)
    if callable(load):
        load()
    counter = token_counter(encoder)
    served: Any = CachedEncoder(encoder, cache) if cache is not None else encoder
    view = ChainEncoder.fit(served, steps, source.inputs(None), fitted_on=source.label) if steps and source else None
    return ServedModel(spec.name, served, view, _aliases(model, spec), counter)


def _aliases(model: str, spec: Any) -> tuple[str, ...]:
    return tuple(name for name in dict.fromkeys((model, *spec.aliases)) if name != spec.name)


def token_counter(encoder: Any) -> TokenCounter | None:
    """Tokens per text as the model's own tokenizer cuts them (truncated where the model truncates), for the
    ``usage`` of each answer; None for encoders without a Hugging Face tokenizer."""
    model = getattr(encoder, "model", None)  # sentence-transformers encoders
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is None or not callable(tokenizer):
        return None
    limit = getattr(model, "max_seq_length", None)

    def count(texts: list[str]) -> np.ndarray:
        ids = tokenizer(texts, truncation=limit is not None, max_length=limit)["input_ids"]
        return np.fromiter((len(row) for row in ids), dtype=np.int64, count=len(texts))

    return count
