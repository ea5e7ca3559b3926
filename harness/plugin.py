"""The harness's own plugin: built-in tasks and search backends, registered through the "zoo" entry point."""

from __future__ import annotations

from typing import Any, Callable

from zoo import SearchBackend, hookimpl
from zoo.errors import ZooError


def exact_backend(**params: Any) -> SearchBackend:
    from harness.backends.exact import ExactBackend

    return ExactBackend(**params)


def hnsw_backend(*, library: str = "hnswlib", **params: Any) -> SearchBackend:
    """hnswlib's HNSW, or with ``library=NAME`` the backend a plugin registers as ``hnsw-NAME``."""
    if library == "hnswlib":
        from harness.backends.hnsw import HnswBackend

        return HnswBackend(**params)
    return plugin_backend(f"hnsw-{library}", params, wanted=f"hnsw?library={library}")


FIRST_PARTY_BACKENDS = {"hnsw-faiss": "zoo-faiss"}  # backends the core names, and the plugin holding each


def plugin_backend(name: str, params: dict[str, Any], *, wanted: str) -> SearchBackend:
    """The backend a plugin registers as ``name``, made with ``params``: the core never imports the plugin."""
    import os

    from zoo.plugins import LOAD_PLUGINS_ENV
    from zoo.registry import Registry

    spec = Registry.from_plugins().backends.find(name)
    if spec is None:
        plugin = FIRST_PARTY_BACKENDS.get(name)
        fix = f"install {plugin} (pip install -e plugins/{plugin})" if plugin else "install the plugin that adds it"
        if os.environ.get(LOAD_PLUGINS_ENV) is not None:
            fix += f" and allow it in {LOAD_PLUGINS_ENV}"
        raise ZooError(f"{wanted} needs the backend {name!r}, which no loaded plugin registers: {fix}, "
                       "or use library=hnswlib")
    return spec.factory(**params)


@hookimpl
def register_search_backends(register: Callable[..., None]) -> None:
    register("exact", exact_backend, aliases=("flat", "brute-force"),
             description="exact k-NN: chunked matrix products with a streaming top-k", exact=True)
    register("hnsw", hnsw_backend,
             description="approximate k-NN on an HNSW graph (hnswlib; library=faiss through zoo-faiss), "
                         "scores recomputed as exact's")


@hookimpl
def register_tasks(register: Callable[..., None]) -> None:
    from harness.tasks.builtin import builtin_task_specs

    for spec in builtin_task_specs():
        register(spec)


@hookimpl
def register_commands(cli: Any) -> None:
    from harness.commands.bench import bench
    from harness.commands.compare import compare
    from harness.commands.eval_run import eval_run
    from harness.commands.leaderboard import leaderboard
    from harness.commands.mteb import mteb_command

    for command in (bench, eval_run, leaderboard, mteb_command, compare):
        cli.add_command(command)
