"""Static word-embedding encoders: WordLlama, whose PyPI wheel ships its weights (no torch, no network)."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

import numpy as np

from zoo.encoders.base import file_fingerprint, l2_normalize, safetensors_parameters
from zoo.encoders.skeleton import BaseEncoder
from zoo.errors import ZooError
from zoo.protocols import Role


def wordllama_package_dir() -> Path | None:
    """The installed ``wordllama`` package folder (its weights/ and tokenizers/ live there), found unimported."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _import_wordllama() -> Any:
    """Import wordllama, undoing the ``logging.basicConfig(level=INFO)`` it runs at import."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama
    except ImportError as exc:
        raise ZooError(f"this encoder needs 'wordllama': pip install wordllama ({exc})") from exc
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return wordllama


class WordLlamaEncoder(BaseEncoder):
    """Average of WordLlama token embeddings, L2-normalised; prompts and instructions do not apply.

    ``cache_dir`` None means the installed package folder, where the wheel's weights lie; with
    ``allow_download`` False (the default) a missing file is an error, never a network call.
    """

    def __init__(
        self,
        config: str = "l2_supercat",
        dim: int = 256,
        *,
        name: str | None = None,
        cache_dir: str | Path | None = None,
        allow_download: bool = False,
        batch_size: int = 256,
    ) -> None:
        self.config = config
        self._dim = dim
        self.name = name or f"wordllama-{config}-{dim}"
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.allow_download = allow_download
        self.batch_size = batch_size

    def __repr__(self) -> str:
        return f"WordLlamaEncoder(config={self.config!r}, dim={self._dim})"

    @property
    def dim(self) -> int:
        return self._dim

    def _cache_dir(self) -> Path:
        folder = self.cache_dir or wordllama_package_dir()
        if folder is None:
            raise ZooError("this encoder needs 'wordllama': pip install wordllama")
        return folder

    def _files(self) -> tuple[Path, Path]:
        """The weights and tokenizer files, resolved as WordLlama.load resolves them."""
        wordllama = _import_wordllama()
        loader, configs = wordllama.WordLlama, wordllama.config.WordLlamaModels
        if self.config not in configs.list_configs():
            known = ", ".join(configs.list_configs())
            raise ZooError(f"unknown wordllama config {self.config!r}: choose one of {known}")
        uri = getattr(configs, self.config)
        try:
            found = [
                loader.resolve_file(
                    config_name=self.config,
                    model_uri=uri,
                    dim=self._dim,
                    binary=False,
                    file_type=kind,
                    cache_dir=self._cache_dir(),
                    remote_filename=remote,
                    disable_download=not self.allow_download,
                )
                for kind, remote in (
                    ("weights", uri.remote_filename),
                    ("tokenizer", uri.remote_tokenizer_filename),
                )
            ]
        except FileNotFoundError as exc:
            raise ZooError(f"wordllama {self.config!r} dim {self._dim} is not available offline: {exc}") from exc
        return found[0], found[1]

    def load_model(self) -> Any:
        self._files()  # a clear ZooError before wordllama's own messages
        return _import_wordllama().WordLlama.load(
            config=self.config,
            dim=self._dim,
            cache_dir=self._cache_dir(),
            disable_download=not self.allow_download,
        )

    @property
    def n_parameters(self) -> int | None:
        """The token-embedding table's size, from the weights file's header."""
        return safetensors_parameters([self._files()[0]])

    def fingerprint_parts(self) -> tuple[Any, ...]:
        weights, tokenizer = self._files()
        return ("wordllama", file_fingerprint(weights), file_fingerprint(tokenizer), self.config, self._dim)

    def encode_items(self, items: list[str], role: Role, instruction: str | None) -> np.ndarray:
        vectors = self.model.embed(items, norm=False, batch_size=self.batch_size)
        return l2_normalize(np.asarray(vectors, dtype=np.float32))
