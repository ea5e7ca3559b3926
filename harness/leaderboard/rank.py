"""Ranks under exact and approximate search, and how far each model moves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.leaderboard.table import OVERALL, Leaderboard, overall, rank, rank_within, scores

if TYPE_CHECKING:
    import pandas as pd


def shifts(lb: Leaderboard, view: str) -> pd.DataFrame:
    """Per row and task (and overall): rank under the reference and under ``view``, the shift, and recall.

    Both ranks are taken among the rows that have a score under both backends, so a shift is a move
    past other models, never an artefact of who is missing. shift = reference rank - rank under view:
    positive means the model moved up.
    """
    import pandas as pd

    exact, approx = scores(lb, lb.reference), scores(lb, view)
    exact_all, approx_all = overall(lb, exact)[0], overall(lb, approx)[0]
    home = lb.home
    pairs = [(task, exact[task], approx[task]) for task in lb.tasks.index]
    pairs.append((OVERALL, exact_all, approx_all))
    parts = []
    for task, ref, other in pairs:
        both = ref.notna() & other.notna()
        part = pd.DataFrame({"task": task, "row": ref.index, "exact_score": ref.values, "score": other.values})
        # a task's rows are ranked together; overall means are ranked within each modality
        rank_of = (lambda v: rank_within(v, home)) if task == OVERALL else rank
        part["exact_rank"] = rank_of(ref.where(both)).values
        part["rank"] = rank_of(other.where(both)).values
        part["shift"] = part["exact_rank"] - part["rank"]
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    return table.merge(_recall(lb, view), on=["row", "task"], how="left")


def _recall(lb: Leaderboard, view: str) -> pd.DataFrame:
    """recall@10/100 of the approximate top-k against exact top-k, and the main-score delta, per cell."""
    import pandas as pd

    keys = ("recall_at_10", "recall_at_100", "main_score_delta")
    rows = []
    for entry in lb.entries:
        if entry.backend == view and entry.result.vs_exact:
            rows.append(
                {"row": entry.row, "task": entry.result.task, **{k: entry.result.vs_exact.get(k) for k in keys}}
            )
    frame = pd.DataFrame(rows, columns=["row", "task", *keys]).astype({k: float for k in keys})
    if frame.empty:
        return frame
    grouped = frame.groupby("row")[list(keys)]
    overall = grouped.mean(numeric_only=True)
    # like scores: an overall figure only for rows compared on every search task
    overall = overall[grouped.size() == int(lb.tasks["search"].sum())].reset_index()
    overall["task"] = OVERALL
    return pd.concat([frame, overall], ignore_index=True)
