"""Where each registered part comes from: the plugin, its distribution and version, and a hash of its code."""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pluggy

from zoo.fingerprint import fingerprint, hash_file, hash_files

OWN_DISTRIBUTION = "embedding-zoo"


@dataclass(frozen=True)
class PluginSource:
    """A plugin's origin. ``distribution`` and ``version`` are None for a plugin registered by hand (tests,
    scripts); ``code`` hashes the sources of the plugin's top-level package (or its single module)."""

    plugin: str
    distribution: str | None
    version: str | None
    code: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def plugin_source(pm: pluggy.PluginManager, name: str) -> PluginSource:
    distribution, version = plugin_distribution(pm, name)
    return PluginSource(name, distribution, version, package_code(_top_package(pm.get_plugin(name))))


def plugin_distribution(pm: pluggy.PluginManager, name: str) -> tuple[str | None, str | None]:
    """The distribution and version a plugin came from; (None, None) for one registered by hand."""
    known = getattr(pm, "distributions", {}).get(name)
    return known if known else _distribution_of(_top_package(pm.get_plugin(name)))


def describe(pm: pluggy.PluginManager, name: str) -> str:
    """How ``zoo list`` names a plugin's origin: ``zoo-dna 0.1.0``."""
    distribution, version = plugin_distribution(pm, name)
    return f"{distribution} {version or ''}".strip() if distribution else "(not installed)"


def _top_package(plugin: Any) -> str:
    module = plugin.__name__ if hasattr(plugin, "__path__") or hasattr(plugin, "__file__") else type(plugin).__module__
    return module.split(".")[0]


@functools.cache
def _distribution_of(top: str) -> tuple[str | None, str | None]:
    """The installed distribution holding the top-level package ``top``, and its version."""
    if top in ("zoo", "harness"):
        names = [OWN_DISTRIBUTION]  # an editable install may not list its packages
    else:
        names = importlib.metadata.packages_distributions().get(top, [])
    if not names:
        return None, None
    try:
        return names[0], importlib.metadata.version(names[0])
    except importlib.metadata.PackageNotFoundError:
        return names[0], None


@functools.cache
def package_code(top: str) -> str:
    """A hash of the Python sources of the top-level package or module ``top``."""
    spec = importlib.util.find_spec(top)
    if spec is None:
        return ""
    if spec.submodule_search_locations:
        return hash_files(Path(next(iter(spec.submodule_search_locations))), ("**/*.py",))
    return fingerprint(hash_file(Path(spec.origin))) if spec.origin and spec.origin != "built-in" else ""
