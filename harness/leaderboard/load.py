"""Results from one or more stores, keyed by row, backend configuration and operating point; one kept per cell."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qsl

from harness.backends import POINT_NOTES, SEARCH_OPTIONS
from harness.results import ResultStore, TaskResult, valid_results
from zoo.options import split_options

RowKey = tuple[str, tuple[str, ...], str]  # encoder, chain, encoder fingerprint
Point = tuple[str, Any]  # search option and value, e.g. ("ef_search", 16)


@dataclass(frozen=True)
class Entry:
    """One kept result, where it sits on the board, and where it came from."""

    result: TaskResult
    row: str  # row label: encoder, its chain, and a fingerprint where names alone are ambiguous
    backend: str | None  # view: configuration and operating point, e.g. hnsw?M=32&ef_search=16; None: no search
    source: str
    superseded: int = 0  # older results for the same cell that this one replaced
    config: str | None = None  # the backend and every setting but the search option: one curve, e.g. hnsw?M=32
    point: Point | None = None  # (search option, value) the configuration was searched at


def read_stores(stores: Iterable[ResultStore | Path | str]) -> list[tuple[TaskResult, str]]:
    """Every result in every store, with the file it came from."""
    loaded = []
    for store in stores:
        folder = store.folder if isinstance(store, ResultStore) else Path(store)
        loaded.extend((result, str(path)) for result, path in valid_results(folder))  # bad files: skipped, said
    return loaded


def row_key(result: TaskResult) -> RowKey:
    return result.encoder, tuple(result.chain), result.encoder_fingerprint


def row_labels(keys: Iterable[RowKey]) -> dict[RowKey, str]:
    """``encoder + chain``; the fingerprint is added only where one name covers several encoders."""
    keys = sorted(set(keys))
    fingerprints: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
    for encoder, chain, fp in keys:
        fingerprints[(encoder, chain)].add(fp)
    labels = {}
    for encoder, chain, fp in keys:
        label = " + ".join([encoder, "+".join(chain)]) if chain else encoder
        labels[(encoder, chain, fp)] = f"{label} @{fp[:8]}" if len(fingerprints[(encoder, chain)]) > 1 else label
    return labels


def _config_keys(results: Iterable[TaskResult]) -> dict[str, set[str]]:
    """Per backend name, the settings that tell two configurations apart.

    Those written in a backend's name (``hnsw?M=32``), and those that differ between results of one row
    and task. A setting that differs only between rows (a chain's ``rescore``) is not a configuration,
    and the search option (``ef_search``) makes points on one configuration's curve, not configurations.
    """
    keys: dict[str, set[str]] = defaultdict(set)
    by_cell: dict[tuple[RowKey, str, str], list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        if result.backend is None:
            continue
        name, query = split_options(result.backend)
        keys[name].update(key for key, _ in parse_qsl(query) if key in result.backend_params)
        by_cell[(row_key(result), result.task, name)].append(result.backend_params)
    for (_, _, name), params in by_cell.items():
        for key in {k for p in params for k in p}:
            if len({repr(p.get(key)) for p in params}) > 1:
                keys[name].add(key)
    ignored = set(SEARCH_OPTIONS) | set(POINT_NOTES)
    return {name: found - ignored for name, found in keys.items()}


def with_options(name: str, options: Iterable[tuple[str, Any]]) -> str:
    """``("hnsw?M=32", [("ef_search", 16)])`` -> ``"hnsw?M=32&ef_search=16"``."""
    query = "&".join(f"{key}={value}" for key, value in options)
    if not query:
        return name
    return f"{name}{'&' if '?' in name else '?'}{query}"


def config_label(result: TaskResult, config_keys: Mapping[str, set[str]]) -> str | None:
    """The backend's name and the settings that tell its configurations apart; None for tasks without search."""
    if result.backend is None:
        return None
    name = split_options(result.backend)[0]
    return with_options(name, ((key, result.backend_params.get(key)) for key in sorted(config_keys.get(name, ()))))


def operating_point(result: TaskResult) -> Point | None:
    """The search option and the value this result was searched at; None where the backend has none."""
    option = next((o for o in SEARCH_OPTIONS if o in result.backend_params), None)
    return None if option is None else (option, result.backend_params[option])


def keep_latest(loaded: list[tuple[TaskResult, str]]) -> list[Entry]:
    """One entry per (row, task, configuration, operating point): the latest result, counting those it replaced."""
    results = [result for result, _ in loaded]
    labels = row_labels(row_key(r) for r in results)
    config_keys = _config_keys(results)
    cells: dict[tuple[str, str, str | None], list[tuple[TaskResult, str]]] = defaultdict(list)
    places: dict[str | None, tuple[str | None, Point | None]] = {}
    for result, source in loaded:
        config, point = config_label(result, config_keys), operating_point(result)
        view = None if config is None else with_options(config, [point] if point else [])
        places[view] = (config, point)
        cells[(labels[row_key(result)], result.task, view)].append((result, source))
    entries = []
    for (row, _, view), candidates in cells.items():
        result, source = max(candidates, key=lambda pair: (pair[0].date, pair[1]))
        config, point = places[view]
        entries.append(Entry(result, row, view, source, len(candidates) - 1, config, point))
    return sorted(entries, key=lambda e: (e.row, e.result.task, e.backend or ""))
