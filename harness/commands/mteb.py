"""``zoo mteb``: results to and from MTEB's result folders (``{model}/{revision}/{Task}.json``)."""

from __future__ import annotations

from pathlib import Path

import click

from zoo.errors import ZooError


@click.group("mteb")
def mteb_command() -> None:
    """Exchange results with MTEB: export ours as MTEB result JSON, import MTEB result folders."""


@mteb_command.command("export")
@click.option("-r", "--results", "result_dirs", multiple=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="Result folder written by `zoo bench`; repeat to combine several.  [default: results]")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("mteb-results"),
              show_default=True, help="MTEB results folder to write into.")
def export_command(result_dirs: tuple[Path, ...], out: Path) -> None:
    """Write zoo results as MTEB result JSON.

    Plain encoders with exact search fill the main slot; chains and approximate backends go to experiments/.
    """
    from harness.mteb.export import export_results
    from harness.results import ResultStore

    results = []
    for folder in result_dirs or (Path("results"),):
        if not folder.is_dir():
            raise ZooError(f"no result folder {str(folder)!r}: run `zoo bench -o {folder}` first, "
                           "or name one with --results")
        results.extend(ResultStore(folder))
    if not results:
        raise ZooError("no results to export: run `zoo bench` first")
    paths = export_results(results, out)
    click.echo(f"{len(results)} results as {len(paths)} MTEB result files in {out}/")


@mteb_command.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("results"),
              show_default=True, help="Result folder to add the imported results to.")
def import_command(folder: Path, out: Path) -> None:
    """Add MTEB results to a zoo result folder.

    Each result is marked as imported; results already in the folder are kept as they are.
    """
    from harness.mteb.importer import import_results
    from harness.results import ResultStore

    store = ResultStore(out)
    present = {result.run_id for result in store} if out.is_dir() else set()
    imported = import_results(folder)
    fresh = [result for result in imported if result.run_id not in present]
    for result in fresh:
        store.write(result)
    kept = len(imported) - len(fresh)
    note = f"; {kept} already there (a zoo run or an earlier import), kept as they were" if kept else ""
    click.echo(f"imported {len(fresh)} results from {folder} into {out}/{note}")
