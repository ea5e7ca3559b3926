"""CLIP-style dual encoders through transformers (CLIP, SigLIP, and kin): images and texts in one space.

Each item is an image or a text: a dual encoder has no way to read both at once (use a ``vlm2vec:``
encoder for that). Vectors are the model's projected features, L2-normalised, compared by cosine.
Instructions do not apply to these models and are ignored; zero-shot tasks write their own prompts.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from zoo.api import BaseEncoder, Role, Similarity, ZooError, dtype_kwargs, l2_normalize
from zoo_vision.images import to_rgb
from zoo_vision.inputs import ImageText, as_items, single_modality
from zoo_vision.loading import (
    device_and_dtype,
    dtype_name,
    load_error,
    local_folder,
    model_fingerprint,
    tensor_output,
    torch_and_transformers,
)

VERSION = 1  # bump when the computation changes: it is part of the fingerprint


class DualEncoder(BaseEncoder):
    """A transformers model with ``get_image_features`` and ``get_text_features``; weights load lazily."""

    modalities: tuple[str, ...] = ("image", "text")
    similarity: Similarity = "cosine"
    family = "clip"

    def __init__(
        self,
        model: str,
        *,
        name: str | None = None,
        revision: str | None = None,
        device: str | None = None,
        dtype: str | None = None,
        batch_size: int = 32,
        trust_remote_code: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ZooError(f"batch_size must be positive, got {batch_size}")
        self.model_name_or_path = model
        self.name = name or f"clip:{model}"
        self.revision = revision
        self.device = device
        self.dtype = dtype
        self.batch_size = batch_size
        self.trust_remote_code = trust_remote_code

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.model[0].parameters())

    @property
    def trained(self) -> bool:
        """False for a checkpoint saved straight from a random initialisation (zoo.encoders.untrained)."""
        from zoo.api import (
            freshly_initialised,  # torch-free: reads safetensors bytes
            hub_snapshot,
            model_files,
        )

        folder = local_folder(self.model_name_or_path) or hub_snapshot(
            self.model_name_or_path, self.revision, "config.json"
        )
        return folder is None or freshly_initialised(model_files(folder)) is not True

    @property
    def dim(self) -> int:
        config = self.model[0].config
        for owner, key in ((config, "projection_dim"), (getattr(config, "text_config", None), "projection_size")):
            value = getattr(owner, key, None)
            if isinstance(value, int):
                return value
        return int(self._encode_texts(["a"]).shape[1])

    def settings(self) -> dict[str, Any]:
        """Everything besides the weights that changes the vectors."""
        return {"text_padding": self._text_padding(), "max_length": self._max_length(), "normalize": True}

    def fingerprint_parts(self) -> tuple[Any, ...]:
        weights = model_fingerprint(self.model_name_or_path, self.revision, self.model[0])
        return ("zoo-vision/dual", VERSION, weights, self.settings(), dtype_name(self.device, self.dtype))

    def check_inputs(self, inputs: Sequence[Any]) -> list[ImageText]:
        return as_items(inputs)

    def encode_items(self, items: list[ImageText], role: Role, instruction: str | None) -> np.ndarray:
        kinds = [single_modality(item, i) for i, item in enumerate(items)]
        images = [i for i, kind in enumerate(kinds) if kind == "image"]
        texts = [i for i, kind in enumerate(kinds) if kind == "text"]
        parts: dict[int, np.ndarray] = {}
        if images:
            parts.update(zip(images, self._encode_images([(items[i].image, i) for i in images])))
        if texts:
            parts.update(zip(texts, self._encode_texts([items[i].text or "" for i in texts])))
        return l2_normalize(np.stack([parts[i] for i in range(len(items))]).astype(np.float32))

    def _encode_images(self, images: list[tuple[Any, int]]) -> np.ndarray:
        import torch

        model, processor = self.model
        out = []
        for start in range(0, len(images), self.batch_size):
            pil = [to_rgb(image, index) for image, index in images[start : start + self.batch_size]]
            batch = processor(images=pil, return_tensors="pt")
            pixels = batch["pixel_values"].to(model.device, model.dtype)
            with torch.inference_mode():
                out.append(tensor_output(model.get_image_features(pixel_values=pixels)).float().cpu().numpy())
        return np.concatenate(out)

    def _encode_texts(self, texts: list[str]) -> np.ndarray:
        import torch

        model, processor = self.model
        out = []
        for start in range(0, len(texts), self.batch_size):
            batch = processor(
                text=texts[start : start + self.batch_size],
                padding=self._text_padding(),
                truncation=True,
                max_length=self._max_length(),
                return_tensors="pt",
            )
            batch = {key: value.to(model.device) for key, value in batch.items()}
            with torch.inference_mode():
                out.append(tensor_output(model.get_text_features(**batch)).float().cpu().numpy())
        return np.concatenate(out)

    def _text_padding(self) -> str | bool:
        # SigLIP was trained on texts padded to max_length: shorter padding changes its vectors
        return "max_length" if self._model_type().startswith("siglip") else True

    def _max_length(self) -> int:
        text_config = getattr(self.model[0].config, "text_config", None)
        return int(getattr(text_config, "max_position_embeddings", 77))

    def _model_type(self) -> str:
        return str(getattr(self.model[0].config, "model_type", ""))

    def load_model(self) -> tuple[Any, Any]:
        _, transformers = torch_and_transformers()
        device, dtype = device_and_dtype(self.device, self.dtype)
        options = {"revision": self.revision, "trust_remote_code": self.trust_remote_code}
        try:
            model = transformers.AutoModel.from_pretrained(self.model_name_or_path, **options, **dtype_kwargs(dtype))
            processor = transformers.AutoProcessor.from_pretrained(self.model_name_or_path, **options)
        except (OSError, ValueError, KeyError) as exc:
            raise load_error(self.family, self.model_name_or_path, exc) from None
        if not (hasattr(model, "get_image_features") and hasattr(model, "get_text_features")):
            raise ZooError(
                f"{self.model_name_or_path!r} is a {type(model).__name__}, not a dual image-text "
                "encoder: use vlm2vec:<model> for vision-language models"
            )
        return (model.to(device).eval(), processor)
