"""VLM2Vec-style embeddings from any transformers vision-language model (Qwen2-VL, Phi-3.5-V, LLaVA...).

Each item (an image, a text, or an image then a text) is written as one prompt with the task's
instruction (see ``templates``), run through the model, and represented by the hidden state of its
last real token, L2-normalised: the recipe of VLM2Vec (Jiang et al., 2024) and mmE5 (Chen et al., 2025).
An ``instruction`` passed to ``encode`` replaces the encoder's default instruction for that role.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from zoo.api import BaseEncoder, Role, Similarity, ZooError, dtype_kwargs, l2_normalize
from zoo_vision.images import to_rgb
from zoo_vision.inputs import ImageText, as_items
from zoo_vision.loading import (
    device_and_dtype,
    dtype_name,
    load_error,
    model_fingerprint,
    torch_and_transformers,
)
from zoo_vision.pooling import last_token_pool
from zoo_vision.templates import PromptTemplate, template_for

VERSION = 1  # bump when the computation changes: it is part of the fingerprint
CUDA_DTYPE = "bfloat16"  # decoder LMs are trained in bf16; their activations can overflow float16
PADDING_SIDES = ("left", "right")


class VLMEncoder(BaseEncoder):
    """Instruction + interleaved image and text -> last-token hidden state of a vision-language model."""

    modalities: tuple[str, ...] = ("image", "text")
    similarity: Similarity = "cosine"
    family = "vlm2vec"

    def __init__(
        self,
        model: str,
        *,
        name: str | None = None,
        revision: str | None = None,
        device: str | None = None,
        dtype: str | None = None,
        batch_size: int = 8,
        query_instruction: str | None = None,
        document_instruction: str | None = None,
        image_token: str | None = None,
        padding_side: str = "left",
        normalize: bool = True,
        trust_remote_code: bool = False,
    ) -> None:
        if padding_side not in PADDING_SIDES:
            raise ZooError(f"padding_side must be 'left' or 'right', got {padding_side!r}")
        if batch_size < 1:
            raise ZooError(f"batch_size must be positive, got {batch_size}")
        self.model_name_or_path = model
        self.name = name or f"vlm2vec:{model}"
        self.revision = revision
        self.device = device
        self.dtype = dtype
        self.batch_size = batch_size
        self.instructions = {"query": query_instruction, "document": document_instruction}
        self.image_token = image_token
        self.padding_side = padding_side  # does not change the vectors: pooling finds the last real token
        self.normalize = normalize
        self.trust_remote_code = trust_remote_code

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.model[0].parameters())

    @property
    def dim(self) -> int:
        config = self.model[0].config
        text_config = getattr(config, "text_config", None) or config
        return int(text_config.hidden_size)

    @property
    def template(self) -> PromptTemplate:
        return self.model[2]

    def settings(self) -> dict[str, Any]:
        """Everything besides the weights that changes the vectors: template, instructions, pooling."""
        return {
            "template": self.template.as_dict(),
            "instructions": self.instructions,
            "pooling": "last",
            "normalize": self.normalize,
        }

    def fingerprint_parts(self) -> tuple[Any, ...]:
        weights = model_fingerprint(self.model_name_or_path, self.revision, self.model[0])
        return (
            "zoo-vision/vlm2vec",
            VERSION,
            weights,
            self.settings(),
            dtype_name(self.device, self.dtype, cuda_default=CUDA_DTYPE),
        )

    def prompt(self, item: ImageText, role: Role = "document", instruction: str | None = None) -> str:
        """The text the model reads for one item (the image placeholder is expanded by the processor)."""
        chosen = instruction if instruction is not None else self.instructions[role]
        return self.template.render(has_image=item.has_image, text=item.text, instruction=chosen)

    def check_inputs(self, inputs: Sequence[Any]) -> list[ImageText]:
        return as_items(inputs)

    def encode_items(self, items: list[ImageText], role: Role, instruction: str | None) -> np.ndarray:
        size = 1 if self.template.one_item_per_call else self.batch_size
        parts = [
            self._encode_batch(items[start : start + size], start, role, instruction)
            for start in range(0, len(items), size)
        ]
        vectors = np.concatenate(parts).astype(np.float32)
        return l2_normalize(vectors) if self.normalize else vectors

    def _encode_batch(self, items: list[ImageText], offset: int, role: Role, instruction: str | None) -> np.ndarray:
        import torch

        model, processor, _ = self.model
        prompts = [self.prompt(item, role, instruction) for item in items]
        images = [to_rgb(item.image, offset + i) for i, item in enumerate(items) if item.has_image]
        processor.tokenizer.padding_side = self.padding_side
        batch = processor(text=prompts, images=images or None, padding=True, return_tensors="pt")
        batch = {key: value.to(model.device) if hasattr(value, "to") else value for key, value in batch.items()}
        if "pixel_values" in batch:
            batch["pixel_values"] = batch["pixel_values"].to(model.dtype)
        with torch.inference_mode():
            output = model(**batch, output_hidden_states=_has_lm_head(model))
        hidden = getattr(output, "last_hidden_state", None)
        if hidden is None:
            hidden = output.hidden_states[-1]
        return last_token_pool(hidden, batch["attention_mask"]).float().cpu().numpy()

    def load_model(self) -> tuple[Any, Any, PromptTemplate]:
        _, transformers = torch_and_transformers()
        device, dtype = device_and_dtype(self.device, self.dtype, cuda_default=CUDA_DTYPE)
        options = {"revision": self.revision, "trust_remote_code": self.trust_remote_code}
        try:
            processor = transformers.AutoProcessor.from_pretrained(self.model_name_or_path, **options)
            model = _load_model(transformers, self.model_name_or_path, options, dtype)
        except (OSError, ValueError, KeyError) as exc:
            raise load_error(self.family, self.model_name_or_path, exc) from None
        if getattr(processor, "tokenizer", None) is None:
            raise ZooError(
                f"{self.model_name_or_path!r} has no tokenizer in its processor: a vision-language model needs one"
            )
        template = template_for(str(model.config.model_type), processor, image_token=self.image_token)
        return (model.to(device).eval(), processor, template)


def _load_model(transformers: Any, model: str, options: dict[str, Any], dtype: Any) -> Any:
    """The base model (no LM head) where transformers maps one, else the causal LM (remote code)."""
    try:
        return transformers.AutoModel.from_pretrained(model, **options, **dtype_kwargs(dtype))
    except ValueError:
        return transformers.AutoModelForCausalLM.from_pretrained(model, **options, **dtype_kwargs(dtype))


def _has_lm_head(model: Any) -> bool:
    """Causal LMs return no ``last_hidden_state``, only ``hidden_states`` when asked for them."""
    return model.get_output_embeddings() is not None
