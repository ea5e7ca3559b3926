"""``zoo eval-run``: score a TREC run file against qrels with the harness's trec_eval-exact metrics."""

from __future__ import annotations

import json
from pathlib import Path

import click

from zoo.cli.table import fmt, format_table


@click.command("eval-run")
@click.option(
    "--qrels",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Relevance judgments: TREC 'qid 0 docid grade' or BEIR 'query-id corpus-id score' TSV.",
)
@click.option(
    "--run",
    "run_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="TREC run file: 'qid Q0 docid rank score tag'.",
)
@click.option(
    "-k", "--k", "k_values", default="1,3,5,10,20,100,1000", show_default=True, help="Cut-offs, comma-separated."
)
@click.option("--ignore-identical-ids", is_flag=True, help="Drop hits whose doc id equals the query id.")
@click.option("--per-query", is_flag=True, help="Also print each query's scores.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def eval_run(
    qrels: Path, run_path: Path, k_values: str, ignore_identical_ids: bool, per_query: bool, as_json: bool
) -> None:
    """Score a run file: nDCG, MAP, recall, precision and MRR at each k, as trec_eval computes them."""
    from harness.metrics import MEASURES, per_query_retrieval_scores, retrieval_scores
    from harness.trec import parse_cutoffs, read_qrels, read_run

    ks = parse_cutoffs(k_values)
    qrels_data = read_qrels(qrels)
    run_data = read_run(run_path)
    means = retrieval_scores(qrels_data, run_data, ks, ignore_identical_ids=ignore_identical_ids)
    queries = (
        per_query_retrieval_scores(qrels_data, run_data, ks, ignore_identical_ids=ignore_identical_ids)
        if per_query
        else {}
    )
    if as_json:
        click.echo(json.dumps({"mean": means, **({"per_query": queries} if per_query else {})}, indent=2))
        return
    rows = [[m, *(fmt(means[f"{m}_at_{k}"]) for k in ks)] for m in MEASURES]
    click.echo(format_table(["measure", *(f"@{k}" for k in ks)], rows))
    for qid, values in queries.items():
        click.echo(f"\n{qid}")
        click.echo(
            format_table(
                ["measure", *(f"@{k}" for k in ks)], [[m, *(fmt(values[f"{m}_at_{k}"]) for k in ks)] for m in MEASURES]
            )
        )
