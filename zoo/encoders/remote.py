"""Served models: any OpenAI-compatible ``/v1/embeddings`` endpoint (``openai:``) and TEI's ``/embed`` (``tei:``).

Inputs are cut into batches bounded in count and in (estimated) tokens, sent a few at a time across the
replicas (``base_url=URL1,URL2``), each retried on 429/5xx/timeouts as ``remote_http`` says. A call returns
every vector or raises: a batch that failed is never returned in part, so nothing of it reaches the cache.

The fingerprint holds the endpoint's model name, the dimensions asked for, the prompts and input types, and
what the server says it runs (the model field of its answers, zoo serve's fingerprint header, TEI's model
revision). It cannot hold the weights: a provider may change a model under the same name.
API keys are read from the environment (``api_key_env=NAME``) and are kept out of fingerprints, reprs and
messages. A key is only sent where it was asked for: to OpenAI's own URL, or where ``api_key_env`` is given.
"""

from __future__ import annotations

import base64
import math
import os
import threading
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import numpy as np

from zoo.encoders.base import PromptSettings
from zoo.encoders.remote_http import Endpoint, RetryPolicy, Transient
from zoo.encoders.skeleton import BaseEncoder
from zoo.errors import ZooError
from zoo.protocols import ApiUsage, Role

OPENAI_URL = "https://api.openai.com/v1"
FINGERPRINT_HEADER = "x-zoo-fingerprint"  # zoo serve reports the served model's fingerprint in it
PROBE_TEXT = "embedding-zoo dimension probe"
BYTES_PER_TOKEN = 3  # a cautious estimate for budgets: English BPE averages about 4 bytes per token
ENCODING_FORMATS = ("float", "base64")


@dataclass(frozen=True)
class Batch:
    """One answer: the vectors in input order, the tokens the server counted (None: it did not say), and
    what it says it ran."""

    vectors: np.ndarray
    tokens: int | None
    reported: str | None = None


class UsageTally:
    """Tokens counted across threads; unknown once any answer came without a count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.tokens = 0
        self.uncounted = 0

    def add(self, tokens: int | None) -> None:
        with self._lock:
            if tokens is None:
                self.uncounted += 1
            else:
                self.tokens += tokens


class RemoteEncoder(BaseEncoder):
    """The shared work of served encoders: batching, concurrency, replicas, usage and the fingerprint.

    A subclass says what one request looks like (``request``) and how to read its answer (``read``). Its
    ``model`` (BaseEncoder's, loaded once) is the server's answer to a probe: what it runs, how wide.
    """

    family = "served"
    kind = "remote"
    default_base_url: str | None = None
    default_key_env: str | None = None
    max_batch_size = 2048

    def __init__(
        self,
        model: str,
        *,
        name: str | None = None,
        base_url: str | None = None,
        api_key_env: str | None = None,
        dimensions: int | None = None,
        query_prompt: str | None = None,
        document_prompt: str | None = None,
        query_input_type: str | None = None,
        document_input_type: str | None = None,
        batch_size: int = 128,
        batch_tokens: int = 100_000,
        concurrency: int = 4,
        retries: int = 6,
        timeout: float = 60.0,
        backoff: float = 0.5,
        price: float | None = None,
    ) -> None:
        check_settings(self.kind, dimensions, batch_size, batch_tokens, concurrency, price, self.max_batch_size)
        self.model_id = model
        self.name = name or f"{self.kind}:{model}"
        urls = [url.strip() for url in (base_url or self.default_base_url or "").split(",") if url.strip()]
        if not urls:
            raise ZooError(
                f"{self.name}: give the server's address, e.g. {self.kind}:{model}?base_url=http://127.0.0.1:8080"
            )
        self.base_urls = tuple(urls)
        self.dimensions = dimensions
        self.prompts = PromptSettings(query_prompt, document_prompt)
        self.input_types = {"query": query_input_type, "document": document_input_type}
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self.concurrency = concurrency
        self.price = price
        self.policy = RetryPolicy(retries=retries, timeout=timeout, backoff=backoff)
        self.key_env = api_key_env
        self.usage = UsageTally()
        self._endpoint: Endpoint | None = None
        self._pool: ThreadPoolExecutor | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model_id!r}, base_urls={list(self.base_urls)!r})"

    # --- what a subclass says ---
    def request(self, texts: list[str], input_type: str | None) -> tuple[str, dict[str, Any]]:
        """The path and JSON body that embed ``texts``."""
        raise NotImplementedError

    def read(self, data: Any, response: Any, n: int) -> Batch:
        """The vectors of an answer to ``n`` texts; ``Transient`` where the body is not such an answer."""
        raise NotImplementedError

    def server_identity(self) -> Any:
        """What the server says it runs, beyond the answers' model field (TEI: its /info)."""
        return None

    def settings(self) -> list[Any]:
        return [self.prompts.as_dict(), self.input_types]

    # --- the shared work ---
    @property
    def endpoint(self) -> Endpoint:
        if self._endpoint is None:
            secret = self._api_key()
            headers = {"Authorization": f"Bearer {secret}"} if secret else {}
            self._endpoint = Endpoint(self.base_urls, self.policy, headers, secret, self.name, self.concurrency)
        return self._endpoint

    def _api_key(self) -> str | None:
        """The key from ``api_key_env``, or from the default variable where the default URL is used."""
        env = self.key_env or (self.default_key_env if self.base_urls == (self.default_base_url,) else None)
        if env is None:
            return None
        key = os.environ.get(env, "").strip()
        if not key:
            raise ZooError(
                f"{self.name}: set the API key in the environment variable {env} "
                "(or name another with api_key_env=NAME)"
            )
        return key

    def load_model(self) -> Batch:
        """Open the connection and embed one text: the width of the vectors and the model the server reports."""
        return self._send([PROBE_TEXT], None, 0, count=False)

    def probe(self) -> Batch:
        """The answer to the probe text, sent once."""
        return self.model

    @property
    def dim(self) -> int:
        return self.dimensions or int(self.probe().vectors.shape[1])

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return (
            self.family,
            self.kind,
            self.model_id,
            self.dimensions,
            self.probe().reported,
            self.server_identity(),
            self.settings(),
        )

    def api_usage(self) -> ApiUsage:
        """Tokens the server counted for encode calls so far in this process, and their price where given."""
        tokens = None if self.usage.uncounted else self.usage.tokens
        cost = tokens * self.price / 1e6 if tokens is not None and self.price is not None else None
        return ApiUsage(tokens, cost)

    def encode_items(self, texts: list[str], role: Role, instruction: str | None) -> np.ndarray:
        prepared = self.prompts.apply(texts, role, instruction)
        sent = [i for i, text in enumerate(prepared) if text]  # OpenAI refuses empty strings
        if not sent:
            return np.zeros((len(texts), self.dim), dtype=np.float32)
        batches = token_batches([prepared[i] for i in sent], self.batch_size, self.batch_tokens)
        parts = self._send_all([[prepared[sent[j]] for j in rows] for rows in batches], self.input_types[role])
        found = np.concatenate([part.vectors for part in parts])
        if self.dimensions is not None and found.shape[1] != self.dimensions:
            raise ZooError(
                f"{self.name}: asked for {self.dimensions} dimensions, the server gave "
                f"{found.shape[1]}: drop dimensions= or use a model that takes it"
            )
        if len(sent) == len(texts):
            return found
        vectors = np.zeros((len(texts), found.shape[1]), dtype=np.float32)  # an empty text: a zero vector
        vectors[sent] = found
        return vectors

    def _send_all(self, batches: list[list[str]], input_type: str | None) -> list[Batch]:
        """Every batch, at most ``concurrency`` in flight; the first failure cancels what has not started."""
        if len(batches) == 1:
            return [self._send(batches[0], input_type, 0)]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix=f"{self.kind}-client")
        futures: list[Future[Batch]] = [
            self._pool.submit(self._send, texts, input_type, index) for index, texts in enumerate(batches)
        ]
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((future for future in futures if future in done and future.exception()), None)
        if failed is not None:
            for future in pending:
                future.cancel()
            wait(pending)  # requests already sent finish (and are counted) before the error is raised
            raise failed.exception()  # type: ignore[misc]
        return [future.result() for future in futures]

    def _send(self, texts: list[str], input_type: str | None, index: int, *, count: bool = True) -> Batch:
        path, body = self.request(texts, input_type)
        batch = self.endpoint.post(
            path, body, lambda data, response: self.read(data, response, len(texts)), spread=index
        )
        if count:  # the probe's few tokens are left out, so that a result's count does not depend on order
            self.usage.add(batch.tokens)
        return batch

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._endpoint is not None:
            self._endpoint.close()


class OpenAIEncoder(RemoteEncoder):
    """An OpenAI-compatible ``/v1/embeddings`` endpoint: OpenAI, vLLM, infinity, TEI's route, zoo serve."""

    kind = "openai"
    default_base_url = OPENAI_URL
    default_key_env = "OPENAI_API_KEY"

    def __init__(self, model: str, *, encoding_format: str = "float", **options: Any) -> None:
        if encoding_format not in ENCODING_FORMATS:
            raise ZooError(f"unknown encoding_format={encoding_format!r}: choose one of {', '.join(ENCODING_FORMATS)}")
        self.encoding_format = encoding_format
        super().__init__(model, **options)

    def request(self, texts: list[str], input_type: str | None) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {"model": self.model_id, "input": texts, "encoding_format": self.encoding_format}
        if self.dimensions is not None:
            body["dimensions"] = self.dimensions
        if input_type is not None:
            body["input_type"] = input_type  # Voyage, Cohere's compatibility API, NVIDIA NIM, zoo serve
        return "embeddings", body

    def read(self, data: Any, response: Any, n: int) -> Batch:
        try:
            rows = sorted(data["data"], key=lambda row: row["index"])
            vectors = [decode_row(row["embedding"]) for row in rows]
        except (KeyError, TypeError, ValueError) as exc:
            raise Transient(f"an answer without embeddings ({type(exc).__name__}: {exc})") from None
        usage = data.get("usage") if isinstance(data, dict) else None
        tokens = usage.get("prompt_tokens", usage.get("total_tokens")) if isinstance(usage, dict) else None
        reported = " ".join(filter(None, (str(data.get("model") or ""), response.headers.get(FINGERPRINT_HEADER))))
        return Batch(stack(vectors, n), int(tokens) if tokens is not None else None, reported or None)


class TeiEncoder(RemoteEncoder):
    """Hugging Face text-embeddings-inference through its native ``/embed`` route (``/info`` says what it runs)."""

    kind = "tei"
    default_key_env = None
    max_batch_size = 4096

    def __init__(self, model: str, *, truncate: bool = True, **options: Any) -> None:
        self.truncate = truncate
        self._info: dict[str, Any] | None = None
        super().__init__(model, **options)

    def request(self, texts: list[str], input_type: str | None) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {"inputs": texts, "truncate": self.truncate, "normalize": True}
        if self.dimensions is not None:
            body["dimensions"] = self.dimensions
        if input_type is not None:
            body["prompt_name"] = input_type  # a prompt of the model's sentence-transformers config
        return "embed", body

    def read(self, data: Any, response: Any, n: int) -> Batch:
        try:
            vectors = [np.asarray(row, dtype=np.float32) for row in data]
        except (TypeError, ValueError) as exc:
            raise Transient(f"an answer without embeddings ({type(exc).__name__})") from None
        return Batch(stack(vectors, n), None)  # /embed counts no tokens

    def info(self) -> dict[str, Any]:
        if self._info is None:
            data = self.endpoint.get("info", lambda data, response: data)
            self._info = data if isinstance(data, dict) else {}
            limit = self._info.get("max_client_batch_size")
            if isinstance(limit, int) and 0 < limit < self.batch_size:
                self.batch_size = limit  # TEI refuses larger requests (422)
        return self._info

    def load(self) -> None:
        self.info()
        super().load()

    def server_identity(self) -> Any:
        info = self.info()
        return {key: info.get(key) for key in ("model_id", "model_sha", "model_dtype", "model_type")}

    def settings(self) -> list[Any]:
        return [*super().settings(), self.truncate]


def decode_row(value: Any) -> np.ndarray:
    """A vector given as a list of floats, or as base64 of little-endian float32."""
    if isinstance(value, str):
        return np.frombuffer(base64.b64decode(value, validate=True), dtype="<f4").astype(np.float32)
    return np.asarray(value, dtype=np.float32)


def stack(vectors: list[np.ndarray], n: int) -> np.ndarray:
    """(n, dim) float32, or Transient where the answer has the wrong count or ragged rows."""
    if len(vectors) != n:
        raise Transient(f"{len(vectors)} embeddings for {n} inputs")
    widths = {vector.shape for vector in vectors}
    if len(widths) != 1 or len(next(iter(widths))) != 1:
        raise Transient(f"embeddings of unequal or odd shapes {sorted(widths)}")
    matrix = np.stack(vectors).astype(np.float32, copy=False)
    if not np.isfinite(matrix).all():
        raise Transient("embeddings with NaN or infinite values")
    return matrix


def estimated_tokens(text: str) -> int:
    return max(1, math.ceil(len(text.encode("utf-8", "surrogatepass")) / BYTES_PER_TOKEN))


def token_batches(texts: list[str], batch_size: int, batch_tokens: int) -> list[list[int]]:
    """Consecutive runs of indices, each at most ``batch_size`` texts and ``batch_tokens`` estimated tokens
    (a text over the budget goes alone: the server truncates or refuses it)."""
    batches: list[list[int]] = []
    current: list[int] = []
    spent = 0
    for index, text in enumerate(texts):
        tokens = estimated_tokens(text)
        if current and (len(current) >= batch_size or spent + tokens > batch_tokens):
            batches.append(current)
            current, spent = [], 0
        current.append(index)
        spent += tokens
    if current:
        batches.append(current)
    return batches


def check_settings(
    kind: str,
    dimensions: int | None,
    batch_size: int,
    batch_tokens: int,
    concurrency: int,
    price: float | None,
    max_batch_size: int,
) -> None:
    """One-line ZooErrors for settings that cannot work, raised before anything connects."""
    if dimensions is not None and dimensions < 1:
        raise ZooError(f"{kind}: dimensions must be at least 1, not {dimensions}")
    if not 1 <= batch_size <= max_batch_size:
        raise ZooError(f"{kind}: batch_size must lie in 1..{max_batch_size}, not {batch_size}")
    if batch_tokens < 1 or concurrency < 1:
        raise ZooError(f"{kind}: batch_tokens and concurrency must be at least 1")
    if price is not None and price < 0:
        raise ZooError(f"{kind}: price is USD per million tokens and cannot be negative ({price})")
