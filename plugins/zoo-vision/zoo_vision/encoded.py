"""Images as bytes: the form the zoo's embedding cache stores, so each image is encoded once per model."""

from __future__ import annotations

import io
from typing import Any


def ppm_bytes(array: Any) -> bytes:
    """A uint8 (H, W) or (H, W, 3) array as binary PGM/PPM: lossless, and the same bytes from every
    Pillow version (unlike PNG's compressor), so data fingerprints stay put."""
    from PIL import Image

    from zoo_vision.images import to_rgb

    image = Image.fromarray(array) if array.ndim == 2 else to_rgb(array)
    buffer = io.BytesIO()
    image.save(buffer, format="PPM")
    return buffer.getvalue()
