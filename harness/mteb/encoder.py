"""A zoo Encoder as an mteb model, so that ``mteb.evaluate`` can run any zoo (or plugin) encoder.

Importing this module imports mteb; import it only where mteb is about to run.

Roles: mteb's query and document prompt types map to zoo's roles; tasks without one (STS,
classification, clustering, pair classification) encode with role "query", as zoo's own tasks do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from mteb.models.abs_encoder import AbsEncoder
from mteb.models.model_meta import ModelMeta, ScoringFunction
from mteb.similarity_functions import (
    cos_sim,
    dot_score,
    euclidean_sim,
    pairwise_cos_sim,
    pairwise_dot_score,
    pairwise_euclidean_sim,
)
from mteb.types import PromptType

from zoo.protocols import Encoder

ORGANISATION = "embedding-zoo"  # mteb model names are "organisation/name"
SCORING = {"cosine": ScoringFunction.COSINE, "dot": ScoringFunction.DOT_PRODUCT, "euclidean": ScoringFunction.EUCLIDEAN}
SIMILARITY = {
    "cosine": (cos_sim, pairwise_cos_sim),
    "dot": (dot_score, pairwise_dot_score),
    "euclidean": (euclidean_sim, pairwise_euclidean_sim),
}


def mteb_model_name(encoder_name: str) -> str:
    """The encoder's name as mteb wants it: ``organisation/name``."""
    return encoder_name if "/" in encoder_name else f"{ORGANISATION}/{encoder_name}"


def model_meta(encoder: Encoder, revision: str | None = None) -> ModelMeta:
    """What zoo knows of the encoder, nothing invented: the rest of mteb's fields stay empty."""
    return ModelMeta.create_empty(
        {
            "name": mteb_model_name(encoder.name),
            "revision": revision or encoder.fingerprint()[:12],
            "embed_dim": encoder.dim,
            "similarity_fn_name": SCORING[encoder.similarity],
            "n_parameters": getattr(encoder, "n_parameters", None),
            "modalities": ["text"],
            "framework": [],
        }
    )


class MtebEncoder(AbsEncoder):
    """mteb's encoder protocol over a zoo Encoder: batches of text in, float32 vectors out."""

    def __init__(self, encoder: Encoder, revision: str | None = None) -> None:
        self.model = encoder
        self.mteb_model_meta = model_meta(encoder, revision)

    def encode(
        self,
        inputs: Any,
        *,
        task_metadata: Any,
        hf_split: str,
        hf_subset: str,
        prompt_type: PromptType | None = None,
        **kwargs: Any,
    ) -> np.ndarray:
        texts = [text for batch in inputs for text in batch["text"]]
        role = "document" if prompt_type == PromptType.document else "query"
        return self.model.encode(texts, role=role)

    def similarity(self, embeddings1: Any, embeddings2: Any) -> Any:
        return SIMILARITY[self.model.similarity][0](embeddings1, embeddings2)

    def similarity_pairwise(self, embeddings1: Any, embeddings2: Any) -> Any:
        return SIMILARITY[self.model.similarity][1](embeddings1, embeddings2)
