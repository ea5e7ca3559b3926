"""Encoders backed by a ``sentence_transformers.SentenceTransformer`` (hub id or local folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zoo.encoders.base import (
    PromptSettings,
    hub_snapshot,
    pick_device,
    pick_dtype,
    require,
)
from zoo.encoders.pretrained import PretrainedTextEncoder
from zoo.encoders.st_config import configured_dim
from zoo.protocols import Role


class SentenceTransformerEncoder(PretrainedTextEncoder):
    """A sentence-transformers model; its own "query"/"document" prompts apply where the user set none.

    The fingerprint hashes the model folder's files (which hold the model's prompts and max_seq_length)
    plus the user's settings and the precision (``dtype`` None: float16 on CUDA, float32 elsewhere).
    """

    family = "sentence-transformers"
    snapshot_marker = "modules.json"

    def __init__(
        self,
        model_name_or_path: str | Path,
        *,
        name: str | None = None,
        query_prompt: str | None = None,
        document_prompt: str | None = None,
        batch_size: int = 64,
        device: str | None = None,
        normalize: bool = True,
        revision: str | None = None,
        trust_remote_code: bool = False,
        max_seq_length: int | None = None,
        dtype: str | None = None,
    ) -> None:
        self.model_name_or_path = str(model_name_or_path)
        self.name = name or self.model_name_or_path
        self.prompts = PromptSettings(query_prompt, document_prompt)
        self.batch_size = batch_size
        self.device = device
        self.normalize = normalize
        self.revision = revision
        self.trust_remote_code = trust_remote_code
        self.max_seq_length = max_seq_length
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder({self.model_name_or_path!r}, name={self.name!r})"

    def load_model(self) -> Any:
        """The SentenceTransformer, on its device and in its precision."""
        st = require("sentence_transformers", "sentence-transformers")
        device = pick_device(self.device)
        source = str(self.local_folder or self.model_name_or_path)
        try:
            model = st.SentenceTransformer(
                source,
                device=device,
                revision=self.revision,
                trust_remote_code=self.trust_remote_code,
            )
        except Exception as exc:
            raise self.load_error(source, exc) from exc
        dtype = pick_dtype(device, self.dtype)
        if dtype != next(model.parameters()).dtype:
            model.to(dtype)
        if self.max_seq_length is not None:
            model.max_seq_length = self.max_seq_length
        return model

    @property
    def dim(self) -> int:
        """Read from the folder's module configs where it can be (a cached run never loads the model)."""
        folder = self.local_folder or hub_snapshot(self.model_name_or_path, self.revision, "modules.json")
        configured = configured_dim(folder) if folder is not None else None
        if configured is not None:
            return configured
        model = self.model
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = get_dim()
        return int(dim) if dim is not None else int(self._encode(["dim"], None).shape[1])

    def effective_prompts(self) -> PromptSettings:
        """The user's prompts, with the model's configured ones for roles the user left unset."""
        own = getattr(self.model, "prompts", None) or {}
        document = own.get("document") or own.get("passage", own.get("document"))  # e5-style configs
        return self.prompts.with_defaults(own.get("query"), document)

    def settings(self) -> list[Any]:
        return [self.prompts.as_dict(), self.normalize, self.max_seq_length]

    def torch_module(self) -> Any:
        return self.model

    def encode_texts(self, texts: list[str], role: Role, instruction: str | None) -> np.ndarray:
        return self._encode(texts, self.effective_prompts().for_role(role, instruction))

    def _encode(self, texts: list[str], prompt: str | None) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            prompt=prompt,
            batch_size=self.batch_size,
            normalize_embeddings=self.normalize,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
