"""What vision encoders take: a text, an image, or both in one item.

``encode(inputs)`` accepts a list whose items are any of:

- ``str``: a text (never a file path: wrap paths in ``pathlib.Path`` or ``ImageText(image=...)``);
- an image: a ``pathlib.Path`` to an image file, the ``bytes`` of an encoded image file (PNG, JPEG...),
  a ``PIL.Image.Image``, or a numpy array of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4);
- ``ImageText(image=..., text=...)`` or a dict ``{"image": ..., "text": ...}``: an image and a text
  together (interleaved: the image comes first), for vision-language encoders. In ``ImageText`` and the
  dict, a ``str`` image is a file path.

Only ``str`` and ``bytes`` items are stored in the zoo's embedding cache, so tasks hand images over as
encoded bytes where they can.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from zoo.api import ZooError

ITEM_KEYS = frozenset({"image", "text"})


@dataclass(frozen=True)
class ImageText:
    """One input item: an image, a text, or both (the image is placed before the text)."""

    image: Any = None
    text: str | None = None

    @property
    def has_image(self) -> bool:
        return self.image is not None

    @property
    def has_text(self) -> bool:
        return self.text is not None


def is_image(value: Any) -> bool:
    """Whether ``value`` is one of the accepted image forms (a str is not: it is a text)."""
    if isinstance(value, (Path, bytes, bytearray)):
        return True
    kind = type(value)
    module = kind.__module__
    return (module.startswith("PIL.") and hasattr(value, "convert")) or (
        module == "numpy" and kind.__name__ == "ndarray"
    )


def as_item(raw: Any, index: int) -> ImageText:
    """One raw input as an ImageText, or a ZooError naming the input and the accepted forms."""
    if isinstance(raw, str):
        return ImageText(text=raw)
    if isinstance(raw, ImageText):
        item = raw
    elif isinstance(raw, Mapping):
        extra = set(raw) - ITEM_KEYS
        if extra:
            raise ZooError(
                f"input {index}: unknown key(s) {', '.join(sorted(map(str, extra)))}; "
                "an item dict takes 'image' and 'text'"
            )
        item = ImageText(image=raw.get("image"), text=raw.get("text"))
    elif is_image(raw):
        return ImageText(image=raw)
    else:
        raise ZooError(
            f"input {index} is a {type(raw).__name__}: pass a str (text), an image "
            "(Path, bytes, PIL image, numpy array) or ImageText(image=..., text=...)"
        )
    if item.image is None and item.text is None:
        raise ZooError(f"input {index} has neither an image nor a text")
    if item.text is not None and not isinstance(item.text, str):
        raise ZooError(f"input {index}: text must be a str, got {type(item.text).__name__}")
    return item


def as_items(inputs: Sequence[Any]) -> list[ImageText]:
    """Every input as an ImageText; a single str or item instead of a list is an error."""
    if isinstance(inputs, (str, bytes, ImageText, Mapping)) or is_image(inputs):
        raise ZooError("encode() takes a list of inputs: wrap the single input in a list")
    return [as_item(raw, index) for index, raw in enumerate(inputs)]


def single_modality(item: ImageText, index: int) -> str:
    """ "image" or "text" for a dual encoder, which embeds one or the other but never both at once."""
    if item.has_image and item.has_text:
        raise ZooError(
            f"input {index} has both an image and a text: a dual encoder embeds one or the "
            "other; use a vlm2vec:<model> encoder for interleaved image and text"
        )
    return "image" if item.has_image else "text"
