"""Everything the page's script needs, as plain JSON-able data (numbers are not rounded here)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from harness.leaderboard.curves import curves
from harness.leaderboard.rank import pareto_front, shifts
from harness.leaderboard.separability import CORRECTION, separability
from harness.leaderboard.table import OVERALL, Leaderboard, main_table, suite_name

SCATTERS = (
    # key, x column, x label, lower x is better
    ("bytes", "bytes_per_vector", "bytes per vector (log)", True),
    ("speed", "items_per_second", "encode items/s (log)", False),
)


def clean(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become null, numpy scalars plain numbers, tuples lists."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def build_payload(lb: Leaderboard, title: str, stores: list[str],
                  registered: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The page's data: tasks, groups, one table per backend view, the configurations those views are
    operating points of, their curves, comparisons, scatters, full results, and the ``registered``
    encoders (name, family, modalities, description) that have no result."""
    index = {(e.row, e.result.task, e.backend): i for i, e in enumerate(lb.entries)}
    ran = {e.result.encoder for e in lb.entries}
    return clean({
        "not_run": [dict(spec) for spec in registered if spec["name"] not in ran],
        "title": title,
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "stores": stores,
        "superseded": sum(e.superseded for e in lb.entries),
        "reference": lb.reference,
        "correction": CORRECTION,
        "overall": OVERALL,
        "tasks": [{"name": name, **info} for name, info in lb.tasks.to_dict("index").items()],
        "groups": [{"name": g, "tasks": names} for g, names in lb.groups.items()],
        "views": [_view(lb, view, index) for view in lb.views],
        "configs": [{"name": config, "approximate": lb.approximate[views[0]], "option": _option(lb, views[0]),
                     "views": views} for config, views in lb.configs.items()],
        "curves": curves(lb, index),
        "results": [_result(e) for e in lb.entries],
    })


def _view(lb: Leaderboard, view: str, index: dict) -> dict[str, Any]:
    frame, columns = main_table(lb, view)
    home = lb.home
    rows = []
    for label, values in zip(lb.rows, frame.to_dict("records")):
        results = {task: index.get((label, task, view if info["search"] else None))
                   for task, info in lb.tasks.iterrows()}
        missing = {g: [t for t in names if results[t] is None] for g, names in lb.groups.items()}
        missing[OVERALL] = [t for t in lb.tasks.index
                            if results[t] is None and lb.tasks.loc[t, "modality"] == home[label]]
        missing |= {suite_name(s): [t for t in names if results[t] is None] for s, names in lb.suites.items()}
        rows.append({"label": label, "values": values, "results": results, "missing": missing})
    approximate = lb.approximate.get(view, False)
    point = lb.points.get(view)
    return {
        "name": view,
        "approximate": approximate,
        "config": lb.config_of(view),
        "option": _option(lb, view),
        "value": None if point is None else point[1],
        "recall_at_10": _mean_recall(lb, view),
        "n_results": sum(e.backend == view for e in lb.entries),
        "columns": [vars(c) for c in columns],
        "rows": rows,
        "compare": _compare(lb, view) if approximate and view != lb.reference else None,
        "separable": separability(lb, view),
        "scatter": _scatter(frame, lb.rows, lb.tasks["modality"].iloc[0] if len(lb.tasks) else None),
    }


def _option(lb: Leaderboard, view: str) -> str | None:
    point = lb.points.get(view)
    return None if point is None else point[0]


def _mean_recall(lb: Leaderboard, view: str) -> float | None:
    """recall@10 against exact, averaged over every result of ``view``: how approximate the point is."""
    found = [e.result.vs_exact["recall_at_10"] for e in lb.entries
             if e.backend == view and "recall_at_10" in e.result.vs_exact]
    return sum(found) / len(found) if found else None


def _compare(lb: Leaderboard, view: str) -> dict[str, Any]:
    table = shifts(lb, view)
    keys = ["exact_score", "score", "exact_rank", "rank", "shift", "recall_at_10", "recall_at_100",
            "main_score_delta"]
    cells: dict[str, dict[str, Any]] = {}
    for record in table.to_dict("records"):
        cells.setdefault(record["row"], {})[record["task"]] = {k: record.get(k) for k in keys}
    return {"tasks": [OVERALL, *lb.tasks.index[lb.tasks["search"]]], "rows": cells}


def _scatter(frame: Any, rows: list[str], modality: str | None) -> dict[str, Any]:
    """Rows of ``modality`` (means over other task sets do not compare) with a complete mean, placed by
    cost; the Pareto front of each plot."""
    rows = [r for r in rows if modality is None or frame.at[r, "modality"] == modality]
    mean = frame[f"mean:{OVERALL}"]
    out: dict[str, Any] = {"modality": modality, "excluded": [r for r in rows if not math.isfinite(mean[r])]}
    for key, column, label, lower_better in SCATTERS:
        points = [(r, float(frame.at[r, column]), float(mean[r])) for r in rows
                  if math.isfinite(mean[r]) and math.isfinite(frame.at[r, column]) and frame.at[r, column] > 0]
        out[key] = {"label": label, "lower_is_better": lower_better,
                    "points": [{"row": r, "x": x, "y": y} for r, x, y in points],
                    "front": pareto_front(points, lower_better)}
    return out


def _result(entry: Any) -> dict[str, Any]:
    data = entry.result.to_dict()
    data.update(source=entry.source, superseded=entry.superseded, row=entry.row, backend_label=entry.backend)
    return data
