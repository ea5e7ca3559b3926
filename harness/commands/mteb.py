"""``zoo mteb``: results to and from MTEB's result folders (``{model}/{revision}/{Task}.json``)."""

from __future__ import annotations

from pathlib import Path

import click

from zoo.errors import ZooError


@click.group("mteb")
def mteb_command() -> None:
    """Exchange results with MTEB: export ours as MTEB result JSON, import MTEB result folders."""


@mteb_command.command("export")
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
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("mteb-results"),
    show_default=True,
    help="MTEB results folder to write into.",
)
def export_command(result_dirs: tuple[Path, ...], out: Path) -> None:
    """Write zoo results as MTEB result JSON.

    Plain encoders with exact search fill the main slot; chains and approximate backends go to experiments/.
    """
    from harness.mteb.export import export_results
    from harness.results import ResultStore

    results = []
    for folder in result_dirs or (Path("results"),):
        if not folder.is_dir():
            raise ZooError(
                f"no result folder {str(folder)!r}: run `zoo bench -o {folder}` first, or name one with --results"
            )
        results.extend(ResultStore(folder))
    if not results:
        raise ZooError("no valid results to export (any skipped are named above): run `zoo bench` first")
    paths = export_results(results, out)
    click.echo(f"{len(results)} results as {len(paths)} MTEB result files in {out}/")


@mteb_command.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("results"),
    show_default=True,
    help="Result folder to add the imported results to.",
)
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


@mteb_command.command("parity")
@click.option(
    "-m",
    "--model",
    "model",
    default="wordllama-l2-256",
    show_default=True,
    metavar="NAME",
    help="The encoder whose vectors both sides score (taken from the embedding cache where cached).",
)
@click.option(
    "-t",
    "--task",
    "tasks",
    multiple=True,
    metavar="NAME",
    help="A classification, clustering, STS, pair classification or reranking task; repeat for "
    "several.  [default: the offline ones: icd10cm-chapters, icd10cm-blocks, lee-sts, "
    "icd10cm-pairs, icd10cm-rerank]",
)
@click.option(
    "--tolerance",
    type=float,
    default=1e-4,
    show_default=True,
    help="The largest difference allowed on any metric both report; exit code 1 beyond it.",
)
def parity_command(model: str, tasks: tuple[str, ...], tolerance: float) -> None:
    """Score tasks with zoo and with mteb's own evaluators on the same vectors; print the differences."""
    from harness.mteb.parity import OFFLINE_TASKS, parity_table
    from zoo.cli.main import registry
    from zoo.cli.table import format_table

    reg = registry()
    header, rows, worst = parity_table(reg.encoder(model), [reg.task(name) for name in tasks or OFFLINE_TASKS])
    click.echo(format_table(header, rows))
    if worst > tolerance:
        raise click.exceptions.Exit(1)
