"""Input forms and image decoding: every accepted form, and one clear error for each unusable one."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zoo.errors import ZooError
from zoo_vision.images import to_rgb
from zoo_vision.inputs import ImageText, as_item, as_items

PIXELS = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
NOISE = (np.random.default_rng(0).random((64, 64)) * 255).astype(np.uint8)  # compresses badly: a long IDAT


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_each_form_becomes_an_item(tmp_path: Path) -> None:
    path = tmp_path / "x.png"
    pil = Image.fromarray(PIXELS)
    assert as_item("a cat", 0) == ImageText(text="a cat")
    assert as_item(path, 0) == ImageText(image=path)
    assert as_item(b"\x89PNG", 0) == ImageText(image=b"\x89PNG")
    assert as_item(pil, 0).image is pil
    assert as_item(PIXELS, 0).image is PIXELS
    assert as_item({"image": "x.png", "text": "a cat"}, 0) == ImageText(image="x.png", text="a cat")
    both = ImageText(image=path, text="what is it?")
    assert as_item(both, 0) is both and both.has_image and both.has_text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (3, "input 0 is a int"),
        ({"image": "x.png", "caption": "a cat"}, "unknown key"),
        ({}, "neither an image nor a text"),
        (ImageText(text=3), "text must be a str"),  # type: ignore[arg-type]
    ],
)
def test_bad_items_are_named(raw: object, message: str) -> None:
    with pytest.raises(ZooError, match=message):
        as_item(raw, 0)


def test_a_single_input_must_be_wrapped_in_a_list() -> None:
    for single in ("a cat", b"png", PIXELS, ImageText(text="a")):
        with pytest.raises(ZooError, match="list of inputs"):
            as_items(single)  # type: ignore[arg-type]


def test_arrays_decode_to_rgb_by_hand_computed_values() -> None:
    grey = np.asarray(to_rgb(PIXELS))
    assert grey.shape == (3, 4, 3) and (grey[..., 0] == PIXELS).all() and (grey[..., 2] == PIXELS).all()
    floats = np.asarray(to_rgb(np.array([[0.0, 0.5, 1.0]])))
    assert floats[0, :, 0].tolist() == [0, 128, 255]  # round(0.5 * 255) = 128
    mask = np.asarray(to_rgb(np.array([[True, False]])))
    assert mask[0, :, 1].tolist() == [255, 0]
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[..., 0] = 200
    assert np.asarray(to_rgb(rgba))[0, 0].tolist() == [200, 0, 0]


def test_paths_bytes_and_pil_images_decode_alike(tmp_path: Path) -> None:
    path = tmp_path / "x.png"
    path.write_bytes(png(PIXELS))
    expected = np.asarray(to_rgb(PIXELS))
    for form in (path, str(path), png(PIXELS), Image.fromarray(PIXELS).convert("L")):
        assert (np.asarray(to_rgb(form)) == expected).all()


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((3, 8, 8), dtype=np.uint8), r"shape \(3, 8, 8\); use \(H, W\)"),
        (np.array([[0.0, 2.0]]), r"float image values must lie in \[0, 1\]"),
        (np.array([[np.nan]]), "NaN"),
        (np.array([[-1, 300]]), "use uint8"),
        (np.zeros((0, 4), dtype=np.uint8), "empty image"),
        (b"not an image at all", "not an image Pillow can read"),
        (png(NOISE)[:-500], "broken image"),
        ([1, 2, 3], "unsupported image type list"),
    ],
)
def test_unusable_images_raise_one_line(image: object, message: str) -> None:
    with pytest.raises(ZooError, match=message) as caught:
        to_rgb(image, 7)
    assert "\n" not in str(caught.value) and "input 7" in str(caught.value)


def test_missing_and_non_image_files(tmp_path: Path) -> None:
    with pytest.raises(ZooError, match="does not exist"):
        to_rgb(tmp_path / "missing.png")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(ZooError, match=r"notes.txt\) is not an image"):
        to_rgb(notes)
