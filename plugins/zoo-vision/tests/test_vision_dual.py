"""CLIP-style dual encoder on a tiny random CLIP saved to a folder and loaded like a hub checkpoint."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from vision_tiny_models import build_clip, build_siglip
from zoo.errors import ZooError
from zoo.registry import Registry
from zoo.testing import check_encoder
from zoo_vision.dual import DualEncoder
from zoo_vision.inputs import ImageText

RNG = np.random.default_rng(0)
IMAGES = [(RNG.random((h, w, 3)) * 255).astype(np.uint8) for h, w in ((12, 20), (40, 40), (9, 33))]
TEXTS = ["a photo of the number 1", "a red cat", "what is in the image"]


def test_meets_the_encoder_contract(tiny_clip: Path) -> None:
    check_encoder(DualEncoder(str(tiny_clip), batch_size=2), inputs=[*TEXTS, *IMAGES])


def test_vectors_are_the_models_own_features(tiny_clip: Path) -> None:
    """Through the processor and get_*_features by hand: same preprocessing, same projection."""
    from PIL import Image
    from transformers import AutoProcessor, CLIPModel

    model, processor = CLIPModel.from_pretrained(tiny_clip).eval(), AutoProcessor.from_pretrained(tiny_clip)
    with torch.no_grad():
        pixels = processor(images=[Image.fromarray(IMAGES[0])], return_tensors="pt")["pixel_values"]
        image = model.get_image_features(pixel_values=pixels)
        text = model.get_text_features(**processor(text=[TEXTS[0]], return_tensors="pt"))
    expected = [getattr(x, "pooler_output", x)[0].numpy() for x in (text, image)]
    expected = [v / np.linalg.norm(v) for v in expected]
    got = DualEncoder(str(tiny_clip)).encode([TEXTS[0], IMAGES[0]])
    np.testing.assert_allclose(got, np.stack(expected), atol=1e-5)


def test_shapes_and_unit_length(tiny_clip: Path) -> None:
    encoder = DualEncoder(str(tiny_clip))
    vectors = encoder.encode([IMAGES[1], TEXTS[1], ImageText(image=IMAGES[2])])
    assert encoder.dim == 8 and vectors.shape == (3, 8) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_an_item_with_image_and_text_is_refused(tiny_clip: Path) -> None:
    with pytest.raises(ZooError, match="input 1 has both an image and a text.*vlm2vec"):
        DualEncoder(str(tiny_clip)).encode([TEXTS[0], ImageText(IMAGES[0], "a cat")])


def test_fingerprint_follows_weight_content(tiny_clip: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(tiny_clip, tmp_path / "copy")
    other = build_clip(tmp_path / "other", seed=1)
    prints = [DualEncoder(str(folder)).fingerprint() for folder in (tiny_clip, copy, other)]
    assert prints[0] == prints[1] != prints[2]
    assert DualEncoder(str(tiny_clip), name="x", batch_size=1).fingerprint() == prints[0]


def test_loads_through_the_plugins_open_names(tiny_clip: Path) -> None:
    spec = Registry.from_plugins().encoder(f"clip:{tiny_clip}?batch_size=2")
    assert (spec.family, spec.modalities) == ("clip", ("image", "text"))
    encoder = spec.load()
    assert encoder.batch_size == 2 and encoder.encode([IMAGES[0]]).shape == (1, 8)


def test_a_folder_without_a_model_says_so(tmp_path: Path) -> None:
    with pytest.raises(ZooError, match="could not load clip model .*holds no loadable model"):
        DualEncoder(str(tmp_path)).encode(["a cat"])


def test_a_language_model_is_not_a_dual_encoder(tiny_llava: Path) -> None:
    with pytest.raises(ZooError, match="not a dual image-text encoder"):
        DualEncoder(str(tiny_llava)).encode(["a cat"])


def test_siglip_texts_are_padded_to_max_length(tmp_path: Path) -> None:
    """SigLIP was trained on texts padded to full length: shorter padding would give other vectors."""
    from transformers import AutoProcessor, SiglipModel

    folder = build_siglip(tmp_path / "siglip")
    model, processor = SiglipModel.from_pretrained(folder).eval(), AutoProcessor.from_pretrained(folder)

    def by_hand(padding: str | bool) -> np.ndarray:
        with torch.no_grad():
            length = {"max_length": 16} if padding == "max_length" else {}
            batch = processor(text=["a red cat"], padding=padding, return_tensors="pt", **length)
            out = model.get_text_features(**batch)
        vector = getattr(out, "pooler_output", out)[0].numpy()
        return vector / np.linalg.norm(vector)

    encoder = DualEncoder(str(folder))
    got = encoder.encode(["a red cat"])[0]
    assert encoder.settings()["text_padding"] == "max_length" and encoder.dim == 16
    np.testing.assert_allclose(got, by_hand("max_length"), atol=1e-5)
    assert not np.allclose(got, by_hand(True), atol=1e-3)
