"""Encoders over ``transformers.AutoModel`` hidden states with mean, CLS or last-token pooling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zoo.encoders.base import (
    PromptSettings,
    dtype_kwargs,
    length_order,
    pick_device,
    pick_dtype,
    read_json,
    require,
)
from zoo.encoders.pretrained import PretrainedTextEncoder
from zoo.errors import ZooError
from zoo.protocols import Role

POOLINGS: tuple[str, ...] = ("mean", "cls", "last")


def pool(hidden: Any, attention_mask: Any, pooling: str) -> Any:
    """Pool (batch, seq, dim) hidden states to (batch, dim) in float32, for left or right padding."""
    import torch

    hidden = hidden.float()
    mask = attention_mask.to(hidden.device).long()
    rows = torch.arange(hidden.shape[0], device=hidden.device)
    if pooling == "mean":
        weights = mask.unsqueeze(-1).float()
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
    if pooling == "cls":
        # argmax returns the first maximum: the first attended token, even under left padding
        return hidden[rows, mask.argmax(dim=1)]
    if pooling == "last":
        positions = torch.arange(mask.shape[1], device=mask.device)
        return hidden[rows, (mask * positions).argmax(dim=1)]
    raise ZooError(f"unknown pooling {pooling!r}: choose one of {', '.join(POOLINGS)}")


class TransformersEncoder(PretrainedTextEncoder):
    """Any ``AutoModel``: tokenise, run, pool over the attention mask, optionally L2-normalise.

    ``padding_side`` None keeps the tokenizer's own; the pooling is correct for both sides, so it is not
    part of the fingerprint. ``dtype`` None means float16 on CUDA and float32 elsewhere.
    """

    family = "transformers"
    snapshot_marker = "config.json"

    def __init__(
        self,
        model_name_or_path: str | Path,
        *,
        name: str | None = None,
        pooling: str = "mean",
        query_prompt: str | None = None,
        document_prompt: str | None = None,
        max_length: int = 512,
        batch_size: int = 32,
        normalize: bool = True,
        device: str | None = None,
        dtype: str | None = None,
        trust_remote_code: bool = False,
        revision: str | None = None,
        padding_side: str | None = None,
    ) -> None:
        if pooling not in POOLINGS:
            raise ZooError(f"unknown pooling {pooling!r}: choose one of {', '.join(POOLINGS)}")
        if padding_side not in (None, "left", "right"):
            raise ZooError(f"padding_side must be 'left' or 'right', not {padding_side!r}")
        self.model_name_or_path = str(model_name_or_path)
        self.name = name or self.model_name_or_path
        self.pooling = pooling
        self.prompts = PromptSettings(query_prompt, document_prompt)
        self.max_length = max_length
        self.batch_size = batch_size
        self.normalize = normalize
        self.device = device
        self.dtype = dtype
        self.trust_remote_code = trust_remote_code
        self.revision = revision
        self.padding_side = padding_side

    def __repr__(self) -> str:
        return f"TransformersEncoder({self.model_name_or_path!r}, pooling={self.pooling!r})"

    def load_model(self) -> tuple[Any, Any, str]:
        """(tokenizer, model, device)."""
        transformers = require("transformers", "transformers")
        device = pick_device(self.device)
        source = str(self.local_folder or self.model_name_or_path)
        options = {"revision": self.revision, "trust_remote_code": self.trust_remote_code}
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(source, **options)
            model = transformers.AutoModel.from_pretrained(
                source, **options, **dtype_kwargs(pick_dtype(device, self.dtype))
            )
        except Exception as exc:
            raise self.load_error(source, exc) from exc
        if self.padding_side:
            tokenizer.padding_side = self.padding_side
        if tokenizer.pad_token is None:
            if tokenizer.eos_token is None:
                raise ZooError(f"tokenizer of {source!r} has neither a pad nor an eos token")
            tokenizer.pad_token = tokenizer.eos_token  # decoder models ship without a pad token
        return tokenizer, model.to(device).eval(), device

    @property
    def dim(self) -> int:
        if not self.is_loaded and self.local_folder is not None:
            size = read_json(self.local_folder / "config.json").get("hidden_size")
            if isinstance(size, int):
                return size
        size = getattr(self.model[1].config, "hidden_size", None)
        return int(size) if isinstance(size, int) else int(self._encode(["dim"]).shape[1])

    def settings(self) -> list[Any]:
        return [self.pooling, self.prompts.as_dict(), self.max_length, self.normalize]

    def torch_module(self) -> Any:
        return self.model[1]

    def encode_texts(self, texts: list[str], role: Role, instruction: str | None) -> np.ndarray:
        return self._encode(self.prompts.apply(texts, role, instruction))

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        tokenizer, model, device = self.model
        order = length_order(texts)
        chunks: list[np.ndarray] = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                batch = tokenizer(
                    [texts[i] for i in order[start : start + self.batch_size]],
                    padding=True,
                    truncation=True,
                    max_length=min(self.max_length, tokenizer.model_max_length),
                    return_tensors="pt",
                ).to(device)
                pooled = pool(model(**batch)[0], batch["attention_mask"], self.pooling)
                if self.normalize:
                    pooled = torch.nn.functional.normalize(pooled, dim=-1)
                chunks.append(pooled.cpu().numpy())
        vectors = np.empty((len(texts), chunks[0].shape[1]), dtype=np.float32)
        vectors[order] = np.concatenate(chunks)
        return vectors
