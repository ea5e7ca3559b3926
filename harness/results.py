"""TaskResult, one JSON file per run, written atomically, and a loader into a pandas DataFrame."""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from harness.data.paths import atomic_write_text
from harness.item_files import describe, items_path, read_items, write_items
from harness.schema import result_problem
from zoo.errors import DataError
from zoo.fingerprint import fingerprint
from zoo.plugins import warn
from zoo.protocols import ItemScores
from zoo.textio import read_json

if TYPE_CHECKING:
    import pandas as pd

RESULT_SCHEMA = 1


@dataclass(frozen=True)
class TaskResult:
    """One (encoder, post-processor chain, task, backend) run: quality, cost and provenance."""

    task: str
    task_type: str
    task_version: str
    split: str
    data_fingerprint: str
    encoder: str
    encoder_fingerprint: str
    dim: int
    similarity: str
    backend: str | None
    backend_params: dict[str, Any]
    main_metric: str
    main_score: float
    scores: dict[str, float]
    # time spent encoding, model load excluded: inside the encoder's calls (local engine), or the wall time
    # of the distributed encode less the slowest worker's model load (ray)
    encode_seconds: float
    items_encoded: int  # encoded in this run; items taken from the embedding cache are not timed
    bytes_per_vector: int
    items_cached: int = 0
    load_seconds: float = 0.0  # loading the model, for encoders with a load() method (the slowest worker's)
    engine: str = "local"  # where encoding ran (harness.engines); it never changes a score
    engine_params: dict[str, Any] = field(default_factory=dict)  # workers, cluster, items_by_node...
    n_parameters: int | None = None  # the encoder's learned weights, where it says
    encoder_params: dict[str, Any] = field(default_factory=dict)  # its settings, where it reports them (BM25)
    build_seconds: float | None = None
    search_seconds: float | None = None
    n_queries: int | None = None
    n_documents: int | None = None
    latency_p50_ms: float | None = None
    latency_p99_ms: float | None = None
    index_bytes: int | None = None
    # for approximate backends: recall_at_10/100 against exact top-k, exact_main_score, main_score_delta
    vs_exact: dict[str, float] = field(default_factory=dict)
    # for post-processed runs: float_main_score (same task and backend, no chain) and retained share
    vs_float: dict[str, float] = field(default_factory=dict)
    chain: tuple[str, ...] = ()
    chain_fingerprint: str = ""  # parameters and fitted state of every step
    versions: dict[str, str] = field(default_factory=dict)
    hardware: dict[str, Any] = field(default_factory=dict)
    # where a result came from when this harness did not run it, e.g. {"imported_from": "mteb", ...}
    provenance: dict[str, str] = field(default_factory=dict)
    # the plugin that supplied each part (encoder, task, backend, post-processors): its name, distribution,
    # version and code hash (zoo.provenance.PluginSource), as the registry resolved any name clash
    plugins: dict[str, Any] = field(default_factory=dict)
    code_fingerprint: str = ""
    date: str = ""
    schema: int = RESULT_SCHEMA
    # the seeded bootstrap interval of main_score (harness.significance.Interval.to_dict()); {} where the
    # task gave no per-item scores, or the result predates them
    interval: dict[str, Any] = field(default_factory=dict)
    # the per-item scores' file beside this JSON (harness.item_files.describe); {} where none
    items: dict[str, Any] = field(default_factory=dict)
    # the task's chance level and this result against it (harness.chance.ChanceLevel.against); {} where
    # not measured
    chance: dict[str, Any] = field(default_factory=dict)
    # the encoder declared itself untrained, or its checkpoint is a saved random initialisation: such a
    # result enters no leaderboard page without an explicit flag
    untrained: bool = False
    # served models: tokens the API counted and what it charged for this run; None for local encoders
    api_tokens: int | None = None
    api_cost_usd: float | None = None
    # the per-item scores themselves, in memory only: ResultStore.write puts them beside the JSON
    item_scores: ItemScores | None = field(default=None, repr=False, compare=False)

    @property
    def items_per_second(self) -> float | None:
        if self.items_encoded == 0 or self.encode_seconds <= 0:
            return None  # everything came from the cache: no throughput was measured
        return self.items_encoded / self.encode_seconds

    @property
    def queries_per_second(self) -> float | None:
        if not self.n_queries or not self.search_seconds:
            return None
        return self.n_queries / self.search_seconds

    @property
    def index_bytes_per_vector(self) -> float | None:
        n = self.n_documents
        return self.index_bytes / n if self.index_bytes is not None and n else None

    @property
    def run_id(self) -> str:
        """Identity of what was run (not when): a re-run of the same thing replaces its file."""
        return fingerprint(
            self.task,
            self.task_version,
            self.data_fingerprint,
            self.split,
            self.encoder_fingerprint,
            list(self.chain),
            self.chain_fingerprint,
            self.backend,
            self.backend_params,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(replace(self, item_scores=None))
        del data["item_scores"]
        data["chain"] = list(self.chain)
        data["run_id"] = self.run_id
        data["items_per_second"] = self.items_per_second
        data["queries_per_second"] = self.queries_per_second
        data["index_bytes_per_vector"] = self.index_bytes_per_vector
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskResult:
        known = {f.name for f in fields(cls)} - {"item_scores"}
        values = {key: value for key, value in data.items() if key in known}
        values["chain"] = tuple(values.get("chain", ()))
        return cls(**values)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:80] or "unnamed"


def result_filename(result: TaskResult) -> str:
    parts = [result.task, result.encoder, *result.chain, result.backend or "nosearch", result.run_id[:8]]
    return "__".join(_slug(part) for part in parts) + ".json"


class ResultStore:
    """A folder of result JSON files, one per run."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def write(self, result: TaskResult) -> Path:
        """Write the result's JSON and, first, its per-item scores beside it (so the JSON never names a
        file that is not there); a re-run without item scores removes the earlier run's file."""
        path = self.folder / result_filename(result)
        if result.item_scores is not None:
            write_items(result.item_scores, path)
            result = replace(result, items=describe(result.item_scores, path))
        else:
            items_path(path).unlink(missing_ok=True)
            result = replace(result, items={})
        data = json_ready(result.to_dict(), str(path))
        atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n")
        return path

    def __iter__(self) -> Iterator[TaskResult]:
        """Every valid result in the folder; a file that is not one is skipped with a warning saying why."""
        for result, _ in valid_results(self.folder):
            yield result

    def to_frame(self) -> pd.DataFrame:
        return results_frame(list(self))


def read_result(path: Path) -> TaskResult:
    """A result file checked against the result schema (harness/schema/result.v1.json); else a DataError."""
    data = read_json(path)
    problem = result_problem(data)
    if problem is not None:
        raise DataError(f"{path}: not a valid zoo result ({problem}); fix it or move it out of the result folder")
    return TaskResult.from_dict(data)


def valid_results(folder: Path) -> Iterator[tuple[TaskResult, Path]]:
    """(result, file) for each valid result file in ``folder``; the others are skipped, each with a warning."""
    for path in sorted(Path(folder).glob("*.json")):
        try:
            yield read_result(path), path
        except DataError as exc:
            warn(f"skipping {exc}")


def json_ready(data: dict[str, Any], where: str) -> dict[str, Any]:
    """``data`` with NaN and infinities (which JSON cannot hold) replaced by null, with a warning naming them."""
    found: list[str] = []

    def clean(value: Any, key: str) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            found.append(key)
            return None
        if isinstance(value, dict):
            return {k: clean(v, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v, f"{key}[{i}]") for i, v in enumerate(value)]
        return value

    cleaned = clean(data, "")
    if found:
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        warn(f"{where}: {shown} {'is' if len(found) == 1 else 'are'} NaN or infinite; written as null")
    return cleaned


def read_result_items(path: Path) -> tuple[TaskResult, ItemScores | None]:
    """A result and its per-item scores (None for results written without them)."""
    result = read_result(path)
    return result, read_items(path, result.items)


def results_frame(results: list[TaskResult]) -> pd.DataFrame:
    """One row per result: identity, main score, cost figures, and each metric as ``score.<name>``."""
    import pandas as pd

    rows = []
    for result in results:
        row = {key: value for key, value in result.to_dict().items() if key != "scores"}
        row["chain"] = "+".join(result.chain)
        row.update({f"score.{name}": value for name, value in result.scores.items()})
        rows.append(row)
    return pd.DataFrame(rows)
