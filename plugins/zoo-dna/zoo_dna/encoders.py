"""Encoders with no pretrained transformer: k-mer frequency profiles (TNF and any k) and the in-house k-mer MLP."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from zoo.api import BaseEncoder, Role, file_fingerprint, l2_normalize
from zoo_dna.kmers import check_k, kmer_counts, n_canonical
from zoo_dna.sequences import check_sequences

if TYPE_CHECKING:
    import numpy as np


class DnaEncoder(BaseEncoder):
    """What the DNA encoders share beyond the skeleton: DNA inputs, cleaned, compared by cosine."""

    modalities: tuple[str, ...] = ("dna",)

    def check_inputs(self, inputs: Sequence[Any]) -> list[str]:
        return check_sequences(inputs, self.name)


class KmerFrequencyEncoder(DnaEncoder):
    """Canonical k-mer frequencies (a k-mer and its reverse complement pooled), L2-normalised.

    k=4 is TNF, the tetranucleotide frequency baseline of metagenomic binning and of DNABERT-S. k-mers
    holding an N are skipped; a sequence shorter than k (or all N) gives a zero vector.
    """

    n_parameters: int | None = 0

    def __init__(self, k: int = 4, *, name: str | None = None) -> None:
        check_k(k)
        self.k = k
        self.name = name or f"kmer-{k}"

    @property
    def dim(self) -> int:
        return n_canonical(self.k)

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return ("kmer-frequency", 1, self.k)

    def encode_items(self, items: list[str], role: Role, instruction: str | None) -> np.ndarray:
        return l2_normalize(kmer_counts(items, self.k))


class KmerMLPEncoder(DnaEncoder):
    """The in-house encoder: square-root canonical 6-mer profile through a two-layer MLP, L2-normalised.

    Trained here with a contrastive objective on training-side genera only (``python -m zoo_dna.train``).
    Inference is numpy alone.
    """

    def __init__(self, weights: str | Path | None = None, *, name: str = "kmer-mlp-16s") -> None:
        from zoo_dna.kmer_mlp import shipped_weights

        self.weights = Path(weights) if weights is not None else shipped_weights()
        self.name = name

    def load_model(self) -> Any:
        from zoo_dna.kmer_mlp import load_model

        return load_model(str(self.weights))

    @property
    def dim(self) -> int:
        return self.model.dim

    @property
    def n_parameters(self) -> int:
        return self.model.n_parameters

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return ("kmer-mlp", 1, file_fingerprint(self.weights))

    def encode_items(self, items: list[str], role: Role, instruction: str | None) -> np.ndarray:
        from zoo_dna.kmer_mlp import profile

        return l2_normalize(self.model.forward(profile(items, self.model.k)))
