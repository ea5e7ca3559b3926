"""What a sentence-transformers folder's module configs say, read without loading the model.

Pooling configs come in two spellings: sentence-transformers 6 writes ``pooling_mode`` (a name or a list)
and ``embedding_dimension``; earlier versions one boolean per mode and ``word_embedding_dimension``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zoo.encoders.base import read_json

LEGACY_POOLING_KEYS: dict[str, str] = {  # sentence-transformers < 6 wrote one boolean per mode
    "pooling_mode_cls_token": "cls",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}


def pooling_modes(config: dict[str, Any]) -> list[str]:
    """The pooling modes a Pooling config asks for, concatenated in this order (new or legacy keys)."""
    mode = config.get("pooling_mode")
    modes = [mode] if isinstance(mode, str) else [str(m) for m in mode or []]
    return modes or [name for key, name in LEGACY_POOLING_KEYS.items() if config.get(key)]


def pooling_width(config: dict[str, Any]) -> int | None:
    """The token-embedding width a Pooling config states, where it states one."""
    width = config.get("embedding_dimension") or config.get("word_embedding_dimension")
    return width if isinstance(width, int) else None


def module_kind(module: dict[str, Any]) -> str:
    """``"sentence_transformers.models.Pooling"`` -> ``"Pooling"``."""
    return str(module.get("type", "")).rpartition(".")[2]


def configured_dim(folder: Path) -> int | None:
    """The output width a folder's modules.json chain gives, or None if unsure (then ask the loaded model)."""
    modules = read_json(folder / "modules.json")
    if not isinstance(modules, list) or not modules:
        return None
    dim = None
    for module in modules:
        kind = module_kind(module)
        config = read_json(folder / module.get("path", "") / "config.json")
        if kind == "Pooling":
            width, modes = pooling_width(config), len(pooling_modes(config))
            dim = width * modes if width is not None and modes else None
        elif kind == "Dense":
            dim = config.get("out_features") if isinstance(config.get("out_features"), int) else None
        elif kind not in ("Transformer", "Normalize"):
            return None  # a module whose width we cannot read
    return dim
