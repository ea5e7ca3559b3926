"""The zoo command line: listing, benchmarking, scoring run files, and every error path."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import TINY_BEIR
from zoo.cli.main import build_cli, registry


def zoo(*args: str) -> Result:
    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)


def test_list_shows_every_kind():
    result = zoo("list")
    assert result.exit_code == 0
    for expected in ("encoders (", "all-minilm-l6-v2", "tasks (", "icd10cm-small", "backends (", "exact"):
        assert expected in result.output


def test_list_one_kind():
    result = zoo("list", "tasks")
    assert result.exit_code == 0 and "lee-sts" in result.output and "encoders (" not in result.output


def test_list_and_help_import_no_torch():
    code = (
        "import sys; from zoo.cli.main import build_cli; from click.testing import CliRunner; "
        "r = CliRunner().invoke(build_cli(), ['list']); assert r.exit_code == 0, r.output; "
        "r = CliRunner().invoke(build_cli(), ['--help']); assert r.exit_code == 0; "
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'mteb', 'pandas', 'numpy') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_bench_on_a_beir_folder_writes_results(tmp_path: Path):
    result = zoo(
        "bench", "--model", "hashing-bow-256", "--task", str(TINY_BEIR), "--out", str(tmp_path), "--no-progress"
    )
    assert result.exit_code == 0, result.output
    assert "tiny-beir" in result.output and "ndcg_at_10" in result.output
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 1
    data = json.loads(files[0].read_text())
    assert data["encoder"] == "hashing-bow-256" and data["backend"] == "exact"
    assert data["main_score"] == data["scores"]["ndcg_at_10"]
    assert 0 < data["main_score"] <= 1
    assert data["items_encoded"] == 13  # 8 documents + 5 queries, each once


def test_default_run_uses_default_specs(tmp_path: Path):
    """`zoo bench` with no arguments runs every default encoder on every default task."""
    from harness.tasks.builtin import beir_folder_spec

    reg = registry()
    tiny = dataclasses.replace(beir_folder_spec(TINY_BEIR), default=True)
    for name, spec in list(reg.tasks.specs.items()):
        reg.tasks.specs[name] = dataclasses.replace(spec, default=False)
    reg.tasks.specs[tiny.name] = tiny
    reg.tasks.owners[tiny.name] = "test"
    for name, spec in list(reg.encoders.specs.items()):
        reg.encoders.specs[name] = dataclasses.replace(spec, default=name == "hashing-bow-256")
    result = zoo("bench", "--out", str(tmp_path), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "hashing-bow-256" in result.output and "tiny-beir" in result.output


def test_several_backends_share_one_encoding(tmp_path: Path):
    result = zoo(
        "bench", "-m", "hashing-bow-256", "-t", str(TINY_BEIR), "-b", "exact,flat", "-o", str(tmp_path), "--no-progress"
    )
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("*.json"))) == 1  # flat is an alias of exact: same run, same file


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bench", "-m", "all-minilm-l6", "-t", "lee-sts"], "did you mean 'all-minilm-l6-v2'"),
        (["bench", "-m", "hashing-bow-256", "-t", "no-such-task"], "unknown task 'no-such-task'"),
        (["bench", "-m", "hashing-bow-256", "-t", "lee-sts", "-b", "hnws"], "unknown backend 'hnws'"),
    ],
)
def test_unknown_names_give_one_line_and_exit_2(args: list[str], message: str):
    result = CliRunner().invoke(build_cli(), args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0  # one line


def test_bad_beir_folder_is_one_line(tmp_path: Path):
    (tmp_path / "corpus.jsonl").write_text('{"_id": "d1", "text": "x"}\n{broken\n')
    (tmp_path / "queries.jsonl").write_text('{"_id": "q1", "text": "x"}\n')
    (tmp_path / "qrels").mkdir()
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    result = CliRunner().invoke(
        build_cli(),
        ["bench", "-m", "hashing-bow-256", "-t", str(tmp_path), "-o", str(tmp_path / "out"), "--no-progress"],
    )
    assert result.exit_code == 2
    assert "corpus.jsonl:2:" in result.output
    assert "Traceback" not in result.output


def test_eval_run_scores_a_trec_run(tmp_path: Path):
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("q1 0 d1 1\nq1 0 d2 0\nq2 0 d3 2\n")
    run = tmp_path / "run.txt"
    run.write_text("q1 Q0 d2 1 2.0 t\nq1 Q0 d1 2 1.0 t\nq2 Q0 d3 1 5.0 t\n")
    result = zoo("eval-run", "--qrels", str(qrels), "--run", str(run), "--k", "1,10", "--json")
    assert result.exit_code == 0, result.output
    means = json.loads(result.output)["mean"]
    assert means["mrr_at_10"] == pytest.approx((1 / 2 + 1) / 2)
    assert means["precision_at_1"] == pytest.approx(0.5)


def test_eval_run_bad_file_is_one_line(tmp_path: Path):
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("q1 0 d1\n")
    run = tmp_path / "run.txt"
    run.write_text("q1 Q0 d1 1 1.0 t\n")
    result = CliRunner().invoke(build_cli(), ["eval-run", "--qrels", str(qrels), "--run", str(run)])
    assert result.exit_code == 2 and "qrels.txt:1:" in result.output


def test_plugin_commands_are_added(fake_distribution):
    fake_distribution(
        "zoo_fake_command",
        """
        import click
        from zoo import hookimpl

        @hookimpl
        def register_commands(cli):
            @cli.command()
            def hello():
                click.echo("hello from a plugin")
    """,
    )
    assert "hello from a plugin" in zoo("hello").output


def test_eval_run_equals_pytrec_eval_on_random_files(tmp_path: Path):
    import numpy as np
    import pytrec_eval

    rng = np.random.default_rng(7)
    qrels = {f"q{q}": {f"d{d}": int(rng.integers(0, 4)) for d in rng.choice(60, 8, replace=False)} for q in range(25)}
    run = {q: {f"d{d}": float(np.round(rng.random(), 1)) for d in rng.choice(60, 30, replace=False)} for q in qrels}
    (tmp_path / "qrels.txt").write_text(
        "".join(f"{q} 0 {d} {g}\n" for q, docs in qrels.items() for d, g in docs.items())
    )
    (tmp_path / "run.txt").write_text(
        "".join(
            f"{q} Q0 {d} {rank} {s} t\n" for q, docs in run.items() for rank, (d, s) in enumerate(docs.items(), start=1)
        )
    )
    result = zoo(
        "eval-run",
        "--qrels",
        str(tmp_path / "qrels.txt"),
        "--run",
        str(tmp_path / "run.txt"),
        "--k",
        "5,10,20",
        "--json",
    )
    ours = json.loads(result.output)["mean"]
    measures = {"ndcg_cut.5,10,20", "map_cut.5,10,20", "recall.5,10,20", "P.5,10,20"}
    per_query = pytrec_eval.RelevanceEvaluator(qrels, measures).evaluate(run)
    names = {"ndcg": "ndcg_cut", "map": "map_cut", "recall": "recall", "precision": "P"}
    for ours_name, trec_name in names.items():
        for k in (5, 10, 20):
            expected = np.mean([values[f"{trec_name}_{k}"] for values in per_query.values()])
            assert ours[f"{ours_name}_at_{k}"] == pytest.approx(expected, abs=1e-6)


def test_a_second_run_takes_embeddings_from_the_cache(tmp_path: Path):
    args = ["bench", "-m", "hashing-bow-256", "-t", str(TINY_BEIR), "--no-progress"]
    first = zoo(*args, "-o", str(tmp_path / "a"))
    second = zoo(*args, "-o", str(tmp_path / "b"), "-p", "int8")
    assert "13 from the cache" not in first.output and "13 from the cache" in second.output
    (a,) = [json.loads(p.read_text()) for p in (tmp_path / "a").glob("*.json")]
    b = [json.loads(p.read_text()) for p in (tmp_path / "b").glob("*.json")]
    plain = next(r for r in b if not r["chain"])
    assert plain["main_score"] == a["main_score"] and plain["items_encoded"] == 0
    info = zoo("cache", "info").output
    assert "hashing-bow-256" in info
