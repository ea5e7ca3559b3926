"""How a VLM2Vec-style encoder writes one item as a prompt: image placeholder, instruction, text.

VLM2Vec's convention (and MMEB's data): the image token, a newline, then the instruction and the text
separated by a space, e.g. ``<|image_1|>\\nRepresent the given image with the following question: What is
on the table?``. Each backbone names its image placeholder differently; the processor expands it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from zoo.api import ZooError


@dataclass(frozen=True)
class PromptTemplate:
    """A backbone's image placeholder and the text around an item; part of the encoder's fingerprint."""

    image_token: str
    prefix: str = ""  # before everything, e.g. a BOS the processor does not add itself
    suffix: str = ""  # after everything, e.g. an EOS whose hidden state is the embedding
    image_separator: str = "\n"
    text_separator: str = " "
    one_item_per_call: bool = False  # processors that cannot batch several prompts (Phi-3.5-V, Mllama)

    def render(self, *, has_image: bool, text: str | None, instruction: str | None) -> str:
        """The prompt for one item: ``prefix [image_token sep] [instruction] [text] suffix``."""
        words = self.text_separator.join(part for part in (instruction, text) if part)
        image = self.image_token + self.image_separator if has_image else ""
        return f"{self.prefix}{image}{words}{self.suffix}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# model_type in the checkpoint's config.json -> template. The VLM2Vec and mmE5 checkpoints use these.
BACKBONES: dict[str, PromptTemplate] = {
    "phi3_v": PromptTemplate("<|image_1|>", one_item_per_call=True),
    "llava": PromptTemplate("<image>"),
    "llava_next": PromptTemplate("<image>"),
    "qwen2_vl": PromptTemplate("<|vision_start|><|image_pad|><|vision_end|>"),
    "qwen2_5_vl": PromptTemplate("<|vision_start|><|image_pad|><|vision_end|>"),
    # Mllama's processor pairs images with prompts by nesting; one prompt per call keeps that simple
    "mllama": PromptTemplate("<|image|>", prefix="<|begin_of_text|>", one_item_per_call=True),
}


def template_for(model_type: str, processor: Any, *, image_token: str | None = None) -> PromptTemplate:
    """The template of a backbone: the user's image token, else the known backbone's, else the processor's."""
    known = BACKBONES.get(model_type)
    if image_token is not None:
        return PromptTemplate(image_token, one_item_per_call=bool(known and known.one_item_per_call))
    if known is not None:
        return known
    token = getattr(processor, "image_token", None)
    if isinstance(token, str) and token:
        return PromptTemplate(token)
    raise ZooError(
        f"unknown vision-language backbone {model_type!r}: pass its image placeholder, "
        "e.g. vlm2vec:<model>?image_token=<image>"
    )
