"""Parity: the same encoder through ``mteb.evaluate`` and through zoo's ``mteb:`` tasks gives the same scores.

Offline, on mteb's bundled mock tasks (one per task type zoo mirrors) and on the tiny BEIR folder
wrapped as an mteb retrieval task; the encoder is the weightless hashing encoder, wrapped for mteb by
``harness.mteb.encoder.MtebEncoder``. Every metric both report must agree to 1e-4.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

mteb = pytest.importorskip("mteb")
pytestmark = pytest.mark.slow  # mteb.evaluate on seven tasks: about 30 s on a shared CPU

from mteb.mocks import mock_tasks  # noqa: E402

from harness.backends.exact import ExactBackend  # noqa: E402
from harness.mteb.encoder import MtebEncoder  # noqa: E402
from harness.mteb.source import spec_for_task  # noqa: E402
from zoo.encoders.hashing import HashingEncoder  # noqa: E402

TINY_BEIR = Path(__file__).parent / "data" / "tiny-beir"
DIM = 4  # few buckets: words collide, so the tiny BEIR folder's ranking has mistakes to agree on
MOCKS = (
    "MockRetrievalTask",
    "MockRerankingTask",
    "MockClassificationTask",
    "LegacyMockClusteringFastTask",
    "MockSTSTask",
    "MockPairClassificationTask",
)


def tiny_beir_task() -> Any:
    """The tiny BEIR folder as an mteb retrieval task: its own ids, titles joined as mteb joins them."""
    from datasets import Dataset
    from mteb.abstasks.retrieval_dataset_loaders import RetrievalSplitData

    class TinyBeir(mock_tasks.MockRetrievalTask):
        metadata = mock_tasks.MockRetrievalTask.metadata.model_copy(
            update={"name": "TinyBeir", "eval_splits": ["test"]}
        )

        def load_data(self, num_proc: int | None = None, **kwargs: Any) -> None:
            def rows(name: str) -> list[dict[str, Any]]:
                return [json.loads(line) for line in (TINY_BEIR / name).read_text().splitlines() if line]

            qrels: dict[str, dict[str, int]] = {}
            for line in (TINY_BEIR / "qrels" / "test.tsv").read_text().splitlines()[1:]:
                qid, doc, grade = line.split("\t")
                qrels.setdefault(qid, {})[doc] = int(grade)
            corpus = [{"id": r["_id"], "title": r.get("title", ""), "text": r["text"]} for r in rows("corpus.jsonl")]
            queries = [{"id": r["_id"], "text": r["text"]} for r in rows("queries.jsonl")]
            split = RetrievalSplitData(
                queries=Dataset.from_list(queries),
                corpus=Dataset.from_list(corpus),
                relevant_docs=qrels,
                top_ranked=None,
            )
            self.dataset = {"default": {"test": split}}
            self.data_loaded = True

    return TinyBeir()


def mteb_scores(task: Any, encoder: HashingEncoder) -> dict[str, float]:
    result = mteb.evaluate(MtebEncoder(encoder), task, cache=None, show_progress_bar=False)
    scores = result.task_results[0].scores["test"][0]
    return {key: value for key, value in scores.items() if isinstance(value, float)}


@pytest.mark.parametrize("name", [*MOCKS, "TinyBeir"])
def test_mteb_and_zoo_agree_on_every_shared_metric(name: str) -> None:
    encoder = HashingEncoder(DIM)
    make = tiny_beir_task if name == "TinyBeir" else getattr(mock_tasks, name)
    expected = mteb_scores(make(), encoder)
    spec = spec_for_task(make())
    ours = spec.load().evaluate(encoder, ExactBackend() if spec.uses_search else None)
    shared = sorted(set(expected) & set(ours.scores))
    assert spec.main_metric in shared, f"{spec.main_metric} is not a metric both compute"
    assert len(shared) >= 4
    for key in shared:
        assert ours.scores[key] == pytest.approx(expected[key], abs=1e-4), key


def test_tiny_beir_scores_are_not_trivial() -> None:
    """The larger check is only a check if the encoder gets some queries wrong."""
    spec = spec_for_task(tiny_beir_task())
    scores = spec.load().evaluate(HashingEncoder(DIM), ExactBackend()).scores
    assert 0.0 < scores["ndcg_at_10"] < 1.0
