"""The runner: each input encoded once, backends share embeddings, results carry provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.results import ResultStore
from harness.encoding import MeasuredEncoder
from harness.runner import BenchmarkRun
from tests.conftest import TINY_BEIR
from zoo.cache import EmbeddingCache
from zoo.encoders.hashing import HashingEncoder
from zoo.errors import ZooError
from zoo.registry import Registry


class CountingEncoder(HashingEncoder):
    def __init__(self) -> None:
        super().__init__(32, name="counting")
        self.calls: list[int] = []

    def encode(self, inputs, *, role="document", instruction=None):  # noqa: ANN001, ANN201
        self.calls.append(len(inputs))
        return super().encode(inputs, role=role, instruction=instruction)


def test_measured_encoder_encodes_each_distinct_input_once(tmp_path: Path):
    inner = CountingEncoder()
    measured = MeasuredEncoder(inner, cache=EmbeddingCache(tmp_path), progress=False)
    first = measured.encode(["a b", "c", "a b"], role="document")
    assert measured.encode(["a b", "c", "a b"], role="document") is first  # the same call: the same array
    again = measured.encode(["c", "a b"], role="document")  # another call: its inputs come from the cache
    assert inner.calls == [2] and measured.items_cached == 2
    np.testing.assert_array_equal(first[0], again[1])
    np.testing.assert_array_equal(first[0], first[2])
    measured.encode(["c"], role="query")  # another role is another input
    assert inner.calls == [2, 1] and measured.items_encoded == 3


def test_measured_encoder_vectors_are_read_only():
    """Every caller of a memoised call gets the same array: none may change it under the others."""
    measured = MeasuredEncoder(CountingEncoder(), progress=False)
    vectors = measured.encode(["a", "b"])
    with pytest.raises(ValueError, match="read-only"):
        vectors[0] = 0.0


def test_measured_encoder_keeps_corpus_vectors_in_the_cache(tmp_path: Path):
    """encode_stored leaves cached vectors on disk (a StoredMatrix); encode of the same call reads them."""
    from zoo.stored import StoredMatrix

    inner = CountingEncoder()
    measured = MeasuredEncoder(inner, cache=EmbeddingCache(tmp_path), progress=False)
    texts = ["a b", "c", "d e f", "c"]
    stored = measured.encode_stored(texts)
    assert isinstance(stored, StoredMatrix) and stored.shape == (4, 32)
    assert measured.encode_stored(texts) is stored and inner.calls == [3]
    in_memory = measured.encode(texts)
    np.testing.assert_array_equal(in_memory, np.asarray(stored))
    np.testing.assert_array_equal(in_memory, HashingEncoder(32, name="counting").encode(texts))
    assert inner.calls == [3]
    uncached = MeasuredEncoder(CountingEncoder(), progress=False).encode_stored(texts)
    assert isinstance(uncached, np.ndarray)  # no cache: nothing to leave the vectors in


def test_measured_encoder_rejects_a_wrong_shape():
    class Broken(HashingEncoder):
        def encode(self, inputs, *, role="document", instruction=None):  # noqa: ANN001, ANN201
            return np.zeros((len(inputs) + 1, self.dim), dtype=np.float32)

    with pytest.raises(ZooError, match=r"returned shape \(3, 8\) for 2 inputs"):
        MeasuredEncoder(Broken(8), progress=False).encode(["a", "b"])


def test_run_writes_one_result_per_backend_with_provenance(tmp_path: Path):
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    results = BenchmarkRun(
        [registry.encoder("hashing-bow-256")],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact")],
        ResultStore(tmp_path),
        progress=False,
    ).run()
    (result,) = results
    assert result.items_encoded == 13 and result.n_queries == 5
    assert result.versions["numpy"] == np.__version__
    assert len(result.code_fingerprint) == 16 and len(result.data_fingerprint) == 16
    assert result.bytes_per_vector == 256 * 4
    assert result.hardware["cores"]


def test_recall_against_exact_by_hand():
    from harness.approximate import recall_against

    exact = {"q1": ["a", "b", "c"], "q2": ["d", "e"]}
    approx = {"q1": ["a", "x", "b"], "q2": ["e", "d"]}
    assert recall_against(exact, approx, 2) == pytest.approx((1 / 2 + 2 / 2) / 2)
    assert recall_against(exact, approx, 3) == pytest.approx((2 / 3 + 2 / 2) / 2)


def test_approximate_backends_are_compared_with_exact(tmp_path: Path):
    """A backend that only sees every other document: its recall and score loss are reported."""
    from harness.backends.exact import ExactBackend
    from harness.tasks.builtin import beir_folder_spec
    from zoo.protocols import BackendSpec

    class EveryOther(ExactBackend):
        name = "every-other"

        def build(self, vectors, ids, similarity):  # noqa: ANN001, ANN201
            super().build(vectors[::2], list(ids)[::2], similarity)

    registry = Registry.from_plugins()
    half = BackendSpec("every-other", EveryOther)
    results = BenchmarkRun(
        [registry.encoder("hashing-bow-256")],
        [beir_folder_spec(TINY_BEIR)],
        [half, registry.backend("exact")],
        ResultStore(tmp_path),
        progress=False,
    ).run()
    exact, approx = results  # exact ran first although named second
    assert exact.backend == "exact" and exact.vs_exact == {}
    assert approx.vs_exact["exact_main_score"] == exact.main_score
    assert approx.vs_exact["main_score_delta"] == pytest.approx(approx.main_score - exact.main_score)
    assert approx.vs_exact["recall_at_10"] == pytest.approx(4 / 8)  # 4 of the 8 documents are indexed
    assert approx.items_encoded == exact.items_encoded == 13  # the second backend re-encoded nothing
    assert approx.latency_p50_ms > 0 and approx.latency_p99_ms >= approx.latency_p50_ms


def test_depth_bounds_the_search_and_the_cutoffs_scored(tmp_path: Path):
    """--depth 10: every backend asks for 10 hits, cutoffs past 10 are not scored, depth is recorded."""
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    results = BenchmarkRun(
        [registry.encoder("hashing-bow-256")],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact"), registry.backend("hnsw")],
        ResultStore(tmp_path),
        progress=False,
        depth=10,
    ).run()
    exact, hnsw = results
    for result in results:
        assert result.backend_params["depth"] == 10
        assert "ndcg_at_10" in result.scores and "recall_at_100" not in result.scores
    assert set(hnsw.vs_exact) == {
        "recall_at_10",
        "exact_main_score",
        "main_score_delta",
        "p_value",
        "delta_low",
        "delta_high",
    }
    deep = BenchmarkRun(
        [registry.encoder("hashing-bow-256")],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact")],
        ResultStore(tmp_path / "deep"),
        progress=False,
    ).run()[0]
    assert deep.backend_params["depth"] == 1000 and "recall_at_1000" in deep.scores
    assert deep.scores["ndcg_at_10"] == exact.scores["ndcg_at_10"]  # exact top-10 does not depend on depth


def test_depth_below_the_main_metric_is_refused(tmp_path: Path):
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    run = BenchmarkRun(
        [registry.encoder("hashing-bow-256")],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact")],
        ResultStore(tmp_path),
        progress=False,
        depth=5,
    )
    with pytest.raises(ZooError, match="--depth 5 is shallower than .*ndcg_at_10: use --depth 10 or more"):
        run.run()
    assert not list(tmp_path.glob("*.json"))


def test_results_carry_the_encoders_parameter_count(tmp_path: Path):
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    result = BenchmarkRun(
        [registry.encoder("hashing-bow-256")],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact")],
        ResultStore(tmp_path),
        progress=False,
    ).run()[0]
    assert result.n_parameters == 0  # hashing learns nothing
    assert MeasuredEncoder(CountingEncoder()).n_parameters == 0
    assert (
        MeasuredEncoder(
            type("Bare", (), {"name": "bare", "modalities": ("text",), "similarity": "cosine"})()
        ).n_parameters
        is None
    )


def test_tasks_run_only_with_encoders_of_all_their_modalities(tmp_path: Path, capsys):
    from dataclasses import replace

    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    text = registry.encoder("hashing-bow-256")
    both = replace(text, name="both", modalities=("image", "text"))
    images_only = replace(text, name="images-only", modalities=("image",), load=lambda: 1 / 0)
    task = beir_folder_spec(TINY_BEIR)
    results = BenchmarkRun(
        [images_only, both], [task], [registry.backend("exact")], ResultStore(tmp_path), progress=False
    ).run()
    assert [r.encoder for r in results] == ["hashing-bow-256"]  # `both` loaded the text encoder
    assert "skipping" in capsys.readouterr().err  # images-only was never loaded
    picture_task = replace(task, name="pictures", modalities=("image", "text"))
    with pytest.raises(ZooError, match="no encoder here encodes what pictures needs .image\\+text"):
        BenchmarkRun(
            [text], [picture_task], [registry.backend("exact")], ResultStore(tmp_path / "x"), progress=False
        ).run()


def test_retrieval_scores_each_search_batch_as_it_comes(monkeypatch: pytest.MonkeyPatch):
    """Hits are scored batch by batch and dropped: the scores and per-query items are those of the whole
    run, and the ranking keeps only the depth the comparison with exact search reads."""
    from harness.approximate import RANKED
    from harness.backends.exact import ExactBackend
    from harness.metrics import per_query_retrieval_scores, query_items, retrieval_scores
    from harness.tasks import retrieval
    from harness.tasks.builtin import beir_folder_spec

    task = beir_folder_spec(TINY_BEIR).load()
    encoder = MeasuredEncoder(HashingEncoder(64), progress=False)
    monkeypatch.setattr(retrieval, "SEARCH_BATCH", 2)
    scores = task.evaluate(encoder, ExactBackend())
    backend = ExactBackend()
    backend.build(encoder.encode(list(task.data.corpus.values())), list(task.data.corpus), "cosine")
    hits, found = backend.search(encoder.encode(list(task.data.queries.values()), role="query"), 1000)
    whole = {qid: dict(zip(row, row_scores.tolist())) for qid, row, row_scores in zip(task.data.queries, hits, found)}
    assert scores.scores == retrieval_scores(task.data.qrels, whole, task.k_values)
    items = query_items(per_query_retrieval_scores(task.data.qrels, whole, task.k_values), "ndcg_at_10")
    assert scores.items is not None and scores.items.ids == items.ids
    assert scores.items.values.tolist() == items.values.tolist()
    assert scores.ranking == {qid: row[:RANKED] for qid, row in zip(task.data.queries, hits)}
    assert scores.search.n_queries == 5 and scores.search.depth == 1000


def test_cached_corpora_are_searched_from_the_cache_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """With a cache, exact search streams the corpus from the cache's segment files (through the runner's
    SharedIndex too); other backends get it in memory; the scores are the same either way, first run or
    cached."""
    from harness.backends.exact import ExactBackend
    from harness.backends.hnsw import HnswBackend
    from harness.operating_points import SharedIndex
    from harness.tasks.builtin import beir_folder_spec
    from harness.tasks.retrieval import corpus_vectors
    from zoo.stored import StoredMatrix

    texts = ["one doc", "another doc"]
    measured = MeasuredEncoder(HashingEncoder(16), cache=EmbeddingCache(tmp_path / "cache"), progress=False)
    assert isinstance(corpus_vectors(measured, ExactBackend(), texts), StoredMatrix)
    assert isinstance(corpus_vectors(measured, SharedIndex(ExactBackend, keep=False), texts), StoredMatrix)
    assert isinstance(corpus_vectors(measured, SharedIndex(ExactBackend), texts), np.ndarray)  # hashed to share
    assert isinstance(corpus_vectors(measured, HnswBackend(), texts), np.ndarray)
    assert isinstance(corpus_vectors(HashingEncoder(16), ExactBackend(), texts), np.ndarray)

    built: list[type] = []
    exact_build = ExactBackend.build
    monkeypatch.setattr(
        ExactBackend, "build", lambda self, x, *rest: built.append(type(x)) or exact_build(self, x, *rest)
    )

    registry = Registry.from_plugins()

    def run(folder: str, cache: EmbeddingCache | None) -> list:
        return BenchmarkRun(
            [registry.encoder("hashing-bow-256")],
            [beir_folder_spec(TINY_BEIR)],
            [registry.backend("exact")],
            ResultStore(tmp_path / folder),
            cache=cache,
            progress=False,
        ).run()

    first, cached = run("first", EmbeddingCache(tmp_path / "cache")), run("again", EmbeddingCache(tmp_path / "cache"))
    (plain,) = run("plain", None)
    assert cached[0].items_encoded == 0 and cached[0].items_cached == 13
    assert first[0].scores == cached[0].scores == plain.scores
    assert built == [np.ndarray, StoredMatrix] * 2 + [np.ndarray] * 2  # each run: its chance level, its search


class FixedDepthTask:
    """A search task that always searches 100 deep, whatever it is asked."""

    def __init__(self) -> None:
        from zoo.protocols import TaskSpec

        self.spec = TaskSpec(
            "fixed-depth", "retrieval", load=lambda: self, main_metric="recall_at_100", uses_search=True
        )
        self.asked: list[int | None] = []

    def data_fingerprint(self) -> str:
        return "fixed"

    def evaluate(self, encoder, backend=None, *, depth=None):  # noqa: ANN001, ANN201
        from zoo.protocols import SearchStats, TaskScores

        self.asked.append(depth)
        stats = SearchStats(build_seconds=0.0, search_seconds=1.0, n_queries=1, n_documents=1, depth=100)
        return TaskScores({"recall_at_100": 1.0}, 1.0, "test", search=stats)


def test_depth_is_passed_to_every_task_and_a_fixed_depth_is_reported(capsys):
    from harness.runner import evaluate

    task = FixedDepthTask()
    evaluate(task, None, object(), 10, explicit=False)  # a default depth: nothing to say
    evaluate(task, None, object(), 100, explicit=True)  # what it searched anyway
    assert capsys.readouterr().err == ""
    evaluate(task, None, object(), 10, explicit=True)
    assert "fixed-depth searches at its own depth, 100 (--depth 10 ignored)" in capsys.readouterr().err
    assert task.asked == [10, 100, 10]
