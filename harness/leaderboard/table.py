"""The leaderboard as pandas tables: main scores per row and task, means that never skip a missing task."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping

from harness.leaderboard.load import Entry, Point
from zoo.options import split_options

if TYPE_CHECKING:
    import pandas as pd

    from harness.leaderboard.cost import EncodeRates

NO_SEARCH = "no search"  # the only view when no result used a search backend
OVERALL = "all tasks"
DEFAULT_MODALITIES = ("text",)  # TaskSpec's default, for tasks no installed plugin describes


@dataclass(frozen=True)
class Column:
    """One column of the main table: ``key`` in the frame, ``label`` for people."""

    key: str
    label: str
    kind: str  # text | score | mean | count | num | rate | ms | share
    group: str = ""
    title: str = ""


@dataclass
class Leaderboard:
    """Kept results and their layout: rows, tasks in groups, backend views (the reference first).

    A view is one configuration of a backend searched at one operating point; the views of one
    configuration are the points of its curve.
    """

    entries: list[Entry]
    cells: pd.DataFrame  # one row per entry
    tasks: pd.DataFrame  # indexed by task name: type, modality, group, metric, search
    rows: list[str]
    views: list[str]  # configuration and operating point, e.g. hnsw?ef_search=16; the reference first
    approximate: dict[str, bool] = field(default_factory=dict)
    configs: dict[str, list[str]] = field(default_factory=dict)  # configuration -> its views, by operating point
    points: dict[str, Point | None] = field(default_factory=dict)  # view -> (search option, value)
    suites: dict[str, tuple[str, ...]] = field(default_factory=dict)  # shown suite -> its tasks, all on the board

    @property
    def reference(self) -> str:
        return self.views[0]

    def config_of(self, view: str) -> str | None:
        """The configuration ``view`` is an operating point of."""
        return next((config for config, views in self.configs.items() if view in views), None)

    @functools.cached_property
    def encode_rates(self) -> EncodeRates:
        from harness.leaderboard.cost import EncodeRates

        return EncodeRates.of(self.cells)

    @functools.cached_property
    def home(self) -> pd.Series:
        """Each row's modality: the one most of its tasks are in (ties: the modality with more tasks)."""
        modality = self.tasks["modality"]
        done = self.cells.drop_duplicates(["row", "task"])
        counts = done.assign(modality=done["task"].map(modality)).groupby(["row", "modality"]).size()
        ranked = counts.rename("n").reset_index().assign(size=lambda f: f["modality"].map(modality.value_counts()))
        best = ranked.sort_values(["n", "size", "modality"], ascending=False).drop_duplicates("row")
        return best.set_index("row")["modality"].reindex(self.rows)

    @property
    def groups(self) -> dict[str, list[str]]:
        return {g: list(frame.index) for g, frame in self.tasks.groupby("group", sort=False)}


def build(
    entries: list[Entry],
    modalities: Mapping[str, Iterable[str]] | None = None,
    exact_backends: Iterable[str] | None = None,
    suites: Mapping[str, Iterable[str]] | None = None,
) -> Leaderboard:
    """Lay out kept results. ``modalities`` maps task names to modalities; ``exact_backends`` names them;
    ``suites`` maps suite names to their tasks (a suite is shown when every one of its tasks has a result)."""
    import pandas as pd

    modalities = modalities or {}
    records = [_record(e, modalities) for e in entries]
    cells = pd.DataFrame(records)
    if cells.empty:
        cells = pd.DataFrame(columns=["row", "task", "backend", "main_score"])
    tasks = _tasks(cells)
    approximate = _approximate(entries, set(exact_backends) if exact_backends is not None else None)
    placed = {e.backend: (e.config, e.point) for e in entries if e.backend is not None}
    views = sorted(approximate, key=lambda v: (approximate[v], *_order(*placed[v]))) or [NO_SEARCH]
    configs: dict[str, list[str]] = {}
    for view in views:
        if view in placed:
            configs.setdefault(placed[view][0], []).append(view)
    points = {view: point for view, (_, point) in placed.items()}
    rows = sorted(set(cells["row"]), key=str.lower)
    shown = {name: tuple(names) for name, names in (suites or {}).items() if set(names) <= set(tasks.index)}
    return Leaderboard(entries, cells, tasks, rows, views, approximate, configs, points, shown)


def _order(config: str, point: Point | None) -> tuple:
    """Exact first, then by configuration name, and a configuration's points by their value."""
    value = None if point is None else point[1]
    numeric = isinstance(value, (int, float))
    return split_options(config)[0] != "exact", config, not numeric, value if numeric else str(value)


def _record(entry: Entry, modalities: Mapping[str, Iterable[str]]) -> dict:
    r = entry.result
    modality = "+".join(modalities.get(r.task, DEFAULT_MODALITIES))
    return {
        "row": entry.row,
        "encoder": r.encoder,
        "chain": "+".join(r.chain),
        "encoder_fingerprint": r.encoder_fingerprint,
        "task": r.task,
        "task_type": r.task_type,
        "modality": modality,
        "group": f"{r.task_type} · {modality}",
        "metric": r.main_metric,
        "backend": entry.backend,
        "main_score": r.main_score,
        "dim": r.dim,
        "n_parameters": r.n_parameters,
        "bytes_per_vector": r.bytes_per_vector,
        "items_encoded": r.items_encoded,
        "encode_seconds": r.encode_seconds,
        "latency_p50_ms": r.latency_p50_ms,
        "latency_p99_ms": r.latency_p99_ms,
        "queries_per_second": r.queries_per_second,
        "index_bytes_per_vector": r.index_bytes_per_vector,
        # a quantized index rescored from a second copy keeps that copy too (harness.quantized)
        "rescore_bytes_per_vector": r.backend_params.get("rescore_bytes_per_vector") or 0,
        "api_tokens": r.api_tokens,
        "api_cost_usd": r.api_cost_usd,
    }


def _tasks(cells: pd.DataFrame) -> pd.DataFrame:
    """Each task once, ordered by group then name; ``search`` when any of its results used a backend."""
    if "task_type" not in cells:
        import pandas as pd

        return pd.DataFrame(columns=["type", "modality", "group", "metric", "search"])
    tasks = cells.groupby("task").agg(
        type=("task_type", "first"),
        modality=("modality", "first"),
        group=("group", "first"),
        metric=("metric", "first"),
        search=("backend", lambda b: b.notna().any()),
    )
    # the modality with the most tasks first (text, on the reference board), then by type within it
    weight = tasks["modality"].map(tasks["modality"].value_counts())
    order = tasks.assign(_weight=-weight).sort_values(["_weight", "modality", "type"], kind="stable")
    return order.drop(columns="_weight")


def _approximate(entries: list[Entry], exact_names: set[str] | None) -> dict[str, bool]:
    """View -> approximate: its configuration's results were compared with exact search, or it is not exact."""
    by_config: dict[str, bool] = {}
    for entry in entries:
        if entry.config is None:
            continue
        name = split_options(entry.config)[0]
        compared = bool(entry.result.vs_exact) or (exact_names is not None and name not in exact_names)
        by_config[entry.config] = by_config.get(entry.config, False) or compared
    return {e.backend: by_config[e.config] for e in entries if e.backend is not None and e.config is not None}


def view_cells(lb: Leaderboard, view: str) -> pd.DataFrame:
    """The results shown under ``view``: its own, and those of tasks that do not search."""
    backend = lb.cells["backend"]
    return lb.cells[(backend == view) | backend.isna()]


def rank(values: pd.Series) -> pd.Series:
    """1 for the best score; ties share the better rank (1, 2, 2, 4); NaN stays unranked."""
    return values.rank(ascending=False, method="min")


def scores(lb: Leaderboard, view: str) -> pd.DataFrame:
    """Main score per row (index) and task (columns); NaN where no result exists."""
    table = view_cells(lb, view).pivot(index="row", columns="task", values="main_score")
    return table.reindex(index=lb.rows, columns=list(lb.tasks.index)).astype(float)


def mean_complete(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(mean, number of tasks present) per row; the mean is NaN unless every task is present."""
    present = table.notna().sum(axis=1)
    mean = table.mean(axis=1, skipna=False)  # never average over fewer tasks than the column set
    return mean.where(present == table.shape[1]), present


def overall(lb: Leaderboard, table: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(mean, tasks present, tasks in total) per row over every task of the row's own modality.

    A text model is not held to DNA tasks it cannot run, and a mean is still never taken over fewer
    tasks than its modality has. With one modality this is the mean over all tasks.
    """
    import pandas as pd

    home = lb.home
    mean = pd.Series(float("nan"), index=table.index)
    present = pd.Series(0, index=table.index)
    total = pd.Series(0, index=table.index)
    for modality, names in lb.tasks.groupby("modality", sort=False).groups.items():
        rows = home.index[home == modality]
        m, p = mean_complete(table.loc[rows, list(names)])
        mean[rows], present[rows], total[rows] = m, p, len(names)
    return mean, present, total


def rank_within(values: pd.Series, home: pd.Series) -> pd.Series:
    """``rank`` taken separately among the rows of each modality."""
    return values.groupby(home.reindex(values.index), dropna=False).rank(ascending=False, method="min")


def means(lb: Leaderboard, table: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series, int | pd.Series]]:
    """Per task group, and over the tasks of each row's modality: (mean of complete rows, present, total)."""
    out: dict[str, tuple[pd.Series, pd.Series, int | pd.Series]] = {}
    for group, names in lb.groups.items():
        mean, present = mean_complete(table[names])
        out[group] = (mean, present, len(names))
    out[OVERALL] = overall(lb, table)
    return out


def suite_name(suite: str) -> str:
    """The key a suite's mean and task count have in the table (``mean:<key>``, ``tasks:<key>``)."""
    return f"suite {suite}"


def suite_means(lb: Leaderboard, table: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series, int]]:
    """Per shown suite: (mean of the rows that have every one of its tasks, tasks present, tasks in it)."""
    out: dict[str, tuple[pd.Series, pd.Series, int]] = {}
    for suite, names in lb.suites.items():
        mean, present = mean_complete(table[list(names)])
        out[suite] = (mean, present, len(names))
    return out


def main_table(lb: Leaderboard, view: str) -> tuple[pd.DataFrame, list[Column]]:
    """The table the page shows and the exports write, for one backend view."""
    from harness.leaderboard.cost import costs, retained

    table = scores(lb, view)
    frame = table.iloc[:, :0].copy()
    firsts = lb.cells.drop_duplicates("row").set_index("row")
    frame["model"] = firsts["encoder"].reindex(lb.rows)
    frame["chain"] = firsts["chain"].reindex(lb.rows)
    columns = [Column("label", "model", "text"), Column("model", "encoder", "text"), Column("chain", "chain", "text")]
    frame.insert(0, "label", lb.rows)
    averages = means(lb, table)
    home = lb.home
    frame["modality"] = home  # not a column: orders exports, labels rows in the page data
    frame["modality_order"] = home.map({m: i for i, m in enumerate(lb.tasks["modality"].unique())})
    frame.insert(0, "rank", rank_within(averages[OVERALL][0], home))
    columns.insert(
        0,
        Column(
            "rank",
            "#",
            "rank",
            "",
            "rank by the mean over all tasks of the row's modality, "
            "among the rows of that modality (complete rows only)",
        ),
    )
    for group, names in lb.groups.items():
        for task in names:
            frame[f"score:{task}"] = table[task]
            info = lb.tasks.loc[task]
            columns.append(Column(f"score:{task}", task, "score", group, info["metric"]))
        _add_mean(frame, columns, group, averages[group], group)
    _add_mean(frame, columns, OVERALL, averages[OVERALL], "")
    for suite, average in suite_means(lb, table).items():
        _add_mean(frame, columns, suite_name(suite), average, "", label=suite)
    frame["retained"], frame["retained_tasks"] = retained(lb, table)
    columns.append(
        Column(
            "retained",
            "float kept",
            "share",
            "",
            "this chain's mean ÷ the same encoder's mean without post-processing, over the tasks both have",
        )
    )
    columns.append(Column("retained_tasks", "float kept tasks", "count", ""))
    cost_frame, cost_columns = costs(lb, view)
    frame = frame.join(cost_frame)
    return frame, columns + cost_columns


def _add_mean(
    frame: pd.DataFrame,
    columns: list[Column],
    name: str,
    average: tuple[pd.Series, pd.Series, int | pd.Series],
    group: str,
    label: str = "",
) -> None:
    """The mean and task-count columns; ``label`` names a suite's (the group's or the overall mean's if empty)."""
    mean, present, total = average
    totals = total if not isinstance(total, int) else [total] * len(present)
    frame[f"mean:{name}"] = mean
    frame[f"tasks:{name}"] = [f"{n}/{t}" for n, t in zip(present, totals)]
    title = (
        f"mean over {total} task(s); shown only for rows with all {total}"
        if isinstance(total, int)
        else "mean over every task of the row's modality; shown only for rows with all of them"
    )
    if label:
        title = f"suite {label}: {title}"
    columns.append(Column(f"mean:{name}", label or ("mean" if group else "mean (all)"), "mean", group, title))
    columns.append(
        Column(f"tasks:{name}", f"{label} tasks" if label else "tasks" if group else "tasks (all)", "count", group)
    )
