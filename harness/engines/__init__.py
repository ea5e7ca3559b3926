"""Engines: where encoding and search run (local, ray).

An engine only moves work: it encodes the inputs it is given with the encoder it is named, in whatever
batches and processes suit it, commits finished vectors into the embedding cache as they come, and returns
them in input order. It never changes a score beyond the float noise of a different batch composition.
"""

from __future__ import annotations

import importlib.util
import inspect
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from zoo.errors import ZooError

if TYPE_CHECKING:
    from harness.engines.commit import Committer
    from zoo.protocols import Encoder, Role

ENGINES: tuple[str, ...] = ("local", "ray")
ENCODE_CHUNK = 256  # items per call into an encoder: the granularity of progress and of commits
RAY_HINT = "pip install 'embedding-zoo[ray]'"


@dataclass
class EncodeJob:
    """One batch of inputs to encode for one (encoder, role, instruction)."""

    encoder: Encoder  # this process's instance: the local engine encodes with it, ray checks workers against it
    name: str  # the registry name that opens the same encoder in a worker process
    items: list[Any]
    role: Role = "document"
    instruction: str | None = None
    sink: Committer | None = None  # where finished vectors are committed as they come; None: not cached
    progress: bool = True


@dataclass
class Encoded:
    """What an engine returns: the vectors in input order, and what they cost."""

    vectors: np.ndarray  # (len(items), dim) float32
    load_seconds: float  # loading the model, apart from encoding
    encode_seconds: float
    items_by_node: dict[str, int] = field(default_factory=dict)  # where the items were encoded (ray)
    startup_seconds: float = 0.0  # before any encoding began: starting workers (ray), apart from both


@runtime_checkable
class Engine(Protocol):
    """Runs encoding somewhere: this process, or a Ray cluster.

    An engine may also offer ``search_backend(backend) -> backend``: the backend to search with where it runs
    (the Ray engine's ShardedExact for an ExactBackend), giving the same results.
    """

    name: str

    def params(self) -> dict[str, Any]:
        """The engine's settings, JSON-serialisable, recorded with each result (workers, cluster...)."""
        ...

    def encode(self, job: EncodeJob) -> Encoded: ...

    def close(self) -> None:
        """Release what the engine started (a local Ray instance); it may be used again after."""
        ...


def get_engine(name: str = "local", **options: Any) -> Engine:
    """The engine called ``name``, made with ``options`` (ray: ``workers``, ``address``, ``cpus_per_worker``)."""
    if name == "local":
        from harness.engines.local import LocalEngine

        return LocalEngine(**options)
    if name == "ray":
        if importlib.util.find_spec("ray") is None:
            raise ZooError(f"--engine ray needs Ray Data: {RAY_HINT}")
        from harness.engines.ray import RayEngine

        return RayEngine(**options)
    raise ZooError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


def checked(out: Any, n: int, name: str) -> np.ndarray:
    """An encoder's output as float32 (n, dim), or a ZooError naming the encoder and the shape it gave."""
    array = np.asarray(out)
    if array.ndim != 2 or array.shape[0] != n:
        raise ZooError(
            f"encoder {name!r} returned shape {array.shape} for {n} inputs; "
            "Encoder.encode must return an (n, dim) array"
        )
    return array.astype(np.float32, copy=False)


def by_length(items: list[Any]) -> list[int]:
    """Positions of the items, longest text first, so each batch holds similar lengths (as
    sentence-transformers orders a call); items without a length (images, arrays) keep their order."""
    return sorted(range(len(items)), key=lambda i: -len(items[i]) if isinstance(items[i], (str, bytes)) else 0)


def load_model(encoder: Encoder) -> float:
    """Seconds the encoder's optional ``load()`` took (0.0 without one: it loads in its first encode)."""
    load = getattr(encoder, "load", None)
    if not callable(load) or not _takes_no_arguments(load):  # some other load(path), not the hook
        return 0.0
    began = time.perf_counter()
    load()
    return time.perf_counter() - began


def _takes_no_arguments(function: Any) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters)
