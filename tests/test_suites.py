"""Named, versioned suites: the hook, versions, `zoo bench --suite`, `zoo list suites` and mteb's benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.suites import ZOO_OFFLINE, resolve_suite, suite_means
from tests.conftest import TINY_BEIR
from zoo.errors import UnknownNameError, ZooError
from zoo.protocols import SuiteSpec
from zoo.registry import Registry

SUITE_PLUGIN = f"""
    from zoo import SuiteSpec, hookimpl

    @hookimpl
    def register_suites(register):
        register(SuiteSpec(name="tiny@1", tasks=({str(TINY_BEIR)!r},), description="the tiny BEIR folder"))
        register(SuiteSpec(name="tiny@2", tasks=({str(TINY_BEIR)!r}, "lee-sts"), aliases=("tiny-latest",)))
        register(SuiteSpec(name="tiny@10", tasks=("lee-sts",)))
"""


def test_the_offline_suite_is_registered_and_every_task_exists() -> None:
    registry = Registry.from_plugins()
    assert registry.suite("zoo-offline") is registry.suite("zoo-offline@1") is ZOO_OFFLINE
    assert registry.suites.owners["zoo-offline@1"] == "harness"
    types = {registry.task(name).type for name in ZOO_OFFLINE.tasks}
    assert types == {"retrieval", "sts", "classification", "clustering", "pair_classification", "reranking"}


def test_plugins_add_versioned_suites_and_a_bare_name_means_the_latest(fake_distribution) -> None:  # noqa: ANN001
    fake_distribution("zoo_fake_suites", SUITE_PLUGIN)
    registry = Registry.from_plugins()
    assert registry.suite("tiny").name == "tiny@10"  # 10 is later than 2, not earlier
    assert registry.suite("tiny-latest").name == "tiny@2"
    assert registry.suite("tiny@2").tasks == (str(TINY_BEIR), "lee-sts")
    with pytest.raises(UnknownNameError, match="unknown suite 'tiny@3'"):
        registry.suite("tiny@3")
    with pytest.raises(UnknownNameError, match="did you mean"):
        registry.suite("zoo-ofline")


def test_suite_names_carry_a_version() -> None:
    with pytest.raises(ValueError, match="<family>@<version>"):
        SuiteSpec(name="unversioned", tasks=("lee-sts",))
    with pytest.raises(ValueError, match="names no task"):
        SuiteSpec(name="empty@1", tasks=())
    assert (ZOO_OFFLINE.family, ZOO_OFFLINE.version) == ("zoo-offline", "1")


def test_bench_runs_a_suites_tasks_and_list_shows_suites(fake_distribution, tmp_path: Path) -> None:  # noqa: ANN001
    from zoo.cli.main import build_cli

    fake_distribution("zoo_fake_suites", SUITE_PLUGIN)
    listed = CliRunner().invoke(build_cli(), ["list", "suites"], catch_exceptions=False)
    assert "zoo-offline@1" in listed.output and "tiny@2" in listed.output and "zoo_fake_suites" in listed.output
    out = tmp_path / "results"
    result = CliRunner().invoke(
        build_cli(),
        [
            "bench",
            "-m",
            "hashing-bow-256",
            "--suite",
            "tiny@1",
            "-o",
            str(out),
            "--no-progress",
            "--no-chance",
            "--no-leaderboard",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(p.read_text())["task"] for p in out.glob("*.json")] == ["tiny-beir"]
    assert "tiny@1 mean, hashing-bow-256: 1.0000" in result.output  # one task: its nDCG@10
    unknown = CliRunner().invoke(build_cli(), ["bench", "--suite", "nope@1"])
    assert unknown.exit_code == 2 and "unknown suite 'nope@1'" in unknown.output


def test_suite_means_in_bench_output_only_over_complete_rows() -> None:
    from types import SimpleNamespace

    def result(task: str, encoder: str, score: float, vs_exact: dict | None = None) -> SimpleNamespace:
        return SimpleNamespace(task=task, encoder=encoder, chain=(), main_score=score, vs_exact=vs_exact or {})

    results = [
        result("a", "one", 0.2),
        result("b", "one", 0.4),
        result("a", "two", 0.9),
        result("b", "two", 0.1, vs_exact={"recall_at_10": 0.9}),
    ]  # an HNSW run is not the score
    assert suite_means(("a", "b"), results) == {"one": (pytest.approx(0.3), 2), "two": (None, 1)}


@pytest.mark.slow  # importing mteb: about 20 s
def test_mteb_benchmarks_resolve_to_mteb_task_names_through_mteb() -> None:
    pytest.importorskip("mteb")
    suite = resolve_suite(Registry.from_plugins(), "mteb:MTEB(eng, v2)")
    assert suite.name.startswith("mteb:MTEB(eng, v2)@") and len(suite.tasks) == 41
    assert {
        "mteb:ArguAna",
        "mteb:STSBenchmark",
        "mteb:STS17/en-en",
        "mteb:MTOPDomainClassification/en",
        "mteb:TwentyNewsgroupsClustering.v2",
    } <= set(suite.tasks)
    from harness.mteb.source import parse_name

    assert parse_name("mteb:STS17/en-en") == ("STS17", "en-en")  # what `zoo bench -t` makes of the names
    with pytest.raises(ZooError, match="unknown mteb benchmark 'MTEB\\(nowhere\\)'"):
        resolve_suite(Registry.from_plugins(), "mteb:MTEB(nowhere)")
