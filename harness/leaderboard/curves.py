"""Operating-point curves: per search task, each row's quality and speed at every point of a configuration."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Mapping

from harness.leaderboard.load import Entry
from harness.leaderboard.table import Leaderboard


def curves(lb: Leaderboard, index: Mapping[tuple[str, str, str | None], int]) -> dict[str, Any]:
    """The search tasks an approximate configuration ran on, and one series per (task, configuration, row).

    A series holds its points in the order of the search option's value: main score, recall against
    exact search, queries per second, and the index of the full result. Exact configurations are
    series too, of one point each: where an approximate curve should end up.
    """
    order = {view: i for i, view in enumerate(lb.views)}
    found: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    for entry in lb.entries:
        if entry.config is not None:
            found[(entry.result.task, entry.config, entry.row)].append(entry)
    series = []
    for (task, config, row), entries in found.items():
        entries.sort(key=lambda e: order[e.backend])
        series.append(
            {
                "task": task,
                "config": config,
                "row": row,
                "approximate": lb.approximate[entries[0].backend],
                "points": [_point(e, index[(row, task, e.backend)]) for e in entries],
            }
        )
    compared = {s["task"] for s in series if s["approximate"]}
    series.sort(key=lambda s: (s["task"], s["config"], s["row"].lower()))
    return {"tasks": [t for t in lb.tasks.index if t in compared], "series": series}


def _point(entry: Entry, result: int) -> dict[str, Any]:
    r, vs_exact = entry.result, entry.result.vs_exact
    return {
        "view": entry.backend,
        "value": None if entry.point is None else entry.point[1],
        "result": result,
        "score": r.main_score,
        "qps": r.queries_per_second,
        "latency_p50_ms": r.latency_p50_ms,
        "recall_at_10": vs_exact.get("recall_at_10"),
        "recall_at_100": vs_exact.get("recall_at_100"),
        "main_score_delta": vs_exact.get("main_score_delta"),
    }
