"""The encoder skeleton every encoder shares, so that each one writes only what is its own (as llm's
EmbeddingModel does with ``embed_batch``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from zoo.encoders.base import check_role, check_texts, empty
from zoo.fingerprint import fingerprint
from zoo.protocols import Role, Similarity

if TYPE_CHECKING:
    import numpy as np

_UNLOADED = object()


class BaseEncoder:
    """Checks the role and the inputs, answers an empty input with ``(0, dim)``, loads the model once on
    first use (``load()`` does it now, so the harness can time it apart) and computes the fingerprint once.

    A subclass sets ``name`` (and ``modalities``, ``similarity`` where not text and cosine) and implements
    ``encode_items(items, role, instruction)``, the one method that turns checked, non-empty inputs into
    float32 ``(n, dim)`` vectors; ``fingerprint_parts()``, everything that changes the vectors; ``dim``; and,
    where it has weights, ``load_model()``, whose answer ``self.model`` keeps. ``check_inputs`` takes a list
    of strings: encoders of other modalities override it.
    """

    name: str
    modalities: tuple[str, ...] = ("text",)
    similarity: Similarity = "cosine"
    _model: Any = _UNLOADED
    _fingerprint: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        has_model = cls.load_model is not BaseEncoder.load_model
        if not has_model and cls.load is BaseEncoder.load:
            # nothing to load: without the optional load() hook the harness reports no load time
            cls.load = None  # type: ignore[assignment]
        elif has_model and cls.load is None:
            cls.load = BaseEncoder.load  # a model-less base (DnaEncoder) said "no load"; this subclass has one

    @property
    def dim(self) -> int:
        raise NotImplementedError

    def load_model(self) -> Any:
        """Load the weights (or whatever the encoder runs); called once, on first use."""
        return None

    def fingerprint_parts(self) -> Sequence[Any]:
        """Everything that changes the vectors: family, code version, weights' hash, settings."""
        raise NotImplementedError

    def check_inputs(self, inputs: Sequence[Any]) -> list[Any]:
        """The inputs as a list, or a one-line ZooError naming the first bad one."""
        return check_texts(inputs)

    def encode_items(self, items: list[Any], role: Role, instruction: str | None) -> np.ndarray:
        raise NotImplementedError

    @property
    def is_loaded(self) -> bool:
        """Whether ``model`` has been loaded (a run served from the cache never loads it)."""
        return self._model is not _UNLOADED

    @property
    def model(self) -> Any:
        if self._model is _UNLOADED:
            self._model = self.load_model()
        return self._model

    def load(self) -> None:
        """Load the model now rather than in the first encode (the harness times the two apart); encoders
        without a ``load_model`` have no ``load``."""
        self.model  # noqa: B018 - the property loads it

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = fingerprint(*self.fingerprint_parts())
        return self._fingerprint

    def encode(self, inputs: Sequence[Any], *, role: Role = "document", instruction: str | None = None) -> np.ndarray:
        items = self.check_inputs(inputs)
        check_role(role)
        if not items:
            return empty(self.dim)
        return self.encode_items(items, role, instruction)
