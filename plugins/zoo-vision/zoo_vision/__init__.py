"""zoo-vision: image and image+text encoders (CLIP, SigLIP, OpenCLIP, VLM2Vec-style) and vision tasks.

This module is what the "zoo" entry point names; ``zoo list`` imports it, so it imports only ``zoo``
and the plugin's light catalogue modules. torch, transformers, Pillow and the data load on demand.
"""

from __future__ import annotations

from typing import Callable

from zoo import EncoderSpec, hookimpl
from zoo_vision.catalogue import known_specs, resolve
from zoo_vision.inputs import ImageText
from zoo_vision.tasks_catalogue import DIGITS, SKIMAGE_CAPTIONS, mmeb_specs

__all__ = ["ImageText"]


@hookimpl
def register_encoders(register: Callable[..., None]) -> None:
    for spec in known_specs():
        register(spec)


@hookimpl
def register_tasks(register: Callable[..., None]) -> None:
    for spec in (DIGITS, SKIMAGE_CAPTIONS, *mmeb_specs()):
        register(spec)


@hookimpl
def resolve_encoder(name: str) -> EncoderSpec | None:
    return resolve(name)
