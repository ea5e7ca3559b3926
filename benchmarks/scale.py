"""Scale: encoding, search and resuming at a million real-text documents (issue 13), against its targets.

The corpus (``benchmarks/scale_corpus.py``) is real text this box already has, deduplicated, topped up
with labelled synthetic documents only where the real text runs short; this script computes no scores,
so the top-up only ever counts for throughput and memory. Every measured part runs in its own process,
so each peak resident memory (Linux VmHWM, and a poll of the process tree for Ray's workers) is that
part's alone. Parts:

  corpus      build the corpus and a BEIR task over it (queries: the first half of sampled documents)
  encode      WordLlama over every document, MiniLM over --minilm-docs: items/s, model load, peak RSS
  engines     ``zoo bench`` on the local engine and on Ray with each --workers count, equal total threads:
              items/s, wall time, peak RSS of the driver and of the workers (on Ray, exact search too runs
              on the workers, sharded)
  search      exact search over all documents through the retrieval task, corpus streamed from the
              embedding cache and, beside it, held in memory: build seconds, QPS, peak RSS
  ray-search  the same through ShardedExact with each --workers count: QPS, driver and worker RSS
  hnsw        HNSW build seconds over all documents with --threads threads
  kill        kill -9 of a WordLlama encoding once it has encoded half the corpus, on the local engine and on
              Ray with the largest --workers count (every process of the run killed), then a rerun: how many
              items were encoded twice (encoded before the kill, in any process, but not yet committed)

    PYTHONPATH=. python3 benchmarks/scale.py                                  # a million documents
    PYTHONPATH=. python3 benchmarks/scale.py --docs 20000 --minilm-docs 300   # a quick proof, minutes
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
PLUGIN = HERE / "scale_plugin"  # counted:<encoder>, which the kill part's processes (Ray's workers too) open
sys.path[:0] = [str(HERE), str(PLUGIN)]
import scale_corpus  # noqa: E402
import zoo_scale_count  # noqa: E402

PARTS = ("corpus", "encode", "engines", "search", "ray-search", "hnsw", "kill")
WORDLLAMA, MINILM = "wordllama-l2-256", "all-minilm-l6-v2"
HASHING_384 = "hashing-bow-384"  # the 1M x 384 float32 shape at bag-of-words speed, no model
TARGETS = {
    "ray_wall": 1.15,  # ray on one machine: wall time at most 1.15x the local engine's, equal total threads
    "driver_rss": 1.3,  # peak driver RSS at most 1.3x the raw vectors, plus the model
    "rerun": 0.01,  # a kill at 50% of the run re-encodes at most 1% of the corpus
}
RESULT = "RESULT "


# --- measuring -------------------------------------------------------------------------------------------


def status_bytes(field: str, pid: int | str = "self") -> int:
    """A /proc/<pid>/status memory field (VmRSS, VmHWM) in bytes; 0 for a process gone meanwhile."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) * 1024 for line in status if line.startswith(field + ":")), 0)
    except OSError:
        return 0


def descendants(root: int) -> dict[int, str]:
    """pid -> command line of every live process below ``root``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                found[pid] = command.replace(b"\0", b" ").decode(errors="replace")
                frontier.append(pid)
    return found


class TreeMemory:
    """Peak summed RSS of a process tree, polled: the root (the driver), Ray's workers (``ray::`` processes)
    and everything else below it (Ray's own services, the object store's shared memory included)."""

    def __init__(self, root: int, interval: float = 0.25) -> None:
        self.root, self.interval = root, interval
        self.peaks = {"driver": 0, "workers": 0, "services": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.is_set():
            now = {"driver": status_bytes("VmRSS", self.root), "workers": 0, "services": 0}
            for pid, command in descendants(self.root).items():
                now["workers" if command.startswith("ray::") else "services"] += status_bytes("VmRSS", pid)
            for kind, value in now.items():
                self.peaks[kind] = max(self.peaks[kind], value)
            self._stop.wait(self.interval)


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


# --- shared inputs ---------------------------------------------------------------------------------------


def corpus_path(args: argparse.Namespace) -> Path:
    return args.work / f"corpus-{args.docs}.jsonl"


def task_folder(args: argparse.Namespace, docs: int) -> Path:
    """A BEIR folder over the first ``docs`` documents; queries are the first half of sampled documents,
    each relevant to the document it came from (for cost figures: this script reports no scores)."""
    folder = args.work / f"task-{docs}"
    if (folder / "qrels" / "test.tsv").exists():
        return folder
    from harness.data.beir import RetrievalData, write_beir

    _, texts = scale_corpus.load(corpus_path(args))
    corpus = {f"doc{i}": text for i, text in enumerate(texts[:docs])}
    rows = np.random.default_rng(0).choice(docs, min(args.queries, docs), replace=False)
    queries = {f"q{row}": " ".join(texts[row].split()[: max(2, len(texts[row].split()) // 2)]) for row in rows}
    write_beir(RetrievalData(corpus, queries, {f"q{row}": {f"doc{row}": 1} for row in rows}, "test"), folder)
    return folder


def fresh_cache(args: argparse.Namespace, name: str) -> Path:
    folder = args.work / "caches" / name
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def loaded_encoder(model: str) -> tuple[Any, dict[str, float]]:
    """The encoder, its model loaded by a warm-up call: what loading took in seconds and resident bytes."""
    from zoo.encoders.hashing import HashingEncoder
    from zoo.registry import Registry

    before, start = status_bytes("VmRSS"), time.perf_counter()
    if model == HASHING_384:
        encoder = HashingEncoder(384, name=HASHING_384)
    else:
        encoder = Registry.from_plugins().encoder(model).load()
    encoder.encode(["warm up the model"], role="document")
    return encoder, {"model_load_s": time.perf_counter() - start, "model_rss": status_bytes("VmRSS") - before}


def cached_encoder(args: argparse.Namespace, model: str) -> tuple[Any, dict[str, float]]:
    """The model measured through the cache the encode part filled (what is missing there gets encoded)."""
    from harness.encoding import MeasuredEncoder
    from zoo.cache import EmbeddingCache

    encoder, model_cost = loaded_encoder(model)
    cache = EmbeddingCache(args.work / "caches" / f"encode-{model}")
    return MeasuredEncoder(encoder, cache=cache, progress=False), model_cost


# --- parts (each runs in its own process) ----------------------------------------------------------------


def part_corpus(args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    counts = scale_corpus.build(corpus_path(args), args.docs)
    shutil.rmtree(args.work / f"task-{args.docs}", ignore_errors=True)  # made from the old corpus
    task_folder(args, args.docs)
    return {"sources": counts, "documents": args.docs, "seconds": time.perf_counter() - start}


def part_encode(args: argparse.Namespace) -> dict[str, Any]:
    """One model over the first ``args.n`` documents, local engine, into a fresh cache."""
    from harness.encoding import MeasuredEncoder
    from zoo.cache import EmbeddingCache

    _, texts = scale_corpus.load(corpus_path(args))
    texts = texts[: args.n]
    encoder, model = loaded_encoder(args.model)
    measured = MeasuredEncoder(encoder, cache=EmbeddingCache(fresh_cache(args, f"encode-{args.model}")), progress=False)
    start = time.perf_counter()
    measured.encode_stored(texts)
    wall = time.perf_counter() - start
    return {
        "model": args.model,
        "items": len(texts),
        "wall_s": wall,
        **model,
        "items_per_s": measured.items_encoded / measured.encode_seconds,
        "peak_rss": status_bytes("VmHWM"),
        "vectors": len(texts) * measured.dim * 4,
    }


def part_search(args: argparse.Namespace) -> dict[str, Any]:
    """Exact search over every document through the retrieval task, as ``zoo bench`` runs it."""
    from harness.tasks.builtin import beir_folder_spec

    task = beir_folder_spec(task_folder(args, args.docs)).load()
    task.data  # noqa: B018 - loads the corpus before anything is timed
    measured, model = cached_encoder(args, args.model)
    backend, workers = search_backend(args)
    baseline = status_bytes("VmRSS")
    with TreeMemory(os.getpid()) as tree:
        scores = task.evaluate(measured, backend, depth=args.depth)
    stats = scores.search
    assert stats is not None
    return {
        "model": args.model,
        "mode": args.mode,
        "workers": workers,
        "documents": stats.n_documents,
        "queries": stats.n_queries,
        "build_s": stats.build_seconds,
        "qps": stats.n_queries / stats.search_seconds,
        "latency_p50_ms": stats.latency_p50_ms,
        "items_encoded": measured.items_encoded,
        **model,
        "baseline_rss": baseline,
        "peak_rss": status_bytes("VmHWM"),
        "vectors": stats.n_documents * measured.dim * 4,
        "workers_rss": tree.peaks["workers"],
        "services_rss": tree.peaks["services"],
    }


def search_backend(args: argparse.Namespace) -> tuple[Any, int]:
    """The backend of a search part: streaming exact, in-memory exact, or sharded over Ray workers."""
    from harness.backends.exact import ExactBackend

    if args.mode == "ray":
        import ray

        from harness.engines.ray_search import ShardedExact

        workers = args.workers[0]  # a search child runs one count
        ray.init(address="local", num_cpus=workers, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
        return ShardedExact(workers=workers), workers

    class InMemoryExact(ExactBackend):
        reads_stored = False  # the corpus is read out of the cache into memory first, as other backends get it

    return (ExactBackend() if args.mode == "cache" else InMemoryExact()), 1


def part_hnsw(args: argparse.Namespace) -> dict[str, Any]:
    from harness.backends.hnsw import HnswBackend

    _, texts = scale_corpus.load(corpus_path(args))
    measured, _ = cached_encoder(args, WORDLLAMA)
    vectors = measured.encode(texts)
    backend = HnswBackend(threads=args.threads)
    start = time.perf_counter()
    backend.build(vectors, [f"doc{i}" for i in range(len(texts))], "cosine")
    return {
        "documents": len(texts),
        "threads": args.threads,
        "build_s": time.perf_counter() - start,
        "items_encoded": measured.items_encoded,
        "peak_rss": status_bytes("VmHWM"),
        **backend.params(),
    }


def part_count_encode(args: argparse.Namespace) -> dict[str, Any]:
    """WordLlama, counted in every process (``counted:``, the scale plugin), over every document into
    ``args.cache`` on ``args.engine``: the kill part's child."""
    from harness.encoding import MeasuredEncoder
    from harness.engines import get_engine
    from zoo.cache import EmbeddingCache
    from zoo.registry import Registry

    _, texts = scale_corpus.load(corpus_path(args))
    name = zoo_scale_count.PREFIX + WORDLLAMA
    engine = get_engine("ray", workers=args.workers[0]) if args.engine == "ray" else get_engine("local")
    measured = MeasuredEncoder(
        Registry.from_plugins().encoder(name).load(),
        cache=EmbeddingCache(args.cache),
        progress=False,
        engine=engine,
        spec_name=name,
    )
    try:
        measured.encode_stored(texts)
    finally:
        engine.close()
    return {"items_encoded": measured.items_encoded, "items_cached": measured.items_cached}


CHILD_PARTS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "corpus": part_corpus,
    "encode": part_encode,
    "search": part_search,
    "hnsw": part_hnsw,
    "count-encode": part_count_encode,
}


# --- the driver: one process per part --------------------------------------------------------------------


def child_command(args: argparse.Namespace, part: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        __file__,
        "--child",
        part,
        "--docs",
        str(args.docs),
        "--work",
        str(args.work),
        "--queries",
        str(args.queries),
        "--depth",
        str(args.depth),
        "--threads",
        str(args.threads),
        *extra,
    ]


def child(args: argparse.Namespace, part: str, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one part in a fresh process and return what it measured."""
    command = child_command(args, part, *extra)
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
    if done.returncode or not lines:
        raise RuntimeError(f"part {part} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len(RESULT) :])


def threads_env(threads: int) -> dict[str, str]:
    return {name: str(threads) for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def run_corpus(args: argparse.Namespace) -> dict[str, Any]:
    found = child(args, "corpus")
    print(f"corpus: {args.docs:,} documents in {found['seconds']:.0f} s")
    for source, count in sorted(found["sources"].items(), key=lambda kv: -kv[1]):
        label = "  (throughput and memory only, never scores)" if source == "synthetic" else ""
        print(f"  {source:<11} {count:>10,}{label}")
    return found


def run_encode(args: argparse.Namespace) -> dict[str, Any]:
    found = {}
    for model, n in ((WORDLLAMA, args.docs), (HASHING_384, args.docs), (MINILM, min(args.minilm_docs, args.docs))):
        got = found[model] = child(args, "encode", "--model", model, "--n", str(n), env=threads_env(args.threads))
        print(
            f"encode {model}: {got['items']:,} items, {got['items_per_s']:,.0f} items/s, wall {got['wall_s']:.1f} s "
            f"(model load {got['model_load_s']:.1f} s, {gib(got['model_rss'])}), peak RSS {gib(got['peak_rss'])} "
            f"for {gib(got['vectors'])} of vectors"
        )
    return found


def run_search(args: argparse.Namespace) -> dict[str, Any]:
    found = {}
    for model in (WORDLLAMA, HASHING_384):
        for mode in ("cache", "memory"):
            got = found[f"{model}-{mode}"] = child(
                args, "search", "--model", model, "--mode", mode, env=threads_env(args.threads)
            )
            print(
                f"exact search, {model}, corpus {'streamed from the cache' if mode == 'cache' else 'in memory'}: "
                f"{got['documents']:,} docs x {got['queries']:,} queries at depth {args.depth}: "
                f"{got['qps']:,.1f} QPS, build {got['build_s']:.1f} s, p50 {got['latency_p50_ms']:.1f} ms "
                f"[{got['items_encoded']:,} queries encoded]; {memory_line(got)}"
            )
    return found


def memory_line(got: dict[str, Any]) -> str:
    """Peak RSS, and what searching added to the process once the task's texts and the model were loaded,
    against the target (1.3x the raw vectors)."""
    added = got["peak_rss"] - got["baseline_rss"]
    return (
        f"peak RSS {gib(got['peak_rss'])}, {gib(added)} above the loaded task and model = "
        f"{added / got['vectors']:.2f}x the {gib(got['vectors'])} of vectors (target <= {TARGETS['driver_rss']}x)"
    )


def run_ray_search(args: argparse.Namespace) -> dict[str, Any]:
    found = {}
    for workers in args.workers:
        got = found[str(workers)] = child(
            args, "search", "--model", WORDLLAMA, "--mode", "ray", "--workers", str(workers), env=threads_env(1)
        )
        print(
            f"sharded exact search, {workers} Ray worker(s): {got['qps']:,.1f} QPS, build {got['build_s']:.1f} s; "
            f"driver {memory_line(got)}; workers {gib(got['workers_rss'])}, Ray services {gib(got['services_rss'])}"
        )
    return found


def run_hnsw(args: argparse.Namespace) -> dict[str, Any]:
    got = child(args, "hnsw", env=threads_env(args.threads))
    print(
        f"hnsw build: {got['documents']:,} docs, {got['threads']} threads, M={got['M']}, "
        f"ef_construction={got['ef_construction']}: {got['build_s']:.1f} s, peak RSS {gib(got['peak_rss'])}"
    )
    return got


def committed(cache: Path) -> int:
    """Rows the cache holds, summed from the segment headers (a half-written segment has none yet)."""
    total = 0
    for header in cache.glob("v1/*/*/seg-*/header.json"):
        try:
            total += json.loads(header.read_text())["count"]
        except (OSError, ValueError, KeyError):
            pass
    return total


def counting_env(counts: Path) -> dict[str, str]:
    """What a child needs to open ``counted:`` encoders (Ray's workers inherit it) and where they count."""
    shutil.rmtree(counts, ignore_errors=True)
    counts.mkdir(parents=True)
    path = os.pathsep.join(filter(None, [str(PLUGIN), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, zoo_scale_count.COUNTS_ENV: str(counts)}


def session_members(session: int) -> list[int]:
    """Live processes of a session (a run started with ``start_new_session``: its Ray instance too)."""
    members = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and int(fields[3]) == session and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def kill_session(session: int) -> None:
    """``kill -9`` every process of the session, until none is left (one may start another meanwhile)."""
    for _ in range(50):
        members = session_members(session)
        if not members:
            return
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)


def run_kill(args: argparse.Namespace) -> dict[str, Any]:
    """A kill -9 at half the work and a rerun, on the local engine and on Ray with the most workers."""
    workers = max(args.workers)
    return {"local": kill_and_rerun(args, "local", 1), f"ray-{workers}": kill_and_rerun(args, "ray", workers)}


def kill_and_rerun(args: argparse.Namespace, engine: str, workers: int) -> dict[str, Any]:
    """Kill -9 every process of a run once it has encoded half the corpus, rerun, count what was encoded twice:
    encoded by the killed run (every process's count) but not committed (the cache's rows)."""
    label = "local engine" if engine == "local" else f"Ray engine, {workers} worker(s)"
    run = f"kill-{engine}-{workers}"
    cache = fresh_cache(args, run)
    extra = ["--cache", str(cache), "--engine", engine, "--workers", str(workers)]
    counts = args.work / f"{run}-counts"
    victim = subprocess.Popen(
        child_command(args, "count-encode", *extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **counting_env(counts)},
        start_new_session=True,
    )
    while zoo_scale_count.total(counts) < args.docs // 2 and victim.poll() is None:  # by work done
        time.sleep(0.02)
    kill_session(victim.pid)
    victim.wait()
    if victim.returncode != -signal.SIGKILL:
        raise RuntimeError(f"the {label} run ended ({victim.returncode}) before it had encoded half the corpus")
    kept, encoded = committed(cache), zoo_scale_count.total(counts)
    rerun = child(args, "count-encode", *extra, env=counting_env(args.work / f"{run}-rerun-counts"))
    twice = encoded - kept
    print(
        f"kill -9 ({label}) at {encoded / args.docs:.0%} encoded, {kept / args.docs:.0%} committed: the rerun "
        f"encoded {rerun['items_encoded']:,} (the {args.docs - kept:,} not committed): {twice:,} items encoded "
        f"twice = {twice / args.docs:.3%} of the corpus (target <= {TARGETS['rerun']:.0%})"
    )
    return {
        "documents": args.docs,
        "engine": engine,
        "workers": workers,
        "committed_at_kill": kept,
        "encoded_before_kill": encoded,
        "encoded_twice": twice,
        "rerun_encoded": rerun["items_encoded"],
        "rerun_cached": rerun["items_cached"],
    }


def run_engines(args: argparse.Namespace) -> dict[str, Any]:
    """``zoo bench`` on each engine (the Ray engine's own flags: --engine, --workers)."""
    zoo = [sys.executable, "-c", "from zoo.cli.main import main; main()"]
    folder, found = task_folder(args, args.docs), {}
    runs = [("local", args.threads), *(("ray", workers) for workers in args.workers)]
    for engine, workers in runs:
        got = found[f"{engine}-{workers}"] = bench_engine(args, zoo, folder, engine, workers)
        print(
            f"zoo bench --engine {engine}"
            + (f" --workers {workers}" if engine == "ray" else f" ({workers} threads)")
            + f": {got['items_per_s']:,.0f} items/s, wall {got['wall_s']:.1f} s, peak RSS driver "
            f"{gib(got['driver_rss'])}, workers {gib(got['workers_rss'])}"
        )
    local = found[f"local-{args.threads}"]["wall_s"]
    for workers in args.workers:
        ratio = found[f"ray-{workers}"]["wall_s"] / local
        print(
            f"  ray {workers} worker(s) / local wall time: {ratio:.2f}x (target <= {TARGETS['ray_wall']}x at "
            f"equal total threads: {args.threads} local threads, {workers} worker(s) x "
            f"{max(1, args.threads // workers)} threads)"
        )
    return found


def bench_engine(args: argparse.Namespace, zoo: list[str], folder: Path, engine: str, workers: int) -> dict[str, Any]:
    """One ``zoo bench`` run of WordLlama over the task, encoding from scratch: its cost and memory."""
    out = args.work / f"bench-{engine}-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    command = [
        *zoo,
        "bench",
        "-m",
        WORDLLAMA,
        "-t",
        str(folder),
        "-b",
        "exact",
        "--depth",
        str(args.depth),
        "--no-leaderboard",
        "--no-progress",
        "--no-chance",
        "-o",
        str(out),
        "--engine",
        engine,
    ]
    command += ["--workers", str(workers)] if engine == "ray" else []
    threads = args.threads if engine == "local" else max(1, args.threads // workers)
    env = {**os.environ, **threads_env(threads), "ZOO_CACHE_HOME": str(fresh_cache(args, f"bench-{engine}"))}
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with TreeMemory(process.pid) as tree:
        _, stderr = process.communicate()
    if process.returncode:
        raise RuntimeError(f"zoo bench --engine {engine} failed:\n{stderr[-3000:]}")
    result = json.loads(next(out.glob("*.json")).read_text())
    return {
        "wall_s": time.perf_counter() - start,
        "items": result["items_encoded"],
        "items_per_s": result["items_encoded"] / max(result["encode_seconds"], 1e-9),
        "driver_rss": tree.peaks["driver"],
        "workers_rss": tree.peaks["workers"],
        "services_rss": tree.peaks["services"],
    }


RUNS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "corpus": run_corpus,
    "encode": run_encode,
    "engines": run_engines,
    "search": run_search,
    "ray-search": run_ray_search,
    "hnsw": run_hnsw,
    "kill": run_kill,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1_000_000, help="corpus size")
    parser.add_argument("--minilm-docs", type=int, default=20_000, help="MiniLM encodes this many (CPU: ~150/s)")
    parser.add_argument("--queries", type=int, default=1000, help="queries of the search parts")
    parser.add_argument("--depth", type=int, default=10, help="hits per query of the search parts")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads of local parts")
    parser.add_argument(
        "--workers",
        type=lambda s: [int(w) for w in s.split(",")],
        default=[1, 2],
        help="Ray worker counts, comma-separated",
    )
    parser.add_argument(
        "--parts", type=lambda s: s.split(","), default=list(PARTS), help=f"comma-separated, from {','.join(PARTS)}"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/zoo-scale"), help="corpus, task and caches")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    for hidden in ("--model", "--mode", "--engine", "--cache"):
        parser.add_argument(hidden, help=argparse.SUPPRESS, type=Path if hidden == "--cache" else str)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    return args


def main() -> None:
    args = parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.child:
        print(RESULT + json.dumps(CHILD_PARTS[args.child](args)), flush=True)
        return
    if "corpus" not in args.parts and not corpus_path(args).exists():
        args.parts.insert(0, "corpus")
    print(f"{args.docs:,} documents; {args.threads} threads; Ray workers {args.workers}; work folder {args.work}")
    figures = {part: RUNS[part](args) for part in PARTS if part in args.parts}
    (args.work / f"scale-{args.docs}.json").write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
