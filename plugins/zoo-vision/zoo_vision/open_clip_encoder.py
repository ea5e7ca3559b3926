"""OpenCLIP models (optional: ``pip install open_clip_torch``), e.g. ``open_clip:ViT-B-32/laion2b_s34b_b79k``
or ``open_clip:hf-hub:laion/CLIP-ViT-B-32-laion2B-s34B-b79K``. Images or texts, L2-normalised, cosine."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from zoo.api import BaseEncoder, Role, Similarity, ZooError, l2_normalize, state_dict_fingerprint
from zoo_vision.images import to_rgb
from zoo_vision.inputs import ImageText, as_items, single_modality
from zoo_vision.loading import device_and_dtype, need

VERSION = 1


class OpenClipEncoder(BaseEncoder):
    """An open_clip model and its preprocessing transform; weights load on first use."""

    modalities: tuple[str, ...] = ("image", "text")
    similarity: Similarity = "cosine"

    def __init__(
        self,
        model: str,
        *,
        name: str | None = None,
        device: str | None = None,
        dtype: str | None = None,
        batch_size: int = 32,
    ) -> None:
        architecture, _, pretrained = model.partition("/") if not model.startswith("hf-hub:") else (model, "", "")
        self.architecture, self.pretrained = architecture, pretrained or None
        self.name = name or f"open_clip:{model}"
        self.device, self.dtype, self.batch_size = device, dtype, batch_size

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.model[0].parameters())

    @property
    def dim(self) -> int:
        model = self.model[0]
        return (
            int(model.text_projection.shape[1])
            if hasattr(model, "text_projection")
            else int(self._texts(["a"]).shape[1])
        )

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return (
            "zoo-vision/open_clip",
            VERSION,
            self.architecture,
            self.pretrained,
            state_dict_fingerprint(self.model[0]),
        )

    def check_inputs(self, inputs: Sequence[Any]) -> list[ImageText]:
        return as_items(inputs)

    def encode_items(self, items: list[ImageText], role: Role, instruction: str | None) -> np.ndarray:
        kinds = [single_modality(item, i) for i, item in enumerate(items)]
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        images = [i for i, kind in enumerate(kinds) if kind == "image"]
        texts = [i for i, kind in enumerate(kinds) if kind == "text"]
        if images:
            out[images] = self._images([to_rgb(items[i].image, i) for i in images])
        if texts:
            out[texts] = self._texts([items[i].text or "" for i in texts])
        return l2_normalize(out)

    def _images(self, images: list[Any]) -> np.ndarray:
        import torch

        model, preprocess, _ = self.model
        parts = []
        for start in range(0, len(images), self.batch_size):
            pixels = torch.stack([preprocess(im) for im in images[start : start + self.batch_size]])
            with torch.inference_mode():
                parts.append(model.encode_image(pixels.to(_device(model), _dtype(model))).float().cpu().numpy())
        return np.concatenate(parts)

    def _texts(self, texts: list[str]) -> np.ndarray:
        import torch

        model, _, tokenizer = self.model
        parts = []
        for start in range(0, len(texts), self.batch_size):
            with torch.inference_mode():
                tokens = tokenizer(texts[start : start + self.batch_size]).to(_device(model))
                parts.append(model.encode_text(tokens).float().cpu().numpy())
        return np.concatenate(parts)

    def load_model(self) -> tuple[Any, Any, Any]:
        open_clip = need("open_clip encoders", "open_clip", "open_clip_torch")
        device, dtype = device_and_dtype(self.device, self.dtype)
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(self.architecture, pretrained=self.pretrained)
            tokenizer = open_clip.get_tokenizer(self.architecture)
        except (OSError, RuntimeError, ValueError) as exc:
            raise ZooError(
                f"could not load open_clip model {self.architecture!r} "
                f"({self.pretrained or 'hub weights'}): {str(exc).splitlines()[0][:300]}"
            ) from None
        return (model.to(device=device, dtype=dtype).eval(), preprocess, tokenizer)


def _device(model: Any) -> Any:
    return next(model.parameters()).device


def _dtype(model: Any) -> Any:
    return next(model.parameters()).dtype
