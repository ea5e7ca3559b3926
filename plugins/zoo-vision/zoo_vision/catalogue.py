"""The encoders this plugin lists, and the open names it resolves. Imports nothing heavy.

Open names (options as URL query parameters, as for the zoo's built-in ``tf:`` encoders)::

    clip:<hub id or folder>[?options]      CLIP, SigLIP and other transformers dual encoders
    vlm2vec:<hub id or folder>[?options]   any transformers vision-language model, last-token pooled
    open_clip:<architecture>/<pretrained>  or open_clip:hf-hub:<repo>  (needs open_clip_torch)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

from zoo.api import Encoder, EncoderSpec, ZooError, parse_options

COMMON: dict[str, type] = {"revision": str, "device": str, "dtype": str, "batch_size": int, "trust_remote_code": bool}
VLM: dict[str, type] = {
    **COMMON,
    "query_instruction": str,
    "document_instruction": str,
    "image_token": str,
    "padding_side": str,
    "normalize": bool,
}
OPEN_CLIP: dict[str, type] = {"device": str, "dtype": str, "batch_size": int}
MODALITIES = ("image", "text")


def _load_dual(model: str, name: str, options: dict[str, Any]) -> Encoder:
    from zoo_vision.dual import DualEncoder

    return DualEncoder(model, name=name, **options)


def _load_vlm(model: str, name: str, options: dict[str, Any]) -> Encoder:
    from zoo_vision.vlm import VLMEncoder

    return VLMEncoder(model, name=name, **options)


def _load_open_clip(model: str, name: str, options: dict[str, Any]) -> Encoder:
    from zoo_vision.open_clip_encoder import OpenClipEncoder

    return OpenClipEncoder(model, name=name, **options)


Loader = Callable[[str, str, dict[str, Any]], Encoder]
PREFIXES: dict[str, tuple[Loader, dict[str, type], str]] = {
    "clip": (_load_dual, COMMON, "clip"),
    "vlm2vec": (_load_vlm, VLM, "vlm2vec"),
    "open_clip": (_load_open_clip, OPEN_CLIP, "open_clip"),
}


def open_spec(name: str, prefix: str, target: str, options: dict[str, Any], **meta: Any) -> EncoderSpec:
    """The spec of ``prefix:target``; nothing loads until ``spec.load()``."""
    loader, _, family = PREFIXES[prefix]
    return EncoderSpec(
        name=name, load=lambda: loader(target, name, options), family=family, modalities=MODALITIES, **meta
    )


def resolve(name: str) -> EncoderSpec | None:
    """An EncoderSpec for ``clip:``, ``vlm2vec:`` or ``open_clip:`` names, else None.

    A malformed name of ours still resolves, to a spec whose ``load`` raises the ZooError: the zoo
    reports a resolver that raises as a broken plugin, while the user needs to read what to fix.
    """
    base, _, query = name.partition("?")
    known = next((k for k in KNOWN if k.name == base), None)
    prefix, sep, rest = name.partition(":")
    if known is not None:  # a listed checkpoint with options, e.g. vlm2vec-full?trust_remote_code=true
        prefix, target = known.prefix, known.target
    elif not sep or prefix not in PREFIXES:
        return None
    else:
        target, _, query = rest.partition("?")
    try:
        options = _options(name, prefix, target, query)
        if known is not None:
            _check_remote_code(known, options)
    except ZooError as problem:
        return EncoderSpec(
            name=name,
            load=functools.partial(_raise, problem),
            family=PREFIXES[prefix][2],
            modalities=MODALITIES,
            description=f"invalid: {problem}",
        )
    meta = {"dim": known.dim, "license": known.license} if known is not None else {}
    return open_spec(name, prefix, target, options, description=target, **meta)


def _options(name: str, prefix: str, target: str, query: str) -> dict[str, Any]:
    if not target:
        raise ZooError(f"encoder {name!r} names no model: write {prefix}:<hub id or local folder>")
    options = parse_options(name, query, PREFIXES[prefix][1])
    if options.get("padding_side", "left") not in ("left", "right"):
        raise ZooError(f"encoder {name!r}: padding_side must be left or right")
    return options


def _check_remote_code(known: Known, options: dict[str, Any]) -> None:
    """A checkpoint that runs code from its hub repository loads only where the user asked for that."""
    if known.remote_code and not options.get("trust_remote_code"):
        raise ZooError(
            f"{known.name} runs its own model code from {known.target}: if you trust it, use "
            f"--model '{known.name}?trust_remote_code=true'"
        )


def _raise(problem: ZooError) -> Encoder:
    raise problem


@dataclass(frozen=True)
class Known:
    """A published checkpoint listed by name."""

    name: str
    prefix: str
    target: str
    dim: int
    license: str
    description: str
    remote_code: bool = False  # runs code from its hub repository: only with trust_remote_code=true in the name


KNOWN: tuple[Known, ...] = (
    Known(
        "clip-vit-base-patch32",
        "clip",
        "openai/clip-vit-base-patch32",
        512,
        "mit",
        "OpenAI CLIP ViT-B/32 (151M params), transformers",
    ),
    Known(
        "clip-vit-large-patch14",
        "clip",
        "openai/clip-vit-large-patch14",
        768,
        "mit",
        "OpenAI CLIP ViT-L/14 (428M params), transformers",
    ),
    Known(
        "siglip-base-patch16-224",
        "clip",
        "google/siglip-base-patch16-224",
        768,
        "apache-2.0",
        "SigLIP base, 224 px (203M params), transformers",
    ),
    Known(
        "vlm2vec-full",
        "vlm2vec",
        "TIGER-Lab/VLM2Vec-Full",
        3072,
        "apache-2.0",
        "VLM2Vec on Phi-3.5-V (4.2B params), last-token pooling; runs remote code: vlm2vec-full?trust_remote_code=true",
        remote_code=True,
    ),
    Known(
        "vlm2vec-qwen2vl-2b",
        "vlm2vec",
        "TIGER-Lab/VLM2Vec-Qwen2VL-2B",
        1536,
        "apache-2.0",
        "VLM2Vec on Qwen2-VL-2B, last-token pooling",
    ),
    Known(
        "mme5-mllama-11b",
        "vlm2vec",
        "intfloat/mmE5-mllama-11b-instruct",
        4096,
        "llama3.2",
        "mmE5 (multilingual) on Llama-3.2-11B-Vision, last-token pooling",
    ),
)


def known_specs() -> list[EncoderSpec]:
    """Specs of the listed checkpoints; they need the network (or the hub cache) to load."""
    return [_known_spec(k) for k in KNOWN]


def _known_spec(known: Known) -> EncoderSpec:
    meta = {
        "dim": known.dim,
        "license": known.license,
        "description": f"{known.description}; hub {known.target}",
        "aliases": (f"{known.prefix}:{known.target}",),
    }
    if known.remote_code:  # listed, but loading it without the user's say-so is refused
        problem = ZooError(
            f"{known.name} runs its own model code from {known.target}: if you trust it, use "
            f"--model '{known.name}?trust_remote_code=true'"
        )
        return EncoderSpec(
            name=known.name,
            load=functools.partial(_raise, problem),
            family=PREFIXES[known.prefix][2],
            modalities=MODALITIES,
            **meta,
        )
    return open_spec(known.name, known.prefix, known.target, {}, **meta)
