"""PyTorch vs ONNX Runtime (fp32, int8) for all-MiniLM-L6-v2 on CPU: encode speed and retrieval score.

1. Speed: encode --texts ICD-10-CM document texts with each path, with 1 and with 2 threads, --repeats
   times after one warm-up batch; items/s is the median over repeats, ratios are against PyTorch at the
   same thread count. PyTorch is the sentence-transformers encode that mteb runs too.
2. Score: ``zoo bench -m <name> -t icd10cm-small`` for each path in its own process with an empty
   embedding cache (the ONNX export is made beforehand and reused), reporting nDCG@10, its change
   against PyTorch, and the process's wall and CPU seconds.

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 nice -n 10 PYTHONPATH=. python3 benchmarks/onnx_speed.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

PATHS: dict[str, str] = {
    "pytorch": "all-minilm-l6-v2",
    "onnx-fp32": "onnx:all-minilm-l6-v2",
    "onnx-int8": "onnx:all-minilm-l6-v2?quantize=int8",
}
TASK = "icd10cm-small"
BATCH_SIZE = 64


def icd_texts(n: int) -> list[str]:
    """The first n document texts of icd10cm-small, in corpus order."""
    from harness.data.beir import load_beir
    from harness.data.icd10cm import build_icd10cm

    corpus = load_beir(build_icd10cm(TASK)).corpus
    return [corpus[key] for key in sorted(corpus)[:n]]


def make_encoder(path: str, threads: int) -> Callable[[list[str]], Any]:
    """An encode function for one path, running on ``threads`` threads."""
    from zoo.encoders.builtin import packaged_minilm_folder

    folder = packaged_minilm_folder()
    if path == "pytorch":
        import torch

        from zoo.encoders.sentence_transformers import SentenceTransformerEncoder

        torch.set_num_threads(threads)
        encoder: Any = SentenceTransformerEncoder(folder, batch_size=BATCH_SIZE, device="cpu")
    else:
        from zoo.encoders.onnx import OnnxEncoder

        quantize = "int8" if path.endswith("int8") else "none"
        encoder = OnnxEncoder(folder, quantize=quantize, threads=threads, batch_size=BATCH_SIZE)
    return lambda texts: encoder.encode(texts)


def items_per_second(path: str, threads: int, texts: list[str], repeats: int) -> float:
    encode = make_encoder(path, threads)
    encode(texts[:BATCH_SIZE])  # loads the model (and the ONNX session) outside the timing
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        encode(texts)
        timings.append(time.perf_counter() - start)
    return len(texts) / statistics.median(timings)


def speed_table(texts: list[str], repeats: int, thread_counts: list[int]) -> list[dict[str, Any]]:
    rows = []
    for threads in thread_counts:
        baseline = None
        for path in PATHS:
            rate = items_per_second(path, threads, texts, repeats)
            baseline = baseline or rate
            rows.append({"path": path, "threads": threads, "items_per_s": rate, "x_pytorch": rate / baseline})
            print(f"  {path:10} threads={threads}  {rate:8.1f} items/s  x{rate / baseline:.2f}", flush=True)
    return rows


def bench_run(name: str, cache: Path, out: Path) -> dict[str, Any]:
    """One ``zoo bench`` process with a fresh embedding cache beside the shared ONNX exports."""
    home = Path(tempfile.mkdtemp(prefix="cache-", dir=out))
    (home / "onnx").symlink_to(cache / "onnx", target_is_directory=True)
    results = out / f"results-{len(list(out.glob('results-*')))}"
    env = {**os.environ, "ZOO_CACHE_HOME": str(home)}
    command = ["zoo", "bench", "-m", name, "-t", TASK, "-o", str(results), "--no-leaderboard"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    (result,) = [json.loads(path.read_text()) for path in results.rglob("*.json")]
    return {"name": name, "ndcg_at_10": find_ndcg(result), "wall_s": wall, "cpu_s": cpu}


def find_ndcg(result: dict[str, Any]) -> float:
    """nDCG@10 from a result file, wherever the metrics block keeps it."""
    stack: list[Any] = [result]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key.lower() in ("ndcg@10", "ndcg_at_10") and isinstance(value, (int, float)):
                    return float(value)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    raise ValueError("no nDCG@10 in the result file")


def score_table(cache: Path, out: Path) -> list[dict[str, Any]]:
    rows = [bench_run(name, cache, out) for name in PATHS.values()]
    for row in rows:
        row["delta_vs_pytorch"] = row["ndcg_at_10"] - rows[0]["ndcg_at_10"]
        print(
            f"  {row['name']:38} nDCG@10 {row['ndcg_at_10']:.5f} ({row['delta_vs_pytorch']:+.5f})"
            f"  wall {row['wall_s']:.1f}s  CPU {row['cpu_s']:.1f}s",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-score", action="store_true", help="measure speed only")
    parser.add_argument("--json", type=Path, help="also write the tables here")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="onnx-speed-"))
    cache = out / "shared-cache"
    os.environ["ZOO_CACHE_HOME"] = str(cache)  # the exports made while measuring speed, reused by the runs
    try:
        texts = icd_texts(args.texts)
        print(f"encode speed, {len(texts)} texts, batch {BATCH_SIZE}, median of {args.repeats}:", flush=True)
        report: dict[str, Any] = {"speed": speed_table(texts, args.repeats, args.threads)}
        if not args.no_score:
            print(f"zoo bench on {TASK}, cold embedding cache, one process each:", flush=True)
            report["score"] = score_table(cache, out)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
