"""Cost beside quality: size, encoding throughput, search latency, and the float score a chain keeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.leaderboard.table import Column, Leaderboard, view_cells

if TYPE_CHECKING:
    import pandas as pd

COST_GROUP = "cost"
SEARCH_TITLE = "mean over this row's search tasks under the backend shown"


@dataclass(frozen=True)
class Throughput:
    """Encode items/s of a row on one task, and where it came from when the row's own runs hit the cache."""

    items_per_second: float | None
    note: str = ""


@dataclass(frozen=True)
class EncodeRates:
    """Encode items/s of each (row, task) with timed encoding, and each row's encoder fingerprint: read from
    the board's cells once (``Leaderboard.encode_rates``), not filtered again for every cell of every view."""

    own: dict[tuple[str, str], float]
    fingerprints: dict[str, str]

    @classmethod
    def of(cls, cells: pd.DataFrame) -> EncodeRates:
        timed = cells[(cells["items_encoded"] > 0) & (cells["encode_seconds"] > 0)]
        sums = timed.groupby(["row", "task"], sort=False)[["items_encoded", "encode_seconds"]].sum()
        own = {key: float(n / s) for key, n, s in zip(sums.index, sums["items_encoded"], sums["encode_seconds"])}
        first = cells.drop_duplicates("row")  # a row's first cell names its encoder
        return cls(own, dict(zip(first["row"], first["encoder_fingerprint"])))


def throughput(lb: Leaderboard, row: str, task: str) -> Throughput:
    """Items encoded over seconds spent in the row's runs of ``task``; else from another row with the same
    encoder on the same task. Rates of different tasks never mix: their items differ in length."""
    rates = lb.encode_rates
    own = rates.own.get((row, task))
    if own is not None:
        return Throughput(own)
    fingerprint = rates.fingerprints.get(row)
    if fingerprint is None:
        return Throughput(None, "no run")
    for other in sorted(r for r, fp in rates.fingerprints.items() if fp == fingerprint and r != row):
        borrowed = rates.own.get((other, task))
        if borrowed is not None:
            return Throughput(
                borrowed,
                f"every embedding of this row on {task} came from the cache; figure "
                f"taken from {other!r}, the same encoder (fingerprint {fingerprint})",
            )
    return Throughput(None, f"no timed run of this encoder on {task}")


def speed_tasks(lb: Leaderboard) -> dict[str, str]:
    """Per modality, the task encode speed is compared on: the one with a rate for the most rows
    (ties: the first in the page's task order)."""
    out = {}
    for modality, names in lb.tasks.groupby("modality", sort=False).groups.items():
        covered = {
            task: sum(throughput(lb, row, task).items_per_second is not None for row in lb.rows) for task in names
        }
        out[modality] = max(names, key=lambda task: covered[task])  # max keeps the first of equals
    return out


def _speeds(lb: Leaderboard) -> tuple[dict[str, float | None], dict[str, str]]:
    """Each row's encode items/s on its modality's speed task, and a note saying which task and source."""
    tasks, home = speed_tasks(lb), lb.home
    rates, notes = {}, {}
    for row in lb.rows:
        task = tasks.get(home[row])
        rate = throughput(lb, row, task) if task is not None else Throughput(None, "no task")
        rates[row] = rate.items_per_second
        notes[row] = f"on {task}, the task every {home[row]} row is compared on" + (
            f"; {rate.note}" if rate.note else ""
        )
    return rates, notes


def _kept_bytes(lb: Leaderboard) -> tuple[pd.Series, pd.Series]:
    """Bytes per document a deployment keeps (index codes + rescoring copy), and how they split."""
    import pandas as pd

    cells = lb.cells.assign(kept=lb.cells["bytes_per_vector"] + lb.cells["rescore_bytes_per_vector"])
    top = cells.sort_values("kept").drop_duplicates("row", keep="last").set_index("row")
    notes = {
        row: (f"{codes:,} B index codes + {copy:,} B rescoring copy" if copy else "")
        for row, codes, copy in zip(top.index, top["bytes_per_vector"], top["rescore_bytes_per_vector"])
    }
    return top["kept"].reindex(lb.rows), pd.Series(notes, dtype=object).reindex(lb.rows).fillna("")


def _api_costs(shown: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per row, API dollars per 1,000 items encoded and tokens per item, over runs that report them."""
    billed = shown[shown["api_cost_usd"].notna() & (shown["items_encoded"] > 0)].groupby("row")
    counted = shown[shown["api_tokens"].notna() & (shown["items_encoded"] > 0)].groupby("row")
    usd = billed["api_cost_usd"].sum() / billed["items_encoded"].sum() * 1000
    tokens = counted["api_tokens"].sum() / counted["items_encoded"].sum()
    return usd.astype(float), tokens.astype(float)


def costs(lb: Leaderboard, view: str) -> tuple[pd.DataFrame, list[Column]]:
    """Per row: parameters, dimension, bytes kept per vector, encode items/s (and notes), API cost where a
    served model reports one, latency, QPS, index size."""
    import pandas as pd

    shown = view_cells(lb, view)
    searched = shown[shown["backend"].notna()]
    every = lb.cells.groupby("row")
    frame = pd.DataFrame(index=lb.rows)
    frame["n_parameters"] = every["n_parameters"].max()
    frame["dim"] = every["dim"].max()
    frame["bytes_per_vector"], frame["bytes_per_vector_note"] = _kept_bytes(lb)
    rates, notes = _speeds(lb)
    frame["items_per_second"] = pd.Series(rates, dtype=float)
    frame["items_per_second_note"] = pd.Series(notes, dtype=object)
    for key in ("latency_p50_ms", "latency_p99_ms", "queries_per_second", "index_bytes_per_vector"):
        frame[key] = searched.groupby("row")[key].mean()
    columns = [
        Column(
            "n_parameters",
            "params",
            "size",
            COST_GROUP,
            "learned weights of the encoder (a chain adds only its fitted state); blank where the encoder does not say",
        ),
        Column("dim", "dim", "num", COST_GROUP, "output dimension"),
        Column(
            "bytes_per_vector",
            "bytes/vec",
            "num",
            COST_GROUP,
            "bytes a deployment keeps per document: the index's codes plus any copy kept to rescore candidates",
        ),
        Column("bytes_per_vector_note", "bytes/vec split", "note", COST_GROUP),
        Column(
            "items_per_second",
            "encode/s",
            "rate",
            COST_GROUP,
            "items encoded per second, on one task per modality (named in each cell's tooltip) so that rates compare",
        ),
        Column("items_per_second_note", "encode/s source", "note", COST_GROUP),
    ]
    if shown["api_cost_usd"].notna().any() or shown["api_tokens"].notna().any():
        frame["api_usd_per_1k"], frame["api_tokens_per_item"] = _api_costs(shown)
        columns += [
            Column(
                "api_usd_per_1k",
                "API $/1k",
                "usd",
                COST_GROUP,
                "what the served model's API charged per "
                "1,000 items encoded, over this row's runs shown that report it",
            ),
            Column(
                "api_tokens_per_item",
                "API tok/item",
                "num",
                COST_GROUP,
                "tokens the API counted per item encoded, over this row's runs shown that report them",
            ),
        ]
    columns += [
        Column("latency_p50_ms", "p50 ms", "ms", COST_GROUP, "query latency, median; " + SEARCH_TITLE),
        Column("latency_p99_ms", "p99 ms", "ms", COST_GROUP, "query latency, 99th percentile; " + SEARCH_TITLE),
        Column("queries_per_second", "QPS", "rate", COST_GROUP, "queries per second; " + SEARCH_TITLE),
        Column(
            "index_bytes_per_vector",
            "index B/vec",
            "num",
            COST_GROUP,
            "index memory per document (codes "
            "and graph; a rescoring copy is kept beside it, see bytes/vec); " + SEARCH_TITLE,
        ),
    ]
    return frame, columns


def plain_rows(lb: Leaderboard) -> dict[str, str]:
    """Each post-processed row -> the row of the same encoder (same fingerprint) without post-processing."""
    firsts = lb.cells.drop_duplicates("row").set_index("row")
    plain = {
        (enc, fp): row
        for row, enc, fp, chain in zip(firsts.index, firsts["encoder"], firsts["encoder_fingerprint"], firsts["chain"])
        if not chain
    }
    out = {}
    for row in lb.rows:
        base = plain.get((firsts.at[row, "encoder"], firsts.at[row, "encoder_fingerprint"]))
        if firsts.at[row, "chain"] and base is not None:
            out[row] = base
    return out


def retained(lb: Leaderboard, table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(share, "n/N" tasks compared) per chained row: its mean over its plain encoder's, on the tasks both have.

    Numerator and denominator cover the same tasks, so a missing task cannot flatter the share;
    the count says how many of the plain encoder's N tasks it rests on.
    """
    import pandas as pd

    shares, counts = {}, {}
    for row, base in plain_rows(lb).items():
        common = table.columns[table.loc[row].notna() & table.loc[base].notna()]
        counts[row] = f"{len(common)}/{int(table.loc[base].notna().sum())}"  # out of the plain encoder's tasks
        reference = table.loc[base, common].mean()
        if len(common) and reference:
            shares[row] = table.loc[row, common].mean() / reference
    return (pd.Series(shares, index=lb.rows, dtype=float), pd.Series(counts, index=lb.rows, dtype=object).fillna(""))
