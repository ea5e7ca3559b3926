"""scikit-image's bundled sample images with one hand-written caption each, as image-text retrieval.

Seventeen photographs and scientific images that ship inside the scikit-image wheel (no download), each
described in one plain sentence written for this task. Small: a smoke test of cross-modal search that
a working CLIP should nearly solve, and random weights should not.
"""

from __future__ import annotations

from zoo_vision.encoded import ppm_bytes
from zoo_vision.image_text import ImageTextData, Instructions
from zoo_vision.loading import need

# skimage.data function -> caption (written for this task, from looking at each image)
CAPTIONS: dict[str, str] = {
    "astronaut": "a portrait of an astronaut in a white spacesuit in front of an American flag",
    "brick": "a close-up of a brick wall",
    "camera": "a black and white photo of a man looking through a camera on a tripod",
    "chelsea": "a photo of a ginger tabby cat",
    "clock": "a black and white photo of a clock on a wall",
    "coffee": "a cup of coffee on a saucer",
    "coins": "a grey photo of many old coins on a dark background",
    "colorwheel": "a colour wheel with every hue of the rainbow",
    "grass": "a close-up of blades of grass",
    "gravel": "a close-up of small stones of gravel",
    "horse": "a black silhouette of a horse on a white background",
    "hubble_deep_field": "a telescope image of many distant galaxies in dark space",
    "immunohistochemistry": "a microscope image of stained tissue in brown and blue",
    "moon": "the cratered surface of the moon",
    "page": "a scanned page of printed text",
    "retina": "a colour photograph of the retina at the back of a human eye",
    "rocket": "a rocket standing on a launch pad",
}
# MMEB's MSCOCO wording, for instruction-following encoders
INSTRUCTIONS = Instructions(
    image_query="Find an image caption describing the given everyday image.",
    text_query="Find me an everyday image that matches the given caption:",
    image_document="Represent the given image.",
)


def skimage_caption_data() -> ImageTextData:
    """The sample images as PPM bytes (booleans as black and white), captions with ids ``<name>-caption``."""
    import numpy as np

    data = need("the skimage-captions task", "skimage.data", "scikit-image")
    images = {}
    for name in CAPTIONS:
        array = getattr(data, name)()
        if array.dtype == np.bool_:
            array = array.astype(np.uint8) * 255
        images[name] = ppm_bytes(array[..., :3] if array.ndim == 3 else array)
    captions = {f"{name}-caption": caption for name, caption in CAPTIONS.items()}
    return ImageTextData(images, captions, {f"{name}-caption": name for name in CAPTIONS})
