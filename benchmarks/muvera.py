"""MUVERA against exact MaxSim on a retrieval task: recall of exact MaxSim's answers, quality, speed, size.

Token embeddings of all-MiniLM-L6-v2 (``tokens:all-minilm-l6-v2``: not a trained late-interaction model,
so the nDCG column says how well MaxSim over these tokens ranks, not how well ColBERT would) are encoded
once; exact MaxSim over every document is the reference. Each MUVERA setting builds fixed-dimensional
encodings of the documents, searches them (exact or HNSW) for ``candidates`` per query and rescores those
by MaxSim. Printed per setting: recall@10 of exact MaxSim's top 10, 1-NN recall (exact MaxSim's best
document found: the paper's measure), nDCG@10 on the task's judgments, queries per second (batch, the
encoding of queries excluded) and its ratio to exact MaxSim's measured in the same run, and bytes per
document (the FDE; the token vectors kept for rescoring, apart).

    nice -n 10 env OMP_NUM_THREADS=1 PYTHONPATH=. python3 benchmarks/muvera.py --docs 5000 --queries 500
    PYTHONPATH=. python3 benchmarks/muvera.py --docs 500 --queries 50      # a quick proof
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from harness.metrics import RunningScores
from harness.multivector import MaxSimBackend, MultiVectorView, MuveraBackend
from zoo.multivector.maxsim import VectorSets
from zoo.registry import Registry

SETTINGS = (  # (repetitions, k_sim, d_proj, candidates, index); the paper's default is 20, 5, 16
    (1, 5, 16, 100, "exact"),
    (5, 5, 16, 100, "exact"),
    (10, 5, 16, 100, "exact"),
    (20, 5, 16, 100, "exact"),
    (20, 5, 16, 10, "exact"),
    (20, 5, 16, 300, "exact"),
    (20, 5, 16, 100, "hnsw"),
    (20, 4, 16, 100, "exact"),
)


def task_data(name: str, docs: int, queries: int) -> tuple[list[str], list[str], list[str], list[str], Any]:
    """The task's first ``docs`` documents, always keeping those its first ``queries`` judged queries need."""
    task = Registry.from_plugins().task(name).load()
    data = task.data
    qids = [q for q in data.queries if data.qrels.get(q)][:queries]
    needed = {d for q in qids for d in data.qrels[q]}
    doc_ids = list(dict.fromkeys([*sorted(needed & set(data.corpus)), *list(data.corpus)[:docs]]))[
        : max(docs, len(needed))
    ]
    return doc_ids, [data.corpus[d] for d in doc_ids], qids, [data.queries[q] for q in qids], data.qrels


def timed_search(backend: Any, queries: VectorSets, k: int) -> tuple[list[list[str]], float]:
    began = time.perf_counter()
    hits, _ = backend.search(queries, k)
    return hits, len(queries) / (time.perf_counter() - began)


def ndcg(hits: list[list[str]], qids: list[str], qrels: Any) -> float:
    running = RunningScores({q: qrels[q] for q in qids}, (10,))
    running.add({q: {d: float(len(row) - r) for r, d in enumerate(row)} for q, row in zip(qids, hits)})
    return running.means()["ndcg_at_10"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", default="icd10cm-small")
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()

    doc_ids, doc_texts, qids, query_texts, qrels = task_data(args.task, args.docs, args.queries)
    view = MultiVectorView(Registry.from_plugins().encoder("tokens:all-minilm-l6-v2").load())
    documents, queries = view.encode(doc_texts), view.encode(query_texts, role="query")
    print(
        f"{args.task}: {len(doc_ids)} documents ({documents.vectors.shape[0]} token vectors), {len(qids)} "
        f"queries, encoded in {view.encode_seconds:.1f} s"
    )
    exact = MaxSimBackend()
    exact.build(documents, doc_ids, view.similarity)
    reference, exact_qps = timed_search(exact, queries, 10)
    print(
        f"exact MaxSim: nDCG@10 {ndcg(reference, qids, qrels):.4f}, {exact_qps:.1f} queries/s, "
        f"{view.bytes_per_vector} bytes/document"
    )
    print(
        f"{'reps':>4} {'k_sim':>5} {'d_proj':>6} {'cand':>4} {'index':>5} {'fde_dim':>7} {'R@10':>6} "
        f"{'1-NN':>6} {'nDCG@10':>7} {'qps':>8} {'x exact':>7} {'FDE B/doc':>9}"
    )
    for repetitions, k_sim, d_proj, candidates, index in SETTINGS:
        muvera = MuveraBackend(repetitions=repetitions, k_sim=k_sim, d_proj=d_proj, candidates=candidates, index=index)
        muvera.build(documents, doc_ids, view.similarity)
        hits, qps = timed_search(muvera, queries, 10)
        recall = np.mean([len(set(h) & set(r)) / len(r) for h, r in zip(hits, reference)])
        one_nn = np.mean([r[0] in h for h, r in zip(hits, reference)])
        fde_dim = muvera.params()["fde_dim"]
        print(
            f"{repetitions:>4} {k_sim:>5} {d_proj:>6} {candidates:>4} {index:>5} {fde_dim:>7} "
            f"{recall:>6.3f} {one_nn:>6.3f} {ndcg(hits, qids, qrels):>7.4f} {qps:>8.1f} "
            f"{qps / exact_qps:>7.2f} {4 * fde_dim:>9}"
        )
    print(f"(MUVERA also keeps the token vectors for rescoring: {view.bytes_per_vector} bytes/document)")


if __name__ == "__main__":
    main()
