"""``zoo char-sim``: how close two texts are under the char n-gram encoder (a quick typo check)."""

from __future__ import annotations

import click


@click.command("char-sim")
@click.argument("first")
@click.argument("others", nargs=-1, required=True)
@click.option("--dim", default=512, show_default=True, type=click.IntRange(min=1), help="Hash buckets.")
def char_similarity(first: str, others: tuple[str, ...], dim: int) -> None:
    """Print the cosine similarity of FIRST to each of OTHERS under char-ngram-hash-DIM."""
    from zoo_example.encoder import CharNgramEncoder

    vectors = CharNgramEncoder(dim).encode([first, *others])
    for text, score in zip(others, vectors[1:] @ vectors[0]):
        click.echo(f"{score:.4f}  {text}")
