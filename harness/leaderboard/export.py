"""The main table as CSV (every figure at full precision) and Markdown (for papers and READMEs)."""

from __future__ import annotations

import csv
import io
import math
import re
from typing import TYPE_CHECKING, Any

from harness.leaderboard.table import OVERALL, Column, Leaderboard, main_table

if TYPE_CHECKING:
    import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheets run cells that start with these
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!])")


def header(column: Column) -> str:
    """A column's heading outside the page, where the group is not shown above it."""
    if column.key.startswith("mean:"):
        return f"{column.key.removeprefix('mean:')} mean"
    if column.key.startswith("tasks:"):
        return f"{column.key.removeprefix('tasks:')} n/N"
    return "row" if column.key == "label" else column.label


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """By modality (as the page orders task groups); within one, best complete mean first, then by name."""
    key = frame[f"mean:{OVERALL}"]
    keys = ["modality_order", "_missing", "_key", "_name"]
    return (
        frame.assign(_missing=key.isna(), _key=-key.fillna(0), _name=frame["label"].str.lower())
        .sort_values(keys)
        .drop(columns=keys[1:])
    )


def to_csv(lb: Leaderboard) -> str:
    """One line per row and backend view, every column of the page's table, numbers unrounded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i, view in enumerate(lb.views):
        frame, columns = main_table(lb, view)
        if i == 0:
            writer.writerow(["backend", *(header(c) for c in columns)])
        for values in ordered(frame).to_dict("records"):
            writer.writerow([csv_cell(view), *(csv_cell(values[c.key]) for c in columns)])
    return out.getvalue()


def csv_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return repr(float(value)) if isinstance(value, float) else str(value)


def markdown_text(text: str) -> str:
    """Text that stays one plain cell: pipes, markup and inline HTML escaped, newlines flattened."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def to_markdown(lb: Leaderboard) -> str:
    """A table per backend view; main scores x100; an incomplete mean shows its task count instead."""
    parts = ["Main scores x100. A mean is given only for rows with every task; otherwise tasks present/total."]
    for view in lb.views:
        frame, columns = main_table(lb, view)
        shown = [c for c in columns if c.kind not in ("count", "note") and c.key not in ("model", "chain")]
        lines = [
            f"### {markdown_text(view)}",
            "",
            "| " + " | ".join(markdown_text(header(c)) for c in shown) + " |",
            "|" + "|".join(":---" if c.kind == "text" else "---:" for c in shown) + "|",
        ]
        for values in ordered(frame).to_dict("records"):
            lines.append("| " + " | ".join(_markdown_cell(c, values) for c in shown) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _markdown_cell(column: Column, values: dict[str, Any]) -> str:
    value = values[column.key]
    if column.kind == "text":
        return markdown_text(value or "")
    if column.kind == "mean" and _missing(value):
        return f"({values[column.key.replace('mean:', 'tasks:', 1)]})"
    if column.key == "retained" and not _missing(value) and not _all_tasks(values["retained_tasks"]):
        return f"{format_number(column.kind, value)} ({values['retained_tasks']})"
    return format_number(column.kind, value)


def _all_tasks(count: str) -> bool:
    n, _, total = count.partition("/")
    return n == total


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def compact(value: float) -> str:
    """22713728 -> "22.7M", as the page writes counts: three significant digits and a unit."""
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.3g}"


def format_number(kind: str, value: Any) -> str:
    """The page's formatting: scores x100 to 2 places, shares in %, rates and sizes compact."""
    if _missing(value):
        return "—"
    if kind in ("score", "mean"):
        return f"{100 * value:.2f}"
    if kind == "share":
        return f"{100 * value:.1f}%"
    if kind == "ms":
        return f"{value:.0f}" if value >= 100 else f"{value:.3g}"
    if kind == "rate":
        return f"{value:,.0f}"
    if kind == "size":
        return compact(value)
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"
