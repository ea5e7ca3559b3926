"""MTEB result folders into zoo results, so published MTEB results and local runs share one leaderboard.

Reads ``{model}/{revision}/{Task}.json`` and ``{model}/{revision}/experiments/{name}/{Task}.json``
(``model_meta.json`` beside them supplies the model name, dimension and similarity) with mteb's own
reader, which also upgrades result files of older mteb versions.

- Each (split, subset) score dict becomes one TaskResult for task ``mteb:<Task>[/<subset>]`` (the name
  ``zoo bench --task mteb:<Task>`` gives local runs). For a task this mteb knows, only the split
  zoo evaluates is imported (``test`` where there is one), so the two compare like for like.
- Nothing is invented: fingerprints, cost figures and hardware are unknown and stay empty or zero;
  ``provenance`` says where the result came from: ``{"imported_from": "mteb", "mteb_result_file": ...,
  "mteb_model_revision": ...}``. Retrieval results get backend ``exact``: mteb searches a dense
  encoder's whole corpus exhaustively.
- Experiments (MTEB's slot for variants) become the result's ``chain``, so they get their own row.
- Files that zoo exported carry a ``zoo`` block: their results come back with zoo's task names,
  fingerprints, chain and backend, marked as imported all the same.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from harness.results import TaskResult
from zoo.errors import DataError, ZooError
from zoo.textio import read_json

PREFIX = "mteb:"
MODEL_META = "model_meta.json"
EXPERIMENTS = "experiments"
SKIPPED_KEYS = ("main_score", "hf_subset", "languages")


def result_files(folder: Path) -> list[Path]:
    """Every task result file under an MTEB results folder (a folder of model folders)."""
    files = [*folder.glob("*/*/*.json"), *folder.glob(f"*/*/{EXPERIMENTS}/*/*.json")]
    return sorted(p for p in files if p.name != MODEL_META)


def import_results(folder: Path | str) -> list[TaskResult]:
    """Every result in an MTEB results folder, as zoo TaskResults marked as imported."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder; pass an MTEB results folder ({{model}}/{{revision}}/{{Task}}.json)")
    files = result_files(folder)
    if not files:
        raise DataError(f"{folder}: no MTEB result files; expected {{model}}/{{revision}}/{{Task}}.json inside")
    return [result for path in files for result in results_from_file(path, folder)]


def _location(path: Path) -> tuple[Path, str | None]:
    """The revision folder of a result file, and its experiment name (None for the main slot)."""
    if path.parent.parent.name == EXPERIMENTS:
        return path.parent.parent.parent, path.parent.name
    return path.parent, None


def _read_mteb(path: Path) -> Any:
    from mteb.results.task_result import TaskResult as MtebTaskResult

    try:
        return MtebTaskResult.from_disk(path)
    except Exception as exc:  # pydantic and json errors alike mean "not a result file mteb can read"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: not an MTEB result file ({first}); move it out of the results folder") from None


def results_from_file(path: Path, root: Path) -> list[TaskResult]:
    raw = read_json(path)  # zoo's text rules first: mteb's reader would take any encoding error as a traceback
    if not isinstance(raw, dict):
        raise DataError(
            f"{path}: not an MTEB result file (a JSON {type(raw).__name__}, not an object); "
            "move it out of the results folder"
        )
    mteb_result = _read_mteb(path)
    revision_dir, experiment = _location(path)
    meta_path = revision_dir / MODEL_META
    meta = read_json(meta_path) if meta_path.is_file() else {}
    if not isinstance(meta, dict):
        raise DataError(f"{meta_path}: expected a JSON object; move it out of the results folder")
    context = {
        "model": meta.get("name") or revision_dir.parent.name.replace("__", "/"),
        "revision": revision_dir.name,
        "experiment": experiment,
        "meta": meta,
        "file": str(path.relative_to(root)),
        "mteb_version": mteb_result.mteb_version,
        "date": _iso(mteb_result.date),
    }
    zoo_blocks = raw.get("zoo") if isinstance(raw.get("zoo"), list) else []
    entries = list(_entries(mteb_result))
    if zoo_blocks and len(zoo_blocks) == len(entries):
        return [_from_zoo(block, split, scores, context) for block, (split, scores) in zip(zoo_blocks, entries)]
    task = _mteb_task(mteb_result.task_name)
    wanted = _zoo_split(task)
    return [
        _from_mteb(mteb_result.task_name, task, split, scores, context)
        for split, scores in entries
        if wanted is None or split == wanted
    ]


def _entries(mteb_result: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for split in sorted(mteb_result.scores):
        for scores in sorted(mteb_result.scores[split], key=lambda s: s.get("hf_subset", "")):
            yield split, scores


def _mteb_task(name: str) -> Any | None:
    import mteb

    try:
        return mteb.get_task(name)
    except KeyError:  # a task this mteb version does not list: imported with what the file says
        return None


def _zoo_split(task: Any | None) -> str | None:
    if task is None:
        return None
    from harness.mteb.source import choose_split

    return choose_split(task)


def _numbers(scores: dict[str, Any]) -> dict[str, float]:
    """The scalar metrics of a score dict (nested per-experiment lists and labels are left out)."""
    return {
        key: float(value)
        for key, value in scores.items()
        if key not in SKIPPED_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool)
    }


def _iso(date: datetime | None) -> str:
    if date is None:
        return ""
    return (date if date.tzinfo else date.replace(tzinfo=timezone.utc)).isoformat(timespec="seconds")


def _provenance(context: dict[str, Any]) -> dict[str, Any]:
    return {"imported_from": "mteb", "mteb_result_file": context["file"], "mteb_model_revision": context["revision"]}


def _from_mteb(
    task_name: str, task: Any | None, split: str, scores: dict[str, Any], context: dict[str, Any]
) -> TaskResult:
    from harness.mteb.convert import task_kind

    subset = scores.get("hf_subset", "default")
    try:
        kind = task_kind(task) if task is not None else "unknown"
    except ZooError:  # a type zoo does not run (bitext mining...): still shown on the board
        kind = task.metadata.type
    meta = context["meta"]
    dim = meta.get("embed_dim")
    return TaskResult(
        task=PREFIX + task_name + ("" if subset == "default" else f"/{subset}"),
        task_type=kind,
        task_version=str(task.metadata.dataset.get("revision") or "")[:12] if task is not None else "",
        split=split,
        data_fingerprint="",
        encoder=context["model"],
        encoder_fingerprint="",
        dim=int(dim) if isinstance(dim, int) else 0,
        similarity=str(meta.get("similarity_fn_name") or ""),
        backend="exact" if kind == "retrieval" else None,
        backend_params={},
        main_metric=task.metadata.main_score if task is not None else "main_score",
        main_score=float(scores["main_score"]),
        scores=_numbers(scores),
        encode_seconds=0.0,
        items_encoded=0,
        bytes_per_vector=0,
        n_parameters=meta.get("n_parameters") if isinstance(meta.get("n_parameters"), int) else None,
        chain=(context["experiment"],) if context["experiment"] else (),
        versions={"mteb": context["mteb_version"]} if context["mteb_version"] else {},
        provenance=_provenance(context),
        date=context["date"],
    )


def _from_zoo(block: dict[str, Any], split: str, scores: dict[str, Any], context: dict[str, Any]) -> TaskResult:
    """A result zoo exported, restored from its ``zoo`` block; cost figures were not exported."""
    return TaskResult(
        task=block["task"],
        task_type=block["task_type"],
        task_version=block.get("task_version", ""),
        split=split,
        data_fingerprint=block["data_fingerprint"],
        encoder=block["encoder"],
        encoder_fingerprint=block["encoder_fingerprint"],
        dim=int(block["dim"]),
        similarity=block["similarity"],
        backend=block["backend"],
        backend_params=block["backend_params"],
        main_metric=block["main_metric"],
        main_score=float(scores["main_score"]),
        scores=_numbers(scores),
        encode_seconds=0.0,
        items_encoded=0,
        bytes_per_vector=0,
        chain=tuple(block["chain"]),
        chain_fingerprint=block["chain_fingerprint"],
        versions={"mteb": context["mteb_version"]} if context["mteb_version"] else {},
        provenance=_provenance(context),
        code_fingerprint=block.get("code_fingerprint", ""),
        date=context["date"],
    )
