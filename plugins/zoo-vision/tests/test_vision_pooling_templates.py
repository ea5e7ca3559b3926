"""Last-token pooling under every padding side, and how prompts are written per backbone."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from zoo.errors import ZooError
from zoo_vision.pooling import last_token_pool, last_token_positions
from zoo_vision.templates import BACKBONES, PromptTemplate, template_for

MASKS = torch.tensor(
    [
        [1, 1, 1, 0, 0],  # right padding: last real token at 2
        [0, 0, 1, 1, 1],  # left padding: at 4
        [1, 1, 1, 1, 1],  # no padding: at 4
        [0, 1, 0, 0, 0],  # one token: at 1
    ]
)


def test_last_real_token_whichever_side_is_padded() -> None:
    assert last_token_positions(MASKS).tolist() == [2, 4, 4, 1]


def test_pool_takes_that_tokens_state() -> None:
    hidden = torch.arange(4 * 5 * 2, dtype=torch.float32).reshape(4, 5, 2)
    pooled = last_token_pool(hidden, MASKS)
    assert pooled.tolist() == [
        hidden[0, 2].tolist(),
        hidden[1, 4].tolist(),
        hidden[2, 4].tolist(),
        hidden[3, 1].tolist(),
    ]
    assert hidden[0, -1].tolist() != pooled[0].tolist()  # the classic bug: the last column is padding


def test_a_row_without_tokens_is_an_error() -> None:
    with pytest.raises(ValueError, match="no tokens"):
        last_token_positions(torch.tensor([[1, 1], [0, 0]]))


def test_prompts_follow_vlm2vec_layout() -> None:
    template = BACKBONES["phi3_v"]
    assert template.render(
        has_image=True,
        text="What is on the table?",
        instruction="Represent the given image with the following question:",
    ) == ("<|image_1|>\nRepresent the given image with the following question: What is on the table?")
    assert template.render(has_image=True, text=None, instruction="Represent the given image.") == (
        "<|image_1|>\nRepresent the given image."
    )
    assert template.render(has_image=False, text="a dog", instruction=None) == "a dog"
    framed = PromptTemplate("<image>", prefix="<s>", suffix="</s>")
    assert framed.render(has_image=True, text="a dog", instruction="Find:") == "<s><image>\nFind: a dog</s>"


def test_templates_by_backbone_user_and_processor() -> None:
    assert template_for("qwen2_vl", None).image_token == "<|vision_start|><|image_pad|><|vision_end|>"
    phi = template_for("phi3_v", None, image_token="<|image_1|>")
    assert phi.one_item_per_call  # the user's token keeps what the backbone needs
    assert template_for("new_vlm", SimpleNamespace(image_token="<img>")).image_token == "<img>"
    with pytest.raises(ZooError, match="image_token=<image>"):
        template_for("new_vlm", SimpleNamespace())
