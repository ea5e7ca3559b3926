"""Everything the page's script needs, as plain JSON-able data (numbers are not rounded here)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from harness.leaderboard.cost import plain_rows, speed_tasks
from harness.leaderboard.curves import curves
from harness.leaderboard.rank import shifts
from harness.leaderboard.separability import CORRECTION, separability
from harness.leaderboard.sources import sources
from harness.leaderboard.table import OVERALL, Leaderboard, main_table, suite_name


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


def build_payload(
    lb: Leaderboard, title: str, stores: list[str], registered: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The page's data: tasks, groups, suites, one table per backend view, the configurations those views are
    operating points of, their curves, comparisons, scatters, full results, and the ``registered``
    encoders (name, family, modalities, description; optionally plugin, aliases) that have no result, and
    where each encoder comes from."""
    index = {(e.row, e.result.task, e.backend): i for i, e in enumerate(lb.entries)}
    shared: dict[str, Any] = {}
    ran = {e.result.encoder for e in lb.entries}
    registered = list(registered)
    return clean(
        {
            "not_run": [
                {key: spec.get(key) for key in ("name", "family", "modalities", "description")}
                for spec in registered
                if spec["name"] not in ran
            ],
            "models": sources(ran, registered),
            "speed_tasks": speed_tasks(lb),
            "title": title,
            "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "stores": stores,
            "superseded": sum(e.superseded for e in lb.entries),
            "reference": lb.reference,
            "correction": CORRECTION,
            "overall": OVERALL,
            "tasks": [{"name": name, **info} for name, info in lb.tasks.to_dict("index").items()],
            "groups": [{"name": g, "tasks": names} for g, names in lb.groups.items()],
            # a suite's mean is over its fixed task list: the page hides it when a filter drops one of them
            "suites": [
                {"name": suite, "key": f"mean:{suite_name(suite)}", "tasks": list(names)}
                for suite, names in lb.suites.items()
            ],
            "plain_rows": plain_rows(lb),  # for "float kept" over the tasks a view shows
            "views": [_view(lb, view, index, shared) for view in lb.views],
            "configs": [
                {
                    "name": config,
                    "approximate": lb.approximate[views[0]],
                    "option": _option(lb, views[0]),
                    "views": views,
                }
                for config, views in lb.configs.items()
            ],
            "curves": curves(lb, index),
            "results": [_result(e) for e in lb.entries],
        }
    )


def _view(lb: Leaderboard, view: str, index: dict, shared: dict) -> dict[str, Any]:
    """One backend view. Each row's values and result indices are lists in the order of ``keys`` and of
    the tasks: the page is one file, and 25 views of named cells would triple it. ``shared`` carries what
    every view has in common (the separability of tasks without search) from one view to the next."""
    frame, columns = main_table(lb, view)
    keys = [str(key) for key in frame.columns]
    tasks = [(task, view if searches else None) for task, searches in lb.tasks["search"].items()]
    rows = []
    for label, values in zip(lb.rows, frame.itertuples(index=False, name=None)):
        results = [index.get((label, task, backend)) for task, backend in tasks]
        rows.append({"label": label, "values": list(values), "results": results})
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
        "keys": keys,
        "rows": rows,
        "compare": _compare(lb, view) if approximate and view != lb.reference else None,
        "separable": separability(lb, view, shared.setdefault("separability", {})),
    }


def _option(lb: Leaderboard, view: str) -> str | None:
    point = lb.points.get(view)
    return None if point is None else point[0]


def _mean_recall(lb: Leaderboard, view: str) -> float | None:
    """recall@10 against exact, averaged over every result of ``view``: how approximate the point is."""
    found = [
        e.result.vs_exact["recall_at_10"]
        for e in lb.entries
        if e.backend == view and "recall_at_10" in e.result.vs_exact
    ]
    return sum(found) / len(found) if found else None


COMPARE_FIELDS = [
    "exact_score",
    "score",
    "exact_rank",
    "rank",
    "shift",
    "recall_at_10",
    "recall_at_100",
    "main_score_delta",
]


def _compare(lb: Leaderboard, view: str) -> dict[str, Any]:
    """Per row and compared task (overall, and each task that searches), the fields as a list in the order
    of ``fields``: the page holds one such table per operating point."""
    table = shifts(lb, view)
    tasks = [OVERALL, *lb.tasks.index[lb.tasks["search"]]]
    cells: dict[str, dict[str, Any]] = {}
    for record in table[table["task"].isin(tasks)].to_dict("records"):
        cells.setdefault(record["row"], {})[record["task"]] = [record.get(k) for k in COMPARE_FIELDS]
    return {"tasks": tasks, "fields": COMPARE_FIELDS, "rows": cells}


def _result(entry: Any) -> dict[str, Any]:
    data = entry.result.to_dict()
    data.update(source=entry.source, superseded=entry.superseded, row=entry.row, backend_label=entry.backend)
    return data
