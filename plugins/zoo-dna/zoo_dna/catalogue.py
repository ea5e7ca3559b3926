"""Known DNA language models on the Hugging Face hub: cheap to import (``zoo list`` reads it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HubModel:
    """A known DNA model on the Hugging Face hub."""

    repo: str
    dim: int
    remote_code: bool  # needs the repository's own Python code to load correctly
    license: str
    description: str


HUB_MODELS: dict[str, HubModel] = {
    "dnabert-s": HubModel(
        "zhihan1996/DNABERT-S",
        768,
        True,
        "apache-2.0",
        "DNABERT-S: species-aware DNA embeddings (Zhou et al. 2024), BPE tokens",
    ),
    "dnabert-2": HubModel(
        "zhihan1996/DNABERT-2-117M",
        768,
        True,
        "apache-2.0",
        "DNABERT-2 117M (Zhou et al. 2023), multi-species, BPE tokens",
    ),
    "nucleotide-transformer-v2-50m": HubModel(
        "InstaDeepAI/nucleotide-transformer-v2-50m-multi-species",
        512,
        True,
        "cc-by-nc-sa-4.0",
        "Nucleotide Transformer v2 50M (Dalla-Torre et al. 2024), 6-mer tokens, 850 species",
    ),
    "nucleotide-transformer-500m-human-ref": HubModel(
        "InstaDeepAI/nucleotide-transformer-500m-human-ref",
        1280,
        False,
        "cc-by-nc-sa-4.0",
        "Nucleotide Transformer 500M on the human reference genome, 6-mer tokens (ESM architecture)",
    ),
    "hyenadna-tiny-1k": HubModel(
        "LongSafari/hyenadna-tiny-1k-seqlen-hf",
        128,
        True,
        "bsd-3-clause",
        "HyenaDNA tiny (Nguyen et al. 2023), single-nucleotide tokens, 1k context",
    ),
}
