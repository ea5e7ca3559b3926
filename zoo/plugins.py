"""The plugin manager: built-ins register as default plugins, third parties through the "zoo" entry points.

A plugin that fails to import, or raises inside a hook, is reported once on stderr and skipped.
``ZOO_LOAD_PLUGINS`` limits which entry-point plugins load: a comma-separated list of entry-point or
distribution names; set it empty to load none. Built-in plugins always load.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
from typing import Any

import pluggy

from zoo import hookspecs

ENTRY_POINT_GROUP = "zoo"
LOAD_PLUGINS_ENV = "ZOO_LOAD_PLUGINS"

DEFAULT_PLUGINS: tuple[str, ...] = (
    "zoo.encoders.builtin",
    "harness.backends.builtin",
    "harness.tasks.builtin",
)


def warn(message: str) -> None:
    print(f"zoo: warning: {message}", file=sys.stderr)


def get_plugin_manager(*, load_entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh plugin manager with the built-ins and (optionally) the installed entry-point plugins."""
    pm = pluggy.PluginManager("zoo")
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    if load_entry_points:
        load_entry_point_plugins(pm)
    return pm


def _allowed_plugins() -> set[str] | None:
    value = os.environ.get(LOAD_PLUGINS_ENV)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def load_entry_point_plugins(pm: pluggy.PluginManager, group: str = ENTRY_POINT_GROUP) -> None:
    """Import and register each entry point in ``group``; report and skip the ones that fail."""
    allowed = _allowed_plugins()
    for ep in importlib.metadata.entry_points(group=group):
        dist_name = ep.dist.name if ep.dist is not None else ""
        if allowed is not None and ep.name not in allowed and dist_name not in allowed:
            continue
        if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must never take the zoo down
            warn(f"plugin {ep.name!r} ({dist_name or ep.value}) failed to import and was skipped: {exc!r}")
            continue
        pm.register(plugin, name=ep.name)


def hook_impls(pm: pluggy.PluginManager, hook_name: str) -> list[Any]:
    """A hook's implementations in registration order: built-ins first, then entry points."""
    return list(reversed(getattr(pm.hook, hook_name).get_hookimpls()))


def call_safely(impl: Any, hook_name: str, **kwargs: Any) -> Any:
    """Call one plugin's implementation of a hook; report and return None if it raises."""
    try:
        return impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
    except Exception as exc:  # one plugin's bug must not break the others
        warn(f"plugin {impl.plugin_name!r} raised in {hook_name} and was skipped: {exc!r}")
        return None


def plugin_names(pm: pluggy.PluginManager) -> list[str]:
    return [name for name, _ in pm.list_name_plugin()]


