"""``mteb:<Task>`` and ``mteb:<Task>/<subset>``: any text task of mteb 2.x, loaded by mteb, run by zoo.

mteb loads the data (from the Hugging Face hub the first time); zoo converts the chosen subset and
evaluation split into one of its task folders under ``$ZOO_DATA_HOME/mteb/<Task>/<revision>/`` and
runs its own task type over it, with the protocol options the mteb task sets. Later runs read the
converted folder and need no network. The evaluation split is ``test`` where the task has one, else
its first evaluation split.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from harness.data.paths import build_once, data_home
from harness.data.task_config import MAIN_METRICS, METRICS, read_task_config, task_options
from harness.metrics import DEFAULT_K, MEASURES, metric_name
from harness.mteb.convert import task_kind, write_task_folder
from zoo.errors import ZooError
from zoo.protocols import Task, TaskSpec
from zoo.safepaths import inside

PREFIX = "mteb:"
RETRIEVAL_METRICS = tuple(metric_name(m, k) for m in MEASURES for k in DEFAULT_K)


def parse_name(text: str) -> tuple[str, str | None]:
    """``"mteb:STS17/en-en"`` -> ``("STS17", "en-en")``; the subset is optional."""
    name = text.removeprefix(PREFIX)
    task, _, subset = name.partition("/")
    if not task:
        raise ZooError(f"{text!r}: name an mteb task, e.g. mteb:NFCorpus or mteb:STS17/en-en")
    return task, subset or None


def mteb_task_spec(text: str) -> TaskSpec:
    """The spec for ``mteb:<Task>[/<subset>]``; mteb's task registry is read, no data is loaded."""
    import mteb

    name, subset = parse_name(text)
    try:
        task = mteb.get_task(name)
    except KeyError as exc:
        raise ZooError(
            f"unknown mteb task {name!r} ({exc.args[0] if exc.args else exc}); see `mteb.get_tasks()` for the names"
        ) from None
    return spec_for_task(task, subset)


def spec_for_task(task: Any, subset: str | None = None) -> TaskSpec:
    """A spec for an mteb task object (a registered task, or one of mteb's mock tasks in tests)."""
    meta = task.metadata
    kind = task_kind(task)
    subset = choose_subset(task, subset)
    split = choose_split(task)
    revision = str(meta.dataset.get("revision") or "")
    name = PREFIX + meta.name + ("" if subset == "default" else f"/{subset}")
    spec = TaskSpec(
        name=name,
        type=kind,
        load=lambda: load_task(spec, task, subset, split),
        main_metric=main_metric(kind, meta.main_score),
        version=revision[:12] or "1",
        uses_search=kind == "retrieval",
        description=meta.description or "",
        source=f"mteb task {meta.name} ({meta.dataset.get('path')} at revision {revision}), "
        f"subset {subset}, split {split}",
        license=str(meta.license or ""),
        citation=meta.bibtex_citation or "",
    )
    return spec


def choose_subset(task: Any, subset: str | None) -> str:
    subsets = list(task.metadata.hf_subsets or ["default"])
    if subset is None:
        if len(subsets) > 1:
            raise ZooError(
                f"mteb task {task.metadata.name!r} has subsets {', '.join(subsets)}; "
                f"name one: mteb:{task.metadata.name}/{subsets[0]}"
            )
        return subsets[0]
    if subset not in subsets:
        raise ZooError(f"mteb task {task.metadata.name!r} has no subset {subset!r}; use one of {', '.join(subsets)}")
    return subset


def choose_split(task: Any) -> str:
    splits = list(task.metadata.eval_splits)
    return "test" if "test" in splits else splits[0]


def main_metric(kind: str, mteb_main: str) -> str:
    """mteb's main score where zoo computes the same metric, else zoo's main metric for the type."""
    known = RETRIEVAL_METRICS if kind == "retrieval" else METRICS[kind]
    if mteb_main in known:
        return mteb_main
    return "ndcg_at_10" if kind == "retrieval" else MAIN_METRICS[kind]


def converted_folder(spec: TaskSpec, task: Any, split: str) -> Path:
    revision = str(task.metadata.dataset.get("revision") or "unversioned")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", spec.name[len(PREFIX) :])
    return inside(data_home(), "mteb", slug, re.sub(r"[^A-Za-z0-9._-]+", "_", revision), split)


def ensure_folder(spec: TaskSpec, task: Any, subset: str, split: str) -> Path:
    """The converted task folder, converting mteb's data first when it is not there yet (its path, which
    names the dataset's revision, is its stamp)."""
    folder = converted_folder(spec, task, split)

    def convert(tmp: Path) -> None:
        write_task_folder(task, loaded_data(task, subset, folder), split, f"{spec.name} {subset}/{split}", tmp)

    return build_once(folder, None, convert)


def loaded_data(task: Any, subset: str, folder: Path) -> Any:
    """The mteb task's data of ``subset``, loaded from the hub (or its cache) if it is not loaded yet."""
    if not task.data_loaded:
        try:
            task.load_data()
        except Exception as exc:  # datasets and the hub raise many kinds; all mean "could not load"
            first = (str(exc).strip().splitlines() or [""])[0]
            raise ZooError(
                f"mteb could not load {task.metadata.name!r} ({type(exc).__name__}: {first}); "
                "the first run needs the Hugging Face hub, later runs read the converted "
                f"copy in {folder.parent}"
            ) from None
    dataset = task.dataset
    return dataset.get(subset, dataset)  # single-subset tasks keep their splits at the top


def load_task(spec: TaskSpec, task: Any, subset: str, split: str) -> Task:
    """Our task object over the converted folder, with the mteb task's protocol options."""
    from harness.data.folders import make_task
    from harness.tasks.retrieval import RetrievalTask

    folder = ensure_folder(spec, task, subset, split)
    if spec.type == "retrieval":
        return RetrievalTask(
            spec,
            lambda: folder,
            split=split,
            k_values=tuple(task.k_values),
            ignore_identical_ids=bool(task.ignore_identical_ids),
        )
    options = task_options(folder, read_task_config(folder), spec.type)
    return make_task(spec, folder, spec.type, split, options)
