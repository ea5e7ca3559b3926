"""``zoo merge``: write a recipe's merged model as a sentence-transformers folder."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("recipe", metavar="RECIPE")
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the merged sentence-transformers model to (with merge_recipe.json).",
)
def merge(recipe: str, out: Path) -> None:
    """Merge checkpoints of one architecture: RECIPE is a .json/.toml recipe file or
    '<method>?models=a+b&...' (linear, slerp, task_arithmetic, ties; see docs/merging.md).

    The folder loads anywhere sentence-transformers does; `zoo bench -m merge:RECIPE` benchmarks the
    merge without writing it yourself."""
    from zoo.errors import ZooError
    from zoo.merge.build import build_merge, read_merge_record
    from zoo.merge.recipe import recipe_from_name

    if out.exists() and any(out.iterdir()):
        raise ZooError(f"{out} is not empty: choose a new folder for the merged model")
    parsed = recipe_from_name(recipe)
    folder = build_merge(parsed, out)
    record = read_merge_record(folder) or {}
    click.echo(
        f"{parsed.method} merge of {', '.join(parsed.inputs())} -> {folder} "
        f"(fingerprint {record.get('fingerprint', '?')})"
    )
