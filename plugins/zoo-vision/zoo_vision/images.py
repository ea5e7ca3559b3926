"""Image inputs to RGB PIL images, with one clear error for each way an image can be unusable."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoo.api import ZooError

if TYPE_CHECKING:
    from PIL import Image

ARRAY_SHAPES = "(H, W), (H, W, 1), (H, W, 3) or (H, W, 4)"


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise ZooError("image inputs need Pillow: pip install pillow") from None
    return Image


def to_rgb(image: Any, index: int = 0) -> Image.Image:
    """An RGB PIL image from a path, encoded bytes, a PIL image or a numpy array."""
    Image = _pil()
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    if isinstance(image, (str, Path)):
        return _open(Path(image).expanduser(), index)
    if isinstance(image, (bytes, bytearray)):
        return _decode(bytes(image), f"input {index} (image bytes)")
    if type(image).__module__ == "numpy":
        return _from_array(image, index)
    raise ZooError(
        f"input {index}: unsupported image type {type(image).__name__}; "
        "pass a file path, encoded bytes, a PIL image or a numpy array"
    )


def _open(path: Path, index: int) -> Image.Image:
    if not path.is_file():
        raise ZooError(f"input {index}: image file {path} does not exist")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ZooError(f"input {index}: cannot read image file {path}: {exc.strerror}") from None
    return _decode(data, f"input {index} ({path})")


def _decode(data: bytes, what: str) -> Image.Image:
    Image = _pil()
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()  # decode now: a truncated file fails here, not inside the model
            return opened.convert("RGB")
    except Image.UnidentifiedImageError:
        raise ZooError(f"{what} is not an image Pillow can read (PNG, JPEG, GIF, BMP, TIFF, WebP...)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ZooError(f"{what} is a broken image: {exc}") from None


def _from_array(array: Any, index: int) -> Image.Image:
    import numpy as np

    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ZooError(f"input {index}: image array of shape {array.shape}; use {ARRAY_SHAPES} (channels last)")
    if array.size == 0:
        raise ZooError(f"input {index}: empty image array of shape {array.shape}")
    Image = _pil()
    return Image.fromarray(_as_uint8(np.asarray(array), index)).convert("RGB")


def _as_uint8(array: Any, index: int) -> Any:
    """uint8 pixels: bools as 0/255, floats in [0, 1] scaled, integers in [0, 255] kept."""
    import numpy as np

    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if not np.isfinite(array).all():
        raise ZooError(f"input {index}: image array holds NaN or infinite values")
    low, high = float(array.min()), float(array.max())
    if np.issubdtype(array.dtype, np.floating):
        if low < 0 or high > 1:
            raise ZooError(f"input {index}: float image values must lie in [0, 1], found [{low:g}, {high:g}]")
        return np.round(array * 255).astype(np.uint8)
    if np.issubdtype(array.dtype, np.integer) and low >= 0 and high <= 255:
        return array.astype(np.uint8)
    raise ZooError(
        f"input {index}: image array of dtype {array.dtype} with values [{low:g}, {high:g}]; "
        "use uint8 in [0, 255] or floats in [0, 1]"
    )
