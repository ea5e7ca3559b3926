"""Our results as an MTEB results folder: ``{model}/{revision}/{Task}.json`` beside ``model_meta.json``.

- model: the encoder's name as mteb spells it (``embedding-zoo/<name>`` without an organisation, then
  ``/`` -> ``__``); revision: the first 12 characters of the encoder fingerprint (what zoo knows of a
  model's version; mteb uses the hub commit).
- Plain encoders searched exactly fill the main slot. Post-processor chains and approximate backends
  are MTEB "experiments": ``{model}/{revision}/experiments/{name}/{Task}.json``, the name made of the
  chain's steps and ``backend=<name>``.
- ``mteb:<Task>[/<subset>]`` results export as ``<Task>`` with that ``hf_subset``, the task's dataset
  revision and languages; zoo's own tasks keep their names, with ``dataset_revision`` set to the data
  fingerprint and no languages (zoo's task metadata has none; mteb's ``get_score`` filters by them).
- ``mteb_version`` is the mteb version installed when zoo ran (zoo's task types mirror its protocols);
  a ``zoo`` block keeps what mteb has no field for (task, chain, backend, fingerprints); mteb ignores it.
- One file per (model, revision, slot, task): where several runs qualify, the latest wins, and
  its splits and subsets are merged with the others' into one file.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from harness.data.paths import atomic_write_text
from harness.results import TaskResult
from zoo.safepaths import inside

PREFIX = "mteb:"
EXACT_BACKENDS = (None, "exact")
ORGANISATION = "embedding-zoo"


def mteb_model_name(encoder_name: str) -> str:
    return encoder_name if "/" in encoder_name else f"{ORGANISATION}/{encoder_name}"


def model_folder(result: TaskResult) -> str:
    return mteb_model_name(result.encoder).replace("/", "__").replace(" ", "_")


def revision(result: TaskResult) -> str:
    return result.encoder_fingerprint[:12] or "no_revision_available"


def experiment_name(result: TaskResult) -> str | None:
    """The experiments/ folder name for a post-processed or approximate run; None for the main slot."""
    parts = list(result.chain)
    if result.backend not in EXACT_BACKENDS:
        parts.append(f"backend={result.backend}")
    if not parts:
        return None
    return re.sub(r"[^A-Za-z0-9=._+-]+", "_", "+".join(parts))


def mteb_task(result: TaskResult) -> tuple[str, str]:
    """MTEB task name and hf_subset of a result."""
    if result.task.startswith(PREFIX):
        name, _, subset = result.task[len(PREFIX) :].partition("/")
        return name, subset or "default"
    return result.task, "default"


def mteb_task_name(task: str) -> str:
    return task[len(PREFIX) :].partition("/")[0]


def result_path(folder: Path, result: TaskResult) -> Path:
    """Where a result's task file goes; every part comes from data, so each is a safe path component."""
    experiment = experiment_name(result)
    parts = [model_folder(result), revision(result), *(("experiments", experiment) if experiment else ())]
    return inside(folder, *parts, f"{mteb_task(result)[0]}.json")


def split_scores(result: TaskResult, languages: dict[str, list[str]]) -> dict[str, Any]:
    """One score dict; ``languages`` per subset come from mteb's task metadata (zoo's tasks have none)."""
    _, subset = mteb_task(result)
    return {
        **result.scores,
        "main_score": result.main_score,
        "hf_subset": subset,
        "languages": languages.get(subset, []),
    }


def provenance(result: TaskResult) -> dict[str, Any]:
    """What MTEB's schema has no field for, so that an import can restore it."""
    return {
        "task": result.task,
        "task_type": result.task_type,
        "task_version": result.task_version,
        "main_metric": result.main_metric,
        "encoder": result.encoder,
        "encoder_fingerprint": result.encoder_fingerprint,
        "chain": list(result.chain),
        "chain_fingerprint": result.chain_fingerprint,
        "backend": result.backend,
        "backend_params": result.backend_params,
        "dim": result.dim,
        "similarity": result.similarity,
        "data_fingerprint": result.data_fingerprint,
        "run_id": result.run_id,
        "code_fingerprint": result.code_fingerprint,
    }


def task_document(results: list[TaskResult]) -> dict[str, Any]:
    """One MTEB TaskResult JSON for runs of one task in one slot: each (split, subset) once, the latest."""
    latest: dict[tuple[str, str], TaskResult] = {}
    for result in sorted(results, key=lambda r: r.date):
        latest[(result.split, mteb_task(result)[1])] = result
    newest = max(latest.values(), key=lambda r: r.date)
    revision, languages = mteb_metadata(newest.task) or (newest.data_fingerprint, {})
    scores: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (split, _), result in sorted(latest.items()):
        scores[split].append(split_scores(result, languages))
    return {
        "dataset_revision": revision,
        "task_name": mteb_task(newest)[0],
        "mteb_version": newest.versions.get("mteb"),
        "scores": dict(scores),
        "evaluation_time": sum(_seconds(r) for r in latest.values()),
        "kg_co2_emissions": None,
        "date": datetime.fromisoformat(newest.date).timestamp() if newest.date else None,
        "zoo": [provenance(r) for _, r in sorted(latest.items())],
    }


def _seconds(result: TaskResult) -> float:
    """Time this run spent encoding, building and searching (what zoo measures of an evaluation)."""
    return result.encode_seconds + (result.build_seconds or 0.0) + (result.search_seconds or 0.0)


def mteb_metadata(task: str) -> tuple[str, dict[str, list[str]]] | None:
    """Dataset revision and languages per subset of an ``mteb:`` task; None for others or unknown ones."""
    if not task.startswith(PREFIX):
        return None
    import mteb

    try:
        metadata = mteb.get_task(mteb_task_name(task)).metadata
    except KeyError:  # a task this mteb no longer lists
        return None
    return str(metadata.dataset.get("revision") or ""), dict(metadata.hf_subsets_to_langscripts)


def model_meta(result: TaskResult) -> dict[str, Any]:
    """The model_meta.json fields zoo knows; every other ModelMeta field is left null, never guessed."""
    return {
        "name": mteb_model_name(result.encoder),
        "revision": revision(result),
        "embed_dim": result.dim,
        "similarity_fn_name": result.similarity if result.similarity in ("cosine", "dot", "euclidean") else None,
        "modalities": ["text"],
        "framework": [],
        "loader": None,
        "n_parameters": result.n_parameters,
        "release_date": None,
        "languages": None,
        "memory_usage_mb": None,
        "max_tokens": None,
        "license": None,
        "open_weights": None,
        "public_training_code": None,
        "public_training_data": None,
        "use_instructions": None,
        "training_datasets": None,
    }


def export_results(results: Iterable[TaskResult], folder: Path | str) -> list[Path]:
    """Write MTEB result files for ``results`` under ``folder``; returns the task files written."""
    folder = Path(folder)
    groups: dict[Path, list[TaskResult]] = defaultdict(list)
    for result in results:
        groups[result_path(folder, result)].append(result)
    for path, group in sorted(groups.items()):
        atomic_write_text(path, json.dumps(task_document(group), indent=2) + "\n")
        meta_path = inside(folder, model_folder(group[0]), revision(group[0]), "model_meta.json")
        atomic_write_text(meta_path, json.dumps(model_meta(group[0]), indent=2) + "\n")
    return sorted(groups)
