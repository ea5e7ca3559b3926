"""The leaderboard: numbers equal the result files', honest means, ranks under exact and HNSW, escaping."""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.leaderboard import load_leaderboard, write_leaderboard
from harness.leaderboard.export import markdown_text, to_csv, to_markdown
from harness.leaderboard.page import SCRIPT_PARTS, asset, page_script, render_page, script_json
from harness.leaderboard.payload import build_payload
from harness.leaderboard.rank import shifts
from harness.leaderboard.table import OVERALL, main_table, scores
from harness.results import ResultStore, TaskResult
from tests.conftest import TINY_BEIR

HOSTILE = "<script>alert(1)</script>|&\"'`*_[x](y)"


def make_result(
    task: str = "r1", encoder: str = "enc-a", score: float = 0.5, backend: str | None = "exact", **changes
) -> TaskResult:
    """A complete result with plausible figures; ``changes`` overrides any field."""
    values = dict(
        task=task,
        task_type="sts" if backend is None else "retrieval",
        task_version="1",
        split="test",
        data_fingerprint=f"data-{task}",
        encoder=encoder,
        encoder_fingerprint=f"fp-{encoder}",
        dim=8,
        similarity="cosine",
        backend=backend,
        backend_params={} if backend is None else {"M": 16},
        main_metric="cosine_spearman" if backend is None else "ndcg_at_10",
        main_score=score,
        scores={"ndcg_at_10": score, "recall_at_10": min(1.0, score + 0.1)} if backend else {"cosine_spearman": score},
        encode_seconds=2.0,
        items_encoded=100,
        bytes_per_vector=32,
        n_queries=None if backend is None else 10,
        n_documents=None if backend is None else 50,
        search_seconds=None if backend is None else 0.5,
        latency_p50_ms=None if backend is None else 1.0,
        latency_p99_ms=None if backend is None else 3.0,
        index_bytes=None if backend is None else 1600,
        date="2025-01-01T00:00:00+00:00",
    )
    values.update(changes)
    return TaskResult(**values)


def sample_results() -> list[TaskResult]:
    """Three encoders, one chain, one hostile name, one incomplete row; exact and hnsw on two search tasks."""
    exact = {"enc-a": (0.9, 0.7), "enc-b": (0.8, 0.75), "enc-c": (0.6, None), HOSTILE: (0.5, 0.4)}
    hnsw = {"enc-a": (0.7, 0.6), "enc-b": (0.78, 0.74), "enc-c": (0.59, None), HOSTILE: (0.5, 0.4)}
    sts = {"enc-a": 0.3, "enc-b": 0.2, "enc-c": 0.1, HOSTILE: 0.25}
    results = []
    for encoder in exact:
        for i, task in enumerate(("r1", "r2")):
            if exact[encoder][i] is None:
                continue
            results.append(make_result(task, encoder, exact[encoder][i]))
            vs = {
                "recall_at_10": 0.9,
                "recall_at_100": 0.95,
                "exact_main_score": exact[encoder][i],
                "main_score_delta": hnsw[encoder][i] - exact[encoder][i],
            }
            results.append(
                make_result(
                    task, encoder, hnsw[encoder][i], "hnsw", vs_exact=vs, backend_params={"M": 16, "ef_search": 64}
                )
            )
        results.append(make_result("s1", encoder, sts[encoder], None))
    for task, score, base in (("r1", 0.81, 0.9), ("r2", 0.63, 0.7)):
        results.append(
            make_result(
                task,
                "enc-a",
                score,
                chain=("int8",),
                bytes_per_vector=8,
                vs_float={"float_main_score": base, "retained": score / base},
            )
        )
    results.append(make_result("s1", "enc-a", 0.27, None, chain=("int8",), bytes_per_vector=8))
    return results


@pytest.fixture
def store(tmp_path: Path) -> ResultStore:
    store = ResultStore(tmp_path / "results")
    for result in sample_results():
        store.write(result)
    return store


def test_cells_equal_the_result_files(store: ResultStore):
    lb = load_leaderboard([store])
    checked = 0
    for path in store.folder.glob("*.json"):
        data = json.loads(path.read_text())
        ef = data["backend_params"].get("ef_search")
        views = [f"{data['backend']}?ef_search={ef}" if ef else data["backend"]] if data["backend"] else lb.views
        label = " + ".join([data["encoder"], "+".join(data["chain"])]) if data["chain"] else data["encoder"]
        for view in views:
            assert scores(lb, view).at[label, data["task"]] == data["main_score"]
            checked += 1
    assert checked == len(sample_results()) + 5  # the five STS results show under both views
    assert lb.views == ["exact", "hnsw?ef_search=64"]
    assert lb.approximate == {"exact": False, "hnsw?ef_search=64": True}


def test_bench_output_round_trips(tmp_path: Path):
    from zoo.cli.main import build_cli

    out = tmp_path / "results"
    result = CliRunner().invoke(
        build_cli(),
        ["bench", "-m", "hashing-bow-256", "-t", str(TINY_BEIR), "-o", str(out), "--no-progress"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(next(out.glob("*.json")).read_text())
    frame, _ = main_table(load_leaderboard([out]), "exact")
    assert frame.at["hashing-bow-256", "score:tiny-beir"] == data["main_score"]
    assert frame.at["hashing-bow-256", "bytes_per_vector"] == data["bytes_per_vector"]
    assert frame.at["hashing-bow-256", "items_per_second"] == pytest.approx(data["items_per_second"])
    assert f"leaderboard: {out / 'index.html'}" in result.output and (out / "index.html").is_file()
    assert not (tmp_path / "leaderboards").exists()  # the committed page is zoo leaderboard's alone


def test_means_only_over_complete_rows(store: ResultStore):
    frame, _ = main_table(load_leaderboard([store]), "exact")
    assert frame.at["enc-a", f"mean:{OVERALL}"] == pytest.approx((0.9 + 0.7 + 0.3) / 3)
    assert frame.at["enc-a", "mean:retrieval · text"] == pytest.approx(0.8)
    # enc-c has no r2 result: no mean, the count says so, and it is ranked nowhere
    assert math.isnan(frame.at["enc-c", f"mean:{OVERALL}"])
    assert math.isnan(frame.at["enc-c", "mean:retrieval · text"])
    assert frame.at["enc-c", f"tasks:{OVERALL}"] == "2/3"
    assert frame.at["enc-c", "tasks:retrieval · text"] == "1/2"
    assert frame.at["enc-c", "mean:sts · text"] == pytest.approx(0.1)
    assert math.isnan(frame.at["enc-c", "rank"]) and frame.at["enc-a", "rank"] == 1


def test_suite_means_only_over_rows_with_every_task_of_the_suite(store: ResultStore):
    suites = {"pair@1": ("r2", "s1"), "elsewhere@1": ("r1", "not-on-the-board")}
    lb = load_leaderboard([store], suites=suites)
    assert lb.suites == {"pair@1": ("r2", "s1")}  # a suite with a task nobody ran gets no column
    frame, columns = main_table(lb, "exact")
    assert frame.at["enc-b", "mean:suite pair@1"] == pytest.approx((0.75 + 0.2) / 2)
    assert math.isnan(frame.at["enc-c", "mean:suite pair@1"])  # enc-c has s1 but no r2
    assert frame.at["enc-c", "tasks:suite pair@1"] == "1/2"
    assert [c.label for c in columns if c.key.endswith("suite pair@1")] == ["pair@1", "pair@1 tasks"]
    payload = build_payload(lb, "t", [])
    # the page hides a suite's mean when a filter drops one of its tasks: it needs the suite's task list
    assert payload["suites"] == [{"name": "pair@1", "key": "mean:suite pair@1", "tasks": ["r2", "s1"]}]
    assert payload["plain_rows"] == {"enc-a + int8": "enc-a"}  # "float kept" for a view: chain -> plain row
    view = payload["views"][0]
    row = next(r for r in view["rows"] if r["label"] == "enc-c")
    assert dict(zip(view["keys"], row["values"]))["mean:suite pair@1"] is None
    header = to_csv(lb).splitlines()[0]
    assert "pair@1" in header and "elsewhere@1" not in header


def test_incomplete_mean_is_flagged_in_the_page_data(store: ResultStore):
    payload = build_payload(load_leaderboard([store]), "t", [str(store.folder)])
    view = payload["views"][0]
    row = next(r for r in view["rows"] if r["label"] == "enc-c")
    values, results = (
        dict(zip(view["keys"], row["values"])),
        dict(zip([t["name"] for t in payload["tasks"]], row["results"])),
    )
    assert values[f"mean:{OVERALL}"] is None and values[f"tasks:{OVERALL}"] == "2/3"
    assert results["r2"] is None and payload["results"][results["r1"]]["main_score"] == 0.6


def test_retained_share_for_chains(store: ResultStore):
    frame, _ = main_table(load_leaderboard([store]), "exact")
    assert frame.at["enc-a + int8", "retained"] == pytest.approx((0.81 + 0.63 + 0.27) / (0.9 + 0.7 + 0.3))
    assert frame.at["enc-a + int8", "retained_tasks"] == "3/3"
    assert math.isnan(frame.at["enc-a", "retained"])


def test_retained_share_rests_on_common_tasks_and_says_so(tmp_path: Path):
    store = ResultStore(tmp_path)
    for task, score in (("r1", 0.8), ("r2", 0.4)):
        store.write(make_result(task, score=score))
    store.write(make_result("r1", score=0.6, chain=("int8",)))  # a quantizer skipped r2
    lb = load_leaderboard([store])
    frame, _ = main_table(lb, "exact")
    assert frame.at["enc-a + int8", "retained"] == pytest.approx(0.75)  # r1 only, not 0.6 / 0.6
    assert frame.at["enc-a + int8", "retained_tasks"] == "1/2"
    store.write(make_result("d1", encoder="dna-model", score=0.5))  # another modality's task: not the chain's N
    frame, _ = main_table(load_leaderboard([store], {"d1": ("dna",)}), "exact")
    assert frame.at["enc-a + int8", "retained_tasks"] == "1/2"
    assert math.isnan(frame.at["enc-a + int8", f"mean:{OVERALL}"])
    assert "| 75.0% (1/2) |" in to_markdown(lb)


def test_rank_and_shift_under_approximate_search(store: ResultStore):
    table = shifts(load_leaderboard([store]), "hnsw?ef_search=64").set_index(["task", "row"])
    # r1 exact: a .9, a+int8 .81, b .8, c .6, hostile .5 ; hnsw: b .78, c .59, a .7, hostile .5 (no int8 hnsw)
    r1 = table.loc["r1"]
    assert r1.loc["enc-a", ["exact_rank", "rank", "shift"]].tolist() == [1, 2, -1]
    assert r1.loc["enc-b", ["exact_rank", "rank", "shift"]].tolist() == [2, 1, 1]
    assert r1.loc["enc-c", "shift"] == 0
    assert math.isnan(r1.loc["enc-a + int8", "rank"])  # no hnsw result: not ranked, not counted
    overall = table.loc[OVERALL]
    # complete under both: a (exact .6333, hnsw .5333), b (.5833, .5733), hostile (.3833, .3833)
    assert overall.loc["enc-a", ["exact_rank", "rank", "shift"]].tolist() == [1, 2, -1]
    assert overall.loc["enc-b", ["exact_rank", "rank", "shift"]].tolist() == [2, 1, 1]
    assert overall.loc[HOSTILE, "shift"] == 0
    assert r1.loc["enc-a", "recall_at_10"] == 0.9
    assert r1.loc["enc-a", "main_score_delta"] == pytest.approx(-0.2)


def test_ties_share_the_better_rank():
    import pandas as pd

    from harness.leaderboard.table import rank

    assert rank(pd.Series([0.5, 0.9, 0.5, float("nan"), 0.1])).tolist()[:3] == [2, 1, 2]


def test_latest_result_wins_and_is_counted(tmp_path: Path):
    old, new = ResultStore(tmp_path / "old"), ResultStore(tmp_path / "new")
    old.write(make_result(score=0.1, date="2024-01-01T00:00:00+00:00"))
    new.write(make_result(score=0.2, date="2025-01-01T00:00:00+00:00"))
    lb = load_leaderboard([old, new])
    assert scores(lb, "exact").at["enc-a", "r1"] == 0.2 and lb.entries[0].superseded == 1


def test_operating_points_become_views_of_one_configuration(tmp_path: Path):
    store = ResultStore(tmp_path)
    for ef in (16, 128):
        store.write(make_result(backend="hnsw", backend_params={"ef_search": ef}, vs_exact={"recall_at_10": 1.0}))
    store.write(
        make_result(
            encoder="enc-b",
            backend="hnsw",
            backend_params={"ef_search": 16, "rescore": 4},
            vs_exact={"recall_at_10": 1.0},
        )
    )
    lb = load_leaderboard([store])
    assert lb.views == ["hnsw?ef_search=16", "hnsw?ef_search=128"]  # one curve, its points in order
    assert lb.configs == {"hnsw": lb.views}


def test_throughput_borrowed_from_same_fingerprint_when_cached(tmp_path: Path):
    store = ResultStore(tmp_path)
    store.write(make_result(items_encoded=0, encode_seconds=0.0, items_cached=100))
    store.write(make_result(chain=("int8",), items_encoded=300, encode_seconds=3.0))
    frame, _ = main_table(load_leaderboard([store]), "exact")
    assert frame.at["enc-a", "items_per_second"] == pytest.approx(100.0)
    assert "enc-a + int8" in frame.at["enc-a", "items_per_second_note"]
    assert frame.at["enc-a + int8", "items_per_second_note"] == "on r1, the task every text row is compared on"


def test_encode_speed_is_compared_on_one_task(tmp_path: Path):
    """A chain timed only on a slow task is not 20x slower than its encoder timed on a fast one."""
    store = ResultStore(tmp_path)
    store.write(make_result("short", items_encoded=2000, encode_seconds=1.0))  # enc-a: 2000/s on short items
    store.write(make_result("long", items_encoded=100, encode_seconds=1.0))  # 100/s on long ones
    store.write(make_result("short", chain=("int8",), items_encoded=0, encode_seconds=0.0, items_cached=2000))
    store.write(make_result("long", chain=("int8",), items_encoded=100, encode_seconds=1.25))
    store.write(make_result("long", encoder="enc-b", items_encoded=100, encode_seconds=0.5))
    frame, _ = main_table(load_leaderboard([store]), "exact")
    # "long" has a rate for all three rows (the chain's own, enc-b's own), "short" for two
    assert frame.at["enc-a", "items_per_second"] == pytest.approx(100.0)
    assert frame.at["enc-a + int8", "items_per_second"] == pytest.approx(80.0)
    assert frame.at["enc-b", "items_per_second"] == pytest.approx(200.0)
    assert all(note.startswith("on long") for note in frame["items_per_second_note"])


def test_bytes_per_vector_count_the_rescoring_copy(tmp_path: Path):
    store = ResultStore(tmp_path)
    store.write(
        make_result(
            chain=("binary(rescore=4,rescore_with=int8)",),
            bytes_per_vector=48,
            backend_params={"rescore": 4, "rescore_bytes_per_vector": 384},
            index_bytes=2400,
        )
    )
    store.write(
        make_result(
            chain=("binary(rescore=4)",),
            bytes_per_vector=48,
            index_bytes=2400,
            backend_params={"rescore": 4, "rescore_bytes_per_vector": 0},
        )
    )
    frame, _ = main_table(load_leaderboard([store]), "exact")
    kept = frame.set_index("label")
    assert kept.at["enc-a + binary(rescore=4,rescore_with=int8)", "bytes_per_vector"] == 48 + 384
    assert (
        kept.at["enc-a + binary(rescore=4,rescore_with=int8)", "bytes_per_vector_note"]
        == "48 B index codes + 384 B rescoring copy"
    )
    assert kept.at["enc-a + binary(rescore=4)", "bytes_per_vector"] == 48
    assert kept.at["enc-a + binary(rescore=4)", "index_bytes_per_vector"] == 48  # 2400 bytes over 50 documents


def test_api_cost_shows_in_the_cost_columns_when_reported(tmp_path: Path, store: ResultStore):
    frame, columns = main_table(load_leaderboard([store]), "exact")
    assert "api_usd_per_1k" not in [c.key for c in columns]  # no served model: no empty columns
    served = ResultStore(tmp_path / "served")
    served.write(make_result(encoder="api-model", items_encoded=400, api_tokens=20_000, api_cost_usd=0.002))
    served.write(
        make_result("s1", encoder="api-model", backend=None, items_encoded=100, api_tokens=5_000, api_cost_usd=0.0005)
    )
    served.write(make_result(encoder="local-model"))
    frame, columns = main_table(load_leaderboard([served]), "exact")
    by_row = frame.set_index("label")
    assert by_row.at["api-model", "api_usd_per_1k"] == pytest.approx(0.0025 / 500 * 1000)
    assert by_row.at["api-model", "api_tokens_per_item"] == pytest.approx(50.0)
    assert math.isnan(by_row.at["local-model", "api_usd_per_1k"])
    assert "| API $/1k |" in to_markdown(load_leaderboard([served]))


def test_hostile_names_are_text_in_the_page(store: ResultStore):
    page = render_page(build_payload(load_leaderboard([store]), HOSTILE, [str(store.folder)]))
    assert "<script>alert(1)" not in page
    assert page.count("<script") == 2  # the JSON data and the page's own script
    data = re.search(r'<script type="application/json" id="lb-data">(.*?)</script>', page, re.DOTALL).group(1)
    assert "<" not in data and ">" not in data and "&" not in data
    assert HOSTILE in json.loads(data)["results"][0]["encoder"] or any(
        r["encoder"] == HOSTILE for r in json.loads(data)["results"]
    )
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_registered_encoders_without_results_are_listed_as_not_run(store: ResultStore):
    registered = [
        {"name": name, "family": "f", "modalities": ["image", "text"], "description": "needs the hub"}
        for name in ("enc-a", "clip-never-run", HOSTILE + "-2")
    ]
    data = build_payload(load_leaderboard([store]), "t", [str(store.folder)], registered)
    assert [e["name"] for e in data["not_run"]] == ["clip-never-run", HOSTILE + "-2"]  # enc-a has results
    assert all(e["name"] not in {r["encoder"] for r in data["results"]} for e in data["not_run"])
    assert "<script>alert(1)" not in render_page(data)


def test_parameter_counts_sit_in_the_cost_columns(tmp_path: Path):
    store = ResultStore(tmp_path / "results")
    store.write(make_result(encoder="big", n_parameters=22_713_728))
    store.write(make_result(encoder="weightless", n_parameters=0))
    store.write(make_result(encoder="unknown"))
    frame, columns = main_table(load_leaderboard([store]), "exact")
    assert "n_parameters" in [c.key for c in columns]
    counts = dict(zip(frame["label"], frame["n_parameters"]))
    assert counts["big"] == 22_713_728 and counts["weightless"] == 0 and math.isnan(counts["unknown"])
    assert "| 22.7M |" in to_markdown(load_leaderboard([store]))


def test_script_json_escapes_markup():
    text = script_json({"name": "</script><!-- & \u2028"})
    assert text == '{"name":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}'
    assert json.loads(text) == {"name": "</script><!-- & \u2028"}


def test_every_script_part_is_joined_once_in_one_scope():
    folder = Path(__file__).parents[1] / "harness" / "leaderboard" / "assets" / "js"
    assert sorted(SCRIPT_PARTS) == sorted(p.name for p in folder.glob("*.js"))  # a part not listed would not run
    assert len(set(SCRIPT_PARTS)) == len(SCRIPT_PARTS)
    script = page_script()
    assert not script.startswith("// The leaderboard page's script.")  # the parts' headers stay in the files
    assert script.count("\n(function () {\n") == 1 and script.endswith("\n})();\n")  # opened once, closed last


def test_a_script_part_that_would_end_the_element_is_refused(monkeypatch: pytest.MonkeyPatch):
    def tampered(*path: str) -> str:
        return asset(*path) + ("// </SCRIPT>\n" if path[-1] == "plots.js" else "")

    monkeypatch.setattr("harness.leaderboard.page.asset", tampered)
    with pytest.raises(ValueError, match="plots.js"):
        page_script()


def test_a_script_part_without_its_header_is_refused(monkeypatch: pytest.MonkeyPatch):
    def headless(*path: str) -> str:
        text = asset(*path)
        return text.split("\n\n", 1)[1] if path[-1] == "hash.js" else text

    monkeypatch.setattr("harness.leaderboard.page.asset", headless)
    with pytest.raises(ValueError, match="hash.js must open with '//' lines"):
        page_script()


def test_page_fetches_nothing(store: ResultStore):
    page = render_page(build_payload(load_leaderboard([store]), "t", [str(store.folder)]))
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"url\(|@import|<link|<iframe|<img", page, re.IGNORECASE)
    assert "default-src 'none'" in html.unescape(page)  # the policy forbids fetching anything


def test_csv_matches_the_table_and_defuses_formulas(tmp_path: Path, store: ResultStore):
    store.write(make_result(encoder="=HYPERLINK(1)"))
    lb = load_leaderboard([store])
    rows = list(csv.DictReader(io.StringIO(to_csv(lb))))
    for view in lb.views:
        frame, _ = main_table(lb, view)
        exported = {r["row"]: r for r in rows if r["backend"] == view}
        assert len(exported) == len(frame)
        for label, values in frame.iterrows():
            row = exported["'" + label if label.startswith("=") else label]
            for task in lb.tasks.index:
                expected = values[f"score:{task}"]
                assert (row[task] == "") if math.isnan(expected) else float(row[task]) == expected
            mean = values[f"mean:{OVERALL}"]
            assert (row[f"{OVERALL} mean"] == "") if math.isnan(mean) else float(row[f"{OVERALL} mean"]) == mean
            assert row[f"{OVERALL} n/N"] == values[f"tasks:{OVERALL}"]
    assert any(r["row"] == "'=HYPERLINK(1)" for r in rows) and any(r["row"] == HOSTILE for r in rows)


def markdown_rows(section: str) -> list[dict[str, str]]:
    """The table in one Markdown section, as dicts keyed by (unescaped) header."""
    lines = [line for line in section.splitlines() if line.startswith("|")]
    split = [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    return [dict(zip(split[0], cells)) for cells in split[2:]]


def test_markdown_matches_the_table_and_escapes(store: ResultStore):
    lb = load_leaderboard([store])
    text = to_markdown(lb)
    assert "<script>" not in text and markdown_text(HOSTILE) in text
    frame, _ = main_table(lb, "exact")
    rows = markdown_rows(text.split("### hnsw")[0])  # the exact section
    assert len(rows) == len(frame)
    for row in rows:
        label = next(name for name in frame.index if markdown_text(name) == row["row"])
        for task in lb.tasks.index:
            value = frame.at[label, f"score:{task}"]
            assert row[task] == ("—" if math.isnan(value) else f"{100 * value:.2f}")
        mean = frame.at[label, f"mean:{OVERALL}"]
        expected = f"({frame.at[label, f'tasks:{OVERALL}']})" if math.isnan(mean) else f"{100 * mean:.2f}"
        assert row[f"{OVERALL} mean"] == expected
    assert next(r for r in rows if "alert" in r["row"])["r1"] == "50.00"  # the pipe did not split the row


def zoo(*args: str):  # noqa: ANN201
    """Run the ``zoo`` CLI with the leaderboard command, whether or not main.py registers it yet."""
    from harness.commands.leaderboard import leaderboard
    from zoo.cli.main import build_cli

    cli = build_cli()
    cli.commands.setdefault("leaderboard", leaderboard)
    return CliRunner().invoke(cli, list(args))


def test_cli_writes_page_csv_markdown(tmp_path: Path, store: ResultStore):
    out, table, md = tmp_path / "lb" / "index.html", tmp_path / "t.csv", tmp_path / "t.md"
    result = zoo(
        "leaderboard", "--results", str(store.folder), "--out", str(out), "--csv", str(table), "--markdown", str(md)
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == [str(out), str(table), str(md)]
    assert out.read_text().startswith("<!DOCTYPE html>") and table.exists() and md.exists()


def test_cli_missing_folder_is_a_clear_error(tmp_path: Path):
    result = zoo("leaderboard", "--results", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "no result folder" in result.output


def test_refresh_leaderboard(tmp_path: Path, store: ResultStore):
    from harness.commands.leaderboard import refresh_leaderboard

    path = refresh_leaderboard([store.folder], tmp_path / "index.html")
    assert path == tmp_path / "index.html" and "lb-data" in path.read_text()


def test_write_leaderboard_returns_paths(tmp_path: Path, store: ResultStore):
    written = write_leaderboard([store], tmp_path / "p.html", csv=tmp_path / "p.csv")
    assert written == [tmp_path / "p.html", tmp_path / "p.csv"]


def test_importing_the_command_is_light():
    import subprocess
    import sys

    code = (
        "import sys, harness.commands.leaderboard; print([m for m in ('pandas', 'torch', 'numpy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_empty_store_is_a_clear_error(tmp_path: Path):
    result = zoo("leaderboard", "--results", str(tmp_path))
    assert result.exit_code == 2 and "no valid result files" in result.output


def test_overall_means_and_ranks_are_per_modality(tmp_path: Path):
    """A DNA model is not held to text tasks, nor a text model to DNA tasks; ranks stay within a modality."""
    store = ResultStore(tmp_path / "results")
    for encoder, by_task in (("text-a", {"t1": 0.8, "t2": 0.6}), ("text-b", {"t1": 0.5, "t2": 0.5})):
        for task, score in by_task.items():
            store.write(make_result(task, encoder, score, None))
    store.write(make_result("d1", "dna-a", 0.3, None))
    modalities = {"t1": ("text",), "t2": ("text",), "d1": ("dna",)}
    lb = load_leaderboard([store], modalities)
    frame, _ = main_table(lb, lb.reference)
    by_row = frame.set_index("label")
    assert by_row.loc["text-a", f"mean:{OVERALL}"] == pytest.approx(0.7)
    assert by_row.loc["text-b", f"tasks:{OVERALL}"] == "2/2"
    assert by_row.loc["dna-a", f"mean:{OVERALL}"] == pytest.approx(0.3) and by_row.loc["dna-a", "rank"] == 1
    assert list(by_row["rank"][["text-a", "text-b"]]) == [1, 2]
    assert list(lb.tasks.index[:2]) == ["t1", "t2"]  # the modality with most tasks first
    data = build_payload(lb, "t", [str(store.folder)])
    assert data["speed_tasks"] == {"text": "t1", "dna": "d1"}  # encode speed compares within a modality


# --- separability -------------------------------------------------------------------------------


def test_holm_by_hand():
    from harness.leaderboard.separability import holm

    # sorted 0.01, 0.03, 0.04 times 3, 2, 1 -> 0.03, 0.06, 0.04, made monotone -> 0.03, 0.06, 0.06
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def test_models_not_separable_from_the_one_above_share_its_group(tmp_path: Path):
    import numpy as np

    from harness.leaderboard.payload import build_payload
    from zoo.protocols import ItemScores

    rng = np.random.default_rng(0)
    ids = tuple(f"q{i}" for i in range(300))
    top = rng.random(300)
    close = np.clip(top + rng.normal(0, 0.05, 300), 0, 1)  # a hair from the top: not separable
    low = top * 0.5  # far below
    store = ResultStore(tmp_path)
    for name, values in (("top", top), ("close", close), ("low", low)):
        store.write(make_result("r1", name, float(values.mean()), item_scores=ItemScores(values, "mean", "query", ids)))
    store.write(make_result("r1", "old", 0.1))  # written before per-item scores: untested
    marks = build_payload(load_leaderboard([store]), "t", [str(store.folder)])["views"][0]["separable"]["r1"]
    second = "close" if close.mean() < top.mean() else "top"
    assert marks["top"]["group"] == marks["close"]["group"] == 0
    assert marks[second]["tested"] and marks[second]["p_holm"] >= 0.05
    assert marks["low"]["group"] == 1 and marks["low"]["p_holm"] < 0.05
    assert marks["old"] == {"group": 2, "p": None, "p_holm": None, "tested": False}


def test_model_sources_link_hub_cards_folders_and_plugins(tmp_path: Path, store: ResultStore):
    from harness.leaderboard.sources import source

    registered = [
        {"name": "minilm", "aliases": ["sentence-transformers/all-MiniLM-L6-v2"], "plugin": "builtin"},
        {"name": "kmer-6", "aliases": ["kmer"], "plugin": "dna", "description": "6-mer frequency"},
    ]
    assert source("minilm", registered) == {
        "kind": "hub",
        "text": "sentence-transformers/all-MiniLM-L6-v2 (registered by builtin)",
        "href": "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",
    }
    assert source("kmer-6", registered) == {"kind": "plugin", "text": "registered by dna: 6-mer frequency"}
    assert (
        source("hf:intfloat/e5-small-v2?query_prompt=query:+", registered)["href"]
        == "https://huggingface.co/intfloat/e5-small-v2"
    )
    assert source(f"st:{tmp_path}", registered) == {
        "kind": "path",
        "text": f"local folder {tmp_path}",
        "href": tmp_path.as_uri(),
    }
    wrapped = source("describe:kmer-6", registered)
    assert wrapped["kind"] == "plugin" and wrapped["text"].startswith("describe: wraps kmer-6")
    assert source(HOSTILE, registered)["kind"] == "unknown"
    data = build_payload(load_leaderboard([store]), "t", [str(store.folder)], registered)
    assert set(data["models"]) == {"enc-a", "enc-b", "enc-c", HOSTILE}
