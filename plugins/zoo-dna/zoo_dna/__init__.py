"""zoo-dna: DNA encoders (k-mer profiles, an in-house k-mer MLP, DNA transformers) and 16S rRNA tasks.

The "zoo" entry point names this module and ``zoo list`` imports it, so it imports only the standard
library and ``zoo``; numpy, torch, transformers, the harness and the data load inside ``load`` callables.

Open encoder names: ``kmer-<k>`` (k from 1 to 8), ``dna:<hub repo or folder>[?options]`` and
``<catalogue name>?options``, e.g. ``dnabert-s?trust_remote_code=true``. Options: trust_remote_code,
revision, pooling, max_length, batch_size, normalize, device, dtype.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from zoo import EncoderSpec, Task, TaskSpec, hookimpl
from zoo.api import ZooError, parse_options

MODALITY = "dna"
KMER_NAME = re.compile(r"kmer-(\d+)")
HUB_OPTIONS: dict[str, type] = {
    "trust_remote_code": bool,
    "revision": str,
    "pooling": str,
    "max_length": int,
    "batch_size": int,
    "normalize": bool,
    "device": str,
    "dtype": str,
}
DATA_SOURCE = (
    "rRNA16S.gold.fasta of Debian's microbiomeutil-data (Broad Institute microbiomeutil; "
    "sequences from RDP), shipped as zoo_dna/data/rrna16s.tsv.gz"
)
DATA_LICENSE = "BSD-3-Clause (Broad Institute; see zoo_dna/data/NOTICE)"


def kmer_spec(k: int, name: str | None = None, aliases: tuple[str, ...] = ()) -> EncoderSpec:
    from zoo_dna.kmers import check_k, n_canonical

    check_k(k)
    name = name or f"kmer-{k}"

    def load() -> Any:
        from zoo_dna.encoders import KmerFrequencyEncoder

        return KmerFrequencyEncoder(k, name=name)

    what = "tetranucleotide frequency (TNF), the metagenomic binning baseline" if k == 4 else f"{k}-mer frequency"
    return EncoderSpec(
        name=name,
        load=load,
        family="kmer-frequency",
        modalities=(MODALITY,),
        dim=n_canonical(k),
        aliases=aliases,
        license="Apache-2.0 (code only: no weights)",
        description=f"{what}: canonical (strand-independent) {k}-mers, L2-normalised",
    )


def load_kmer_mlp() -> Any:
    from zoo_dna.encoders import KmerMLPEncoder

    return KmerMLPEncoder()


KMER_MLP = EncoderSpec(
    name="kmer-mlp-16s",
    load=load_kmer_mlp,
    family="kmer-mlp",
    modalities=(MODALITY,),
    dim=256,
    aliases=("zoo-dna-inhouse",),
    license="Apache-2.0 (weights trained here on BSD-3 RDP data)",
    description="in-house: sqrt 6-mer profile -> MLP (1.2M params), contrastive on training-side 16S genera",
)


def hub_spec(name: str, options: dict[str, Any], spec_name: str | None = None) -> EncoderSpec:
    from zoo_dna.catalogue import HUB_MODELS

    model = HUB_MODELS[name]

    def load() -> Any:
        from zoo_dna.transformer import load_hub_model

        return load_hub_model(name, options)

    note = " (needs trust_remote_code=true)" if model.remote_code else ""
    return EncoderSpec(
        name=spec_name or name,
        load=load,
        family="dna-transformers",
        modalities=(MODALITY,),
        dim=model.dim,
        license=model.license,
        description=f"{model.description}{note}",
    )


def open_model_spec(name: str, target: str, options: dict[str, Any]) -> EncoderSpec:
    """``dna:<repo or folder>``: any transformers model over DNA, mean-pooled."""

    def load() -> Any:
        from zoo_dna.transformer import DnaTransformerEncoder

        return DnaTransformerEncoder(target, name=name, **options)

    return EncoderSpec(
        name=name,
        load=load,
        family="dna-transformers",
        modalities=(MODALITY,),
        description=f"{target} over DNA ({options.get('pooling', 'mean')} pooling)",
    )


def _task(spec: TaskSpec) -> Task:
    if spec.type == "clustering":
        from zoo_dna.tasks.clustering import GenusClusteringTask

        return GenusClusteringTask(spec)
    if spec.type == "classification":
        from zoo_dna.tasks.fewshot import FewShotGenusTask

        return FewShotGenusTask(spec)
    from zoo_dna.tasks.alignment import ReadAlignmentTask

    return ReadAlignmentTask(spec)


def task_spec(name: str, kind: str, main_metric: str, description: str, **extra: Any) -> TaskSpec:
    spec: TaskSpec = TaskSpec(
        name=name,
        type=kind,
        load=lambda: _task(spec),
        main_metric=main_metric,
        version="1",
        modalities=(MODALITY,),
        description=description,
        source=DATA_SOURCE,
        license=DATA_LICENSE,
        citation=CITATIONS[kind],
        **extra,
    )
    return spec


CITATIONS = {
    "clustering": "Zhou et al., DNABERT-S: Pioneering Species Differentiation with Species-Aware DNA "
    "Embeddings, 2024 (protocol); Cole et al., The Ribosomal Database Project, NAR 2009 (data)",
    "classification": "Zhou et al., DNABERT-S, 2024 (few-shot protocol); Cole et al., RDP, NAR 2009 (data)",
    "alignment": "Holur et al., Embed-Search-Align: DNA Sequence Alignment using Transformer Models, 2023 "
    "(protocol); Cole et al., RDP, NAR 2009 (data)",
}

TASKS = (
    task_spec(
        "dna-16s-genus-clustering",
        "clustering",
        "ari",
        "k-means with the true number of genera on 1,650 16S genes of 118 held-out genera; ARI",
        aliases=("dna-clustering",),
    ),
    task_spec(
        "dna-16s-genus-fewshot",
        "classification",
        "macro_f1_5shot",
        "few-shot genus classification (1/2/5/10 shots, 10 seeded repeats), 29 held-out genera; macro-F1",
        aliases=("dna-fewshot",),
    ),
    task_spec(
        "dna-16s-read-alignment",
        "alignment",
        "top1",
        "Embed-Search-Align: 250 bp reads with errors against 50 bp-stride fragments of 300 held-out 16S genes; top-1",
        aliases=("dna-alignment",),
        uses_search=True,
    ),
)


@hookimpl
def register_encoders(register: Callable[..., None]) -> None:
    from zoo_dna.catalogue import HUB_MODELS

    register(kmer_spec(4, "tnf", aliases=("kmer-4", "tnf-136")))
    register(kmer_spec(6))
    register(KMER_MLP)
    for name in HUB_MODELS:
        register(hub_spec(name, {}))


@hookimpl
def register_tasks(register: Callable[..., None]) -> None:
    for spec in TASKS:
        register(spec)


@hookimpl
def resolve_encoder(name: str) -> EncoderSpec | None:
    from zoo_dna.catalogue import HUB_MODELS

    match = KMER_NAME.fullmatch(name)
    if match:
        return kmer_spec(int(match[1]))
    base, _, query = name.partition("?")
    if base in HUB_MODELS:
        return hub_spec(base, parse_options(base, query, HUB_OPTIONS), spec_name=name)
    prefix, sep, target = base.partition(":")
    if sep and prefix == MODALITY:
        if not target:
            raise ZooError(f"encoder {name!r} names no model: write dna:<hub repo or folder>")
        return open_model_spec(name, target, parse_options(name, query, HUB_OPTIONS))
    return None
