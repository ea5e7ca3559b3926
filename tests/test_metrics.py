"""Retrieval metrics: hand-computed answers and exact parity with pytrec_eval (trec_eval)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from harness.metrics import (
    DEFAULT_K,
    MEASURES,
    RunningScores,
    mean_scores,
    metric_name,
    per_query_retrieval_scores,
    query_items,
    retrieval_scores,
    sts_scores,
    trec_order,
)

TREC_NAMES = {"ndcg": "ndcg_cut", "map": "map_cut", "recall": "recall", "precision": "P"}


def test_metric_name_and_defaults() -> None:
    assert metric_name("ndcg", 10) == "ndcg_at_10"
    assert MEASURES == ("ndcg", "map", "recall", "precision", "mrr")
    assert DEFAULT_K == (1, 3, 5, 10, 20, 100, 1000)
    with pytest.raises(ValueError, match="unknown measure"):
        metric_name("ndgc", 10)


def test_trec_order_breaks_ties_by_doc_id_descending() -> None:
    assert trec_order({"a": 1.0, "b": 1.0, "c": 2.0}) == ["c", "b", "a"]
    assert trec_order({"d10": 0.5, "d9": 0.5}) == ["d9", "d10"]  # string order, not numeric


def test_hand_computed_query() -> None:
    qrels = {"q1": {"d1": 2, "d2": 1, "d3": 0, "d4": 1}, "q2": {"d1": 0}, "q3": {"d9": 1}}
    # q1 order: d3 (.9), then the .8 tie with d5 > d1 by id, then d2: d3, d5, d1, d2.
    # q2 has no relevant doc, q3 is absent from the run: both score 0 and count in the mean.
    run = {"q1": {"d3": 0.9, "d1": 0.8, "d5": 0.8, "d2": 0.5}, "q2": {"d1": 1.0}, "qx": {"d1": 1.0}}
    per_query = per_query_retrieval_scores(qrels, run, (1, 3, 5))
    q1 = per_query["q1"]
    # relevant retrieved: d1 at rank 3 (grade 2), d2 at rank 4 (grade 1); 3 relevant in qrels
    assert q1["precision_at_1"] == q1["ndcg_at_1"] == q1["mrr_at_1"] == 0.0
    assert q1["precision_at_3"] == pytest.approx(1 / 3)
    assert q1["recall_at_3"] == pytest.approx(1 / 3)
    assert q1["map_at_3"] == pytest.approx((1 / 3) / 3)
    assert q1["mrr_at_3"] == pytest.approx(1 / 3)
    # DCG@3 = 2/log2(4) = 1; IDCG@3 = 2 + 1/log2(3) + 1/log2(4)
    ideal = 2 + 1 / math.log2(3) + 1 / math.log2(4)
    assert q1["ndcg_at_3"] == pytest.approx(1 / ideal)
    # P@5 = 2/5 (denominator k); MAP@5 = (1/3 + 2/4) / 3; DCG@5 = 1 + 1/log2(5)
    assert q1["precision_at_5"] == pytest.approx(2 / 5)
    assert q1["recall_at_5"] == pytest.approx(2 / 3)
    assert q1["map_at_5"] == pytest.approx((1 / 3 + 2 / 4) / 3)
    assert q1["ndcg_at_5"] == pytest.approx((1 + 1 / math.log2(5)) / ideal)
    assert set(per_query) == {"q1", "q2", "q3"}  # qx is not judged
    assert all(v == 0.0 for q in ("q2", "q3") for v in per_query[q].values())
    mean = retrieval_scores(qrels, run, (1, 3, 5))
    assert set(mean) == {metric_name(m, k) for m in MEASURES for k in (1, 3, 5)}
    for name, value in mean.items():
        assert value == pytest.approx(q1[name] / 3)


def test_negative_grades_are_not_relevant() -> None:
    qrels = {"q": {"a": -1, "b": 1, "c": -2}}
    scores = per_query_retrieval_scores(qrels, {"q": {"a": 3.0, "b": 2.0, "c": 1.0}}, (3,))["q"]
    # only b counts, at rank 2: DCG = 1/log2(3), IDCG = 1
    assert scores["ndcg_at_3"] == pytest.approx(1 / math.log2(3))
    assert scores["recall_at_3"] == 1.0
    assert scores["mrr_at_3"] == 0.5


def test_ignore_identical_ids() -> None:
    qrels = {"q1": {"d1": 1}}
    run = {"q1": {"q1": 0.9, "d1": 0.5}}
    assert retrieval_scores(qrels, run, (10,))["mrr_at_10"] == 0.5
    assert retrieval_scores(qrels, run, (10,), ignore_identical_ids=True)["mrr_at_10"] == 1.0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="no judged queries"):
        retrieval_scores({"q": {}}, {"q": {"d": 1.0}})
    with pytest.raises(ValueError, match="positive"):
        retrieval_scores({"q": {"d": 1}}, {"q": {"d": 1.0}}, (0, 5))


def _random_case(seed: int) -> tuple[dict, dict]:
    rng = random.Random(seed)
    docs = [f"d{i}" for i in range(60)]  # d1 < d10 < d2 in string order: exercises the tie-break
    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    for q in range(40):
        qid = f"q{q}"
        grades = [0, 1, 2, 3] if q % 7 else [0, -1]  # every 7th query has no relevant doc
        qrels[qid] = {d: rng.choice(grades) for d in rng.sample(docs, rng.randint(1, 20))}
        if q % 9 == 4:
            continue  # judged but missing from the run
        hits = rng.sample(docs, rng.randint(0, len(docs)))  # many runs shorter than k
        run[qid] = {d: round(rng.random(), 1) for d in hits}  # 1 decimal: many ties
    run["unjudged"] = {"d1": 1.0}
    return qrels, run


def _pytrec_per_query(qrels: dict, run: dict, ks: tuple[int, ...]) -> dict[str, dict[str, float]]:
    """Expected per-query scores from pytrec_eval, 0 for judged queries it does not report."""
    pytrec_eval = pytest.importorskip("pytrec_eval")
    cut = ",".join(map(str, ks))
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, {f"{t}.{cut}" for t in TREC_NAMES.values()})
    trec = evaluator.evaluate(run)
    expected: dict[str, dict[str, float]] = {}
    for qid in qrels:
        got = trec.get(qid, {})
        expected[qid] = {metric_name(m, k): got.get(f"{TREC_NAMES[m]}_{k}", 0.0) for m in TREC_NAMES for k in ks}
    rr = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"})
    for k in ks:
        # BEIR/MTEB MRR@k: recip_rank on the run cut to its top k in trec order
        top_k = {q: {d: hits[d] for d in trec_order(hits)[:k]} for q, hits in run.items()}
        got = rr.evaluate(top_k)
        for qid in qrels:
            expected[qid][metric_name("mrr", k)] = got.get(qid, {}).get("recip_rank", 0.0)
    return expected


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_parity_with_pytrec_eval(seed: int) -> None:
    qrels, run = _random_case(seed)
    expected = _pytrec_per_query(qrels, run, DEFAULT_K)
    per_query = per_query_retrieval_scores(qrels, run, DEFAULT_K)
    assert set(per_query) == set(qrels)
    for qid, scores in expected.items():
        assert per_query[qid] == pytest.approx(scores, abs=1e-6), qid
    mean = retrieval_scores(qrels, run, DEFAULT_K)
    for name, value in mean.items():
        assert value == pytest.approx(np.mean([s[name] for s in expected.values()]), abs=1e-6)


@pytest.mark.parametrize("ignore_identical_ids", [False, True])
def test_scores_of_a_run_in_parts_equal_the_whole_runs(ignore_identical_ids: bool) -> None:
    """Batch by batch, in any order, only each query's scores kept: the same means to the last bit."""
    qrels, run = _random_case(5)
    run["q3"] = {"q3": 1.0, **run.get("q3", {})}  # a query retrieving itself
    whole = retrieval_scores(qrels, run, DEFAULT_K, ignore_identical_ids=ignore_identical_ids)
    running = RunningScores(qrels, DEFAULT_K, ignore_identical_ids=ignore_identical_ids)
    qids = list(run)
    random.Random(0).shuffle(qids)
    for start in range(0, len(qids), 7):
        running.add({qid: run[qid] for qid in qids[start : start + 7]})
    assert running.means() == whole
    per_query = per_query_retrieval_scores(qrels, run, DEFAULT_K, ignore_identical_ids=ignore_identical_ids)
    assert mean_scores(per_query) == whole
    items, expected = running.items("ndcg_at_10"), query_items(per_query, "ndcg_at_10")
    assert items.ids == expected.ids and items.values.tolist() == expected.values.tolist()


def test_sts_scores() -> None:
    predicted = np.array([0.1, 0.4, 0.35, 0.8, 0.9])
    gold = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    scores = sts_scores(predicted, gold)
    assert scores["pearson"] == pytest.approx(np.corrcoef(predicted, gold)[0, 1])
    assert scores["spearman"] == pytest.approx(0.9)  # one swapped pair: 1 - 6*2/(5*24)
    with pytest.raises(ValueError, match="gold has 4"):
        sts_scores(predicted, gold[:4])
