"""``zoo cache``: show and clear the embedding cache (see zoo/cache.py)."""

from __future__ import annotations

import click

from zoo.cli.table import format_table


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f}"


@click.group()
def cache() -> None:
    """Show or clear cached embeddings (under $ZOO_CACHE_HOME, else ~/.cache/embedding-zoo/embeddings)."""


@cache.command("info")
def info() -> None:
    """Where the cache lives, its size, and one row per (encoder, role, instruction)."""
    from zoo.cache import EmbeddingCache

    store = EmbeddingCache()
    namespaces = store.info()
    click.echo(f"location: {store.root}")
    plural = "" if len(namespaces) == 1 else "s"
    click.echo(f"total: {_mb(store.total_bytes())} MB in {len(namespaces)} namespace{plural}")
    if not namespaces:
        return
    rows = [
        [
            ns.namespace.encoder_fingerprint,
            ns.namespace.encoder_name,
            ns.namespace.role,
            _instruction(ns.namespace.instruction),
            ns.entries,
            ns.dim,
            _mb(ns.bytes),
        ]
        for ns in namespaces
    ]
    click.echo()
    click.echo(format_table(["fingerprint", "encoder", "role", "instruction", "entries", "dim", "MB"], rows))


def _instruction(text: str | None, width: int = 40) -> str:
    if text is None:
        return "-"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


@cache.command("clear")
@click.option(
    "--encoder",
    "encoder_fingerprint",
    metavar="FINGERPRINT",
    help="Only this encoder's embeddings (its fingerprint, as `zoo cache info` shows it).",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def clear(encoder_fingerprint: str | None, yes: bool) -> None:
    """Delete cached embeddings: all of them, or one encoder's."""
    from zoo.cache import EmbeddingCache

    store = EmbeddingCache()
    namespaces = [ns for ns in store.info() if encoder_fingerprint in (None, ns.namespace.encoder_fingerprint)]
    size = sum(ns.bytes for ns in namespaces)
    what = "all cached embeddings"
    if encoder_fingerprint:
        what = f"cached embeddings of encoder {encoder_fingerprint}"
    if not namespaces:
        click.echo(f"nothing to clear: no {what} in {store.root}")
        return
    if not yes:
        click.confirm(f"Delete {what} ({_mb(size)} MB, {len(namespaces)} namespaces) in {store.root}?", abort=True)
    freed = store.clear(encoder_fingerprint)
    click.echo(f"freed {_mb(freed)} MB")
