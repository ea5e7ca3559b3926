"""Operating points on the leaderboard: sweeps make curves, builds stay apart, ranks shift where they really do."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.leaderboard import load_leaderboard
from harness.leaderboard.payload import build_payload
from harness.leaderboard.rank import shifts
from harness.leaderboard.table import OVERALL, scores
from harness.results import ResultStore, TaskResult
from tests.test_leaderboard import HOSTILE, make_result

HNSW = {"M": 16, "ef_construction": 200, "library": "hnswlib", "depth": 10}
TUNED = {"target_recall": 0.95, "tuned_recall": 0.9603, "tuned_on": "1,000 held-out queries (not scored)"}


def hnsw(
    task: str,
    encoder: str,
    score: float,
    ef: int,
    backend: str = "hnsw",
    recall: float = 0.9,
    exact: float | None = None,
    params: dict | None = None,
    **changes,
) -> TaskResult:
    """An HNSW result at ``ef`` (``params`` override the graph's), searched so that QPS is 1000 / ef."""
    exact = score if exact is None else exact
    vs_exact = {"recall_at_10": recall, "exact_main_score": exact, "main_score_delta": score - exact}
    return make_result(
        task,
        encoder,
        score,
        backend,
        backend_params={**HNSW, "ef_search": ef, **(params or {})},
        vs_exact=vs_exact,
        n_queries=100,
        search_seconds=ef / 10,
        **changes,
    )


def write(tmp_path: Path, results: list[TaskResult]) -> ResultStore:
    store = ResultStore(tmp_path / "results")
    for result in results:
        store.write(result)
    return store


def test_a_sweep_is_one_curve_and_other_builds_stay_apart(tmp_path: Path):
    store = write(
        tmp_path,
        [
            make_result("r1", "enc-a", 0.8, backend_params={"depth": 10}),
            hnsw("r1", "enc-a", 0.6, 8),
            hnsw("r1", "enc-a", 0.79, 128),
            hnsw("r1", "enc-a", 0.7, 32, backend="hnsw?ef_search=32"),  # the option written into the name
            hnsw("r1", "enc-a", 0.75, 48, params=TUNED),  # chosen by a recall target: just a point
            hnsw("r1", "enc-a", 0.65, 16, backend="hnsw?M=32", params={"M": 32}),  # another graph
            hnsw("r1", "enc-a", 0.62, 8, params={"depth": 100}),  # another depth
            make_result(
                "r1",
                "enc-a",
                0.5,
                "ivf-flat",
                backend_params={"nlist": 64, "nprobe": 4},
                vs_exact={"recall_at_10": 0.7},
            ),
            make_result(
                "r1",
                "enc-a",
                0.7,
                "ivf-flat",
                backend_params={"nlist": 64, "nprobe": 16},
                vs_exact={"recall_at_10": 0.95},
            ),
        ],
    )
    lb = load_leaderboard([store])
    sweep = "hnsw?M=16&depth=10"
    assert lb.configs == {
        "exact": ["exact"],
        sweep: [f"{sweep}&ef_search={ef}" for ef in (8, 32, 48, 128)],  # by value, not as text
        "hnsw?M=16&depth=100": ["hnsw?M=16&depth=100&ef_search=8"],
        "hnsw?M=32&depth=10": ["hnsw?M=32&depth=10&ef_search=16"],
        "ivf-flat": ["ivf-flat?nprobe=4", "ivf-flat?nprobe=16"],
    }
    assert lb.views[0] == "exact" and list(lb.views) == [v for views in lb.configs.values() for v in views]
    assert lb.points[f"{sweep}&ef_search=48"] == ("ef_search", 48) and lb.points["exact"] is None
    assert lb.config_of("ivf-flat?nprobe=16") == "ivf-flat"
    assert scores(lb, f"{sweep}&ef_search=32").at["enc-a", "r1"] == 0.7
    assert not lb.approximate["exact"] and all(lb.approximate[v] for v in lb.views[1:])


def test_one_point_named_two_ways_is_one_cell_and_the_latest_wins(tmp_path: Path):
    store = write(
        tmp_path,
        [
            hnsw("r1", "enc-a", 0.6, 16, backend="hnsw?ef_search=16", date="2025-01-01T00:00:00+00:00"),
            hnsw("r1", "enc-a", 0.61, 16, date="2025-02-01T00:00:00+00:00"),
            hnsw("r1", "enc-a", 0.7, 64),
        ],
    )
    lb = load_leaderboard([store])
    assert lb.configs == {"hnsw": ["hnsw?ef_search=16", "hnsw?ef_search=64"]}
    entry = next(e for e in lb.entries if e.backend == "hnsw?ef_search=16")
    assert entry.result.main_score == 0.61 and entry.superseded == 1 and entry.config == "hnsw"


def swap_results() -> list[TaskResult]:
    """Exact: a > b > c on both tasks. At ef 16, b passes a on r1 and r2; at ef 64 nothing moves."""
    exact = {"enc-a": (0.80, 0.70), HOSTILE: (0.75, 0.68), "enc-c": (0.50, 0.50)}
    at_16 = {"enc-a": (0.70, 0.60), HOSTILE: (0.74, 0.67), "enc-c": (0.49, 0.49)}
    results = []
    for encoder, (r1, r2) in exact.items():
        for task, score, low in (("r1", r1, at_16[encoder][0]), ("r2", r2, at_16[encoder][1])):
            results.append(make_result(task, encoder, score, backend_params={"depth": 1000}))
            results.append(hnsw(task, encoder, low, 16, recall=0.85, exact=score))
            results.append(hnsw(task, encoder, score - 0.001, 64, recall=0.97, exact=score))
        results.append(make_result("s1", encoder, 0.3, None))
    return results


def test_the_rank_table_at_a_chosen_point_shows_the_swap(tmp_path: Path):
    lb = load_leaderboard([write(tmp_path, swap_results())])
    low = shifts(lb, "hnsw?ef_search=16").set_index(["task", "row"])
    for task in ("r1", "r2", OVERALL):
        assert low.loc[(task, "enc-a"), ["exact_rank", "rank", "shift"]].tolist() == [1, 2, -1]
        assert low.loc[(task, HOSTILE), ["exact_rank", "rank", "shift"]].tolist() == [2, 1, 1]
        assert low.loc[(task, "enc-c"), "shift"] == 0
    assert low.loc[("r1", "enc-a"), "recall_at_10"] == 0.85
    assert low.loc[("r1", "enc-a"), "main_score_delta"] == pytest.approx(-0.1)
    high = shifts(lb, "hnsw?ef_search=64")
    assert high["shift"].notna().sum() == 3 * 4 and (high["shift"].dropna() == 0).all()  # rows x (3 tasks + overall)

    data = build_payload(lb, "t", [str(tmp_path)])
    view = next(v for v in data["views"] if v["name"] == "hnsw?ef_search=16")
    shift = view["compare"]["fields"].index("shift")
    assert view["compare"]["rows"]["enc-a"]["r1"][shift] == -1
    assert view["compare"]["rows"][HOSTILE][OVERALL][shift] == 1
    assert "s1" not in view["compare"]["rows"]["enc-a"]  # a task that does not search has nothing to compare
    assert (view["config"], view["option"], view["value"]) == ("hnsw", "ef_search", 16)
    assert view["recall_at_10"] == pytest.approx(0.85)


def test_the_payload_carries_configurations_and_curves(tmp_path: Path):
    lb = load_leaderboard([write(tmp_path, swap_results())])
    data = build_payload(lb, "t", [str(tmp_path)])
    assert data["configs"] == [
        {"name": "exact", "approximate": False, "option": None, "views": ["exact"]},
        {
            "name": "hnsw",
            "approximate": True,
            "option": "ef_search",
            "views": ["hnsw?ef_search=16", "hnsw?ef_search=64"],
        },
    ]
    curves = data["curves"]
    assert curves["tasks"] == ["r1", "r2"]  # s1 does not search
    series = {(s["task"], s["config"], s["row"]): s for s in curves["series"]}
    assert len(series) == 2 * 2 * 3  # tasks x configurations x rows
    curve = series[("r1", "hnsw", HOSTILE)]
    assert curve["approximate"] and [p["value"] for p in curve["points"]] == [16, 64]
    low = curve["points"][0]
    assert low["score"] == 0.74 and low["recall_at_10"] == 0.85 and low["qps"] == pytest.approx(1000 / 16)
    assert low["main_score_delta"] == pytest.approx(0.74 - 0.75) and low["view"] == "hnsw?ef_search=16"
    result = data["results"][low["result"]]
    assert (result["encoder"], result["task"], result["backend_params"]["ef_search"]) == (HOSTILE, "r1", 16)
    exact = series[("r1", "exact", HOSTILE)]
    assert not exact["approximate"] and [p["score"] for p in exact["points"]] == [0.75]
    assert exact["points"][0]["recall_at_10"] is None  # exact is not compared with itself


def test_each_point_counts_its_results_so_the_page_opens_where_every_row_was_searched(tmp_path: Path):
    """A recall target adds a point of one row's own; the page's default point is among the shared ones."""
    tuned = hnsw("r1", "enc-a", 0.79, 48, params=TUNED, recall=0.96, exact=0.80)
    lb = load_leaderboard([write(tmp_path, swap_results() + [tuned])])
    counts = {view["name"]: view["n_results"] for view in build_payload(lb, "t", [str(tmp_path)])["views"]}
    assert counts["hnsw?ef_search=16"] == counts["hnsw?ef_search=64"] == 6  # 3 rows x 2 tasks
    assert counts["hnsw?ef_search=48"] == 1


def test_no_search_means_no_curves(tmp_path: Path):
    data = build_payload(
        load_leaderboard([write(tmp_path, [make_result("s1", score=0.3, backend=None)])]), "t", [str(tmp_path)]
    )
    assert data["configs"] == [] and data["curves"] == {"tasks": [], "series": []}
    assert [v["name"] for v in data["views"]] == ["no search"]
