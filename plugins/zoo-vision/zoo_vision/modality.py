"""The check every vision task makes first: the encoder must read both images and text."""

from __future__ import annotations

from zoo.api import Encoder, TaskSpec, ZooError

SUGGESTION = (
    "pass --model clip:openai/clip-vit-base-patch32 (or clip:<local model folder>); "
    "loading needs pip install 'zoo-vision[models]'"
)


def require_modalities(spec: TaskSpec, encoder: Encoder) -> None:
    """Raise a one-line ZooError when the encoder lacks a modality the task feeds it."""
    missing = [m for m in spec.modalities if m not in encoder.modalities]
    if missing:
        raise ZooError(
            f"task {spec.name!r} needs an encoder of {' and '.join(spec.modalities)}; "
            f"{encoder.name!r} encodes {'/'.join(encoder.modalities)} only: {SUGGESTION}"
        )
