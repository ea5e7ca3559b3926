"""What the transformers-backed vision encoders share: lazy imports, devices, errors, weight hashes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zoo.api import (
    ZooError,
    hub_snapshot,
    pick_device,
    pick_dtype,
    require,
    state_dict_fingerprint,
    weights_fingerprint,
)

INSTALL_HINT = "pip install 'zoo-vision[models]'"


def need(what: str, module: str, pip_name: str) -> Any:
    """Import ``module``, or raise a ZooError saying that ``what`` needs it and how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ZooError(f"{what} needs {module!r}: pip install {pip_name}") from None


def torch_and_transformers() -> tuple[Any, Any]:
    """torch and transformers, or a ZooError saying what to install."""
    return require("torch", INSTALL_HINT), require("transformers", INSTALL_HINT)


def local_folder(model: str) -> Path | None:
    path = Path(model).expanduser()
    return path if path.is_dir() else None


def load_error(family: str, model: str, exc: Exception) -> ZooError:
    """A one-line ZooError for a model that would not load, with the likely fix."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    where = (
        "the folder holds no loadable model"
        if local_folder(model)
        else ("a hub id needs the network (or a copy in the Hugging Face cache); or pass a local model folder")
    )
    return ZooError(f"could not load {family} model {model!r}: {first} ({where})")


def device_and_dtype(device: str | None, dtype: str | None, *, cuda_default: str = "float16") -> tuple[str, Any]:
    """The device to run on (a GPU when there is one) and its dtype: the user's, else ``cuda_default``
    on CUDA (half precision) and float32 elsewhere."""
    chosen = pick_device(device)
    return chosen, pick_dtype(chosen, dtype or (cuda_default if chosen.startswith("cuda") else None))


def dtype_name(device: str | None, dtype: str | None, *, cuda_default: str = "float16") -> str:
    return str(device_and_dtype(device, dtype, cuda_default=cuda_default)[1]).removeprefix("torch.")


def model_fingerprint(model: str, revision: str | None, module: Any) -> str:
    """Hash of the model's files (a local folder or its hub snapshot), else of the loaded weights."""
    folder = local_folder(model) or hub_snapshot(model, revision, "config.json")
    return weights_fingerprint(folder) if folder is not None else state_dict_fingerprint(module)


def tensor_output(output: Any) -> Any:
    """A features tensor from ``get_*_features``: a tensor in transformers 4, a pooled output in 5."""
    if hasattr(output, "pooler_output") and not hasattr(output, "shape"):
        return output.pooler_output
    return output
