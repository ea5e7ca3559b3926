"""The harness's own plugin: built-in tasks, suites and search backends, registered through the "zoo" entry point."""

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


def muvera_backend(**params: Any) -> SearchBackend:
    from harness.multivector import MuveraBackend

    return MuveraBackend(**params)


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
        raise ZooError(
            f"{wanted} needs the backend {name!r}, which no loaded plugin registers: {fix}, or use library=hnswlib"
        )
    return spec.factory(**params)


@hookimpl
def register_search_backends(register: Callable[..., None]) -> None:
    from harness.backends import EXACT_PARAMS, HNSW_PARAMS

    register(
        "exact",
        exact_backend,
        aliases=("flat", "brute-force"),
        params=EXACT_PARAMS,
        description="exact k-NN: chunked matrix products with a streaming top-k",
        exact=True,
    )
    register(
        "muvera",
        muvera_backend,
        description="MUVERA for multi-vector encoders: fixed-dimensional encodings in an exact or HNSW "
        "index, candidates rescored by exact MaxSim",
    )
    register(
        "hnsw",
        hnsw_backend,
        params=HNSW_PARAMS,
        description="approximate k-NN on an HNSW graph (hnswlib; library=faiss through zoo-faiss), "
        "scores recomputed as exact's",
    )


@hookimpl
def register_tasks(register: Callable[..., None]) -> None:
    from harness.tasks.builtin import builtin_task_specs

    for spec in builtin_task_specs():
        register(spec)


FUSE, RERANK = "fuse:", "rerank:"
FUSE_OPTIONS: dict[str, type] = {"models": str, "k": int, "weight": float, "depth": int}
RERANK_OPTIONS: dict[str, type] = {"model": str, "top": int}


@hookimpl
def resolve_encoder(name: str) -> Any:
    """``fuse:rrf?models=bm25+minilm`` (or ``fuse:convex``, its weight given or tuned) and
    ``rerank:<first stage>?model=<cross-encoder folder or encoder>&top=100``: retrievers built of models."""
    from zoo.options import parse_options
    from zoo.protocols import EncoderSpec

    if name.startswith(FUSE):
        method, _, query = name.removeprefix(FUSE).partition("?")
        options = parse_options(f"encoder {name!r}", query, FUSE_OPTIONS)
        models = options.pop("models", "").replace("+", " ").split()

        def load_fused() -> Any:
            from harness.hybrid.fused import FusedRetriever

            return FusedRetriever(models, method=method, name=name, **options)

        return EncoderSpec(
            name=name,
            load=load_fused,
            family="hybrid",
            description=f"{method} fusion of {' and '.join(models) or 'two models'}",
        )
    if name.startswith(RERANK):
        first, _, query = name.removeprefix(RERANK).partition("?")
        options = parse_options(f"encoder {name!r}", query, RERANK_OPTIONS)
        if not first or "model" not in options:
            raise ZooError(f"encoder {name!r}: write rerank:<first stage>?model=<cross-encoder or encoder>")
        scorer = options.pop("model")

        def load_reranked() -> Any:
            from harness.hybrid.rerank import RerankedRetriever

            return RerankedRetriever(first, scorer, name=name, **options)

        return EncoderSpec(
            name=name, load=load_reranked, family="two-stage", description=f"{first} reranked by {scorer}"
        )
    return None


@hookimpl
def register_suites(register: Callable[..., None]) -> None:
    from harness.suites import builtin_suites

    for suite in builtin_suites():
        register(suite)


@hookimpl
def register_commands(cli: Any) -> None:
    from harness.commands.bench import bench
    from harness.commands.compare import compare
    from harness.commands.eval_run import eval_run
    from harness.commands.leaderboard import leaderboard
    from harness.commands.mteb import mteb_command
    from harness.commands.serve import serve

    for command in (bench, eval_run, leaderboard, mteb_command, compare, serve):
        cli.add_command(command)
