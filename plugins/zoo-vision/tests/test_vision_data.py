"""The offline tasks' data: scikit-learn's digits and scikit-image's sample images."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from zoo_vision.digits import CLASS_NAMES, digits_data
from zoo_vision.images import to_rgb
from zoo_vision.skimage_captions import CAPTIONS, skimage_caption_data
from zoo_vision.tasks_catalogue import DIGITS


def test_digits_are_all_1797_images_as_white_ink_on_black() -> None:
    from sklearn.datasets import load_digits

    data = digits_data()
    raw = load_digits()
    assert len(data.images) == len(data.labels) == 1797 and data.class_names == CLASS_NAMES
    assert np.bincount(data.labels).tolist() == np.bincount(raw.target).tolist()
    first = np.asarray(Image.open(io.BytesIO(data.images[0])))
    assert first.shape == (8, 8) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, np.round(raw.images[0] * 255 / 16))  # 0 -> 0 (black), 16 -> 255
    assert np.asarray(to_rgb(data.images[0])).shape == (8, 8, 3)


def test_digits_fingerprint_is_stable_and_names_the_prompts() -> None:
    first, second = DIGITS.load(), DIGITS.load()
    assert first.data_fingerprint() == second.data_fingerprint()
    assert first.templates == ('a photo of the number: "{}".',)


def test_skimage_sample_images_decode_with_their_captions() -> None:
    data = skimage_caption_data()
    assert len(data.images) == len(data.captions) == len(CAPTIONS) == 17
    assert data.image_of["chelsea-caption"] == "chelsea"
    sizes = {name: to_rgb(image).size for name, image in data.images.items()}
    assert sizes["astronaut"] == (512, 512) and sizes["chelsea"] == (451, 300)
    assert np.asarray(to_rgb(data.images["horse"])).max() == 255  # a boolean silhouette, as black and white
