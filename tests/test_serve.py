"""zoo serve: dynamic batching, the OpenAI-compatible endpoint on 127.0.0.1, chains, the command, and MiniLM
through it scoring what local MiniLM scores."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

# after the skips: these import fastapi and httpx
from harness.serve.app import ServerThread, create_app  # noqa: E402
from harness.serve.batcher import DynamicBatcher, Embedded  # noqa: E402
from harness.serve.model import ServedModel, load_served_model  # noqa: E402
from zoo.cache import cache_home  # noqa: E402
from zoo.encoders.hashing import HashingEncoder  # noqa: E402
from zoo.encoders.remote import OpenAIEncoder  # noqa: E402
from zoo.errors import ZooError  # noqa: E402
from zoo.registry import Registry  # noqa: E402

SHARED_CACHE = cache_home()  # read before the autouse fixture points each test at its own cache
TEXTS = [f"malignant neoplasm of site {i}, {'left' if i % 3 else 'right'} side" for i in range(50)]


def recording_encoder(calls: list[tuple[int, str]]):
    hashing = HashingEncoder(32)

    def encode(texts: list[str], role: str) -> Embedded:
        calls.append((len(texts), role))
        return Embedded(hashing.encode(texts), np.arange(len(texts)))

    return encode


async def submit_together(batcher: DynamicBatcher, requests: list[tuple[list[str], str]]) -> list[Embedded]:
    await batcher.start()
    try:
        return await asyncio.gather(*(batcher.submit(texts, role) for texts, role in requests))
    finally:
        await batcher.stop()


def test_concurrent_requests_are_encoded_together_and_each_gets_its_own_rows():
    calls: list[tuple[int, str]] = []
    batcher = DynamicBatcher(recording_encoder(calls), max_batch=64, max_wait=0.2)
    requests = [([TEXTS[i], TEXTS[i + 1]], "document") for i in range(0, 20, 2)]
    answers = asyncio.run(submit_together(batcher, requests))
    assert calls == [(20, "document")]  # ten requests, one call to the model
    for (texts, _), answer in zip(requests, answers):
        np.testing.assert_array_equal(answer.vectors, HashingEncoder(32).encode(texts))
    assert [list(answer.tokens) for answer in answers[:2]] == [[0, 1], [2, 3]]
    assert batcher.stats.batches == 1 and batcher.stats.requests == 10


def test_batches_hold_one_role_and_at_most_max_batch_texts():
    calls: list[tuple[int, str]] = []
    batcher = DynamicBatcher(recording_encoder(calls), max_batch=5, max_wait=0.2)
    requests = [(TEXTS[:3], "query"), (TEXTS[3:5], "query"), (TEXTS[5:6], "document"), (TEXTS[6:10], "query")]
    asyncio.run(submit_together(batcher, requests))
    assert calls == [(5, "query"), (1, "document"), (4, "query")]


def test_without_batching_each_request_is_encoded_alone():
    calls: list[tuple[int, str]] = []
    batcher = DynamicBatcher(recording_encoder(calls), enabled=False)
    asyncio.run(submit_together(batcher, [(TEXTS[:2], "document")] * 4))
    assert calls == [(2, "document")] * 4


def test_a_failing_batch_fails_each_of_its_requests_and_the_batcher_goes_on():
    state = {"fail": True}

    def encode(texts: list[str], role: str) -> Embedded:
        if state.pop("fail", False):
            raise RuntimeError("out of memory")
        return Embedded(np.zeros((len(texts), 2), dtype=np.float32))

    async def scenario() -> tuple[list[object], Embedded]:
        batcher = DynamicBatcher(encode, max_wait=0.1)
        await batcher.start()
        try:
            failed = await asyncio.gather(
                batcher.submit(["a"], "document"), batcher.submit(["b"], "document"), return_exceptions=True
            )
            return failed, await batcher.submit(["c"], "document")
        finally:
            await batcher.stop()

    failed, later = asyncio.run(scenario())
    assert all(isinstance(error, RuntimeError) for error in failed)
    assert later.vectors.shape == (1, 2)


def served(name: str = "hashing", **kwargs) -> ServedModel:
    return load_served_model(Registry.from_plugins(), name, **kwargs)


def serve(model: ServedModel, **batching) -> ServerThread:
    return ServerThread(create_app(model, DynamicBatcher(model.embed, **batching)))


def test_the_openai_client_through_zoo_serve_gets_the_local_vectors():
    model = served()
    local = HashingEncoder(256).encode(TEXTS)
    with serve(model) as server:
        for encoding in ("float", "base64"):
            remote = OpenAIEncoder("hashing-bow-256", base_url=server.url, encoding_format=encoding, batch_size=7)
            np.testing.assert_array_equal(remote.encode(TEXTS), local)
        answer = httpx.get(f"{server.url}/models").json()["data"][0]
        header = httpx.post(f"{server.url}/embeddings", json={"input": "x"}).headers["x-zoo-fingerprint"]
        reported = remote.probe().reported
    assert answer["fingerprint"] == header == model.fingerprint == HashingEncoder(256).fingerprint()
    assert answer["dimensions"] == 256 and answer["id"] == "hashing-bow-256"
    assert model.fingerprint in reported  # the client's fingerprint holds the server's


def test_dimensions_shorten_and_renormalise_as_openai_does():
    with serve(served()) as server:
        answer = httpx.post(f"{server.url}/embeddings", json={"input": TEXTS[:3], "dimensions": 192}).json()
    vectors = np.array([row["embedding"] for row in answer["data"]], dtype=np.float32)
    full = HashingEncoder(256).encode(TEXTS[:3])[:, :192]
    assert np.all(np.linalg.norm(full, axis=1) > 0)
    np.testing.assert_allclose(vectors, full / np.linalg.norm(full, axis=1, keepdims=True), rtol=1e-6)


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"input": []}, 400, "non-empty list"),
        ({"input": [[1, 2, 3]]}, 400, "token arrays"),
        ({"input": "x", "model": "text-embedding-3-small"}, 404, "serves 'hashing-bow-256'"),
        ({"input": "x", "dimensions": 1000}, 400, "1..256"),
        ({"input": "x", "encoding_format": "int8"}, 400, "float or base64"),
        ({"input": "x", "input_type": "title"}, 400, "unknown input_type"),
        ({"input": ["x"] * 2049}, 400, "at most 2048"),
    ],
)
def test_bad_requests_get_openai_shaped_errors(body: dict, status: int, message: str):
    with serve(served()) as server:
        answer = httpx.post(f"{server.url}/embeddings", json=body)
    assert answer.status_code == status
    assert message in answer.json()["error"]["message"]


def test_a_chain_is_served_as_fitted_and_a_quantizer_serves_its_codes(tmp_path: Path):
    fit = tmp_path / "fit.txt"
    fit.write_text("\n".join(TEXTS))
    registry = Registry.from_plugins()
    matryoshka = served(chain="matryoshka?dim=64", fit_on=f"file:{fit}")
    int8 = served(chain="int8", fit_on=f"file:{fit}")
    with serve(matryoshka) as a, serve(int8) as b:
        shortened = OpenAIEncoder("hashing", base_url=a.url).encode(TEXTS[:5])
        codes = OpenAIEncoder("hashing", base_url=b.url).encode(TEXTS[:5])
        assert (
            OpenAIEncoder("hashing", base_url=a.url).fingerprint()
            != OpenAIEncoder("hashing", base_url=b.url).fingerprint()
        )
    np.testing.assert_allclose(shortened, matryoshka.view.encode(TEXTS[:5]), rtol=1e-6)
    assert shortened.shape == (5, 64)
    quantizer = int8.view.quantizer
    np.testing.assert_array_equal(codes, quantizer.transform(HashingEncoder(256).encode(TEXTS[:5])))
    assert matryoshka.chain[0] == "matryoshka(dim=64)" and matryoshka.chain[-1].startswith("fit:file:")
    with pytest.raises(ZooError, match="--fit-on"):
        load_served_model(registry, "hashing", "int8", None)


class Counting:
    """An encoder that counts the texts it is asked to encode."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self.calls: list[int] = []

    def __getattr__(self, name: str):
        return getattr(self.encoder, name)

    def encode(self, texts, **options):
        self.calls.append(len(texts))
        return self.encoder.encode(texts, **options)


def test_the_cache_answers_what_it_holds(tmp_path: Path):
    from harness.serve.model import CachedEncoder
    from zoo.cache import EmbeddingCache

    cache = EmbeddingCache(tmp_path / "cache")
    first = ServedModel("hashing", CachedEncoder(Counting(HashingEncoder(256)), cache))
    vectors = first.embed(TEXTS[:10], "query").vectors
    again = ServedModel("hashing", CachedEncoder(counting := Counting(HashingEncoder(256)), cache))
    np.testing.assert_array_equal(again.embed([*TEXTS[:10], "a new text"], "query").vectors[:10], vectors)
    assert counting.calls == [1]  # only the text the cache lacked reached the model


def zoo_serve(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """``zoo serve ARGS --port 0`` in a subprocess, and the URL it prints once it listens."""
    command = [sys.executable, "-c", "from zoo.cli.main import main; main()", "serve", *args, "--port", "0"]
    process = subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}, start_new_session=True
    )
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
        raise AssertionError(f"zoo serve did not start: {''.join(seen)}")
    wait_for(f"{found[1]}/health", process)
    return process, f"{found[1]}/v1"


def stop(process: subprocess.Popen) -> None:
    """End the server and whatever processes it started (its own process group)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for(url: str, process: subprocess.Popen, seconds: float = 300) -> None:
    """Until GET ``url`` answers 200; the server's own output where it dies first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop(process)
    raise AssertionError(f"{url} never answered")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_zoo_serve_command_serves_on_127_0_0_1():
    process, url = zoo_serve("-m", "hashing", "--no-batching")
    try:
        remote = OpenAIEncoder("hashing", base_url=url)
        np.testing.assert_array_equal(remote.encode(TEXTS[:4]), HashingEncoder(256).encode(TEXTS[:4]))
    finally:
        stop(process)


def test_zoo_serve_refuses_an_unfitted_chain_in_one_line():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from zoo.cli.main import main; main()",
            "serve",
            "-m",
            "hashing",
            "-p",
            "int8",
            "--port",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("zoo: error:") and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_minilm_served_encodes_as_minilm_does():
    registry = Registry.from_plugins()
    model = load_served_model(registry, "all-minilm-l6-v2")
    local = registry.encoder("all-minilm-l6-v2").load()
    with serve(model) as server:
        remote = OpenAIEncoder("all-minilm-l6-v2", base_url=server.url, batch_size=8, concurrency=4)
        vectors = remote.encode(TEXTS[:40])
        tokens = remote.api_usage().tokens
    expected = local.encode(TEXTS[:40])
    assert np.min(np.sum(vectors * expected, axis=1)) > 1 - 1e-5  # unit vectors: cosine of each pair
    assert tokens is not None and tokens > 40  # counted by MiniLM's own tokenizer


def served_ndcg(name: str, tmp_path: Path):  # noqa: ANN201 - a TaskResult
    """icd10cm-small through the ``name`` (openai:) client into a fresh client cache, exact search."""
    from harness.results import ResultStore
    from harness.runner import BenchmarkRun
    from zoo.cache import EmbeddingCache

    registry = Registry.from_plugins()
    run = BenchmarkRun(
        [registry.encoder(name)],
        [registry.task("icd10cm-small")],
        [registry.backend("exact")],
        ResultStore(tmp_path / "results"),
        progress=False,
        cache=EmbeddingCache(tmp_path / "client-cache"),
        chance=False,
    )
    (result,) = run.run()
    return result


def local_minilm_ndcg() -> float:
    """Local MiniLM's nDCG@10 on icd10cm-small, its vectors read from (or left in) the shared cache."""
    from harness.backends.exact import ExactBackend
    from harness.encoding import MeasuredEncoder
    from zoo.cache import EmbeddingCache

    registry = Registry.from_plugins()
    local = MeasuredEncoder(
        registry.encoder("all-minilm-l6-v2").load(), cache=EmbeddingCache(SHARED_CACHE), progress=False
    )
    return registry.task("icd10cm-small").load().evaluate(local, ExactBackend()).main_score


@pytest.mark.slow
def test_minilm_through_zoo_serve_scores_what_local_minilm_scores(tmp_path: Path):
    """nDCG@10 on icd10cm-small through the openai: client and `zoo serve` equals local MiniLM's (1e-4).

    The server reads through the shared embedding cache, where local runs keep MiniLM's vectors of this task:
    the test then costs HTTP, not 5,500 encodings (the test above checks the served model's own vectors)."""
    expected = local_minilm_ndcg()
    process, url = zoo_serve("-m", "all-minilm-l6-v2", "--cache", env={"ZOO_CACHE_HOME": str(SHARED_CACHE)})
    try:
        result = served_ndcg(
            f"openai:all-minilm-l6-v2?base_url={url}&query_input_type=query"
            "&document_input_type=document&encoding_format=base64&batch_size=256&price=0.02",
            tmp_path,
        )
    finally:
        stop(process)
    assert abs(result.main_score - expected) <= 1e-4
    assert result.api_tokens is not None and result.api_tokens > 5500
    assert result.api_cost_usd == pytest.approx(result.api_tokens * 0.02 / 1e6)


@pytest.mark.slow
def test_minilm_behind_litserve_scores_what_local_minilm_scores(tmp_path: Path):
    """The same through a server not written here: LitServe's OpenAI embedding spec over the MiniLM folder.

    It encodes all 5,500 texts itself (about 40 s on a free CPU core)."""
    pytest.importorskip("litserve")
    expected = local_minilm_ndcg()
    port = free_port()
    script = Path(__file__).parent / "litserve_minilm.py"
    process = subprocess.Popen(
        [sys.executable, str(script), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process)
        result = served_ndcg(f"openai:all-minilm-l6-v2?base_url=http://127.0.0.1:{port}/v1&batch_size=64", tmp_path)
    finally:
        stop(process)
    assert abs(result.main_score - expected) <= 1e-4
