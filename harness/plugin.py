"""The harness's own plugin: built-in tasks and search backends, registered through the "zoo" entry point."""

from __future__ import annotations

from typing import Any, Callable

from zoo import SearchBackend, hookimpl


def exact_backend(**params: Any) -> SearchBackend:
    from harness.backends.exact import ExactBackend

    return ExactBackend(**params)


def hnsw_backend(**params: Any) -> SearchBackend:
    from harness.backends.hnsw import HnswBackend

    return HnswBackend(**params)


@hookimpl
def register_search_backends(register: Callable[..., None]) -> None:
    register("exact", exact_backend, aliases=("flat", "brute-force"),
             description="exact k-NN: chunked matrix products with a streaming top-k", exact=True)
    register("hnsw", hnsw_backend,
             description="approximate k-NN on an HNSW graph (hnswlib), scores recomputed as exact's")


@hookimpl
def register_tasks(register: Callable[..., None]) -> None:
    from harness.tasks.builtin import builtin_task_specs

    for spec in builtin_task_specs():
        register(spec)
