"""The tasks this plugin registers: digits and skimage-captions offline, and MMEB's 36 datasets."""

from __future__ import annotations

import functools
import re
from typing import Any

from zoo.api import Task, TaskSpec

MODALITIES = ("image", "text")
MMEB_CITATION = (
    "Jiang et al., VLM2Vec: Training Vision-Language Models for Massive Multimodal Embedding Tasks, ICLR 2025"
)


def _digits(spec: TaskSpec) -> Task:
    from zoo_vision.digits import IMAGE_INSTRUCTION, TEMPLATES, digits_data
    from zoo_vision.zero_shot import ZeroShotClassificationTask

    return ZeroShotClassificationTask(spec, digits_data, TEMPLATES, image_instruction=IMAGE_INSTRUCTION)


def _skimage(spec: TaskSpec) -> Task:
    from zoo_vision.image_text import ImageTextRetrievalTask
    from zoo_vision.skimage_captions import INSTRUCTIONS, skimage_caption_data

    return ImageTextRetrievalTask(spec, skimage_caption_data, instructions=INSTRUCTIONS)


def _mmeb(spec: TaskSpec, subset: str) -> Task:
    from zoo_vision.mmeb import MMEBTask, locate_subset

    return MMEBTask(spec, functools.partial(locate_subset, subset))


def _spec(make: Any, **fields: Any) -> TaskSpec:
    """A TaskSpec whose ``load`` hands the spec itself to ``make``."""
    holder: list[TaskSpec] = []
    spec = TaskSpec(load=lambda: make(holder[0]), modalities=MODALITIES, **fields)
    holder.append(spec)
    return spec


DIGITS = _spec(
    _digits,
    name="digits",
    type="zero-shot-classification",
    main_metric="top1_accuracy",
    version="1",
    aliases=("sklearn-digits",),
    description="zero-shot: 1,797 8x8 handwritten digits, class-name prompts (CLIP protocol), offline",
    source="sklearn.datasets.load_digits (UCI optical recognition of handwritten digits, test part)",
    license="CC-BY-4.0",
    citation="Alpaydin and Kaynak, UCI Optical Recognition of Handwritten Digits, 1998",
)
SKIMAGE_CAPTIONS = _spec(
    _skimage,
    name="skimage-captions",
    type="image-text-retrieval",
    main_metric="mean_recall",
    version="1",
    uses_search=True,
    description="image<->text retrieval over 17 scikit-image sample images, one caption each, offline",
    source="skimage.data bundled images; captions written for this task",
    license="BSD-3-Clause (scikit-image) and the images' own terms (public domain / CC0 for most)",
    citation="van der Walt et al., scikit-image: image processing in Python, PeerJ 2014",
)


def mmeb_task_name(subset: str) -> str:
    return "mmeb-" + re.sub(r"[^a-z0-9]+", "-", subset.lower()).strip("-")


def mmeb_specs() -> list[TaskSpec]:
    from zoo_vision.mmeb_names import META_TASKS

    return [
        _spec(
            functools.partial(_mmeb, subset=subset),
            name=mmeb_task_name(subset),
            type=f"mmeb-{meta}",
            main_metric="precision_at_1",
            version="1",
            description=f"MMEB {meta}: {subset} (query vs its candidates, precision@1); hub or local folder",
            source="TIGER-Lab/MMEB-eval on the Hugging Face hub, or $ZOO_MMEB_HOME",
            license="see MMEB-eval",
            citation=MMEB_CITATION,
        )
        for meta, subsets in META_TASKS.items()
        for subset in subsets
    ]
