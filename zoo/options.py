"""Options written into names, ``name?key=value&key=value``, typed from the factory they are meant for."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from typing import Any, Callable
from urllib.parse import parse_qsl

from zoo.errors import ZooError
from zoo.protocols import BackendSpec, PostProcessorSpec, SearchPoints

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
        check_known(owner, key, allowed)
        options[key] = convert(key, value, allowed[key])
    return options


def option_types(spec: BackendSpec | PostProcessorSpec) -> dict[str, type]:
    """The options a spec takes and their types: its declared ``params``, else its factory's signature."""
    if spec.params is not None:
        return {param.name: param.kind for param in spec.params}
    return keyword_types(spec.factory)


def checked(owner: str, spec: BackendSpec | PostProcessorSpec, key: str, value: Any) -> Any:
    """``value`` checked against the bounds the spec declares for ``key`` (as it is, where it declares none)."""
    for param in spec.params or ():
        if param.name == key:
            return param.check(owner, value)
    return value


def parse_spec_options(owner: str, query: str, spec: BackendSpec | PostProcessorSpec) -> dict[str, Any]:
    """``key=value&...`` as typed keyword arguments for ``spec``'s factory, every value checked now."""
    options = parse_options(owner, query, option_types(spec))
    return {key: checked(owner, spec, key, value) for key, value in options.items()}


def check_known(owner: str, key: str, allowed: dict[str, type]) -> None:
    if key not in allowed:
        known = ", ".join(sorted(allowed)) or "none"
        raise ZooError(f"unknown option {key!r} for {owner}: it takes {known}")


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


def split_backend_list(text: str) -> list[str]:
    """Comma-separated backends, where a search option may itself take a comma-separated list of values:
    ``"exact,hnsw?ef_search=16,32"`` -> ``["exact", "hnsw?ef_search=16,32"]`` (names begin with a letter)."""
    names: list[str] = []
    for piece in (part.strip() for part in text.split(",")):
        if names and "?" in names[-1] and piece and not piece[0].isalpha():
            names[-1] += "," + piece
        elif piece:
            names.append(piece)
    return names


def bind_backend_options(spec: BackendSpec, query: str) -> BackendSpec:
    """``spec`` with the options of ``name?query`` bound into its factory.

    Several comma-separated values of a search option (the backend's ``search_options``) are operating
    points searched on one index; ``recall=0.95`` asks for the smallest value of the backend's first
    search option whose recall reaches 0.95. The label results carry is the name and the fixed options
    as written: search options are recorded in each result's parameters instead.
    """
    owner = f"backend {spec.name!r}"
    written = parse_qsl(query, keep_blank_values=True)
    target = _recall_target(owner, [value for key, value in written if key == "recall"])
    types = option_types(spec)
    fixed: dict[str, Any] = {}
    swept: dict[str, tuple[Any, ...]] = {}
    for key, value in written:
        if key != "recall":
            check_known(owner, key, types)
            values = tuple(checked(owner, spec, key, convert(key, part, types[key])) for part in value.split(","))
            if len(values) > 1:
                swept[key] = values
            else:
                fixed[key] = values[0]
    search_options = _search_options(owner, spec, fixed)
    points = _points(owner, search_options, swept, fixed, target)
    for value in points.values if points else ():
        _construct(owner, spec, {**fixed, points.option: value})  # a bad value fails before any work
    kept = [part for part in query.split("&") if part.partition("=")[0] not in (*search_options, "recall")]
    label = "?".join([spec.name, "&".join(kept)]) if kept else spec.name
    return dataclasses.replace(
        spec, name=f"{spec.name}?{query}", label=label, points=points, factory=functools.partial(spec.factory, **fixed)
    )


def _recall_target(owner: str, values: list[str]) -> float | None:
    if not values:
        return None
    if len(values) > 1 or "," in values[0]:
        raise ZooError(f"{owner}: give one recall target (e.g. recall=0.95); repeat -b for several")
    target = convert("recall", values[0], float)
    if not 0 < target <= 1:
        raise ZooError(f"{owner}: recall={values[0]} must lie in (0, 1], e.g. recall=0.95")
    return target


def _construct(owner: str, spec: BackendSpec, options: dict[str, Any]) -> Any:
    try:
        return spec.factory(**options)
    except TypeError as exc:  # an option the backend does not take
        raise ZooError(f"{owner}: {exc}") from None


def _search_options(owner: str, spec: BackendSpec, fixed: dict[str, Any]) -> tuple[str, ...]:
    """The options the backend changes between searches of one index (its class's ``search_options``)."""
    return tuple(getattr(_construct(owner, spec, fixed), "search_options", ()))


def _points(
    owner: str,
    search_options: tuple[str, ...],
    swept: dict[str, tuple[Any, ...]],
    fixed: dict[str, Any],
    target: float | None,
) -> SearchPoints | None:
    for key in swept:
        if key not in search_options:
            takes = (
                f"only its search options ({', '.join(search_options)}) take"
                if search_options
                else "it has no search option that takes"
            )
            raise ZooError(
                f"{owner}: {key} takes one value ({key}={','.join(map(str, swept[key]))} given); "
                f"{takes} several, one index searched at each"
            )
    if len(swept) > 1:
        raise ZooError(f"{owner}: sweep one search option at a time, not {' and '.join(swept)}")
    if target is not None:
        if not search_options:
            raise ZooError(f"{owner}: recall= tunes a search option and this backend has none")
        chosen = [key for key in search_options if key in fixed or key in swept]
        if chosen:
            raise ZooError(f"{owner}: recall= chooses {search_options[0]} itself; drop {chosen[0]}=")
        return SearchPoints(search_options[0], target_recall=target)
    if swept:
        ((key, values),) = swept.items()
        return SearchPoints(key, tuple(dict.fromkeys(values)))
    return None
