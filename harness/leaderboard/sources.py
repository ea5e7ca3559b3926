"""Where each encoder on the page comes from: a hub model card, a local folder, or the plugin that registers it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Mapping

HUB = "https://huggingface.co/"
# zoo.encoders.builtin's open names: <prefix>:<hub repo id or folder>[?options]
OPEN_PREFIXES = ("hf", "st", "tf", "onnx")
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def source(encoder: str, registered: Iterable[Mapping[str, Any]] = ()) -> dict[str, str]:
    """``{"kind": "hub" | "path" | "plugin" | "unknown", "text": ..., "href": ...}`` for one encoder name.

    An open name (``hf:org/model``, ``st:/models/x``) points at its hub card or folder; a registered
    name at the hub card its aliases name, else at the plugin that registers it; a name wrapping another
    (``describe:all-minilm-l6-v2``) at the source of the name inside.
    """
    specs = {name: spec for spec in registered for name in (spec["name"], *spec.get("aliases", ()))}
    prefix, _, rest = encoder.partition(":")
    if rest and prefix in OPEN_PREFIXES:
        target = rest.split("?", 1)[0]
        return specs_source(specs.get(target)) if target in specs else _target(target)
    if encoder in specs:
        return specs_source(specs[encoder])
    if rest:
        inner = source(rest, registered)
        if inner["kind"] != "unknown":
            return {**inner, "text": f"{prefix}: wraps {rest} ({inner['text']})"}
    return {"kind": "unknown", "text": "not registered by an installed plugin, and not a hub id or folder"}


def specs_source(spec: Mapping[str, Any] | None) -> dict[str, str]:
    """A registered encoder's hub card (an alias that is a repo id), else its plugin."""
    if spec is None:
        return {"kind": "unknown", "text": "not registered by an installed plugin"}
    repo = next((alias for alias in spec.get("aliases", ()) if _REPO_ID.match(alias)), None)
    plugin = spec.get("plugin") or "an installed plugin"
    if repo is not None:
        return {"kind": "hub", "text": f"{repo} (registered by {plugin})", "href": HUB + repo}
    return {
        "kind": "plugin",
        "text": f"registered by {plugin}" + (f": {spec['description']}" if spec.get("description") else ""),
    }


def _target(target: str) -> dict[str, str]:
    path = Path(target).expanduser()
    if path.is_absolute() or target.startswith((".", "~")) or path.exists():
        return {"kind": "path", "text": f"local folder {target}", "href": path.resolve().as_uri()}
    if _REPO_ID.match(target):
        return {"kind": "hub", "text": target, "href": HUB + target}
    return {"kind": "unknown", "text": target}


def sources(encoders: Iterable[str], registered: Iterable[Mapping[str, Any]] = ()) -> dict[str, dict[str, str]]:
    """Encoder name -> its source, for every name in ``encoders``."""
    registered = list(registered)
    return {name: source(name, registered) for name in sorted(set(encoders))}
