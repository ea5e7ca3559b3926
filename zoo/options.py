"""Options written into names, ``name?key=value&key=value``, typed from the factory they are meant for."""

from __future__ import annotations

import inspect
from typing import Any, Callable
from urllib.parse import parse_qsl

from zoo.errors import ZooError

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def split_options(text: str) -> tuple[str, str]:
    """``"hnsw?ef_search=64"`` -> ``("hnsw", "ef_search=64")``."""
    name, _, query = text.partition("?")
    return name.strip(), query


def convert(key: str, value: str, kind: type) -> Any:
    """A string option as ``kind`` (bool, int, float or str); a bad value is a ZooError."""
    if kind is Literal:
        return read_literal(value)
    if kind is bool:
        if value.lower() in TRUE + FALSE:
            return value.lower() in TRUE
        raise ZooError(f"option {key}={value!r} is not a boolean: use true or false")
    if kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            raise ZooError(f"option {key}={value!r} is not {'an integer' if kind is int else 'a number'}") from None
    return value


def parse_options(owner: str, query: str, allowed: dict[str, type]) -> dict[str, Any]:
    """``key=value&...`` into typed keyword arguments; an unknown key is a ZooError naming the known ones."""
    options: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise ZooError(f"unknown option {key!r} for {owner}: it takes {known}")
        options[key] = convert(key, value, allowed[key])
    return options


class AnyKey(dict):
    """The options of a ``**kwargs`` factory: any key, its value typed by how it reads."""

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> type:
        return Literal


class Literal:
    """Marker type: convert() reads the value as int, float or bool where it can, else str."""


def keyword_types(factory: Callable[..., Any]) -> dict[str, type]:
    """The keyword parameters a factory takes, typed by their defaults (str where there is none)."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return AnyKey()
    if any(param.kind == param.VAR_KEYWORD for param in parameters):
        return AnyKey()  # a lazy factory that forwards to the real class: let that class check names
    types = {}
    for param in parameters:
        if param.kind in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD):
            default = param.default
            types[param.name] = type(default) if isinstance(default, (bool, int, float)) else str
    return types


def read_literal(value: str) -> Any:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    lowered = value.lower()
    return lowered in TRUE if lowered in ("true", "false") else value
