"""Zero-shot image classification, CLIP's protocol (Radford et al., 2021).

Each class name is written into every prompt template (``a photo of the number: "{}".``); the unit
vectors of a class's prompts are averaged and renormalised (prompt ensembling). Each image goes to the
class whose vector is most similar. Scores: top-1 and top-5 accuracy (top-k for k < the number of
classes), and the mean over classes of per-class top-1 accuracy. Main score: top-1 accuracy.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from zoo.api import DataError, Encoder, SearchBackend, TaskScores, TaskSpec, fingerprint
from zoo_vision.metrics import similarity_matrix, topk_accuracy
from zoo_vision.modality import require_modalities

MAIN_METRIC = "top1_accuracy"
TOP_K = (1, 5)


@dataclass(frozen=True, eq=False)
class ZeroShotData:
    """Images (any accepted image form; bytes are cached), their class indices, and the class names."""

    images: list[Any]
    labels: list[int]
    class_names: list[str]
    split: str = "test"

    def __post_init__(self) -> None:
        if len(self.images) != len(self.labels):
            raise DataError(f"{len(self.images)} images but {len(self.labels)} labels")
        bad = [label for label in self.labels if not 0 <= label < len(self.class_names)]
        if bad:
            raise DataError(f"label {bad[0]} is not a class index (there are {len(self.class_names)} classes)")


def class_prompts(class_names: Sequence[str], templates: Sequence[str]) -> list[str]:
    """Every template filled with every class name, class by class."""
    return [template.format(name) for name in class_names for template in templates]


def class_vectors(prompt_vectors: np.ndarray, n_classes: int) -> np.ndarray:
    """Prompt ensembling: mean of each class's unit prompt vectors, renormalised."""
    unit = prompt_vectors / np.maximum(np.linalg.norm(prompt_vectors, axis=1, keepdims=True), 1e-12)
    means = unit.reshape(n_classes, -1, unit.shape[1]).mean(axis=1)
    return means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)


def zero_shot_scores(scores: np.ndarray, labels: Sequence[int]) -> dict[str, float]:
    """Top-k accuracies and the mean per-class accuracy of an (images, classes) score matrix."""
    labels = np.asarray(labels)
    # top-k with k >= the number of classes is 1 by construction: left out
    out = {f"top{k}_accuracy": topk_accuracy(scores, labels, k) for k in TOP_K if k == 1 or k < scores.shape[1]}
    correct = scores.argmax(axis=1) == labels
    out["mean_per_class_accuracy"] = float(np.mean([correct[labels == c].mean() for c in np.unique(labels)]))
    return out


class ZeroShotClassificationTask:
    """Class-name prompts as text, each image to its nearest class; no training, no search backend."""

    def __init__(
        self,
        spec: TaskSpec,
        load_data: Callable[[], ZeroShotData],
        templates: Sequence[str],
        *,
        image_instruction: str | None = None,
    ) -> None:
        if not templates or any("{}" not in t for t in templates):
            raise ValueError("every prompt template needs a {} for the class name")
        self.spec = spec
        self._load_data = load_data
        self.templates = tuple(templates)
        self.image_instruction = image_instruction  # read by instruction-following (vlm2vec) encoders

    @functools.cached_property
    def data(self) -> ZeroShotData:
        return self._load_data()

    def fit_inputs(self) -> list[Any]:
        return list(self.data.images)

    def data_fingerprint(self) -> str:
        data = self.data
        images = [
            hashlib.sha256(image).hexdigest() if isinstance(image, bytes) else repr(image) for image in data.images
        ]
        return fingerprint(
            "zero-shot", images, data.labels, data.class_names, self.templates, self.image_instruction, data.split
        )

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        require_modalities(self.spec, encoder)
        data = self.data
        prompts = encoder.encode(class_prompts(data.class_names, self.templates), role="document")
        images = encoder.encode(list(data.images), role="query", instruction=self.image_instruction)
        classes = class_vectors(prompts, len(data.class_names))
        scores = zero_shot_scores(similarity_matrix(images, classes, encoder.similarity), data.labels)
        return TaskScores(scores, scores[MAIN_METRIC], data.split)
