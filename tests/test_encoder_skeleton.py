"""BaseEncoder: the checks, the lazy load and the fingerprint every encoder shares."""

from __future__ import annotations

import numpy as np
import pytest

from zoo.api import BaseEncoder, ZooError, fingerprint
from zoo.testing import check_encoder


class Lengths(BaseEncoder):
    """Two features per text: its length and its count of spaces; the 'model' is a scale factor."""

    name = "lengths"

    def __init__(self) -> None:
        self.loads = 0
        self.fingerprints = 0

    @property
    def dim(self) -> int:
        return 2

    def load_model(self) -> float:
        self.loads += 1
        return 0.5

    def fingerprint_parts(self) -> tuple[object, ...]:
        self.fingerprints += 1
        return ("lengths", 1, self.model)

    def encode_items(self, items: list[str], role: str, instruction: str | None) -> np.ndarray:
        return np.array([[len(t) * self.model, t.count(" ")] for t in items], dtype=np.float32)


def test_the_skeleton_keeps_the_encoder_contract():
    check_encoder(Lengths())


def test_the_model_loads_once_and_not_for_an_empty_input():
    encoder = Lengths()
    assert encoder.encode([]).shape == (0, 2) and encoder.loads == 0
    encoder.load()
    encoder.encode(["a b"])
    assert encoder.loads == 1


def test_the_fingerprint_is_its_parts_hashed_once():
    encoder = Lengths()
    assert encoder.fingerprint() == encoder.fingerprint() == fingerprint("lengths", 1, 0.5)
    assert encoder.fingerprints == 1


def test_an_encoder_without_a_model_has_no_load_hook():
    class Stateless(Lengths):
        load_model = BaseEncoder.load_model

    assert Stateless.load is None and callable(Lengths().load)


def test_a_subclass_with_a_model_has_the_load_hook_its_base_had_not():
    class Stateless(BaseEncoder):
        name = "stateless"

    class Loaded(Stateless):
        def load_model(self) -> str:
            return "weights"

    encoder = Loaded()
    assert Stateless.load is None and not encoder.is_loaded
    encoder.load()
    assert encoder.is_loaded and encoder.model == "weights"


@pytest.mark.parametrize(
    ("inputs", "role", "message"),
    [
        ("one string", "document", "not a single string"),
        (["ok", 3], "document", "input 1 is a int"),
        (["ok"], "passage", "unknown role 'passage'"),
    ],
)
def test_bad_input_is_one_clear_error(inputs: object, role: str, message: str):
    with pytest.raises(ZooError, match=message):
        Lengths().encode(inputs, role=role)  # type: ignore[arg-type]
