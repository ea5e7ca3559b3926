"""``zoo serve -m MODEL [-p CHAIN] --port N``: serve exactly what the board measured, OpenAI-compatible."""

from __future__ import annotations

import importlib.util

import click

from zoo.errors import ZooError


@click.command("serve")
@click.option(
    "-m",
    "--model",
    required=True,
    metavar="NAME",
    help="Any zoo encoder: a registered name, hf:/st:/tf:/onnx: names, a folder, even openai:.",
)
@click.option(
    "-p",
    "--post",
    "chain",
    default=None,
    metavar="CHAIN",
    help="Post-processor chain to serve through, as in zoo bench (e.g. 'matryoshka?dim=128+int8'); "
    "a final quantizer serves its codes.",
)
@click.option(
    "--fit-on",
    default=None,
    metavar="SOURCE",
    help="Where the chain is fit, once, before serving: task:<name> or file:<path>.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port, printed at start).",
)
@click.option(
    "--max-batch",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="Texts per call to the model when requests are batched together.",
)
@click.option(
    "--max-wait-ms",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="How long the first request of a batch waits for others to join it.",
)
@click.option(
    "--batching/--no-batching",
    default=True,
    show_default=True,
    help="Batch concurrent requests together, or encode each on its own.",
)
@click.option(
    "--cache/--no-cache",
    "use_cache",
    default=False,
    show_default=True,
    help="Answer texts the embedding cache holds for this model from it, and store new ones.",
)
def serve(
    model: str,
    chain: str | None,
    fit_on: str | None,
    host: str,
    port: int,
    max_batch: int,
    max_wait_ms: float,
    batching: bool,
    use_cache: bool,
) -> None:
    """Serve an encoder (through a chain) at an OpenAI-compatible /v1/embeddings endpoint.

    Concurrent requests are batched dynamically; every answer carries the model's fingerprint
    (X-Zoo-Fingerprint header, and GET /v1/models), the one results of the same model record.
    """
    for module in ("fastapi", "uvicorn"):
        if importlib.util.find_spec(module) is None:
            raise ZooError(f"zoo serve needs {module}: pip install 'embedding-zoo[serve]'")
    import uvicorn

    from harness.serve.app import bound_socket, create_app
    from harness.serve.batcher import DynamicBatcher
    from harness.serve.model import load_served_model
    from zoo.cache import EmbeddingCache
    from zoo.cli.main import registry

    try:
        sock = bound_socket(host, port)
    except OSError as exc:
        raise ZooError(f"cannot listen on {host}:{port} ({exc.strerror}): pick another --port") from None
    served = load_served_model(registry(), model, chain, fit_on, EmbeddingCache() if use_cache else None)
    batcher = DynamicBatcher(served.embed, max_batch=max_batch, max_wait=max_wait_ms / 1000, enabled=batching)
    bound_host, bound_port = sock.getsockname()[:2]
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"zoo serve: warning: listening on {host} with no authentication of its own", err=True)
    chained = "".join(f" +{label}" for label in served.chain)
    click.echo(
        f"zoo serve: {served.name}{chained} ({served.dim} dims, fingerprint {served.fingerprint}) at "
        f"http://{bound_host}:{bound_port}/v1/embeddings",
        err=True,
    )
    server = uvicorn.Server(uvicorn.Config(create_app(served, batcher), log_level="warning", lifespan="on"))
    server.run(sockets=[sock])
