"""VLM2Vec-style encoder on a tiny random LLaVA: pooling under both padding sides, prompts, batching."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from zoo.errors import ZooError
from zoo.registry import Registry
from zoo.testing import check_encoder
from zoo_vision.inputs import ImageText
from zoo_vision.vlm import VLMEncoder

RNG = np.random.default_rng(1)
IMAGE = (RNG.random((20, 28, 3)) * 255).astype(np.uint8)
OTHER = (RNG.random((16, 16, 3)) * 255).astype(np.uint8)
# different lengths, so a batch is padded; text-only, image-only and interleaved items mixed
MIXED = [
    "a red cat",
    ImageText(IMAGE, "what is in the image with the red cat"),
    OTHER,
    "find me an everyday image that matches the caption a blue dog",
]


@pytest.fixture(scope="module")
def singles(tiny_llava: Path) -> np.ndarray:
    """Each item encoded alone: no padding at all, the reference for every batched run."""
    encoder = VLMEncoder(str(tiny_llava))
    return np.concatenate([encoder.encode([item]) for item in MIXED])


@pytest.mark.parametrize("side", ["left", "right"])
def test_batched_equals_unpadded_under_either_padding(tiny_llava: Path, singles: np.ndarray, side: str) -> None:
    batched = VLMEncoder(str(tiny_llava), padding_side=side, batch_size=4).encode(MIXED)
    np.testing.assert_allclose(batched, singles, atol=1e-5)


def test_the_pooled_token_is_the_last_prompt_token(tiny_llava: Path) -> None:
    """By hand: the processor's ids for one item, the model's last hidden state at the final position."""
    from PIL import Image
    from transformers import AutoModel, AutoProcessor

    encoder = VLMEncoder(str(tiny_llava))
    prompt = encoder.prompt(ImageText(IMAGE, "a red cat"), "query", "Represent the given image")
    assert prompt == "<image>\nRepresent the given image a red cat"
    processor, model = AutoProcessor.from_pretrained(tiny_llava), AutoModel.from_pretrained(tiny_llava).eval()
    batch = processor(text=[prompt], images=[Image.fromarray(IMAGE)], return_tensors="pt")
    assert int((batch["input_ids"] == model.config.image_token_id).sum()) == 4  # (16 / 8) ** 2 patches
    with torch.no_grad():
        last = model(**batch).last_hidden_state[0, -1].numpy()
    got = encoder.encode([ImageText(IMAGE, "a red cat")], role="query", instruction="Represent the given image")
    np.testing.assert_allclose(got[0], last / np.linalg.norm(last), atol=1e-5)


def test_instructions_change_vectors_and_fingerprints(tiny_llava: Path) -> None:
    plain = VLMEncoder(str(tiny_llava))
    told = VLMEncoder(str(tiny_llava), query_instruction="Represent the given image for classification")
    assert told.prompt(ImageText(IMAGE), "query") == "<image>\nRepresent the given image for classification"
    assert told.prompt(ImageText(IMAGE), "document") == "<image>\n"
    assert told.prompt(ImageText(IMAGE), "query", "Find it") == "<image>\nFind it"  # the call's wins
    assert plain.fingerprint() != told.fingerprint()
    assert not np.allclose(plain.encode([IMAGE], role="query"), told.encode([IMAGE], role="query"))
    np.testing.assert_allclose(plain.encode([IMAGE], role="document"), told.encode([IMAGE], role="document"))
    assert VLMEncoder(str(tiny_llava), padding_side="right").fingerprint() == plain.fingerprint()


def test_meets_the_encoder_contract(tiny_llava: Path) -> None:
    check_encoder(VLMEncoder(str(tiny_llava), batch_size=3), inputs=MIXED)


def test_unnormalised_vectors_are_the_raw_hidden_state(tiny_llava: Path) -> None:
    raw = VLMEncoder(str(tiny_llava), normalize=False).encode(["a red cat"])
    unit = VLMEncoder(str(tiny_llava)).encode(["a red cat"])
    assert raw.shape == (1, 32) and not np.isclose(np.linalg.norm(raw), 1.0)
    np.testing.assert_allclose(raw / np.linalg.norm(raw), unit, atol=1e-6)


def test_an_unreadable_image_names_its_input(tiny_llava: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 definitely not a jpeg")
    with pytest.raises(ZooError, match=r"input 2 \(.*broken.jpg\) is not an image"):
        VLMEncoder(str(tiny_llava)).encode(["a cat", IMAGE, ImageText(broken, "a dog")])


def test_open_name_with_options(tiny_llava: Path) -> None:
    spec = Registry.from_plugins().encoder(f"vlm2vec:{tiny_llava}?padding_side=right&query_instruction=Find+it")
    encoder = spec.load()
    assert (encoder.padding_side, encoder.instructions["query"]) == ("right", "Find it")
    # a malformed name of ours resolves, and says what to fix when it is loaded
    with pytest.raises(ZooError, match="padding_side must be left or right"):
        Registry.from_plugins().encoder(f"vlm2vec:{tiny_llava}?padding_side=middle").load()
    with pytest.raises(ZooError, match="unknown option 'pooling'"):
        Registry.from_plugins().encoder(f"vlm2vec:{tiny_llava}?pooling=mean").load()
    with pytest.raises(ZooError, match="names no model"):
        Registry.from_plugins().encoder("clip:").load()


class CountingProcessor:
    """Passes calls to a processor, recording how many prompts each call carried."""

    def __init__(self, processor: object) -> None:
        self.processor = processor
        self.tokenizer = processor.tokenizer  # type: ignore[attr-defined]
        self.prompts_per_call: list[int] = []

    def __call__(self, **kwargs: object) -> object:
        self.prompts_per_call.append(len(kwargs["text"]))  # type: ignore[arg-type]
        return self.processor(**kwargs)  # type: ignore[operator]


def test_one_item_per_call_backbones_give_the_same_vectors(tiny_llava: Path, singles: np.ndarray) -> None:
    """Phi-3.5-V's processor takes one prompt at a time; such templates run the model per item."""
    encoder = VLMEncoder(str(tiny_llava), batch_size=4)
    model, processor, template = encoder.model
    counting = CountingProcessor(processor)
    encoder._model = (model, counting, dataclasses.replace(template, one_item_per_call=True))
    np.testing.assert_allclose(encoder.encode(MIXED), singles, atol=1e-5)
    assert counting.prompts_per_call == [1, 1, 1, 1]


def test_missing_open_clip_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "open_clip", None)  # as if it were not installed
    encoder = Registry.from_plugins().encoder("open_clip:ViT-B-32/laion2b_s34b_b79k").load()
    with pytest.raises(ZooError, match="pip install open_clip_torch"):
        encoder.encode(["a cat"])


def test_remote_code_runs_only_when_the_name_asks_for_it() -> None:
    registry = Registry.from_plugins()
    with pytest.raises(ZooError, match=r"vlm2vec-full\?trust_remote_code=true"):
        registry.encoder("vlm2vec-full").load()
    with pytest.raises(ZooError, match=r"vlm2vec-full\?trust_remote_code=true"):
        registry.encoder("vlm2vec-full?dtype=float32").load()
    allowed = registry.encoder("vlm2vec-full?trust_remote_code=true")
    assert allowed.dim == 3072 and allowed.name == "vlm2vec-full?trust_remote_code=true"
    assert allowed.load().trust_remote_code  # built, not loaded: weights load lazily
    assert not registry.encoder("vlm2vec-qwen2vl-2b").load().trust_remote_code
