"""scikit-learn's bundled digits (UCI optical recognition of handwritten digits), as zero-shot
classification: 1,797 images of 8x8 pixels with 17 grey levels, classes "0" to "9".

Pixels are scaled from 0-16 to 0-255 and drawn as white ink on black, as in MNIST (whose prompt from
the CLIP paper the task uses); the encoder's own preprocessing resizes them.
"""

from __future__ import annotations

from zoo_vision.encoded import ppm_bytes
from zoo_vision.loading import need
from zoo_vision.zero_shot import ZeroShotData

CLASS_NAMES = [str(digit) for digit in range(10)]
TEMPLATES = ('a photo of the number: "{}".',)  # CLIP's MNIST prompt (openai/CLIP, prompts.md)
IMAGE_INSTRUCTION = "Represent the given image for classification"  # MMEB's classification wording
GREY_LEVELS = 16


def digits_data() -> ZeroShotData:
    """All 1,797 digits as one evaluation split, images as PGM bytes."""
    import numpy as np

    datasets = need("the digits task", "sklearn.datasets", "scikit-learn")
    bunch = datasets.load_digits()
    pixels = np.round(bunch.images * (255 / GREY_LEVELS)).astype(np.uint8)
    return ZeroShotData([ppm_bytes(image) for image in pixels], [int(t) for t in bunch.target], CLASS_NAMES)
