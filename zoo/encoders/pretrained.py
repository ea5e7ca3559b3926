"""What the sentence-transformers and transformers encoders share: a hub id or local folder loaded lazily,
a precision, and a fingerprint of the model files plus every setting that changes the vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zoo.encoders.base import (
    dtype_name,
    hub_snapshot,
    model_files,
    module_parameters,
    pick_device,
    safetensors_parameters,
    state_dict_fingerprint,
    weights_fingerprint,
)
from zoo.encoders.skeleton import BaseEncoder
from zoo.encoders.untrained import freshly_initialised
from zoo.errors import ZooError
from zoo.protocols import Role


class PretrainedTextEncoder(BaseEncoder):
    """Base of the encoders over pretrained checkpoints. Subclasses set ``family``, ``snapshot_marker``
    and implement ``load_model()``, ``settings()``, ``torch_module()`` and ``encode_texts()``."""

    family = ""
    snapshot_marker = "config.json"  # a file every snapshot of this kind holds

    model_name_or_path: str
    revision: str | None
    device: str | None
    dtype: str | None

    @property
    def local_folder(self) -> Path | None:
        path = Path(self.model_name_or_path).expanduser()
        return path if path.is_dir() else None

    @property
    def dim(self) -> int:
        raise NotImplementedError

    def settings(self) -> list[Any]:
        """Everything besides the weights that changes the vectors: pooling, prompts, lengths..."""
        raise NotImplementedError

    def torch_module(self) -> Any:
        """The torch module within ``model`` (loading it on first use)."""
        raise NotImplementedError

    def encode_texts(self, texts: list[str], role: Role, instruction: str | None) -> np.ndarray:
        raise NotImplementedError

    def effective_dtype(self) -> str:
        """The precision the weights run in: the user's choice, else what the device picks."""
        return dtype_name(pick_device(self.device), self.dtype)

    def fingerprint_parts(self) -> tuple[Any, ...]:
        # the precision is part of it: fp16 on a GPU gives other vectors than fp32
        return (self.family, self._weights_fingerprint(), self.settings(), self.effective_dtype())

    @property
    def n_parameters(self) -> int | None:
        """Weights in the checkpoint: from safetensors headers, else by loading the model."""
        folder = self.local_folder or hub_snapshot(self.model_name_or_path, self.revision, self.snapshot_marker)
        counted = safetensors_parameters(model_files(folder)) if folder is not None else None
        return counted if counted is not None else module_parameters(self.torch_module())

    @property
    def trained(self) -> bool:
        """False for a checkpoint saved straight from a random initialisation (zoo.encoders.untrained)."""
        folder = self.local_folder or hub_snapshot(self.model_name_or_path, self.revision, self.snapshot_marker)
        return folder is None or freshly_initialised(model_files(folder)) is not True

    def _weights_fingerprint(self) -> str:
        folder = self.local_folder
        if folder is None:
            module = self.torch_module()  # downloads the snapshot if needed
            folder = hub_snapshot(self.model_name_or_path, self.revision, self.snapshot_marker)
            if folder is None:
                return state_dict_fingerprint(module)
        return weights_fingerprint(folder)

    def encode_items(self, items: list[str], role: Role, instruction: str | None) -> np.ndarray:
        return self.encode_texts(items, role, instruction)

    def load_error(self, source: str, exc: Exception) -> ZooError:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return ZooError(f"could not load {self.family} model {source!r}: {first_line}")
