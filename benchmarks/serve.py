"""What serving costs: client throughput through `zoo serve` against local encoding, and the server's
latency under 1, 8 and 32 concurrent clients with and without dynamic batching.

Texts: the first --n code titles of the icd10cm task's corpus (id order); queries: its first --requests
query texts. The model is --model (all-MiniLM-L6-v2 on CPU unless told), loaded before timing and warmed up.

1. Throughput, the same --n texts each way, median over --repeats, repeats interleaved:
   - local: ``encoder.encode(texts)`` in this process, in chunks of --batch (as the local engine sends them);
   - served: the ``openai:`` client (``batch_size=--batch``, ``concurrency=--concurrency``) against
     ``zoo serve`` in a subprocess on 127.0.0.1 (dynamic batching on); vectors checked against local's.
   The overhead ratio is served time / local time.
2. Latency: C clients (C in --clients) each send one query per request, one after another, until
   --requests requests are answered; p50 and p99 of the request latencies and requests per second, against a
   server with dynamic batching (--max-batch texts, --max-wait-ms) and one without (each request alone).

    PYTHONPATH=. python3 benchmarks/serve.py --n 2000 --requests 640 --repeats 3
    PYTHONPATH=. python3 benchmarks/serve.py --n 64 --requests 64 --repeats 1 --clients 1,8   # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import numpy as np

SERVE = [sys.executable, "-c", "from zoo.cli.main import main; main()", "serve"]


def icd10cm_texts(n: int, queries: int) -> tuple[list[str], list[str]]:
    from zoo.registry import Registry

    data = Registry.from_plugins().task("icd10cm").load().data
    corpus = [data.corpus[key] for key in sorted(data.corpus)[:n]]
    asked = [data.queries[key] for key in sorted(data.queries)[:queries]]
    return corpus, asked


def start_server(model: str, *options: str) -> tuple[subprocess.Popen, str]:
    """``zoo serve`` on a free port of 127.0.0.1; its base URL once /health answers."""
    import httpx

    process = subprocess.Popen([*SERVE, "-m", model, "--port", "0", *options], stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    seen, found = [], None
    while found is None:  # model loading may print progress lines first
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(r"at (http://127\.0\.0\.1:\d+)/v1/embeddings", line)
    threading.Thread(target=process.stderr.read, daemon=True).start()  # drained, so the server never blocks
    if not found:
        process.kill()
        sys.exit(f"zoo serve did not start: {''.join(seen)}")
    for _ in range(1200):
        try:
            if httpx.get(f"{found[1]}/health", timeout=1).status_code == 200:
                return process, f"{found[1]}/v1"
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    sys.exit("zoo serve never answered /health")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def timed_local(encoder: Any, texts: list[str], batch: int) -> tuple[float, np.ndarray]:
    began = time.perf_counter()
    parts = [encoder.encode(texts[i : i + batch]) for i in range(0, len(texts), batch)]
    return time.perf_counter() - began, np.concatenate(parts)


def timed_served(client: Any, texts: list[str], batch: int) -> tuple[float, np.ndarray]:
    """As the local engine drives any encoder: chunks of ``batch`` texts, one ``encode`` call each."""
    return timed_local(client, texts, batch)


async def latencies(url: str, model: str, queries: list[str], clients: int, requests: int) -> tuple[list[float], float]:
    """Each of ``clients`` sends one query per request until ``requests`` are answered: latencies (s), wall (s)."""
    import httpx

    taken = iter(range(requests))
    found: list[float] = []

    async def one_client(http: Any) -> None:
        for index in taken:
            body = {"model": model, "input": [queries[index % len(queries)]], "input_type": "query"}
            began = time.perf_counter()
            answer = await http.post(f"{url}/embeddings", json=body)
            answer.raise_for_status()
            found.append(time.perf_counter() - began)

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        await http.post(f"{url}/embeddings", json={"model": model, "input": ["warm up"]})
        began = time.perf_counter()
        await asyncio.gather(*(one_client(http) for _ in range(clients)))
        return found, time.perf_counter() - began


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def throughput(args: argparse.Namespace, encoder: Any, texts: list[str]) -> None:
    from zoo.encoders.remote import OpenAIEncoder

    process, url = start_server(args.model, "--max-batch", str(args.max_batch), "--max-wait-ms", str(args.max_wait_ms))
    try:
        client = OpenAIEncoder(
            args.model,
            base_url=url,
            batch_size=min(args.batch, 2048),
            concurrency=args.concurrency,
            encoding_format="base64",
        )
        client.encode(texts[:8])  # warm up: connections, the server's first batch
        local_times, served_times = [], []
        for _ in range(args.repeats):
            seconds, local = timed_local(encoder, texts, args.batch)
            local_times.append(seconds)
            seconds, served = timed_served(client, texts, args.batch)
            served_times.append(seconds)
        cosine = float(
            np.min(
                np.sum(local * served, axis=1)
                / (np.linalg.norm(local, axis=1) * np.linalg.norm(served, axis=1) + 1e-12)
            )
        )
        client.close()
    finally:
        stop(process)
    local_s, served_s = statistics.median(local_times), statistics.median(served_times)
    print(
        f"\nthroughput, {len(texts)} texts, batch {args.batch}, client concurrency {args.concurrency} "
        f"(median of {args.repeats}):"
    )
    print(f"  local   {len(texts) / local_s:9.1f} texts/s  ({local_s:.2f} s)")
    print(f"  served  {len(texts) / served_s:9.1f} texts/s  ({served_s:.2f} s)")
    print(f"  overhead ratio served/local: {served_s / local_s:.3f}   least cosine served vs local: {cosine:.6f}")


def latency(args: argparse.Namespace, queries: list[str]) -> None:
    rows = []
    for batching in ("--batching", "--no-batching"):
        process, url = start_server(
            args.model, batching, "--max-batch", str(args.max_batch), "--max-wait-ms", str(args.max_wait_ms)
        )
        try:
            for clients in args.clients:
                found, wall = asyncio.run(latencies(url, args.model, queries, clients, args.requests))
                rows.append(
                    (batching.lstrip("-"), clients, percentile(found, 50), percentile(found, 99), len(found) / wall)
                )
        finally:
            stop(process)
    print(
        f"\nlatency, {args.requests} one-query requests per row (max batch {args.max_batch}, max wait "
        f"{args.max_wait_ms:g} ms):"
    )
    print(f"  {'server':<12} {'clients':>7} {'p50 ms':>9} {'p99 ms':>9} {'req/s':>9}")
    for mode, clients, p50, p99, rate in rows:
        print(f"  {mode:<12} {clients:>7} {p50:>9.1f} {p99:>9.1f} {rate:>9.1f}")
    by = {(mode, clients): rate for mode, clients, _, _, rate in rows}
    for clients in args.clients:
        print(
            f"  {clients:>2} clients: batching gives {by[('batching', clients)] / by[('no-batching', clients)]:.2f}x "
            "the requests per second of no batching"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="all-minilm-l6-v2")
    parser.add_argument("--n", type=int, default=2000, help="texts for the throughput comparison")
    parser.add_argument("--requests", type=int, default=640, help="requests per latency row")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, comma-separated")
    parser.add_argument("--batch", type=int, default=256, help="texts per encode call (the local engine's chunk)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight per client encode call")
    parser.add_argument("--max-batch", type=int, default=64)
    parser.add_argument("--max-wait-ms", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    args.clients = [int(part) for part in args.clients.split(",")]
    for module in ("httpx", "fastapi", "uvicorn"):
        if __import__("importlib").util.find_spec(module) is None:
            sys.exit(f"benchmarks/serve.py needs {module}: pip install 'embedding-zoo[serve]'")
    from zoo.registry import Registry

    texts, queries = icd10cm_texts(args.n, args.requests)
    encoder = Registry.from_plugins().encoder(args.model).load()
    encoder.encode(["warm up"] * 8)
    print(
        f"model {encoder.name}; texts: the first {len(texts)} ICD-10-CM code titles; queries: the first "
        f"{len(queries)} inclusion terms"
    )
    throughput(args, encoder, texts)
    latency(args, queries)


if __name__ == "__main__":
    main()
