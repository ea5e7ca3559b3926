"""Fusion of two runs and reranking of a first stage: hand-made runs, and real ones on the tiny BEIR task."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.hybrid.fusion import convex, dev_split, min_max, ranked, rrf, tune_weight
from harness.results import ResultStore
from harness.runner import BenchmarkRun
from tests.conftest import TINY_BEIR
from zoo.errors import ZooError
from zoo.registry import Registry

needs_bm25 = pytest.mark.skipif(
    not all(__import__("importlib").util.find_spec(m) for m in ("bm25s", "Stemmer")),
    reason="bm25s and PyStemmer are not installed",
)


def test_rrf_on_hand_made_runs():
    fused = rrf([["d1", "d2", "d3"], ["d3", "d1", "d4"]], k=60)
    assert fused == pytest.approx({"d1": 1 / 61 + 1 / 62, "d2": 1 / 62, "d3": 1 / 63 + 1 / 61, "d4": 1 / 63})
    order = {d: i for i, d in enumerate(["d1", "d2", "d3", "d4"])}
    assert ranked(fused, order, 3)[0] == ["d1", "d3", "d2"]
    # equal fused scores fall back on corpus order
    assert ranked(rrf([["b"], ["a"]], k=0), {"a": 0, "b": 1}, 2)[0] == ["a", "b"]


def test_convex_normalises_each_run_and_floors_missing_documents():
    np.testing.assert_allclose(min_max([3.0, 2.0, 1.0]), [1.0, 0.5, 0.0])
    assert min_max([7.0]).tolist() == [1.0]
    fused = convex((["a", "b", "c"], [10.0, 6.0, 2.0]), (["c", "d"], [0.9, 0.1]), weight=0.25)
    assert fused == pytest.approx({"a": 0.25, "b": 0.125, "c": 0.75, "d": 0.0})
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        convex((["a"], [1.0]), (["a"], [1.0]), weight=1.5)


def _query(relevant: str, wants_first: bool) -> tuple[tuple, tuple]:
    """Runs where the relevant document wins iff the first run's weight is above 1/2 (or below, if not)."""
    if wants_first:
        return ([relevant, "x"], [1.0, 0.0]), (["x", relevant], [1.0, 0.9])
    return (["x", relevant], [1.0, 0.0]), ([relevant, "x"], [1.0, 0.9])


def test_tuned_weight_is_the_best_on_the_dev_queries_only():
    queries = {"q1": True, "q2": False, "q3": True, "q4": False, "q5": False}  # q4, q5: not dev
    runs = {q: _query(f"r{q}", wants) for q, wants in queries.items()}
    first = {q: pair[0] for q, pair in runs.items()}
    second = {q: pair[1] for q, pair in runs.items()}
    qrels = {q: {f"r{q}": 1} for q in queries}
    weight, curve = tune_weight(first, second, qrels, ["q1", "q2", "q3"])
    # above 1/2 two dev queries rank their answer first and one second: every such weight ties; the most
    # even one is kept. With q4 and q5 (which want the second run) the answer would flip.
    assert weight == 0.55
    assert curve[0.55] == pytest.approx((1 + 1 + 1 / np.log2(3)) / 3)
    assert curve[0.45] == pytest.approx((1 / np.log2(3) * 2 + 1) / 3)
    assert tune_weight(first, second, qrels, list(queries))[0] == 0.45
    with pytest.raises(ValueError, match="no dev query"):
        tune_weight(first, second, {}, ["q1"])


def test_dev_split_is_seeded_disjoint_and_whole():
    ids = [f"q{i}" for i in range(10)]
    dev, rest = dev_split(ids, 0.3, seed=1)
    assert len(dev) == 3 and sorted(dev + rest) == sorted(ids) and not set(dev) & set(rest)
    assert dev_split(ids, 0.3, seed=1) == (dev, rest) and dev_split(ids, 0.3, seed=2) != (dev, rest)


def _run(tmp_path: Path, *names: str) -> dict:
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    run = BenchmarkRun(
        [registry.encoder(n) for n in names],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact")],
        ResultStore(tmp_path),
        progress=False,
    )
    return {r.encoder: r for r in run.run()}


@needs_bm25
def test_fusions_run_as_models_with_their_settings(tmp_path: Path):
    rrf_name, convex_name = "fuse:rrf?models=bm25+hashing-bow-256&depth=4", "fuse:convex?models=bm25+hashing-bow-256"
    results = _run(tmp_path, rrf_name, convex_name)
    assert results[rrf_name].encoder_params["k"] == 60 and results[rrf_name].backend == "exact"
    assert results[rrf_name].items_encoded == 0  # its models encode inside build and search
    tuned = results[convex_name].encoder_params
    assert tuned["weight"] == "tuned" and set(tuned["fold_weights"]) == {"0", "1"}
    assert all(0 <= w <= 1 for w in tuned["fold_weights"].values())


def test_fusion_names_are_checked():
    registry = Registry.from_plugins()
    with pytest.raises(ZooError, match="two models"):
        registry.encoder("fuse:rrf?models=bm25").load()
    with pytest.raises(ZooError, match="unknown fusion method 'max'"):
        registry.encoder("fuse:max?models=bm25+hashing").load()
    with pytest.raises(ZooError, match="method=convex"):
        registry.encoder("fuse:rrf?models=bm25+hashing&weight=0.5").load()


@needs_bm25
@pytest.mark.parametrize("top", [3, 8])
def test_reranking_never_changes_the_candidate_set_only_its_order(top: int):
    from harness.data.beir import load_beir
    from harness.hybrid.rerank import RerankedRetriever
    from zoo.lexical.bm25 import BM25Retriever

    data = load_beir(TINY_BEIR)
    ids, texts = list(data.corpus), list(data.corpus.values())
    queries = list(data.queries.values())
    bm25 = BM25Retriever()
    bm25.index(bm25.prepare(texts), ids)
    first, _ = bm25.search(bm25.prepare(queries, role="query"), top)
    reranker = RerankedRetriever("bm25", "hashing-bow-256", top=top)
    reranker.index(reranker.prepare(texts), ids)
    hits, scores = reranker.search(queries, 1000)
    reorder_seen = False
    for query, before, after, row in zip(queries, first, hits, scores):
        assert sorted(after) == sorted(before)  # the same candidates, however deep the search asked
        assert np.all(np.diff(row) <= 0)  # best first by the reranker's scores
        expected = reranker.scorer.score(query, [data.corpus[d] for d in after])
        np.testing.assert_allclose(row, expected, rtol=1e-6)
        reorder_seen |= after != before
    assert reorder_seen  # the reranker did reorder something
    params = reranker.params()
    assert params["top"] == top and params["rerank_ms_per_query"] > 0 and params["queries_timed"] == len(queries)


@needs_bm25
def test_a_reranked_run_records_what_each_stage_costs(tmp_path: Path):
    name = "rerank:bm25?model=hashing-bow-256&top=3"
    result = _run(tmp_path, name)[name]
    params = result.encoder_params
    assert params["first_stage"] == "bm25" and params["scorer"] == "hashing-bow-256" and params["top"] == 3
    assert params["first_stage_ms_per_query"] > 0 and params["rerank_ms_per_query"] > 0
    assert result.backend == "exact" and result.latency_p50_ms is not None


@pytest.mark.slow
def test_a_cross_encoder_folder_reranks(tmp_path: Path):
    """A (tiny, random) sentence-transformers CrossEncoder saved to a folder scores pairs through ce:."""
    pytest.importorskip("sentence_transformers")
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    from harness.hybrid.rerank import CrossEncoderScorer, open_scorer
    from harness.retrievers import StageContext

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cat", "dog", "fish", "small", "pet"]
    (tmp_path / "vocab.txt").write_text("\n".join(words) + "\n")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(words),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(tmp_path)
    BertTokenizer(str(tmp_path / "vocab.txt")).save_pretrained(tmp_path)
    scorer = open_scorer(f"ce:{tmp_path}", StageContext())
    assert isinstance(scorer, CrossEncoderScorer)
    scores = scorer.score("small cat", ["cat", "dog fish", "pet"])
    assert scores.shape == (3,) and scores.dtype == np.float32
    np.testing.assert_array_equal(scores, scorer.score("small cat", ["cat", "dog fish", "pet"]))
    assert scorer.fingerprint() == CrossEncoderScorer(str(tmp_path)).fingerprint()
