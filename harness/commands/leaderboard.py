"""``zoo leaderboard``: one self-contained HTML page (and CSV / Markdown) from result folders."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import click

from zoo.errors import ZooError

DEFAULT_OUT = Path("leaderboards/index.html")


@click.command("leaderboard")
@click.option(
    "-r",
    "--results",
    "result_dirs",
    multiple=True,
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Result folder written by `zoo bench`; repeat to combine several.  [default: results]",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="The HTML page to write.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Also write the table as CSV (every backend, full precision).",
)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Also write the table as Markdown (one table per backend).",
)
@click.option(
    "--allow-untrained",
    is_flag=True,
    help="Also show results of untrained weights (a saved random initialisation, or an encoder that "
    "declares itself untrained); they are left off otherwise.",
)
def leaderboard(
    result_dirs: tuple[Path, ...], out: Path, csv_path: Path | None, markdown_path: Path | None, allow_untrained: bool
) -> None:
    """Build the leaderboard page: opens offline, explains its own numbers."""
    for path in write(result_dirs or (Path("results"),), out, csv_path, markdown_path, allow_untrained=allow_untrained):
        click.echo(path)


def refresh_leaderboard(result_dirs: Iterable[Path | str], out: Path | str, *, allow_untrained: bool = False) -> Path:
    """Rebuild the page from ``result_dirs`` (what `zoo bench` calls after a run); returns its path."""
    return write(tuple(Path(d) for d in result_dirs), Path(out), allow_untrained=allow_untrained)[0]


def write(
    result_dirs: tuple[Path, ...],
    out: Path,
    csv_path: Path | None = None,
    markdown_path: Path | None = None,
    *,
    allow_untrained: bool = False,
) -> list[Path]:
    from harness.leaderboard import write_leaderboard

    for folder in result_dirs:
        if not folder.is_dir():
            raise ZooError(
                f"no result folder {str(folder)!r}: run `zoo bench -o {folder}` first, or name one with --results"
            )
    modalities, exact, encoders, suites = _registry_facts()
    return write_leaderboard(
        result_dirs,
        out,
        csv=csv_path,
        markdown=markdown_path,
        modalities=modalities,
        exact_backends=exact,
        registered=encoders,
        allow_untrained=allow_untrained,
        suites=suites,
    )


def _registry_facts() -> tuple[dict[str, tuple[str, ...]], set[str] | None, list[dict], dict[str, tuple[str, ...]]]:
    """Task modalities, the names of exact backends, the encoders and the suites' tasks, as the installed
    plugins declare them (mteb's benchmarks are not registered suites: the page has no column for them)."""
    from zoo.cli.main import registry

    reg = registry()
    modalities = {spec.name: tuple(spec.modalities) for spec in reg.tasks}
    exact = {spec.name for spec in reg.backends if spec.exact}
    encoders = [
        {
            "name": s.name,
            "family": s.family,
            "modalities": list(s.modalities),
            "description": s.description,
            "aliases": list(s.aliases),
            "plugin": reg.encoders.owners.get(s.name, ""),
        }
        for s in reg.encoders
    ]
    from harness.suites import canonical_tasks

    suites = {spec.name: canonical_tasks(reg, spec) for spec in reg.suites}
    return modalities, exact or None, encoders, suites
