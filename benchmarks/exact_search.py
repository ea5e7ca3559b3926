"""Exact top-k search speed and memory: ExactBackend vs a numpy full matrix vs sentence-transformers.

All three run in this process on the same random unit vectors (cosine, same k). Each timing covers the
whole job (normalising, indexing, scoring, top-k), median of --repeats; "search only" leaves out our
build (a pass over the corpus for its row norms). Repeats interleave the methods, so background load hits all
alike. Peak memory is the rise of peak resident memory over the level before one call, measured in a
fresh process per method (Linux VmHWM), so torch's allocations count and no method reuses another's freed pages.

    PYTHONPATH=. python3 benchmarks/exact_search.py --n-docs 100000 --n-queries 1000 --dim 384 --k 10
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from typing import Callable

import numpy as np

from harness.backends.exact import ExactBackend

Search = Callable[[], np.ndarray]  # returns (m, k) corpus positions, best first


def _status_bytes(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field + ":"))


def _measure_peak(name: str, data_dir: str, k: int) -> int:
    """In a fresh process: how far resident memory rises above its level after loading the data."""
    corpus, queries = np.load(f"{data_dir}/corpus.npy"), np.load(f"{data_dir}/queries.npy")
    fn = METHODS[name](corpus, queries, k)
    assert fn is not None
    with open("/proc/self/clear_refs", "w") as f:  # resets VmHWM to the current resident size (Linux)
        f.write("5")
    base = _status_bytes("VmRSS")
    fn()
    return _status_bytes("VmHWM") - base


def peak_memory(names: list[str], corpus: np.ndarray, queries: np.ndarray, k: int) -> dict[str, int]:
    """Peak extra memory of each method, each in its own process so allocator reuse and torch count fairly."""
    with tempfile.TemporaryDirectory() as data_dir:
        np.save(f"{data_dir}/corpus.npy", corpus)
        np.save(f"{data_dir}/queries.npy", queries)
        with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
            return {name: pool.apply(_measure_peak, (name, data_dir, k)) for name in names}


def median_seconds(methods: dict[str, Search], repeats: int) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Median wall time per method; repeats interleave the methods so background load hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in methods}
    results = {name: fn() for name, fn in methods.items()}  # warm-up: BLAS threads, page faults
    for _ in range(repeats):
        for name, fn in methods.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}, results


def ours(corpus: np.ndarray, queries: np.ndarray, k: int) -> Search:
    ids = [str(i) for i in range(len(corpus))]

    def run() -> np.ndarray:
        backend = ExactBackend()
        backend.build(corpus, ids, "cosine")
        found, _ = backend.search(queries, k)
        return np.array(found, dtype=np.int64)

    return run


def ours_search_only(corpus: np.ndarray, queries: np.ndarray, k: int) -> Search:
    backend = ExactBackend()
    backend.build(corpus, [str(i) for i in range(len(corpus))], "cosine")

    def run() -> np.ndarray:
        found, _ = backend.search(queries, k)
        return np.array(found, dtype=np.int64)

    return run


def numpy_full_matrix(corpus: np.ndarray, queries: np.ndarray, k: int) -> Search:
    def run() -> np.ndarray:
        x = corpus / np.linalg.norm(corpus, axis=1, keepdims=True)
        q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
        scores = q @ x.T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
        return np.take_along_axis(top, order, axis=1)

    return run


def sentence_transformers_peer(corpus: np.ndarray, queries: np.ndarray, k: int) -> Search | None:
    try:
        import torch
        from sentence_transformers.util import semantic_search
    except ImportError as exc:
        print(f"skipping sentence-transformers peer: {exc}")
        return None
    x, q = torch.from_numpy(corpus), torch.from_numpy(queries)

    def run() -> np.ndarray:
        hits = semantic_search(q, x, top_k=k)
        return np.array([[h["corpus_id"] for h in row] for row in hits], dtype=np.int64)

    return run


METHODS: dict[str, Callable[[np.ndarray, np.ndarray, int], Search | None]] = {
    "exact (ours)": ours,
    "  ours, search only": ours_search_only,
    "numpy full matrix": numpy_full_matrix,
    "sentence-transformers": sentence_transformers_peer,
}


def agreement(a: np.ndarray, b: np.ndarray) -> str:
    same_order = int((a == b).all(axis=1).sum())
    same_set = sum(set(r) == set(s) for r, s in zip(a.tolist(), b.tolist()))
    return f"{same_order}/{len(a)} same order, {same_set}/{len(a)} same set"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-docs", type=int, default=100_000)
    parser.add_argument("--n-queries", type=int, default=1_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    corpus = rng.standard_normal((args.n_docs, args.dim), dtype=np.float32)
    corpus /= np.linalg.norm(corpus, axis=1, keepdims=True)
    queries = rng.standard_normal((args.n_queries, args.dim), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    print(
        f"n_docs={args.n_docs} n_queries={args.n_queries} dim={args.dim} k={args.k} repeats={args.repeats} "
        f"cpus={os.cpu_count()} numpy={np.__version__}"
    )

    made = {name: factory(corpus, queries, args.k) for name, factory in METHODS.items()}
    methods = {name: fn for name, fn in made.items() if fn is not None}
    seconds, results = median_seconds(methods, args.repeats)
    memory = peak_memory(list(methods), corpus, queries, args.k)
    print(f"\n{'method':<24}{'median s':>10}{'QPS':>10}{'peak MiB':>10}{'ours/this time':>16}{'ours/this mem':>15}")
    ours_s, ours_mem = seconds["exact (ours)"], memory["exact (ours)"]
    for name in methods:
        mem = f"{memory[name] / 2**20:.1f}"
        ratios = (
            ("", "")
            if name.startswith(" ")
            else (f"{ours_s / seconds[name]:.2f}", f"{ours_mem / max(memory[name], 1):.2f}")
        )
        print(
            f"{name:<24}{seconds[name]:>10.3f}{args.n_queries / seconds[name]:>10.0f}{mem:>10}"
            f"{ratios[0]:>16}{ratios[1]:>15}"
        )
    print()
    for name, found in results.items():
        if name not in ("exact (ours)", "  ours, search only"):
            print(f"top-{args.k} ids, ours vs {name}: {agreement(results['exact (ours)'], found)}")


if __name__ == "__main__":
    main()
