"""``zoo list``: what the installed plugins registered. Never imports torch."""

from __future__ import annotations

import click

from zoo.cli.table import format_table

KINDS = ("encoders", "tasks", "suites", "backends", "postprocessors")
COMMON = ("aliases", "plugin", "distribution", "description")  # the last columns of every kind


@click.command("list")
@click.argument("kind", required=False, type=click.Choice(KINDS))
def list_command(kind: str | None) -> None:
    """List registered encoders, tasks, suites, backends and post-processors."""
    from zoo.cli.main import registry

    reg = registry()
    for name in [kind] if kind else KINDS:
        catalogue = getattr(reg, name)
        click.echo(f"{name} ({len(catalogue)})")
        if len(catalogue):
            click.echo(format_table(*_rows(name, catalogue, reg.pm)))
        click.echo()


def _rows(kind: str, catalogue, pm) -> tuple[list[str], list[list[object]]]:  # noqa: ANN001
    from zoo.provenance import describe

    def common(spec) -> list[object]:  # noqa: ANN001
        owner = catalogue.owners[spec.name]
        return [", ".join(catalogue.aliases_of(spec.name)), owner, describe(pm, owner), spec.description]

    if kind == "encoders":
        header = ["name", "family", "modalities", "dim", "default", *COMMON]
        rows = [
            [s.name, s.family, "/".join(s.modalities), s.dim or "?", "yes" if s.default else "", *common(s)]
            for s in catalogue
        ]
    elif kind == "tasks":
        header = ["name", "type", "modalities", "main metric", "default", *COMMON]
        rows = [
            [s.name, s.type, "/".join(s.modalities), s.main_metric, "yes" if s.default else "", *common(s)]
            for s in catalogue
        ]
    elif kind == "suites":
        header = ["name", "tasks", *COMMON]
        rows = [[s.name, ", ".join(s.tasks), *common(s)] for s in catalogue]
    else:
        header = ["name", *COMMON]
        rows = [[s.name, *common(s)] for s in catalogue]
    return header, rows
