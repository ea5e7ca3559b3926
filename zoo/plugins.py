"""The plugin manager: built-ins register as default plugins, third parties through the "zoo" entry points.

A plugin that fails to import, or raises inside a hook, is reported once on stderr and skipped.
``ZOO_LOAD_PLUGINS`` limits which entry-point plugins load: a comma-separated list of entry-point or
distribution names; set it empty to load none. A plugin that takes more than ``SLOW_IMPORT_SECONDS`` to
import is named on stderr, with the setting that skips it. The built-ins always load: zoo's own encoders as default
plugins, and the harness's tasks and backends through this distribution's own entry point (zoo never
imports harness; the harness plugs in like anyone else).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
import time
from typing import Any, Iterable

import pluggy

from zoo import hookspecs
from zoo.errors import ZooError

ENTRY_POINT_GROUP = "zoo"
LOAD_PLUGINS_ENV = "ZOO_LOAD_PLUGINS"

DEFAULT_PLUGINS: tuple[str, ...] = (
    "zoo.encoders.builtin",
    "zoo.postprocess.builtin",
    "zoo.merge.plugin",
    "zoo.lexical.plugin",
)
OWN_DISTRIBUTION = "embedding-zoo"
SLOW_IMPORT_SECONDS = 0.3  # every zoo command, --help included, pays a plugin's import


def warn(message: str) -> None:
    print(f"zoo: warning: {message}", file=sys.stderr)


class PluginManager(pluggy.PluginManager):
    """pluggy's plugin manager for the "zoo" hooks, remembering the distribution each plugin came from."""

    def __init__(self) -> None:
        super().__init__("zoo")
        self.add_hookspecs(hookspecs)
        self.distributions: dict[str, tuple[str, str | None]] = {}


def get_plugin_manager(*, load_entry_points: bool = True) -> PluginManager:
    """A fresh plugin manager with the built-ins and (optionally) the installed entry-point plugins."""
    pm = PluginManager()
    version = _own_version()
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
        pm.distributions[module_name] = (OWN_DISTRIBUTION, version)
    if load_entry_points:
        load_entry_point_plugins(pm)
    return pm


def _allowed_plugins() -> set[str] | None:
    value = os.environ.get(LOAD_PLUGINS_ENV)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _own_version() -> str | None:
    try:
        return importlib.metadata.version(OWN_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None


def load_entry_point_plugins(pm: pluggy.PluginManager, group: str = ENTRY_POINT_GROUP) -> None:
    """Import and register each entry point in ``group``; report and skip the ones that fail, and name
    the ones slow to import."""
    allowed = _allowed_plugins()
    eligible = [
        ep
        for ep in _in_load_order(importlib.metadata.entry_points(group=group))
        if allowed is None or _dist_name(ep) == OWN_DISTRIBUTION or ep.name in allowed or _dist_name(ep) in allowed
    ]
    for ep in eligible:
        if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
            continue
        dist_name = _dist_name(ep)
        source = "" if dist_name in ("", ep.name) else f" (from {dist_name})"
        started = time.perf_counter()
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must never take the zoo down
            warn(f"plugin {ep.name!r}{source} failed to import and was skipped: {exc!r}")
            continue
        seconds = time.perf_counter() - started
        if seconds > SLOW_IMPORT_SECONDS:
            warn(_slow_import_message(ep, source, seconds, eligible))
        pm.register(plugin, name=ep.name)
        if isinstance(pm, PluginManager) and ep.dist is not None:
            pm.distributions[ep.name] = (ep.dist.name, ep.dist.version)


def _slow_import_message(
    ep: importlib.metadata.EntryPoint, source: str, seconds: float, eligible: list[importlib.metadata.EntryPoint]
) -> str:
    others = ",".join(
        other.name for other in eligible if other.name != ep.name and _dist_name(other) != OWN_DISTRIBUTION
    )
    return (
        f"plugin {ep.name!r}{source} took {seconds:.2f} s to import, which every zoo command pays: "
        f"skip it with {LOAD_PLUGINS_ENV}={others!r} (the other plugins), or ask its author to import "
        "heavy libraries inside the functions that need them"
    )


def _dist_name(ep: importlib.metadata.EntryPoint) -> str:
    return ep.dist.name if ep.dist is not None else ""


def _in_load_order(eps: Iterable[importlib.metadata.EntryPoint]) -> list[importlib.metadata.EntryPoint]:
    """Our own distribution first, then the rest by name: clashes resolve the same way everywhere."""
    return sorted(eps, key=lambda ep: (_dist_name(ep) != OWN_DISTRIBUTION, _dist_name(ep), ep.name))


def hook_impls(pm: pluggy.PluginManager, hook_name: str) -> list[Any]:
    """A hook's implementations in the order pluggy calls them: ``tryfirst`` ones first, ``trylast`` ones
    last, and otherwise the plugin registered last first (entry-point plugins before the built-ins).

    Wrappers (``hookwrapper``/``wrapper``) cannot be isolated one plugin at a time: they are reported and left out.
    """
    impls = []
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        if impl.hookwrapper or getattr(impl, "wrapper", False):
            warn(
                f"plugin {impl.plugin_name!r} wraps {hook_name}, which the zoo's hooks do not support; "
                "its wrapper was skipped"
            )
            continue
        impls.append(impl)
    return impls


def call_hook(
    pm: pluggy.PluginManager, hook_name: str, *, passes: tuple[type[Exception], ...] = (), **kwargs: Any
) -> Any:
    """Call a hook as pluggy would, but one plugin at a time, so that one that raises is reported and skipped.

    A ``firstresult`` hook returns the first non-None answer (the rest are not called); any other returns
    the list of non-None answers in call order.
    """
    firstresult = bool(getattr(pm.hook, hook_name).spec.opts.get("firstresult"))
    results = []
    for impl in hook_impls(pm, hook_name):
        result = call_safely(impl, hook_name, passes=passes, **kwargs)
        if result is None:
            continue
        if firstresult:
            return result
        results.append(result)
    return None if firstresult else results


def first_result(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> Any:
    """A ``firstresult`` hook's answer; a plugin that raises is reported and skipped, except with a
    ZooError: that is its answer, a message for the user (``clip:`` with a bad option)."""
    return call_hook(pm, hook_name, passes=(ZooError,), **kwargs)


def plugin_ranks(pm: pluggy.PluginManager) -> dict[str, int]:
    """Each plugin's place in registration order (built-ins, this distribution's, then others by
    distribution name): on a name clash the lower rank wins, whatever order the hooks were called in."""
    return {name: rank for rank, (name, _) in enumerate(pm.list_name_plugin())}


def call_safely(impl: Any, hook_name: str, *, passes: tuple[type[Exception], ...] = (), **kwargs: Any) -> Any:
    """Call one plugin's implementation of a hook; report and return None if it raises (``passes`` excepted)."""
    try:
        return impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
    except passes:
        raise
    except Exception as exc:  # one plugin's bug must not break the others
        warn(f"plugin {impl.plugin_name!r} raised in {hook_name} and was skipped: {exc!r}")
        return None


def plugin_names(pm: pluggy.PluginManager) -> list[str]:
    return [name for name, _ in pm.list_name_plugin()]
