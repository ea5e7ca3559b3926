"""Image-text retrieval both ways (Flickr30k/COCO protocol) through a search backend.

Image to text: each image searches an index of every caption; text to image: each caption searches an
index of every image. ``i2t_recall_at_k`` is the share of images with one of their captions in the top
k, ``t2i_recall_at_k`` the share of captions with their image in the top k (hit rate, as CLIP and the
COCO literature report recall@k). Main score: ``mean_recall``, the mean of the six recalls at 1, 5, 10.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from zoo.api import DataError, Encoder, SearchBackend, SearchStats, TaskScores, TaskSpec, ZooError, fingerprint
from zoo_vision.metrics import hit_rate
from zoo_vision.modality import require_modalities

MAIN_METRIC = "mean_recall"
K_VALUES = (1, 5, 10)


@dataclass(frozen=True)
class Instructions:
    """What instruction-following encoders are told for each side of each direction (None: nothing)."""

    image_query: str | None = None  # image to text: the image
    text_document: str | None = None  # image to text: the captions searched
    text_query: str | None = None  # text to image: the caption
    image_document: str | None = None  # text to image: the images searched


@dataclass(frozen=True, eq=False)
class ImageTextData:
    """Images and captions by id; ``image_of`` maps each caption id to the id of the image it describes."""

    images: dict[str, Any]
    captions: dict[str, str]
    image_of: dict[str, str]
    split: str = "test"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.image_of.values()) - set(self.images))
        if unknown:
            raise DataError(f"captions describe unknown image id {unknown[0]!r}")
        missing = sorted(set(self.captions) ^ set(self.image_of))
        if missing:
            raise DataError(f"caption id {missing[0]!r} needs both a text and an image")

    def captions_of(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {image: set() for image in self.images}
        for caption, image in self.image_of.items():
            out[image].add(caption)
        return out


def combined_stats(first: SearchStats, second: SearchStats) -> SearchStats:
    """The cost of both directions: times and counts added; latencies from the slower direction."""
    slower = max((first, second), key=lambda s: s.latency_p50_ms or 0.0)
    return SearchStats(
        build_seconds=first.build_seconds + second.build_seconds,
        search_seconds=first.search_seconds + second.search_seconds,
        n_queries=first.n_queries + second.n_queries,
        n_documents=first.n_documents + second.n_documents,
        latency_p50_ms=slower.latency_p50_ms,
        latency_p99_ms=slower.latency_p99_ms,
        index_bytes=None
        if first.index_bytes is None or second.index_bytes is None
        else first.index_bytes + second.index_bytes,
    )


class ImageTextRetrievalTask:
    """Images and captions, searched both ways with the run's backend (a fresh copy per direction)."""

    def __init__(
        self, spec: TaskSpec, load_data: Callable[[], ImageTextData], *, instructions: Instructions = Instructions()
    ) -> None:
        self.spec = spec
        self._load_data = load_data
        self.instructions = instructions  # read by instruction-following (vlm2vec) encoders

    @functools.cached_property
    def data(self) -> ImageTextData:
        return self._load_data()

    def fit_inputs(self) -> list[Any]:
        return [*self.data.images.values(), *self.data.captions.values()]

    def data_fingerprint(self) -> str:
        data = self.data
        images = {
            key: hashlib.sha256(value).hexdigest() if isinstance(value, bytes) else repr(value)
            for key, value in data.images.items()
        }
        return fingerprint(
            "image-text", images, data.captions, data.image_of, data.split, dataclasses.asdict(self.instructions)
        )

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        from harness.api import timed_search

        require_modalities(self.spec, encoder)
        if backend is None:
            raise ZooError(f"task {self.spec.name!r} needs a search backend; pass --backend exact")
        data = self.data
        image_ids, caption_ids = list(data.images), list(data.captions)
        image_list = [data.images[i] for i in image_ids]
        caption_list = [data.captions[i] for i in caption_ids]
        told = self.instructions
        depth = max(K_VALUES)
        other = copy.deepcopy(backend)  # taken before build: a second, empty index for the other direction
        i2t, _, i2t_stats = timed_search(
            backend,
            encoder.encode(caption_list, role="document", instruction=told.text_document),
            caption_ids,
            encoder.encode(image_list, role="query", instruction=told.image_query),
            encoder.similarity,
            depth,
            label=f"{encoder.name}: image to text",
        )
        t2i, _, t2i_stats = timed_search(
            other,
            encoder.encode(image_list, role="document", instruction=told.image_document),
            image_ids,
            encoder.encode(caption_list, role="query", instruction=told.text_query),
            encoder.similarity,
            depth,
            label=f"{encoder.name}: text to image",
        )
        i2t_hits = dict(zip(image_ids, i2t))
        t2i_hits = dict(zip(caption_ids, t2i))
        right_captions = data.captions_of()
        right_image = {caption: {image} for caption, image in data.image_of.items()}
        scores = {}
        for k in K_VALUES:
            scores[f"i2t_recall_at_{k}"] = hit_rate(i2t_hits, right_captions, k)
            scores[f"t2i_recall_at_{k}"] = hit_rate(t2i_hits, right_image, k)
        scores[MAIN_METRIC] = float(np.mean(list(scores.values())))
        ranking = {
            **{f"i2t:{q}": list(h) for q, h in i2t_hits.items()},
            **{f"t2i:{q}": list(h) for q, h in t2i_hits.items()},
        }
        return TaskScores(scores, scores[MAIN_METRIC], data.split, combined_stats(i2t_stats, t2i_stats), ranking)
