"""``zoo bench``: run encoders on tasks through search backends, print main scores, write results."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterable

import click

from zoo.cli.table import fmt, format_table
from zoo.errors import ZooError


def _names(values: Iterable[str]) -> list[str]:
    """Accept both repeated options and comma-separated lists."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _backend_names(values: Iterable[str]) -> list[str]:
    """As ``_names``, keeping a search option's comma-separated values with their backend."""
    from zoo.options import split_backend_list

    return [name for value in values for name in split_backend_list(value)]


@click.command()
@click.option(
    "-m",
    "--model",
    "models",
    multiple=True,
    metavar="NAME",
    help="Encoder name, alias, hf:<repo>, or model folder; repeat or comma-separate. "
    "Default: the offline default models.",
)
@click.option(
    "-t",
    "--task",
    "tasks",
    multiple=True,
    metavar="NAME",
    help="Task name or a BEIR folder; repeat or comma-separate. Default: the default tasks.",
)
@click.option(
    "-s",
    "--suite",
    "suites",
    multiple=True,
    metavar="NAME",
    help="Run a suite's tasks too: a registered suite (zoo-offline, zoo-offline@1; see `zoo list "
    "suites`) or one of mteb's benchmarks, mteb:<name> (e.g. 'mteb:MTEB(eng, v2)').",
)
@click.option(
    "-b",
    "--backend",
    "backends",
    multiple=True,
    metavar="NAME",
    help="Search backend(s) for retrieval tasks; each reuses the same embeddings. Several values of "
    "a search option are operating points on one index ('hnsw?ef_search=16,64,256'); "
    "'hnsw?recall=0.95' picks the smallest ef_search reaching that recall.  [default: exact]",
)
@click.option(
    "-p",
    "--post",
    "chains",
    multiple=True,
    metavar="CHAIN",
    help="Post-processor chain, steps joined by '+', options as ?k=v&k=v, e.g. "
    "'matryoshka?dim=128+binary?rescore=4'; repeat for several. The plain encoder runs too.",
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=None,
    metavar="K",
    help="Hits retrieved per query by search tasks, exact and approximate alike (e.g. 100 for "
    "retrieve-then-rerank). Cutoffs beyond it are not scored.  [default: approximate backends "
    "search as deep as the main metric's cutoff (10 for nDCG@10), as a deployment would; "
    "exact search goes to each task's deepest cutoff (1000 for retrieval), the reference "
    "for recall]",
)
@click.option(
    "--fit-on",
    default="corpus",
    show_default=True,
    metavar="SOURCE",
    help="Where post-processor chains are fit, recorded in each result: corpus (the task's own "
    "inputs: transductive), task:<name>, or file:<path> (one text per line).",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("results"),
    show_default=True,
    help="Result folder: one JSON file per run.",
)
@click.option(
    "--leaderboard",
    "leaderboard_page",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Page to rebuild from the result folder after the run.  [default: "
    "OUT/index.html, so a run never rewrites the committed leaderboards/ page]",
)
@click.option("--no-leaderboard", "no_leaderboard", is_flag=True, help="Do not rebuild the page.")
@click.option(
    "--cache/--no-cache",
    "use_cache",
    default=True,
    show_default=True,
    help="Reuse embeddings from the disk cache (see `zoo cache info`) and store new ones.",
)
@click.option("--progress/--no-progress", default=True, help="Show progress bars on a terminal.")
@click.option(
    "--chance/--no-chance",
    default=True,
    show_default=True,
    help="Measure each task's chance level (seeded random vectors; the majority class where that "
    "is higher), kept in OUT/chance/, and mark results not significantly above it.",
)
@click.option(
    "--allow-untrained",
    is_flag=True,
    help="Put results of untrained weights on the rebuilt page too (left off otherwise).",
)
# --- engine: where encoding runs (harness.engines) ---
@click.option(
    "--engine",
    "engine_name",
    default="local",
    show_default=True,
    metavar="local|ray",
    help="Where encoding and exact search run: this process, or Ray workers (pip install "
    "'embedding-zoo[ray]'). Scores are the same; the engine is recorded with each result.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Ray workers, each loading the encoder once (one GPU each where the cluster has GPUs) and "
    "searching one shard of the corpus with exact search.  "
    "[default: 1]",
)
@click.option(
    "--ray-address",
    default=None,
    metavar="HOST:PORT",
    help="Join this Ray cluster (`ray start --head` prints it; RAY_ADDRESS also works).  "
    "[default: a local Ray instance for the run]",
)
# --- end engine ---
def bench(
    models: tuple[str, ...],
    tasks: tuple[str, ...],
    suites: tuple[str, ...],
    backends: tuple[str, ...],
    chains: tuple[str, ...],
    depth: int | None,
    fit_on: str,
    out: Path,
    leaderboard_page: Path | None,
    no_leaderboard: bool,
    use_cache: bool,
    progress: bool,
    engine_name: str,
    workers: int | None,
    ray_address: str | None,
    chance: bool,
    allow_untrained: bool,
) -> None:
    """Benchmark encoders on tasks. With no options: the offline default run."""
    from zoo.cli.main import registry

    if not progress:
        os.environ["TQDM_DISABLE"] = "1"  # also quiets the bars of the libraries underneath
    reg = registry()
    encoder_specs = [reg.encoder(n) for n in _names(models)] or [s for s in reg.encoders if s.default]
    suite_specs = _suites(reg, suites)
    task_names = _names(tasks) + [name for suite in suite_specs for name in suite.tasks]
    task_specs = [_task(reg, n) for n in task_names] or [s for s in reg.tasks if s.default]
    backend_specs = [_backend(reg, n) for n in _backend_names(backends) or ["exact"]]
    encoder_specs, task_specs, backend_specs = (_unique(encoder_specs), _unique(task_specs), _unique(backend_specs))
    if not any(spec.exact for spec in backend_specs):
        reference = next((spec for spec in reg.backends if spec.exact), None)
        if reference is not None:  # approximate results are reported against exact search
            click.echo(f"adding {reference.name!r} search as the reference for approximate backends", err=True)
            backend_specs.insert(0, reference)
    if not encoder_specs or not task_specs:
        raise ZooError("nothing to run: name a --model and a --task (see `zoo list`)")
    _check_something_runs(reg, encoder_specs, task_specs)

    from harness.chain import parse_chain
    from harness.results import ResultStore
    from harness.runner import BenchmarkRun

    from harness.fitting import parse_fit_source

    parsed_chains = [parse_chain(text, reg.postprocessor) for text in _names(chains)]
    parse_fit_source(fit_on)  # a bad source fails before anything is encoded
    from harness.data.paths import writable_folder

    writable_folder(out)  # and an output folder that cannot be written, before the work that fills it
    if not no_leaderboard and leaderboard_page is not None:
        writable_folder(leaderboard_page.parent or Path("."), "--leaderboard")
    engine = _engine(engine_name, workers, ray_address)
    started = time.perf_counter()
    from zoo.cache import EmbeddingCache

    run = BenchmarkRun(
        encoder_specs,
        task_specs,
        backend_specs,
        ResultStore(out),
        chains=parsed_chains,
        cache=EmbeddingCache() if use_cache else None,
        progress=progress,
        depth=depth,
        fit_on=fit_on,
        on_result=_report,
        engine=engine,
        chance=chance,
        sources=reg.source,
    )
    try:
        results = run.run()
    finally:
        engine.close()
    click.echo()
    click.echo(summary_table(results))
    if suite_specs:
        from harness.suites import suite_report

        click.echo("\n" + "\n".join(suite_report(reg, suite_specs, results)))
    click.echo(f"\n{len(results)} results in {out}/ ({time.perf_counter() - started:.1f} s)")
    if not no_leaderboard and results:
        from harness.commands.leaderboard import refresh_leaderboard

        if all(r.untrained for r in results) and not allow_untrained:
            click.echo(
                "leaderboard: not rebuilt: every result comes from untrained weights "
                "(--allow-untrained puts them on the page)"
            )
            return
        page = refresh_leaderboard([out], leaderboard_page or out / "index.html", allow_untrained=allow_untrained)
        click.echo(f"leaderboard: {page}")


def _engine(name: str, workers: int | None, address: str | None):  # noqa: ANN202
    """The encoding engine; Ray's options only with ``--engine ray``."""
    from harness.engines import get_engine

    if name != "ray" and (workers is not None or address):
        raise ZooError("--workers and --ray-address need --engine ray: the local engine encodes in this process")
    return get_engine(name, workers=workers or 1, address=address) if name == "ray" else get_engine(name)


def _check_something_runs(reg, encoders: list, tasks: list) -> None:  # noqa: ANN001
    """Refuse a run in which no encoder takes a task's modalities, naming registered encoders that do."""
    from harness.runner import encodes

    if any(encodes(e, t) for e in encoders for t in tasks):
        return
    task = tasks[0]
    needs = "+".join(task.modalities)
    able = [s.name for s in reg.encoders if encodes(s, task)]
    given = ", ".join(f"{e.name} encodes {'+'.join(e.modalities)}" for e in encoders[:3])
    hint = (
        f"e.g. --model {able[0]}" + (f" (or {', '.join(able[1:4])})" if able[1:] else "")
        if able
        else "no installed plugin offers one"
    )
    raise ZooError(
        f"task {task.name!r} needs an encoder of {needs} and none was given ({given}): {hint}; see `zoo list encoders`"
    )


def _unique(specs: list) -> list:
    """Drop repeats (a name and its alias name the same spec)."""
    return list({spec.name: spec for spec in specs}.values())


def _backend(reg, text: str):  # noqa: ANN001, ANN202
    """A backend spec, with ``?k=v`` options bound into its factory, operating points or a recall target."""
    from zoo.options import bind_backend_options, split_options

    name, query = split_options(text)
    spec = reg.backend(name)
    return bind_backend_options(spec, query) if query else spec


def _suites(reg, names: tuple[str, ...]) -> list:  # noqa: ANN001
    """The named suites (each name whole: mteb's benchmark names hold commas)."""
    from harness.suites import resolve_suite

    return [resolve_suite(reg, name.strip()) for name in names if name.strip()]


def _task(reg, name: str):  # noqa: ANN001, ANN202
    spec = reg.tasks.find(name)
    if spec is not None:
        return spec
    if name.startswith("mteb:"):  # any mteb text task, loaded by mteb (harness.mteb.source)
        from harness.mteb.source import mteb_task_spec

        return mteb_task_spec(name)
    if name.startswith("hf:"):  # a Hugging Face dataset with a column mapping (harness.data.hf_source)
        from harness.data.hf_source import hf_task_spec

        return hf_task_spec(name)
    folder = Path(name)
    if folder.is_dir():  # a BEIR folder or one of the documented task folder layouts
        from harness.data.folders import folder_task_spec

        return folder_task_spec(folder)
    return reg.task(name)  # raises with suggestions


def _report(result, path: Path) -> None:  # noqa: ANN001
    point = " ".join(filter(None, [result.backend, operating_point(result)]))
    target, tuned_on = result.backend_params.get("target_recall"), result.backend_params.get("tuned_on")
    point += f", the least reaching recall {target} on {tuned_on or 'a sample'}" if target is not None else ""
    backend = f" [{point}]" if result.backend else ""
    chain = f" +{'+'.join(result.chain)}" if result.chain else ""
    speed = result.items_per_second
    cost = f"{result.items_encoded} items encoded in {result.encode_seconds:.1f} s"
    cost += f", {speed:.0f}/s" if speed else ""
    cost += f", model load {result.load_seconds:.1f} s" if result.load_seconds else ""
    cost += f", on {result.engine}" if result.engine != "local" else ""
    cost += f"; {result.items_cached} from the cache" if result.items_cached else ""
    interval = result.interval
    spread = f" [{interval['low']:.4f}, {interval['high']:.4f}]" if interval else ""
    click.echo(
        f"{result.encoder}{chain} on {result.task}{backend}: {result.main_metric} = "
        f"{result.main_score:.4f}{spread}{chance_note(result)}  ({cost})",
        err=True,
    )


def at_chance(result) -> bool:  # noqa: ANN001
    return bool(result.chance.get("at_chance"))


def chance_note(result) -> str:  # noqa: ANN001
    """`` AT CHANCE (random vectors ... 0.0308)`` where a result is not significantly above chance."""
    if not at_chance(result):
        return ""
    return f" AT CHANCE ({result.chance['baseline']}: {result.chance['score']:.4f})"


def row_label(result) -> str:  # noqa: ANN001
    return " +".join([result.encoder, *result.chain])


def operating_point(result) -> str:  # noqa: ANN001
    """``ef_search=64``: the value of the search option a result was searched at ("" where none)."""
    option = result.backend_params.get("search_option")
    return f"{option}={result.backend_params.get(option)}" if option else ""


def summary_table(results) -> str:  # noqa: ANN001
    """Encoders as rows, task (and backend, where several ran) as columns, main scores in cells."""
    points = {(r.backend, operating_point(r)) for r in results if r.backend}
    swept = {backend for backend, _ in points if sum(1 for b, _ in points if b == backend) > 1}
    several_backends = len(points) > 1
    columns: dict[tuple[str, str | None], str] = {}
    cells: dict[tuple[str, tuple[str, str | None]], str] = {}
    for r in results:
        backend = f"{r.backend} {operating_point(r)}" if r.backend in swept else r.backend
        column = (r.task, backend if several_backends else None)
        label = f"{r.task} [{backend}]" if several_backends and backend else r.task
        columns.setdefault(column, f"{label}\n{r.main_metric}")
        cells[(row_label(r), column)] = fmt(r.main_score) + (" (chance)" if at_chance(r) else "")
    encoders = list(dict.fromkeys(row_label(r) for r in results))
    header_lines = [label.split("\n") for label in columns.values()]
    header = ["encoder", *(lines[0] for lines in header_lines)]
    metric_row = ["", *(lines[1] for lines in header_lines)]
    rows = [metric_row] + [[enc, *(cells.get((enc, col), "") for col in columns)] for enc in encoders]
    table = format_table(header, rows)
    if any(at_chance(r) for r in results):
        table += "\n(chance): not significantly above the task's chance level (paired randomization test, p >= 0.05)"
    return table
