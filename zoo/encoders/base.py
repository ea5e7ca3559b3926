"""Helpers shared by the built-in encoders: devices, dtypes, weight hashes, prompts, input checks.

Nothing here imports torch at module level; the functions that need it import it when called.
"""

from __future__ import annotations

import functools
import importlib
import math
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from zoo import textio
from zoo.errors import DataError, ZooError
from zoo.fingerprint import fingerprint, hash_file
from zoo.textio import loads

if TYPE_CHECKING:
    import numpy as np

ROLES: tuple[str, ...] = ("query", "document")
WEIGHT_PATTERNS: tuple[str, ...] = ("*.safetensors", "*.bin", "*.pt", "*.pth", "*.npy")
CONFIG_PATTERNS: tuple[str, ...] = ("*.json", "*.txt", "*.model", "*.vocab", "*.tiktoken")
DTYPES: tuple[str, ...] = ("float32", "float16", "bfloat16")
OTHER_BACKENDS: frozenset[str] = frozenset({"onnx", "openvino"})  # exports that torch never loads


def require(module: str, pip_name: str) -> Any:
    """Import an optional heavy dependency, or say which pip package provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ZooError(f"this encoder needs {module!r}: pip install {pip_name} ({exc})") from exc


def pick_device(device: str | None = None) -> str:
    """The user's device, else "cuda" if available, else "mps" if available, else "cpu"."""
    if device:
        return device
    if no_accelerator_nodes():
        return "cpu"  # decided without importing torch: a run served from the cache never needs it
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def no_accelerator_nodes() -> bool:
    """True on Linux without NVIDIA or AMD device files, where torch could find no GPU; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False  # macOS may have MPS, Windows CUDA: ask torch
    dev = Path("/dev")
    return not (any(dev.glob("nvidia[0-9]*")) or (dev / "kfd").exists())


def dtype_name(device: str, dtype: str | None = None) -> str:
    """The precision to run in, by name: the user's choice, else float16 on CUDA and float32 elsewhere."""
    name = dtype or ("float16" if device.startswith("cuda") else "float32")
    if name not in DTYPES:
        raise ZooError(f"unknown dtype {name!r}: choose one of {', '.join(DTYPES)}")
    return name


def pick_dtype(device: str, dtype: str | None = None) -> Any:
    """The torch dtype to run in (see ``dtype_name``)."""
    import torch

    return getattr(torch, dtype_name(device, dtype))


def dtype_kwargs(dtype: Any) -> dict[str, Any]:
    """from_pretrained's dtype keyword: ``dtype`` since transformers 4.56, ``torch_dtype`` before."""
    import transformers

    major, minor = (int(part) for part in transformers.__version__.split(".")[:2])
    return {"dtype": dtype} if (major, minor) >= (4, 56) else {"torch_dtype": dtype}


@functools.lru_cache(maxsize=4096)
def _cached_file_hash(path: str, mtime_ns: int, size: int) -> str:
    return hash_file(Path(path))


def file_fingerprint(path: Path) -> str:
    """A file's content hash, computed once per (path, mtime, size) in this process."""
    stat = Path(path).stat()  # follows symlinks, as hub snapshots need
    return _cached_file_hash(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)


def model_files(folder: Path) -> list[Path]:
    """The config, tokenizer and weight files of a model folder; hidden, onnx and openvino folders left out."""
    folder = Path(folder)
    found = {
        path
        for pattern in (*CONFIG_PATTERNS, *WEIGHT_PATTERNS)
        for path in folder.rglob(pattern)
        if path.is_file() and not _skipped(path.relative_to(folder).parts)
    }
    return sorted(found)


def _skipped(parts: tuple[str, ...]) -> bool:
    return parts[0] in OTHER_BACKENDS or any(part.startswith(".") for part in parts)


def weights_fingerprint(folder: Path) -> str:
    """Hash the names and contents of a model folder's config, tokenizer and weight files."""
    folder = Path(folder)
    files = model_files(folder)
    if not any(path.match(pattern) for path in files for pattern in WEIGHT_PATTERNS):
        raise ZooError(f"no weight files (.safetensors, .bin) found in model folder {folder}")
    return fingerprint([(path.relative_to(folder).as_posix(), file_fingerprint(path)) for path in files])


def safetensors_parameters(files: Iterable[Path]) -> int | None:
    """Weights counted from the headers of the ``.safetensors`` files (no tensor is read); None if none."""
    total, seen = 0, False
    for path in files:
        if path.suffix != ".safetensors":
            continue
        header = _safetensors_header(path)
        if header is None:
            return None  # not a file we can read the shapes of: the loaded model is counted instead
        total += sum(math.prod(info["shape"]) for key, info in header.items() if key != "__metadata__")
        seen = True
    return total if seen else None


SAFETENSORS_MAX_HEADER = 100_000_000  # the format's own limit on the JSON header


def _safetensors_header(path: Path) -> dict[str, Any] | None:
    """The JSON header of a ``.safetensors`` file (u64 length, then JSON), or None where it is not one."""
    with open(path, "rb") as handle:
        start = handle.read(8)
        size = struct.unpack("<Q", start)[0] if len(start) == 8 else 0
        if not 0 < size <= SAFETENSORS_MAX_HEADER:
            return None
        try:
            header = loads(handle.read(size).decode("utf-8"), str(path))
        except (UnicodeDecodeError, DataError):
            return None
    valid = isinstance(header, dict) and all(
        isinstance(info, dict) and isinstance(info.get("shape"), list)
        for key, info in header.items()
        if key != "__metadata__"
    )
    return header if valid else None


def module_parameters(module: Any) -> int:
    """Weights of a loaded torch module, each shared tensor counted once."""
    return sum(p.numel() for p in module.parameters())


def state_dict_fingerprint(module: Any) -> str:
    """Hash a loaded torch module's parameters: the fallback when no weight files can be found."""
    import hashlib

    import torch

    digest = hashlib.sha256()
    for key, tensor in sorted(module.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().to("cpu").contiguous().view(-1).view(torch.uint8).numpy())
    return digest.hexdigest()[:16]


def hub_snapshot(repo_id: str, revision: str | None, filename: str) -> Path | None:
    """The local snapshot folder of a downloaded hub repo, or None if it is not in the cache."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    found = try_to_load_from_cache(repo_id, filename, revision=revision)
    return Path(found).parent if isinstance(found, str) else None


def read_json(path: Path) -> Any:
    """A model folder's JSON file (a config, modules.json), or {} where it is missing or unreadable: the
    library that loads the model then decides."""
    try:
        return textio.read_json(path)
    except (OSError, DataError):
        return {}


@dataclass(frozen=True)
class PromptSettings:
    """Text put before each input, per role.

    ``instruction`` (an ``encode`` argument) fills a ``{instruction}`` placeholder in the role's prompt
    when there is one, and otherwise replaces the role's prompt. ``""`` means "no prompt"; ``None``
    means "not set" (an encoder may then use the model's own configured prompt).
    """

    query_prompt: str | None = None
    document_prompt: str | None = None

    def with_defaults(self, query: str | None, document: str | None) -> PromptSettings:
        """Fill the roles the user left unset with the model's own prompts."""
        return PromptSettings(
            query if self.query_prompt is None else self.query_prompt,
            document if self.document_prompt is None else self.document_prompt,
        )

    def for_role(self, role: str, instruction: str | None = None) -> str | None:
        check_role(role)
        prompt = self.query_prompt if role == "query" else self.document_prompt
        if instruction is None:
            return prompt.replace("{instruction}", "") if prompt else prompt
        if prompt and "{instruction}" in prompt:
            return prompt.replace("{instruction}", instruction)
        return instruction

    def apply(self, texts: list[str], role: str, instruction: str | None = None) -> list[str]:
        prefix = self.for_role(role, instruction) or ""
        return [prefix + text for text in texts] if prefix else texts

    def as_dict(self) -> dict[str, str | None]:
        return {"query_prompt": self.query_prompt, "document_prompt": self.document_prompt}


def check_role(role: str) -> None:
    if role not in ROLES:
        raise ZooError(f"unknown role {role!r}: use 'query' or 'document'")


def check_texts(inputs: Sequence[Any]) -> list[str]:
    """The inputs as a list of strings, or a one-line ZooError naming the first bad item."""
    if isinstance(inputs, (str, bytes)):
        raise ZooError("encode() takes a list of strings, not a single string")
    texts = list(inputs)
    for index, item in enumerate(texts):
        if not isinstance(item, str):
            raise ZooError(f"text encoders take strings: input {index} is a {type(item).__name__}")
    return texts


def empty(dim: int) -> np.ndarray:
    import numpy as np

    return np.zeros((0, dim), dtype=np.float32)


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Unit-length rows; all-zero rows (e.g. empty texts) stay zero instead of becoming NaN."""
    import numpy as np

    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32, copy=False)


def length_order(texts: list[str]) -> list[int]:
    """Indices of texts from longest to shortest, so batches hold similar lengths."""
    return sorted(range(len(texts)), key=lambda i: -len(texts[i]))
