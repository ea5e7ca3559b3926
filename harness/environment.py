"""What a result was produced with: package versions, hardware, and a fingerprint of this code."""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
import sys
from pathlib import Path

from zoo.fingerprint import fingerprint, hash_files

TRACKED_PACKAGES = (
    "embedding-zoo",
    "numpy",
    "torch",
    "transformers",
    "sentence-transformers",
    "mteb",
    "pluggy",
)


@functools.cache
def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


@functools.cache
def hardware() -> dict[str, object]:
    """CPU, core count and GPU (only if torch is already imported: asking must not import it)."""
    info: dict[str, object] = {
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "cores": os.cpu_count(),
        "system": platform.system(),
    }
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


@functools.cache
def code_fingerprint(plugin_code: tuple[str, ...] = ()) -> str:
    """Hash of the zoo and harness sources that produced a result, beside the package version, and of the
    code of each other plugin that supplied a part of it (``zoo.provenance.package_code``)."""
    import harness
    import zoo

    roots = [Path(zoo.__file__).parent, Path(harness.__file__).parent]
    own = [hash_files(root, ("**/*.py",)) for root in roots]
    return fingerprint([*own, *sorted(set(plugin_code))] if plugin_code else own)
