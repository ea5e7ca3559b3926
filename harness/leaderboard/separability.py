"""Which models a task's ranking can tell apart: each model against the one ranked just above it.

Per task and backend view, the rows are ordered by main score and each adjacent pair is put to the
paired randomization test over their per-item scores (harness.significance). The p-values of one
column's adjacent pairs are corrected together by Holm's step-down method (Holm 1979), which holds the
family-wise error rate at 0.05 without assuming the tests independent. A row whose corrected p is not
below 0.05 is *not separable* from the row above: it joins that row's group. Where either result keeps
no per-item scores (written before they were kept), the pair is untested and the row starts a group,
marked untested: no tie is claimed that was not tested.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from harness.item_files import read_items
from harness.significance import ALPHA, PERMUTATIONS, SEED, align, paired_test
from zoo.errors import ZooError
from zoo.protocols import ItemScores

if TYPE_CHECKING:
    from harness.leaderboard.load import Entry
    from harness.leaderboard.table import Leaderboard

CORRECTION = (
    f"Holm's step-down correction over each column's adjacent pairs (family-wise alpha {ALPHA}); "
    f"paired randomization test, {PERMUTATIONS:,} draws, seed {SEED}"
)


def holm(p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values, in the given order (monotone, capped at 1)."""
    m = len(p_values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(np.argsort(p_values, kind="stable")):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def column_groups(entries: list[Entry]) -> dict[str, dict[str, Any]]:
    """Row -> its group number (0 for the top), the raw and adjusted p against the row above, whether tested."""
    ranked = sorted(entries, key=lambda e: (-e.result.main_score, e.row))
    items = [_items(entry) for entry in ranked]
    raw: list[float | None] = [None]
    for i in range(1, len(ranked)):
        same_data = ranked[i - 1].result.data_fingerprint == ranked[i].result.data_fingerprint
        raw.append(_p(items[i - 1], items[i]) if same_data else None)
    tested = [i for i, p in enumerate(raw) if p is not None]
    adjusted = dict(zip(tested, holm([raw[i] for i in tested]))) if tested else {}
    out, group = {}, 0
    for i, entry in enumerate(ranked):
        if i and (raw[i] is None or adjusted[i] < ALPHA):
            group += 1
        out[entry.row] = {"group": group, "p": raw[i], "p_holm": adjusted.get(i), "tested": raw[i] is not None}
    return out


def separability(
    lb: Leaderboard, view: str, memo: dict[tuple[str, str | None], Any] | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """Task -> row -> group mark, for every task of ``view`` (tasks without search under the reference).
    ``memo`` keeps the columns of tasks without search, which are the same in every view, for the next view."""
    memo = {} if memo is None else memo
    out = {}
    for task, info in lb.tasks.iterrows():
        wanted = view if info["search"] else None
        key = (str(task), wanted)
        if key not in memo:
            column = [e for e in lb.entries if e.result.task == task and e.backend == wanted]
            memo[key] = column_groups(column) if len(column) > 1 else None
        if memo[key] is not None:
            out[str(task)] = memo[key]
    return out


def _items(entry: Entry) -> ItemScores | None:
    try:
        return read_items(Path(entry.source), entry.result.items)
    except ZooError:
        return None  # a missing or mismatched items file: that pair stays untested


def _p(a: ItemScores | None, b: ItemScores | None) -> float | None:
    if a is None or b is None:
        return None
    try:
        return paired_test(*align(a, b))
    except ZooError:
        return None  # not the same items (another split or data): not comparable
