"""``zoo compare A.json B.json``: is B's main score different from A's beyond chance, item by item?"""

from __future__ import annotations

import json
from pathlib import Path

import click

from zoo.errors import ZooError

# what two results must share for their items to be the same items
SAME = (("task", "task"), ("split", "split"), ("data_fingerprint", "data"), ("main_metric", "main metric"))


@click.command("compare")
@click.argument("result_a", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("result_b", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--level",
    type=click.FloatRange(0.5, 0.999),
    default=0.95,
    show_default=True,
    help="Confidence level of the intervals.",
)
@click.option(
    "--resamples",
    type=click.IntRange(min=100),
    default=2000,
    show_default=True,
    help="Bootstrap draws for the intervals.",
)
@click.option(
    "--permutations",
    type=click.IntRange(min=100),
    default=10_000,
    show_default=True,
    help="Draws of the randomization test (every assignment, exactly, where there are fewer).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of both; the same seed, the same figures.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def compare(
    result_a: Path, result_b: Path, level: float, resamples: int, permutations: int, seed: int, as_json: bool
) -> None:
    """Compare two results of one task: a paired randomization test and the bootstrap interval of B - A.

    Both results must come from the same task, split and data (their data fingerprints agree) and keep
    their per-item scores beside them (results written by `zoo bench` do).
    """
    from harness.results import read_result_items
    from harness.significance import ALPHA, bootstrap_interval, compare as compare_items

    (a, items_a), (b, items_b) = read_result_items(result_a), read_result_items(result_b)
    check_comparable(a, b, result_a, result_b)
    for items, path in ((items_a, result_a), (items_b, result_b)):
        if items is None:
            raise ZooError(
                f"{path} keeps no per-item scores (written before they were kept, or its task "
                "gives none): re-run it with `zoo bench` to compare it"
            )
    assert items_a is not None and items_b is not None
    found = compare_items(items_a, items_b, level=level, resamples=resamples, permutations=permutations, seed=seed)
    intervals = [bootstrap_interval(items, level=level, resamples=resamples, seed=seed) for items in (items_a, items_b)]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "task": a.task,
                    "main_metric": a.main_metric,
                    "n": found.n_items,
                    "unit": found.unit,
                    "a": {"file": str(result_a), "label": label(a), "score": found.score_a, **intervals[0].to_dict()},
                    "b": {"file": str(result_b), "label": label(b), "score": found.score_b, **intervals[1].to_dict()},
                    "difference": found.difference,
                    "difference_interval": found.interval.to_dict(),
                    "p_value": found.p_value,
                    "permutations": permutations,
                    "significant": found.significant,
                    "alpha": ALPHA,
                },
                indent=2,
            )
        )
        return
    percent = f"{level:.0%}"
    click.echo(f"{a.task} ({a.main_metric}), {found.n_items} {plural(found.unit)}, paired one by one")
    width = max(len(label(a)), len(label(b)))
    for name, result, score, interval in (("A", a, found.score_a, intervals[0]), ("B", b, found.score_b, intervals[1])):
        click.echo(f"  {name}  {label(result):<{width}}  {score:.4f}  {percent} {interval}")
    click.echo(
        f"  B - A  {found.difference:+.4f}  {percent} {found.interval}  (paired bootstrap, "
        f"{resamples} draws, seed {seed})"
    )
    click.echo(f"  paired randomization test: p = {found.p_value:.4g} ({permutations} draws, seed {seed})")
    click.echo(verdict(found.p_value, found.difference, ALPHA))


def check_comparable(a, b, path_a: Path, path_b: Path) -> None:  # noqa: ANN001 - TaskResults
    """A one-line ZooError where the two results did not score the same items."""
    for field, words in SAME:
        if getattr(a, field) != getattr(b, field):
            raise ZooError(
                f"{path_a.name} and {path_b.name} differ in {words} ({getattr(a, field)} vs "
                f"{getattr(b, field)}): compare two results of one task on the same data"
            )


def label(result) -> str:  # noqa: ANN001 - a TaskResult
    """``encoder +chain [backend]``: what ran."""
    chain = "".join(f" +{step}" for step in result.chain)
    return f"{result.encoder}{chain}" + (f" [{result.backend}]" if result.backend else "")


def plural(unit: str) -> str:
    return unit[:-1] + "ies" if unit.endswith("y") else unit + "s"


def verdict(p_value: float, difference: float, alpha: float) -> str:
    if p_value < alpha:
        return f"B is significantly {'better' if difference > 0 else 'worse'} than A (p < {alpha})."
    return f"A and B are not separable at the {alpha} level: the difference may be chance."
