"""Sentence-transformers models run by ONNX Runtime on CPU: exported once with torch, then encoded without it.

The model folder's Transformer module is exported with ``torch.onnx.export`` (the TorchScript exporter, which
needs no ``onnxscript``; dynamic batch and sequence axes) and optionally quantized to int8 with
``onnxruntime.quantization.quantize_dynamic``. Exports are cached under ``<cache home>/onnx/<key>/model.onnx``,
keyed by the weights fingerprint and the export settings, and written atomically. Inference uses the folder's
``tokenizer.json`` (the ``tokenizers`` package), the 1_Pooling config and the Normalize module in numpy, and
batches texts sorted by token count: torch is imported only to export.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from zoo.cache import cache_home
from zoo.encoders.base import (
    PromptSettings,
    hub_snapshot,
    l2_normalize,
    model_files,
    read_json,
    require,
    safetensors_parameters,
    weights_fingerprint,
)
from zoo.encoders.skeleton import BaseEncoder
from zoo.encoders.st_config import module_kind, pooling_modes, pooling_width
from zoo.errors import ZooError
from zoo.fingerprint import fingerprint
from zoo.protocols import Role

EXPORT_FORMAT = 1  # bump when the export code changes what it writes
OPSET = 17
OUTPUT = "token_embeddings"
QUANTIZATIONS: tuple[str, ...] = ("none", "int8")
POOLINGS: tuple[str, ...] = ("mean", "cls", "max", "lasttoken")
KNOWN_MODULES: tuple[str, ...] = ("Transformer", "Pooling", "Normalize")
DEFAULT_MAX_LENGTH = 512


@dataclass(frozen=True)
class SentenceTransformerLayout:
    """What a sentence-transformers folder's module configs say about turning tokens into a vector."""

    transformer: Path
    pooling: str
    dim: int | None  # the Pooling config's width, where it states one
    normalize: bool
    max_seq_length: int
    do_lower_case: bool
    prompts: dict[str, str]


def read_layout(folder: Path) -> SentenceTransformerLayout:
    """Read modules.json and its module configs; modules this runtime cannot run are a ZooError."""
    modules = read_json(folder / "modules.json")
    if not isinstance(modules, list) or not modules:
        raise ZooError(f"{folder} is not a sentence-transformers folder (no modules.json): onnx: needs one")
    kinds = {module_kind(module): module.get("path", "") for module in modules}
    unknown = [kind for kind in kinds if kind not in KNOWN_MODULES]
    if unknown or "Transformer" not in kinds or "Pooling" not in kinds:
        raise ZooError(
            f"onnx: runs Transformer + Pooling (+ Normalize) models, and {folder} has modules "
            f"{', '.join(kinds)}: use st:{folder} instead"
        )
    transformer = folder / kinds["Transformer"]
    bert_config = read_json(transformer / "sentence_bert_config.json")
    pooling = read_json(folder / kinds["Pooling"] / "config.json")
    return SentenceTransformerLayout(
        transformer=transformer,
        pooling=pooling_mode(pooling),
        dim=pooling_width(pooling),
        normalize="Normalize" in kinds,
        max_seq_length=int(bert_config.get("max_seq_length") or default_max_length(transformer)),
        do_lower_case=bool(bert_config.get("do_lower_case", False)),
        prompts=dict(read_json(folder / "config_sentence_transformers.json").get("prompts") or {}),
    )


def pooling_mode(config: dict[str, Any]) -> str:
    """The one pooling mode of a 1_Pooling config (new or legacy keys), if this runtime supports it."""
    if not config.get("include_prompt", True):
        raise ZooError("onnx: cannot pool with include_prompt=false (prompt tokens left out): use st: instead")
    modes = pooling_modes(config)
    if len(modes) != 1 or modes[0] not in POOLINGS:
        raise ZooError(
            f"onnx: supports one pooling mode of {', '.join(POOLINGS)}, the model asks for "
            f"{', '.join(map(str, modes)) or 'none'}: use st: instead"
        )
    return str(modes[0])


def default_max_length(transformer: Path) -> int:
    """What sentence-transformers falls back to: the smaller of the model's and the tokenizer's limits."""
    limits = [
        read_json(transformer / "config.json").get("max_position_embeddings"),
        read_json(transformer / "tokenizer_config.json").get("model_max_length"),
    ]
    usable = [int(limit) for limit in limits if isinstance(limit, (int, float)) and 0 < limit < 1_000_000]
    return min(usable, default=DEFAULT_MAX_LENGTH)


def pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    """Pool (batch, seq, dim) token vectors to (batch, dim) over the attention mask (left or right padded)."""
    hidden = hidden.astype(np.float32, copy=False)
    rows = np.arange(hidden.shape[0])
    if mode == "mean":
        weights = mask[..., None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    if mode == "max":
        return np.where(mask[..., None] > 0, hidden, -1e9).max(axis=1)
    if mode == "cls":
        return hidden[rows, mask.argmax(axis=1)]  # argmax finds the first attended token
    if mode == "lasttoken":
        return hidden[rows, (mask * np.arange(mask.shape[1])).argmax(axis=1)]
    raise ZooError(f"unknown pooling {mode!r}: choose one of {', '.join(POOLINGS)}")


def export_home() -> Path:
    """Where exports live: beside the embedding cache's ``v1`` folder, so ``zoo cache`` never reads them."""
    return cache_home() / "onnx"


def export_key(weights: str, quantize: str) -> str:
    return fingerprint("onnx-export", EXPORT_FORMAT, weights, OPSET, quantize)


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a temporary file beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        write(scratch / target.name)
        os.replace(scratch / target.name, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def export_transformer(transformer: Path, target: Path) -> None:
    """Export a Transformer module's token embeddings to ONNX (fp32, dynamic batch and sequence axes)."""
    torch = require("torch", "torch")
    transformers = require("transformers", "transformers")
    model = transformers.AutoModel.from_pretrained(str(transformer), attn_implementation="eager").eval()
    inputs = ["input_ids", "attention_mask"]
    if getattr(model.config, "type_vocab_size", 0):
        inputs.append("token_type_ids")

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: Any) -> Any:
            return self.model(**dict(zip(inputs, tensors))).last_hidden_state

    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in inputs)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*inputs, OUTPUT)}
    # the tracer warns about shape checks it freezes (padding length 0: an encoder's mask spans its keys)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            TokenEmbeddings(),
            example,
            str(target),
            input_names=inputs,
            output_names=[OUTPUT],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,  # the dynamo exporter needs onnxscript
        )


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantization: int8 weights, activations quantized per batch at run time.

    Per-channel scales with a 7-bit range: on 640 ICD-10-CM texts and all-MiniLM-L6-v2, per-tensor scales
    gave row cosines against fp32 down to 0.92, these 0.984 (the 7-bit range avoids overflow in AVX2's
    u8 x s8 instructions).
    """
    quantization = require("onnxruntime.quantization", "onnxruntime")
    quantization.quantize_dynamic(
        str(source), str(target), weight_type=quantization.QuantType.QInt8, per_channel=True, reduce_range=True
    )


def exported_model(layout: SentenceTransformerLayout, weights: str, quantize: str) -> Path:
    """The cached .onnx file for these weights and settings, exporting (and quantizing) it if missing."""
    target = export_home() / export_key(weights, quantize) / "model.onnx"
    if target.is_file():
        return target
    try:
        if quantize == "none":
            write_atomically(target, lambda path: export_transformer(layout.transformer, path))
        else:
            source = exported_model(layout, weights, "none")
            write_atomically(target, lambda path: quantize_int8(source, path))
    except ZooError:
        raise
    except Exception as exc:  # an architecture the tracer cannot export, a model over protobuf's 2 GB
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ZooError(f"could not export {layout.transformer} to ONNX ({quantize}): {first_line}") from exc
    return target


def local_model_folder(model: str, revision: str | None) -> Path:
    """A folder as given, else the hub snapshot of a repo id (downloaded if not cached)."""
    folder = Path(model).expanduser()
    if folder.is_dir():
        return folder
    cached = hub_snapshot(model, revision, "modules.json")
    if cached is not None:
        return cached
    hub = require("huggingface_hub", "huggingface-hub")
    try:
        return Path(hub.snapshot_download(model, revision=revision))
    except Exception as exc:  # offline, unknown repo, gated: one line either way
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ZooError(f"could not get model {model!r} for onnx: {first_line}") from exc


class OnnxEncoder(BaseEncoder):
    """A sentence-transformers model run by ONNX Runtime on CPU, fp32 or dynamically quantized to int8.

    The fingerprint holds the weights, the user's settings, the runtime and the quantization, so its cached
    vectors never mix with the PyTorch path's. ``threads`` None means OMP_NUM_THREADS if set, else one per core.
    """

    family = "onnx"

    def __init__(
        self,
        model_name_or_path: str | Path,
        *,
        name: str | None = None,
        quantize: str = "none",
        query_prompt: str | None = None,
        document_prompt: str | None = None,
        batch_size: int = 64,
        normalize: bool = True,
        max_seq_length: int | None = None,
        threads: int | None = None,
        revision: str | None = None,
    ) -> None:
        check_settings(quantize, batch_size, threads, max_seq_length)
        self.model_name_or_path = str(model_name_or_path)
        self.name = name or f"onnx:{self.model_name_or_path}"
        self.quantize = quantize
        self.prompts = PromptSettings(query_prompt, document_prompt)
        self.batch_size = batch_size
        self.normalize = normalize
        self.max_seq_length = max_seq_length
        self.threads = threads
        self.revision = revision
        self._folder: Path | None = None
        self._layout: SentenceTransformerLayout | None = None

    def __repr__(self) -> str:
        return f"OnnxEncoder({self.model_name_or_path!r}, quantize={self.quantize!r})"

    @property
    def folder(self) -> Path:
        if self._folder is None:
            self._folder = local_model_folder(self.model_name_or_path, self.revision)
        return self._folder

    @property
    def layout(self) -> SentenceTransformerLayout:
        if self._layout is None:
            self._layout = read_layout(self.folder)
        return self._layout

    @property
    def dim(self) -> int:
        return self.layout.dim or int(self._encode(["dim"], None).shape[1])

    @property
    def n_parameters(self) -> int | None:
        """Weights of the source checkpoint (int8 stores the same count in a quarter of the bytes)."""
        return safetensors_parameters(model_files(self.folder))

    def settings(self) -> list[Any]:
        return [self.prompts.as_dict(), self.normalize, self.max_seq_length]

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return (self.family, weights_fingerprint(self.folder), self.settings(), "onnxruntime", self.quantize)

    def onnx_path(self) -> Path:
        """The exported (and quantized) model file, exporting it on first use."""
        return exported_model(self.layout, weights_fingerprint(self.folder), self.quantize)

    def load_model(self) -> tuple[Any, FastTokenizer]:
        """The ONNX Runtime session (exporting the model once) and the fast tokenizer."""
        ort = require("onnxruntime", "onnxruntime")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads or env_threads()
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(self.onnx_path()), options, providers=["CPUExecutionProvider"])
        return session, load_tokenizer(self.layout, self.max_seq_length)

    def effective_prompts(self) -> PromptSettings:
        """The user's prompts, with the model's configured ones for roles the user left unset."""
        own = self.layout.prompts
        return self.prompts.with_defaults(own.get("query"), own.get("document") or own.get("passage"))

    def encode_items(self, items: list[str], role: Role, instruction: str | None) -> np.ndarray:
        return self._encode(items, self.effective_prompts().for_role(role, instruction))

    def _encode(self, texts: list[str], prompt: str | None) -> np.ndarray:
        layout = self.layout
        prepared = [((prompt or "") + text).strip() for text in texts]
        if layout.do_lower_case:
            prepared = [text.lower() for text in prepared]
        session, tokenizer = self.model
        encodings = tokenizer.encode_batch(prepared)
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
        wanted = {node.name for node in session.get_inputs()}
        vectors: np.ndarray | None = None
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            feeds = pad_batch([encodings[i] for i in rows], tokenizer.pad_id, tokenizer.left)
            hidden = session.run([OUTPUT], {k: v for k, v in feeds.items() if k in wanted})[0]
            pooled = pool(hidden, feeds["attention_mask"], layout.pooling)
            if vectors is None:
                vectors = np.empty((len(texts), pooled.shape[1]), dtype=np.float32)
            vectors[rows] = pooled
        assert vectors is not None
        return l2_normalize(vectors) if self.normalize or layout.normalize else vectors


def env_threads() -> int:
    """OMP_NUM_THREADS when set (ONNX Runtime ignores it, torch does not), else 0: one per core."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else 0


@dataclass
class FastTokenizer:
    """A ``tokenizers.Tokenizer`` that truncates, plus how to pad its output."""

    encode_batch: Callable[[list[str]], list[Any]]
    pad_id: int
    left: bool


def load_tokenizer(layout: SentenceTransformerLayout, max_seq_length: int | None) -> FastTokenizer:
    """The folder's tokenizer.json, truncating to the model's (or the user's) max_seq_length."""
    tokenizers = require("tokenizers", "tokenizers")
    path = layout.transformer / "tokenizer.json"
    if not path.is_file():
        raise ZooError(f"onnx: needs a fast tokenizer, and {path} is missing: use st: for this model")
    tokenizer = tokenizers.Tokenizer.from_file(str(path))
    config = read_json(layout.transformer / "tokenizer_config.json")
    tokenizer.no_padding()
    tokenizer.enable_truncation(
        max_seq_length or layout.max_seq_length, direction=config.get("truncation_side", "right")
    )
    pad_id = tokenizer.token_to_id(token_text(config.get("pad_token"))) if config.get("pad_token") else None
    return FastTokenizer(
        encode_batch=tokenizer.encode_batch,
        pad_id=pad_id if pad_id is not None else 0,  # masked out either way
        left=config.get("padding_side") == "left",
    )


def token_text(token: Any) -> str:
    """A special token as written in tokenizer_config.json: a string or an AddedToken dict."""
    return str(token.get("content", "")) if isinstance(token, dict) else str(token)


def pad_batch(encodings: list[Any], pad_id: int, left: bool) -> dict[str, np.ndarray]:
    """input_ids, attention_mask and token_type_ids as int64 arrays padded to the longest encoding."""
    width = max(len(encoding.ids) for encoding in encodings)
    arrays = {
        "input_ids": np.full((len(encodings), width), pad_id, dtype=np.int64),
        "attention_mask": np.zeros((len(encodings), width), dtype=np.int64),
        "token_type_ids": np.zeros((len(encodings), width), dtype=np.int64),
    }
    for row, encoding in enumerate(encodings):
        length = len(encoding.ids)
        span = slice(width - length, width) if left else slice(0, length)
        arrays["input_ids"][row, span] = encoding.ids
        arrays["attention_mask"][row, span] = 1
        arrays["token_type_ids"][row, span] = encoding.type_ids
    return arrays


def check_settings(quantize: str, batch_size: int, threads: int | None, max_seq_length: int | None) -> None:
    """One-line ZooErrors for settings that cannot work, raised before anything loads."""
    if quantize not in QUANTIZATIONS:
        raise ZooError(f"unknown quantize={quantize!r} for onnx: choose one of {', '.join(QUANTIZATIONS)}")
    if batch_size < 1:
        raise ZooError(f"batch_size must be at least 1, not {batch_size}")
    if threads is not None and threads < 1:
        raise ZooError(f"threads must be at least 1, not {threads}: leave it out to use every core")
    if max_seq_length is not None and max_seq_length < 1:
        raise ZooError(f"max_seq_length must be at least 1, not {max_seq_length}")
