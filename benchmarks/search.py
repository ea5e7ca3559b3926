"""Search speed, memory and recall: our exact and HNSW backends against their libraries, on the same vectors.

Exact group (cosine, k=10): ExactBackend vs faiss IndexFlatIP vs numpy matmul + argpartition vs torch mm +
topk, each with --exact-threads threads. HNSW group, one thread, one graph per method at the SAME M and
ef_construction, searched at each --ef-search value: HnswBackend vs raw hnswlib vs raw faiss IndexHNSWFlat.
Per method: batch QPS (median of --repeats, methods alternating within each repeat so background load hits
all alike), p50/p99 latency of single-query calls (--latency-sample queries per repeat, pooled), build
seconds, memory (what the method reports, and resident memory its build added), recall@10 against
ExactBackend, and ours/peer ratios. Timings cover the call a user makes: ours includes input checks, id
lookup and the rescoring that makes its scores exact search's. faiss and torch peers are skipped, with a
note, where they are not installed.

Vectors: --source minilm uses all-MiniLM-L6-v2 vectors of the ICD-10-CM task cached as .npy (encoding them
once takes minutes); random is unit Gaussian; auto takes minilm when the cache exists.

    PYTHONPATH=. python3 benchmarks/search.py --source auto
    PYTHONPATH=. python3 benchmarks/search.py --source random --n-docs 20000 --skip exact   # wrapper overhead
    PYTHONPATH=. python3 benchmarks/search.py --sweep-ef 16,24,32,48,64,96   # recall vs ef_search, all queries
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import statistics
import time
from pathlib import Path
from typing import Any

# faiss and torch run OpenMP, whose idle threads spin for a while after each call; on a 2-core box they
# then starve whichever method runs next (measured: ours 1,058 QPS after faiss with spinning threads,
# 1,560 with passive ones). Passive waiting lets every method run on idle cores. Set before any import
# starts an OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

from harness.backends.exact import ExactBackend
from harness.backends.hnsw import DEFAULT_EF_SEARCH, HnswBackend

CACHE = Path(os.environ.get("ZOO_BENCH_CACHE", "/tmp"))
CORPUS_NPY, QUERIES_NPY = CACHE / "minilm_icd10cm_corpus.npy", CACHE / "minilm_icd10cm_queries.npy"


def encode_minilm() -> None:
    """Encode the full ICD-10-CM task with all-minilm-l6-v2 and cache both matrices (minutes on a CPU)."""
    from harness.data.beir import load_beir
    from harness.data.icd10cm import build_icd10cm
    from zoo.registry import Registry

    data = load_beir(build_icd10cm("icd10cm"))
    encoder = Registry.from_plugins().encoder("all-minilm-l6-v2").load()
    np.save(QUERIES_NPY, encoder.encode(list(data.queries.values()), role="query"))
    np.save(CORPUS_NPY, encoder.encode(list(data.corpus.values()), role="document"))


def load_vectors(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, str]:
    """Corpus, all queries, and a line saying where they came from."""
    source = args.source
    if source == "auto":
        source = "minilm" if CORPUS_NPY.exists() and QUERIES_NPY.exists() else "random"
    if source == "minilm":
        if not (CORPUS_NPY.exists() and QUERIES_NPY.exists()):
            encode_minilm()
        corpus, queries = np.load(CORPUS_NPY), np.load(QUERIES_NPY)
        return corpus, queries, f"minilm: all-MiniLM-L6-v2 on ICD-10-CM ({CORPUS_NPY})"
    rng = np.random.default_rng(args.seed)
    corpus = rng.standard_normal((args.n_docs, args.dim), dtype=np.float32)
    queries = rng.standard_normal((max(args.n_queries, args.latency_sample), args.dim), dtype=np.float32)
    unit = [x / np.linalg.norm(x, axis=1, keepdims=True) for x in (corpus, queries)]
    return unit[0], unit[1], "random: unit Gaussian"


class Method:
    """One way of searching: build once, then search a query batch into (m, k) corpus positions."""

    name = ""
    peer_of: str | None = None  # the name of our method this one is compared with
    library: str | None = None  # an optional library it needs, skipped with a note where missing

    def build(self, corpus: np.ndarray) -> None: ...

    def set_ef(self, ef: int) -> None:
        """Beam width for HNSW methods, set between searches of one graph."""

    def search(self, queries: np.ndarray, k: int) -> Any: ...

    def positions(self, found: Any) -> np.ndarray:
        return np.asarray(found, dtype=np.int64)

    def nbytes(self) -> int: ...


class Ours(Method):
    def __init__(self, name: str, backend: Any) -> None:
        self.name, self.backend = name, backend

    def set_ef(self, ef: int) -> None:
        self.backend.ef_search = ef

    def build(self, corpus: np.ndarray) -> None:
        self.backend.build(corpus, [str(i) for i in range(len(corpus))], "cosine")

    def search(self, queries: np.ndarray, k: int) -> Any:
        return self.backend.search(queries, k)[0]

    def positions(self, found: Any) -> np.ndarray:
        return np.array(found, dtype=np.int64)  # ids are str(position)

    def nbytes(self) -> int:
        return self.backend.nbytes()


class FaissFlat(Method):
    name, peer_of, library = "faiss IndexFlatIP", "exact (ours)", "faiss"

    def __init__(self, threads: int) -> None:
        self.threads = threads

    def build(self, corpus: np.ndarray) -> None:
        import faiss

        self.index = faiss.IndexFlatIP(corpus.shape[1])
        self.index.add(corpus)

    def search(self, queries: np.ndarray, k: int) -> Any:
        import faiss

        faiss.omp_set_num_threads(self.threads)
        return self.index.search(queries, k)[1]

    def nbytes(self) -> int:
        return self.index.ntotal * self.index.d * 4


class NumpyFull(Method):
    name, peer_of = "numpy matmul+argpartition", "exact (ours)"

    def build(self, corpus: np.ndarray) -> None:
        self.corpus = corpus

    def search(self, queries: np.ndarray, k: int) -> Any:
        scores = queries @ self.corpus.T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
        return np.take_along_axis(top, order, axis=1)

    def nbytes(self) -> int:
        return self.corpus.nbytes


class TorchTopk(Method):
    name, peer_of, library = "torch mm+topk", "exact (ours)", "torch"

    def __init__(self, threads: int) -> None:
        self.threads = threads

    def build(self, corpus: np.ndarray) -> None:
        import torch

        torch.set_num_threads(self.threads)
        self.corpus = torch.from_numpy(corpus)

    def search(self, queries: np.ndarray, k: int) -> Any:
        import torch

        with torch.inference_mode():
            return torch.topk(torch.from_numpy(queries) @ self.corpus.T, k, dim=1).indices.numpy()

    def nbytes(self) -> int:
        return self.corpus.numel() * 4


class RawHnswlib(Method):
    name, peer_of = "raw hnswlib", "hnsw (ours)"

    def __init__(self, M: int, ef_construction: int) -> None:
        self.M, self.ef_construction = M, ef_construction

    def build(self, corpus: np.ndarray) -> None:
        import hnswlib

        self.index = hnswlib.Index(space="ip", dim=corpus.shape[1])
        self.index.init_index(max_elements=len(corpus), M=self.M, ef_construction=self.ef_construction, random_seed=0)
        self.index.add_items(corpus, np.arange(len(corpus)), num_threads=1)

    def set_ef(self, ef: int) -> None:
        self.index.set_ef(ef)

    def search(self, queries: np.ndarray, k: int) -> Any:
        return self.index.knn_query(queries, k=k, num_threads=1)[0]

    def nbytes(self) -> int:
        return int(self.index.index_file_size())


class FaissHnsw(Method):
    name, peer_of, library = "raw faiss IndexHNSWFlat", "hnsw (ours)", "faiss"

    def __init__(self, M: int, ef_construction: int) -> None:
        self.M, self.ef_construction = M, ef_construction

    def build(self, corpus: np.ndarray) -> None:
        import faiss

        faiss.omp_set_num_threads(1)
        self.index = faiss.IndexHNSWFlat(corpus.shape[1], self.M, faiss.METRIC_INNER_PRODUCT)
        self.index.hnsw.efConstruction = self.ef_construction
        self.index.add(corpus)

    def set_ef(self, ef: int) -> None:
        self.index.hnsw.efSearch = ef

    def search(self, queries: np.ndarray, k: int) -> Any:
        import faiss

        faiss.omp_set_num_threads(1)
        return self.index.search(queries, k)[1]

    def nbytes(self) -> int:
        import faiss

        return len(faiss.serialize_index(self.index))


def available(methods: list[Method]) -> list[Method]:
    """The methods whose libraries import; a note for each skipped one."""
    kept = []
    for m in methods:
        try:
            if m.library is not None:
                importlib.import_module(m.library)
            kept.append(m)
        except ImportError as exc:
            print(
                f"note: {m.name} skipped: {m.library} does not import ({exc}); "
                f"pip install {'faiss-cpu' if m.library == 'faiss' else m.library} to compare with it"
            )
    return kept


def resident_bytes() -> int:
    """This process's resident memory (Linux /proc), after a garbage collection."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def build_all(methods: list[Method], corpus: np.ndarray) -> dict[str, dict[str, Any]]:
    """Build each method once: seconds, reported bytes and resident bytes the build added."""
    built = {}
    for m in methods:
        before = resident_bytes()
        build_s, _ = timed(m.build, corpus)
        built[m.name] = {"build_s": build_s, "bytes": m.nbytes(), "resident": resident_bytes() - before}
    return built


def run_group(
    methods: list[Method],
    built: dict[str, dict[str, Any]],
    queries: np.ndarray,
    sample: np.ndarray,
    k: int,
    repeats: int,
) -> dict[str, dict[str, Any]]:
    """Time batch and single-query search of built methods, rotating the order every repeat."""
    stats: dict[str, dict[str, Any]] = {}
    for m in methods:
        found = m.positions(m.search(queries, k))  # warm-up, and the results for recall
        stats[m.name] = {**built[m.name], "batch": [], "single": [], "found": found}
    for r in range(repeats):
        for m in methods[r % len(methods) :] + methods[: r % len(methods)]:
            stats[m.name]["batch"].append(timed(m.search, queries, k)[0])
            stats[m.name]["single"] += [timed(m.search, sample[i : i + 1], k)[0] for i in range(len(sample))]
    return stats


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / len(b) for a, b in zip(found.tolist(), truth.tolist())]))


def report(
    title: str, stats: dict[str, dict[str, Any]], peers: dict[str, str | None], truth: np.ndarray, n_queries: int
) -> None:
    """One line per method; ratios of each peer to ours: QPS ours/peer, latency and memory peer/ours
    inverted so that every ratio reads 'ours costs x times the peer' (<= 1.05 is the wrapper's budget)."""
    print(f"\n{title}")
    print(
        f"{'method':<28}{'QPS':>8}{'p50 ms':>9}{'p99 ms':>9}{'build s':>9}{'MiB':>8}{'RSS MiB':>9}"
        f"{'recall@10':>11}{'QPS peer/ours':>15}{'p50 ours/peer':>15}{'MiB ours/peer':>15}"
    )
    qps = {name: n_queries / statistics.median(s["batch"]) for name, s in stats.items()}
    p50 = {name: float(np.percentile(s["single"], 50)) for name, s in stats.items()}
    for name, s in stats.items():
        ours = peers[name] or name
        ratios = (
            (f"{qps[name] / qps[ours]:>15.2f}{p50[ours] / p50[name]:>15.2f}{stats[ours]['bytes'] / s['bytes']:>15.2f}")
            if peers[name]
            else ""
        )
        print(
            f"{name:<28}{qps[name]:>8.0f}{p50[name] * 1e3:>9.3f}{np.percentile(s['single'], 99) * 1e3:>9.3f}"
            f"{s['build_s']:>9.2f}{s['bytes'] / 2**20:>8.1f}{s['resident'] / 2**20:>9.1f}"
            f"{recall(s['found'], truth):>11.4f}{ratios}"
        )


def sweep(corpus: np.ndarray, queries: np.ndarray, args: argparse.Namespace) -> None:
    """Recall@10 of HnswBackend against exact for each ef_search, over every query, per insertion order."""
    exact = ExactBackend()
    exact.build(corpus, [str(i) for i in range(len(corpus))], "cosine")
    truth = np.array(exact.search(queries, args.k)[0], dtype=np.int64)
    efs = [int(e) for e in args.sweep_ef.split(",")]
    print(
        f"\nrecall@{args.k} vs exact over {len(queries)} queries (M={args.M}, ef_construction={args.ef_construction})"
    )
    print(f"{'insertion':<12}{'seed':>5}{'build s':>9}" + "".join(f"{'ef=' + str(e):>10}" for e in efs))
    for order in ("given", "shuffled"):
        for seed in range(args.sweep_seeds):
            ours = HnswBackend(M=args.M, ef_construction=args.ef_construction, seed=seed, insertion_order=order)
            build_s, _ = timed(ours.build, corpus, [str(i) for i in range(len(corpus))], "cosine")
            cells = []
            for ef in efs:
                ours.ef_search = ef
                cells.append(recall(np.array(ours.search(queries, args.k)[0], dtype=np.int64), truth))
            print(f"{order:<12}{seed:>5}{build_s:>9.1f}" + "".join(f"{c:>10.4f}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("auto", "minilm", "random"), default="auto")
    parser.add_argument("--n-docs", type=int, default=99_000, help="random source only")
    parser.add_argument("--dim", type=int, default=384, help="random source only")
    parser.add_argument("--n-queries", type=int, default=1_000)
    parser.add_argument("--latency-sample", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exact-threads", type=int, default=2)
    parser.add_argument("--M", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument(
        "--ef-search",
        default=f"16,32,{DEFAULT_EF_SEARCH},128,256",
        help="comma-separated: the HNSW group searches one graph per method at each",
    )
    parser.add_argument("--skip", default="", help="comma-separated groups to skip: exact, hnsw")
    parser.add_argument("--sweep-ef", default="", help="only sweep recall over these ef_search values")
    parser.add_argument("--sweep-seeds", type=int, default=1)
    args = parser.parse_args()

    corpus, all_queries, source = load_vectors(args)
    print(f"vectors: {source}; corpus {corpus.shape}, {len(all_queries)} queries; cpus={os.cpu_count()}")
    if args.sweep_ef:
        sweep(corpus, all_queries, args)
        return
    rng = np.random.default_rng(args.seed)
    queries = all_queries[np.sort(rng.choice(len(all_queries), args.n_queries, replace=False))]
    sample = queries[rng.choice(len(queries), args.latency_sample, replace=False)]
    print(f"n_queries={len(queries)} k={args.k} repeats={args.repeats} latency sample={len(sample)}")

    exact = ExactBackend()
    exact.build(corpus, [str(i) for i in range(len(corpus))], "cosine")
    truth = np.array(exact.search(queries, args.k)[0], dtype=np.int64)
    skip = set(args.skip.split(","))
    if "exact" not in skip:
        group: list[Method] = available(
            [
                Ours("exact (ours)", ExactBackend()),
                FaissFlat(args.exact_threads),
                NumpyFull(),
                TorchTopk(args.exact_threads),
            ]
        )
        stats = run_group(group, build_all(group, corpus), queries, sample, args.k, args.repeats)
        report(f"exact, {args.exact_threads} threads", stats, {m.name: m.peer_of for m in group}, truth, len(queries))
    if "hnsw" not in skip:
        ours = HnswBackend(M=args.M, ef_construction=args.ef_construction)
        group = available(
            [
                Ours("hnsw (ours)", ours),
                RawHnswlib(args.M, args.ef_construction),
                FaissHnsw(args.M, args.ef_construction),
            ]
        )
        built = build_all(group, corpus)
        for ef in (int(e) for e in args.ef_search.split(",")):
            for m in group:
                m.set_ef(ef)
            stats = run_group(group, built, queries, sample, args.k, args.repeats)
            report(
                f"HNSW, 1 thread, M={args.M} ef_construction={args.ef_construction} ef_search={ef}",
                stats,
                {m.name: m.peer_of for m in group},
                truth,
                len(queries),
            )


if __name__ == "__main__":
    main()
