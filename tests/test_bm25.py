"""BM25: scores against a hand-computed case, the tokenization it states, and a run through the harness."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("bm25s")
pytest.importorskip("Stemmer")

from harness.results import ResultStore, read_result  # noqa: E402
from harness.runner import BenchmarkRun  # noqa: E402
from tests.conftest import TINY_BEIR  # noqa: E402
from zoo.errors import ZooError  # noqa: E402
from zoo.lexical.bm25 import BM25Retriever  # noqa: E402
from zoo.protocols import Retriever  # noqa: E402
from zoo.registry import Registry  # noqa: E402

CORPUS = ["The cat sat on the mat.", "A dog barked at the cat's cat.", "Cats and dogs", "Nothing here"]
IDS = ["d0", "d1", "d2", "d3"]


def lucene_bm25(query: list[str], docs: list[list[str]], k1: float, b: float) -> np.ndarray:
    """Lucene's BM25 written out: idf = ln(1 + (N - df + 0.5) / (df + 0.5)), tf / (tf + k1 (1 - b + b dl/avgdl))."""
    n, avgdl = len(docs), sum(map(len, docs)) / len(docs)
    scores = np.zeros(n)
    for term in query:
        df = sum(term in doc for doc in docs)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, doc in enumerate(docs):
            tf = doc.count(term)
            scores[i] += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avgdl)) if tf else 0.0
    return scores


def indexed(**options: float | str) -> BM25Retriever:
    bm25 = BM25Retriever(**options)  # type: ignore[arg-type]
    bm25.index(bm25.prepare(CORPUS, role="document"), IDS)
    return bm25


@pytest.mark.parametrize(("k1", "b"), [(1.5, 0.75), (0.9, 0.4), (1.2, 1.0)])
def test_scores_equal_lucene_bm25_by_hand(k1: float, b: float):
    # stems after lower-casing, dropping stopwords ("the", "on", "a", "at", "and") and 1-char tokens ("s")
    docs = [["cat", "sat", "mat"], ["dog", "bark", "cat", "cat"], ["cat", "dog"], ["noth", "here"]]
    bm25 = indexed(k1=k1, b=b)
    hits, scores = bm25.search(bm25.prepare(["cats dogs", "mat"], role="query"), 4)
    for row, query in enumerate([["cat", "dog"], ["mat"]]):
        expected = lucene_bm25(query, docs, k1, b)
        by_id = dict(zip(hits[row], scores[row].tolist()))
        assert [by_id[i] for i in IDS] == pytest.approx(expected.tolist(), rel=1e-6)


def test_best_first_with_ties_in_corpus_order():
    bm25 = indexed()
    hits, scores = bm25.search(bm25.prepare(["mat", "zebra"], role="query"), 4)
    assert hits[0] == ["d0", "d1", "d2", "d3"] and scores[0, 0] > 0 == scores[0, 1]  # one match, then ties
    assert hits[1] == IDS and not scores[1].any()  # a word the corpus never holds scores nothing
    assert bm25.search(bm25.prepare(["cat"], role="query"), 10)[1].shape == (1, 4)  # k clipped to the corpus


def test_reports_its_settings_vocabulary_and_index_size():
    bm25 = indexed(k1=1.2, b=0.5)
    assert isinstance(bm25, Retriever)
    assert bm25.params()["k1"] == 1.2 and bm25.params()["tokenizer"]["stemmer"] == "english"
    assert bm25.dim == 7  # cat sat mat dog bark noth here
    assert bm25.bytes_per_document == round(bm25.nbytes() / 4) > 0
    assert BM25Retriever(k1=1.2).fingerprint() != BM25Retriever(k1=1.5).fingerprint()


def test_bad_settings_are_one_line_errors():
    with pytest.raises(ZooError, match="unknown BM25 method 'okapi'"):
        BM25Retriever(method="okapi")
    with pytest.raises(ZooError, match="0 <= b <= 1"):
        BM25Retriever(b=2.0)
    with pytest.raises(ZooError, match="prepare the documents first"):
        BM25Retriever().prepare(["cat"], role="query")
    with pytest.raises(ZooError, match="unknown option 'k'"):
        Registry.from_plugins().encoder("bm25?k=1")


def test_bm25_runs_as_a_model_beside_the_exact_backend(tmp_path: Path):
    """One result per retrieval task, in the exact table, its settings and cost recorded; STS is skipped."""
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    spec = registry.encoder("bm25?k1=1.2&b=0.75")
    run = BenchmarkRun(
        [spec, registry.encoder("hashing-bow-256")],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact"), registry.backend("hnsw")],
        ResultStore(tmp_path),
        progress=False,
    )
    results = {(r.encoder, r.backend): r for r in run.run()}
    bm25 = results[("bm25?k1=1.2&b=0.75", "exact")]
    assert ("bm25?k1=1.2&b=0.75", "hnsw") not in results  # it searches itself, once
    assert bm25.encoder_params["k1"] == 1.2 and bm25.encoder_params["method"] == "lucene"
    assert bm25.similarity == "bm25" and bm25.items_encoded == 13 and bm25.n_queries == 5
    assert bm25.dim > 0 and bm25.bytes_per_vector > 0 and bm25.latency_p50_ms is not None
    assert 0 < bm25.main_score <= 1 and bm25.interval
    stored = read_result(next(tmp_path.glob("*bm25*.json")))
    assert stored.encoder_params == bm25.encoder_params


@pytest.mark.parametrize("k", [1, 5, 40, 60])
def test_top_of_mostly_zero_scores_equals_the_exact_rule(k: int):
    """Positive scores first, then zeros in corpus order, then negative ones: the plain top k, faster."""
    from zoo.lexical.bm25 import _top_sparse
    from zoo.ranking import top_k

    rng = np.random.default_rng(k)
    scores = np.zeros(60, dtype=np.float32)
    scores[rng.choice(60, 12, replace=False)] = rng.choice([-1.0, 0.5, 1.0, 2.0], 12)
    np.testing.assert_array_equal(_top_sparse(scores, k), top_k(scores, k))
