"""``zoo plugin new NAME``: a working plugin package, with its own tests, to start from."""

from __future__ import annotations

import re
from pathlib import Path

import click

from zoo.errors import ZooError

NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


@click.group("plugin")
def plugin_command() -> None:
    """Start a plugin of your own."""


@plugin_command.command("new")
@click.argument("name")
@click.option(
    "-d",
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to create the package folder zoo-NAME in.",
)
def new_command(name: str, parent: Path) -> None:
    """Write the package zoo-NAME: an encoder registered through the "zoo" entry point, and its tests."""
    folder = write_plugin(name, parent)
    click.echo(
        f"wrote {folder}/: install it with `pip install -e '{folder}[test]'`, then "
        f"`zoo list encoders` shows {name}-letters and `python -m pytest {folder}` runs its tests"
    )


def write_plugin(name: str, parent: Path) -> Path:
    """Write the files of plugin ``name`` into ``parent/zoo-name``; returns that folder."""
    from zoo.api import API_VERSION
    from zoo.cli.plugin_template import FILES

    if not NAME.fullmatch(name):
        raise ZooError(
            f"plugin name {name!r}: use lower-case letters, digits and single hyphens, "
            "starting with a letter (e.g. my-encoders)"
        )
    folder = Path(parent) / f"zoo-{name}"
    if folder.exists():
        raise ZooError(f"{folder} already exists: choose another name or --dir")
    fields = {
        "name": name,
        "module": f"zoo_{name.replace('-', '_')}",
        "version": API_VERSION,
        "major": API_VERSION.split(".")[0],
    }
    for path, template in FILES.items():
        target = folder / path.format(**fields)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template.format(**fields))
    return folder
