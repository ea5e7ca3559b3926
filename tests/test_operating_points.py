"""Operating points: deployment depth by default, sweeps on one index, recall targets, backend options."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from harness.approximate import TuningSample, default_ladder, held_out_sample
from harness.backends.exact import ExactBackend
from harness.backends.hnsw import HnswBackend
from harness.data.beir import RetrievalData, write_beir
from harness.operating_points import SharedIndex
from harness.results import ResultStore
from harness.runner import BenchmarkRun
from tests.conftest import TINY_BEIR
from harness.commands.bench import summary_table
from zoo.errors import ZooError
from zoo.options import bind_backend_options, split_backend_list
from zoo.protocols import BackendSpec, SearchPoints
from zoo.registry import Registry

WORDS = [f"w{i}" for i in range(400)]


class CountingHnsw(HnswBackend):
    """HnswBackend that counts the graphs built by every instance."""

    builds = 0

    def build(self, vectors, ids, similarity):  # noqa: ANN001, ANN201
        type(self).builds += 1
        super().build(vectors, ids, similarity)


def write_word_task(folder: Path, *, dev: int = 0) -> Path:
    """1,500 bag-of-words documents; each of 150 test queries (and ``dev`` more, judged in a dev split) is
    half of one document's words, judged relevant."""
    rng = np.random.default_rng(0)
    corpus = {f"d{i}": " ".join(rng.choice(WORDS, 12)) for i in range(1500)}
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, dict[str, int]]] = {"test": {}, "dev": {}}
    for j, doc in enumerate(rng.choice(sorted(corpus), 150 + dev, replace=False)):
        split, qid = ("test", f"q{j}") if j < 150 else ("dev", f"dev{j}")
        queries[qid] = " ".join(corpus[doc].split()[::2])
        qrels[split][qid] = {doc: 1}
    for split in ("test", "dev") if dev else ("test",):
        write_beir(RetrievalData(corpus, queries, qrels[split], split), folder)
    return folder


@pytest.fixture(scope="module")
def word_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BEIR folder whose every query is scored: no held-out queries."""
    return write_word_task(tmp_path_factory.mktemp("words") / "words")


@pytest.fixture(scope="module")
def word_task_with_dev(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same test split, and 400 dev queries beside it: held out from the scored test split."""
    return write_word_task(tmp_path_factory.mktemp("words-dev") / "words", dev=400)


def bench(task: Path, backends: list[BackendSpec], tmp_path: Path, **options: object) -> list:
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    return BenchmarkRun(
        [registry.encoder("hashing-bow-256")],
        [beir_folder_spec(task)],
        backends,
        ResultStore(tmp_path),
        progress=False,
        **options,
    ).run()


def hnsw_spec(query: str, cls: type = HnswBackend) -> BackendSpec:
    return bind_backend_options(BackendSpec("hnsw", cls), query)


def test_approximate_search_defaults_to_the_main_metrics_cutoff(tmp_path: Path):
    """nDCG@10 is the main metric: HNSW searches 10 deep and scores nothing deeper; exact stays deep."""
    registry = Registry.from_plugins()
    exact, hnsw = bench(TINY_BEIR, [registry.backend("hnsw"), registry.backend("exact")], tmp_path)
    assert exact.backend_params["depth"] == 1000 and "ndcg_at_1000" in exact.scores
    assert hnsw.backend_params["depth"] == 10
    assert max(int(name.rsplit("_", 1)[1]) for name in hnsw.scores) == 10
    assert set(hnsw.vs_exact) == {
        "recall_at_10",
        "exact_main_score",
        "main_score_delta",
        "p_value",
        "delta_low",
        "delta_high",
    }
    deep = bench(TINY_BEIR, [registry.backend("hnsw")], tmp_path / "deep", depth=100)[0]
    assert deep.backend_params["depth"] == 100 and "ndcg_at_100" in deep.scores  # --depth sets it explicitly


def test_a_sweep_builds_one_index_and_gives_one_result_per_value(word_task: Path, tmp_path: Path):
    CountingHnsw.builds = 0
    spec = hnsw_spec("M=8&ef_construction=32&ef_search=1,4,16,1500", CountingHnsw)
    assert spec.label == "hnsw?M=8&ef_construction=32" and spec.points == SearchPoints("ef_search", (1, 4, 16, 1500))
    exact, *points = bench(word_task, [ExactSpec, spec], tmp_path)
    assert CountingHnsw.builds == 1
    assert [r.backend_params["ef_search"] for r in points] == [1, 4, 16, 1500]
    assert {r.backend for r in points} == {"hnsw?M=8&ef_construction=32"}
    assert {r.backend_params["search_option"] for r in points} == {"ef_search"}
    assert len({r.run_id for r in points}) == 4 and len(list(tmp_path.glob("*.json"))) == 5
    assert len({r.build_seconds for r in points}) == 1  # the one build's time, reported at each point
    recalls = [r.vs_exact["recall_at_10"] for r in points]
    assert recalls[0] < recalls[-1] == 1.0  # a narrow beam misses neighbours; ef = n finds them all
    assert points[-1].main_score == exact.main_score
    assert points[-1].vs_exact["main_score_delta"] == 0.0
    table = summary_table([exact, *points])
    assert "[hnsw?M=8&ef_construction=32 ef_search=1]" in table and "ef_search=1500]" in table


ExactSpec = BackendSpec("exact", ExactBackend, exact=True)


def hand_recall(backend: HnswBackend, sample: TuningSample, truth: list[list[str]], k: int) -> float:
    """Recall@k of ``backend`` on the sample, each document's own id dropped where it searches documents."""
    if sample.own_ids is None:
        mine = backend.search(sample.queries, k)[0]
    else:
        found, _ = backend.search(sample.queries, k + 1)
        mine = [[doc for doc in hits if doc != own][:k] for own, hits in zip(sample.own_ids, found)]
    return float(np.mean([len(set(a) & set(b)) / len(b) for a, b in zip(mine, truth)]))


@pytest.mark.parametrize("held_out", [False, True], ids=["documents", "held-out queries"])
def test_a_recall_target_picks_the_value_a_sweep_would(held_out: bool):
    """The tuned ef_search is the smallest ladder value whose recall, swept by hand on the same sample (held-out
    queries where given, else documents each without itself), reaches the target; its search is the one
    then made."""
    rng = np.random.default_rng(5)
    centres = rng.standard_normal((30, 24))
    corpus = (centres[rng.integers(0, 30, 3000)] + rng.standard_normal((3000, 24))).astype(np.float32)
    queries = rng.standard_normal((20, 24)).astype(np.float32)
    ids, k, target = [f"d{i}" for i in range(3000)], 10, 0.95
    sample = (
        TuningSample.held_out(rng.standard_normal((500, 24)).astype(np.float32))
        if held_out
        else TuningSample.documents(corpus, ids)
    )
    index = SharedIndex(
        lambda: HnswBackend(M=4, ef_construction=32),
        points=SearchPoints("ef_search", target_recall=target),
        tuning=(lambda: sample) if held_out else None,
    )
    index.build(corpus, ids, "cosine")
    found = index.search(queries, k)
    params = index.params()

    exact = ExactBackend()
    exact.build(corpus, ids, "cosine")
    if sample.own_ids is None:
        truth = exact.search(sample.queries, k)[0]
    else:
        hits, _ = exact.search(sample.queries, k + 1)
        truth = [[doc for doc in row if doc != own][:k] for own, row in zip(sample.own_ids, hits)]
    swept = HnswBackend(M=4, ef_construction=32)
    swept.build(corpus, ids, "cosine")
    recalls = {}
    for ef in swept.search_ladder("ef_search"):
        swept.ef_search = ef
        recalls[ef] = hand_recall(swept, sample, truth, k)
        if recalls[ef] >= target:
            break
    chosen = max(recalls)
    assert recalls[chosen] >= target
    assert chosen > min(recalls)  # the target is not met at once: the choice means something
    assert params["ef_search"] == chosen and params["tuned_recall"] == pytest.approx(recalls[chosen])
    tuned_on = "500 held-out queries (not scored)" if held_out else "1,000 indexed documents used as queries"
    assert params["target_recall"] == target and params["tuned_on"].startswith(tuned_on)
    swept.ef_search = chosen
    assert found[0] == swept.search(queries, k)[0]


def test_a_recall_target_runs_through_the_harness(word_task: Path, tmp_path: Path):
    """Every query of this folder is scored: the target falls back to documents, and says so."""
    CountingHnsw.builds = 0
    spec = hnsw_spec("M=8&ef_construction=32&recall=0.9", CountingHnsw)
    assert spec.label == "hnsw?M=8&ef_construction=32"
    _, tuned = bench(word_task, [ExactSpec, spec], tmp_path)
    assert CountingHnsw.builds == 1  # tuning searches the index it tunes
    assert tuned.backend_params["target_recall"] == 0.9 and tuned.backend_params["tuned_recall"] >= 0.9
    assert tuned.backend_params["ef_search"] in HnswBackend().search_ladder("ef_search")
    assert tuned.backend_params["tuned_on"].startswith("1,000 indexed documents used as queries")
    assert "no held-out queries" in tuned.backend_params["tuned_on"]
    assert "recall_at_10" in tuned.vs_exact  # the recall reached on the scored queries, beside the tuned one


def test_a_recall_target_tunes_on_the_held_out_dev_queries(word_task_with_dev: Path, tmp_path: Path):
    """The dev queries, encoded as queries, are what the target is met on: the recall recorded is the one
    they reach, by hand, at the chosen ef_search; the scored test queries are the same 150 as without them."""
    from harness.tasks.builtin import beir_folder_spec

    spec = hnsw_spec("M=4&ef_construction=16&recall=0.9")
    exact, tuned = bench(word_task_with_dev, [ExactSpec, spec], tmp_path)
    params = tuned.backend_params
    assert params["tuned_on"] == "400 held-out queries (not scored), drawn with seed 0"
    assert tuned.n_queries == exact.n_queries == 150

    task = beir_folder_spec(word_task_with_dev).load()
    encoder = Registry.from_plugins().encoder("hashing-bow-256").load()
    held_out = encoder.encode(task.tuning_queries(1000, 0), role="query")
    documents = encoder.encode(list(task.data.corpus.values()), role="document")
    reference, swept = ExactBackend(), HnswBackend(M=4, ef_construction=16)
    for backend in (reference, swept):
        backend.build(documents, list(task.data.corpus), encoder.similarity)
    swept.ef_search = params["ef_search"]
    truth = reference.search(held_out, 10)[0]
    assert params["tuned_recall"] == pytest.approx(hand_recall(swept, TuningSample.held_out(held_out), truth, 10))
    assert params["tuned_recall"] >= 0.9


class RoleRecorder:
    """An encoder that records the role it is asked to encode in."""

    similarity = "cosine"

    def __init__(self) -> None:
        self.roles: list[str] = []

    def encode(self, inputs: list[str], *, role: str = "document") -> np.ndarray:
        self.roles.append(role)
        return np.ones((len(inputs), 4), dtype=np.float32)


def test_held_out_queries_are_encoded_as_queries_and_only_where_a_task_offers_them():
    class Offers:
        def tuning_queries(self, limit: int, seed: int) -> list[str]:
            return [f"query {i} (seed {seed})" for i in range(min(limit, 3))]

    class Silent:  # a task without tuning_queries, and one whose every query is scored
        def tuning_queries(self, limit: int, seed: int) -> list[str]:
            return []

    encoder = RoleRecorder()
    sample = held_out_sample(Offers(), encoder, size=2, seed=7)
    assert sample is not None and sample.own_ids is None and sample.queries.shape == (2, 4)
    assert encoder.roles == ["query"] and sample.describe() == "2 held-out queries (not scored), drawn with seed 7"
    assert held_out_sample(Silent(), encoder) is None and held_out_sample(object(), encoder) is None
    assert encoder.roles == ["query"]  # nothing encoded where nothing is offered


def test_a_copied_shared_index_builds_its_own_content_once():
    """A task that deep-copies its backend for a second index (image-text retrieval) builds each index once."""
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((50, 8)).astype(np.float32), rng.standard_normal((40, 8)).astype(np.float32)
    index = SharedIndex(lambda: HnswBackend(ef_construction=20))
    for _ in range(3):
        other = copy.deepcopy(index)
        index.build(a, [f"a{i}" for i in range(50)], "euclidean")
        other.build(b, [f"b{i}" for i in range(40)], "euclidean")
        assert index.search(a[:2], 3)[0][0][0] == "a0" and other.search(b[:1], 3)[0][0][0] == "b0"
    assert index.builds == 2 and len(index) == 50 and len(other) == 40
    index.set_option("ef_search", 7)
    assert index.params()["ef_search"] == other.params()["ef_search"] == 7


def test_default_ladder_reaches_the_corpus_size():
    assert default_ladder(1) == [1] and default_ladder(6) == [1, 2, 4, 6] and default_ladder(8) == [1, 2, 4, 8]
    assert HnswBackend().search_ladder("ef_search")[:4] == [10, 16, 24, 32]


def test_backend_lists_keep_a_search_options_values_together():
    assert split_backend_list("exact,hnsw?ef_search=16,32,64") == ["exact", "hnsw?ef_search=16,32,64"]
    assert split_backend_list("hnsw?ef_search=16,32&M=8,exact") == ["hnsw?ef_search=16,32&M=8", "exact"]
    assert split_backend_list("hnsw?recall=0.9, hnsw") == ["hnsw?recall=0.9", "hnsw"]


def test_a_single_search_value_is_a_parameter_not_a_label():
    spec = hnsw_spec("ef_search=128&M=32")
    assert spec.label == "hnsw?M=32" and spec.points is None and spec.factory().ef_search == 128
    assert spec.name == "hnsw?ef_search=128&M=32"  # the name as written tells -b entries apart


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("M=8,16", "M takes one value .M=8,16 given.; only its search options .ef_search. take several"),
        ("ef_search=16,32&seed=1,2", "seed takes one value"),
        ("ef_search=16,0", "ef_search must be a positive integer, got 0"),
        ("ef_search=16,x", "option ef_search='x' is not an integer"),
        ("recall=0.9&ef_search=16", "recall= chooses ef_search itself; drop ef_search="),
        ("recall=1.5", r"recall=1.5 must lie in \(0, 1\]"),
        ("recall=0.9,0.95", "give one recall target"),
        ("efsearch=16,32", "unknown option 'efsearch'"),
    ],
)
def test_bad_operating_points_are_clear_errors(query: str, match: str):
    with pytest.raises(ZooError, match=match):
        hnsw_spec(query)


def test_exact_has_no_operating_points():
    spec = BackendSpec("exact", ExactBackend, exact=True)
    with pytest.raises(ZooError, match="chunk_size takes one value .* it has no search option"):
        bind_backend_options(spec, "chunk_size=64,128")
    with pytest.raises(ZooError, match="recall= tunes a search option and this backend has none"):
        bind_backend_options(spec, "recall=0.9")
    assert dataclasses.replace(spec).points is None


def test_a_single_evaluation_keeps_no_index_but_the_one_searched():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((30, 8)).astype(np.float32), rng.standard_normal((20, 8)).astype(np.float32)
    index = SharedIndex(lambda: HnswBackend(ef_construction=20), keep=False)
    other = copy.deepcopy(index)
    index.build(a, [f"a{i}" for i in range(30)], "euclidean")
    other.build(b, [f"b{i}" for i in range(20)], "euclidean")
    index.build(a, [f"a{i}" for i in range(30)], "euclidean")
    assert index.builds == 3 and index.search(a[:1], 1)[0] == [["a0"]] and other.search(b[:1], 1)[0] == [["b0"]]


def test_zoo_bench_sweeps_a_search_option_from_the_command_line(tmp_path: Path):
    from click.testing import CliRunner

    from zoo.cli.main import build_cli

    run = CliRunner().invoke(
        build_cli(),
        [
            "bench",
            "-m",
            "hashing-bow-256",
            "-t",
            str(TINY_BEIR),
            "-b",
            "exact,hnsw?ef_search=8,16",
            "-o",
            str(tmp_path),
            "--no-progress",
            "--no-leaderboard",
        ],
    )
    assert run.exit_code == 0, run.output
    assert len(list(tmp_path.glob("*.json"))) == 3
    assert "[hnsw ef_search=8]" in run.output and "[hnsw ef_search=16]" in run.output
    bad = CliRunner().invoke(
        build_cli(),
        ["bench", "-m", "hashing-bow-256", "-t", str(TINY_BEIR), "-b", "hnsw?M=8,16", "-o", str(tmp_path / "bad")],
    )
    assert bad.exit_code == 2 and "M takes one value" in bad.output and "Traceback" not in bad.output
