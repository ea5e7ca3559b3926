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
    """Encode items/s of a row, and where it came from when the row's own runs hit the cache."""

    items_per_second: float | None
    note: str = ""


def throughput(lb: Leaderboard, row: str) -> Throughput:
    """Items encoded over seconds spent in the row's runs; else from another row with the same encoder."""
    cells = lb.cells
    own = _measured(cells[cells["row"] == row])
    if own is not None:
        return Throughput(own)
    fingerprint = cells.loc[cells["row"] == row, "encoder_fingerprint"].iloc[0]
    others = cells[(cells["encoder_fingerprint"] == fingerprint) & (cells["row"] != row)]
    for other, frame in others.groupby("row", sort=True):
        borrowed = _measured(frame)
        if borrowed is not None:
            return Throughput(borrowed, f"every embedding of this row came from the cache; figure taken from "
                                        f"{other!r}, the same encoder (fingerprint {fingerprint})")
    return Throughput(None, "every embedding came from the cache and no other run of this encoder was timed")


def _measured(frame: pd.DataFrame) -> float | None:
    timed = frame[(frame["items_encoded"] > 0) & (frame["encode_seconds"] > 0)]
    if timed.empty:
        return None
    return float(timed["items_encoded"].sum() / timed["encode_seconds"].sum())


def costs(lb: Leaderboard, view: str) -> tuple[pd.DataFrame, list[Column]]:
    """Per row: dimension, bytes per vector, encode items/s (and its note), latency, QPS, index size."""
    import pandas as pd

    shown = view_cells(lb, view)
    searched = shown[shown["backend"].notna()]
    every = lb.cells.groupby("row")
    frame = pd.DataFrame(index=lb.rows)
    frame["n_parameters"] = every["n_parameters"].max()
    frame["dim"] = every["dim"].max()
    frame["bytes_per_vector"] = every["bytes_per_vector"].max()
    rates = {row: throughput(lb, row) for row in lb.rows}
    frame["items_per_second"] = pd.Series({row: t.items_per_second for row, t in rates.items()}, dtype=float)
    frame["items_per_second_note"] = pd.Series({row: t.note for row, t in rates.items()}, dtype=object)
    for key in ("latency_p50_ms", "latency_p99_ms", "queries_per_second", "index_bytes_per_vector"):
        frame[key] = searched.groupby("row")[key].mean()
    columns = [
        Column("n_parameters", "params", "size", COST_GROUP, "learned weights of the encoder (a chain adds "
               "only its fitted state); blank where the encoder does not say"),
        Column("dim", "dim", "num", COST_GROUP, "output dimension"),
        Column("bytes_per_vector", "bytes/vec", "num", COST_GROUP, "bytes per stored vector"),
        Column("items_per_second", "encode/s", "rate", COST_GROUP, "items encoded per second"),
        Column("items_per_second_note", "encode/s source", "note", COST_GROUP),
        Column("latency_p50_ms", "p50 ms", "ms", COST_GROUP, "query latency, median; " + SEARCH_TITLE),
        Column("latency_p99_ms", "p99 ms", "ms", COST_GROUP, "query latency, 99th percentile; " + SEARCH_TITLE),
        Column("queries_per_second", "QPS", "rate", COST_GROUP, "queries per second; " + SEARCH_TITLE),
        Column("index_bytes_per_vector", "index B/vec", "num", COST_GROUP, "index bytes per document; "
               + SEARCH_TITLE),
    ]
    return frame, columns


def retained(lb: Leaderboard, table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(share, "n/N" tasks compared) per chained row: its mean over its plain encoder's, on the tasks both have.

    Numerator and denominator cover the same tasks, so a missing task cannot flatter the share;
    the count says how many tasks it rests on.
    """
    import pandas as pd

    firsts = lb.cells.drop_duplicates("row").set_index("row")
    plain = {(enc, fp): row for row, enc, fp, chain in
             zip(firsts.index, firsts["encoder"], firsts["encoder_fingerprint"], firsts["chain"]) if not chain}
    shares, counts = {}, {}
    for row in lb.rows:
        base = plain.get((firsts.at[row, "encoder"], firsts.at[row, "encoder_fingerprint"]))
        if not firsts.at[row, "chain"] or base is None:
            continue
        common = table.columns[table.loc[row].notna() & table.loc[base].notna()]
        counts[row] = f"{len(common)}/{table.shape[1]}"
        reference = table.loc[base, common].mean()
        if len(common) and reference:
            shares[row] = table.loc[row, common].mean() / reference
    return (pd.Series(shares, index=lb.rows, dtype=float),
            pd.Series(counts, index=lb.rows, dtype=object).fillna(""))
