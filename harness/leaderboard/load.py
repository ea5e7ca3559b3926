"""Results from one or more stores, keyed by leaderboard row and backend, one kept result per cell."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from harness.results import ResultStore, TaskResult, read_result

RowKey = tuple[str, tuple[str, ...], str]  # encoder, chain, encoder fingerprint


@dataclass(frozen=True)
class Entry:
    """One kept result, where it sits on the board, and where it came from."""

    result: TaskResult
    row: str  # row label: encoder, its chain, and a fingerprint where names alone are ambiguous
    backend: str | None  # backend label; None for tasks that do not search
    source: str
    superseded: int = 0  # older results for the same cell that this one replaced


def read_stores(stores: Iterable[ResultStore | Path | str]) -> list[tuple[TaskResult, str]]:
    """Every result in every store, with the file it came from."""
    loaded = []
    for store in stores:
        folder = store.folder if isinstance(store, ResultStore) else Path(store)
        for path in sorted(folder.glob("*.json")):
            loaded.append((read_result(path), str(path)))
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
    """Per backend name, the parameters that tell two results of the same row and task apart.

    A parameter that differs only between rows (a chain's ``rescore``) is not a configuration:
    it must not split one backend into several columns.
    """
    by_cell: dict[tuple[RowKey, str, str], list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        if result.backend is not None:
            by_cell[(row_key(result), result.task, result.backend)].append(result.backend_params)
    keys: dict[str, set[str]] = defaultdict(set)
    for (_, _, backend), params in by_cell.items():
        for name in {k for p in params for k in p}:
            if len({repr(p.get(name)) for p in params}) > 1:
                keys[backend].add(name)
    return keys


def backend_label(result: TaskResult, config_keys: Mapping[str, set[str]]) -> str | None:
    if result.backend is None:
        return None
    names = sorted(config_keys.get(result.backend, ()))
    if not names:
        return result.backend
    options = "&".join(f"{name}={result.backend_params.get(name)}" for name in names)
    return f"{result.backend}?{options}"


def keep_latest(loaded: list[tuple[TaskResult, str]]) -> list[Entry]:
    """One entry per (row, task, backend configuration): the latest result, counting the ones it replaced."""
    results = [result for result, _ in loaded]
    labels = row_labels(row_key(r) for r in results)
    config = _config_keys(results)
    cells: dict[tuple[str, str, str | None], list[tuple[TaskResult, str]]] = defaultdict(list)
    for result, source in loaded:
        cells[(labels[row_key(result)], result.task, backend_label(result, config))].append((result, source))
    entries = []
    for (row, _, backend), candidates in cells.items():
        result, source = max(candidates, key=lambda pair: (pair[0].date, pair[1]))
        entries.append(Entry(result, row, backend, source, superseded=len(candidates) - 1))
    return sorted(entries, key=lambda e: (e.row, e.result.task, e.backend or ""))
