"""The OpenAI-compatible HTTP face of a ServedModel (FastAPI), and a server thread for tests and benchmarks.

Imported only where fastapi is installed (``zoo serve`` checks first).

``POST /v1/embeddings`` takes ``input`` (a string or a list of strings), ``model``, ``dimensions``,
``encoding_format`` (float or base64) and, beyond OpenAI's fields, ``input_type`` (query or document, as
Voyage and Cohere's compatible APIs name it) for models whose roles differ. Every answer carries the served
model's fingerprint in an ``X-Zoo-Fingerprint`` header; ``GET /v1/models`` lists it with its chain.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from harness.serve.batcher import DynamicBatcher
from harness.serve.model import ROLES, ServedModel
from zoo.encoders.remote import FINGERPRINT_HEADER

MAX_INPUTS = 2048  # per request, as OpenAI's API allows


class BadRequest(Exception):
    def __init__(self, message: str, param: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.param = param
        self.status = status


def create_app(model: ServedModel, batcher: DynamicBatcher) -> FastAPI:
    created = int(time.time())
    headers = {FINGERPRINT_HEADER: model.fingerprint}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await batcher.start()
        yield
        await batcher.stop()

    app = FastAPI(title=f"zoo serve: {model.name}", lifespan=lifespan)
    app.state.batcher = batcher

    def reply(body: dict[str, Any], status: int = 200) -> Response:
        return Response(
            json.dumps(body, separators=(",", ":")), status_code=status, media_type="application/json", headers=headers
        )

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return reply(openai_error(str(exc), exc.param, exc.status), exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        return reply(openai_error(f"{where or 'body'}: {first.get('msg', 'invalid request')}", where or None), 400)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:  # the model raised: one line, not a trace
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return reply(openai_error(f"the model failed: {message}", None, 500), 500)

    @app.get("/health")
    async def health() -> Response:
        return reply({"status": "ok", "model": model.name, "fingerprint": model.fingerprint})

    @app.get("/v1/models")
    async def models() -> Response:
        return reply({"object": "list", "data": [{**model.describe(), "created": created}]})

    @app.get("/v1/models/{name:path}")
    async def one_model(name: str) -> Response:
        if not model.accepts(name):
            raise BadRequest(f"model {name!r} is not served here; this server serves {model.name!r}", "model", 404)
        return reply({**model.describe(), "created": created})

    @app.post("/v1/embeddings")
    async def embeddings(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            raise BadRequest('the body is not JSON: send {"input": [...], "model": ...}') from None
        texts, role, dimensions, encoding = parse_request(body, model)
        embedded = await batcher.submit(texts, role)
        vectors = shorten(embedded.vectors, dimensions) if dimensions else embedded.vectors
        data = [
            {"object": "embedding", "index": i, "embedding": encode_row(row, encoding)} for i, row in enumerate(vectors)
        ]
        answer: dict[str, Any] = {"object": "list", "data": data, "model": model.name}
        if embedded.tokens is not None:
            tokens = int(embedded.tokens.sum())
            answer["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
        return reply(answer)

    return app


def parse_request(body: Any, model: ServedModel) -> tuple[list[str], str, int | None, str]:
    """(texts, role, dimensions, encoding format) of a request body, or a BadRequest saying what is wrong."""
    if not isinstance(body, dict):
        raise BadRequest('the body must be a JSON object with an "input" field')
    if not model.accepts(body.get("model")):
        raise BadRequest(
            f"model {body.get('model')!r} is not served here; this server serves {model.name!r}", "model", 404
        )
    texts = body.get("input")
    texts = [texts] if isinstance(texts, str) else texts
    if not isinstance(texts, list) or not texts:
        raise BadRequest("input must be a string or a non-empty list of strings", "input")
    if not all(isinstance(text, str) for text in texts):
        raise BadRequest("input must hold strings: token arrays are not accepted here", "input")
    if len(texts) > MAX_INPUTS:
        raise BadRequest(f"at most {MAX_INPUTS} inputs per request, got {len(texts)}", "input")
    role = body.get("input_type") or "document"
    if role not in ROLES:
        raise BadRequest(f"unknown input_type {role!r}: use one of {', '.join(ROLES)}", "input_type")
    encoding = body.get("encoding_format") or "float"
    if encoding not in ("float", "base64"):
        raise BadRequest(f"unknown encoding_format {encoding!r}: use float or base64", "encoding_format")
    return texts, role, check_dimensions(body.get("dimensions"), model), encoding


def check_dimensions(dimensions: Any, model: ServedModel) -> int | None:
    if dimensions is None:
        return None
    if model.quantized:
        raise BadRequest(
            "dimensions cannot shorten quantized codes: serve a matryoshka step before the quantizer instead",
            "dimensions",
        )
    if not isinstance(dimensions, int) or isinstance(dimensions, bool) or not 1 <= dimensions <= model.dim:
        raise BadRequest(f"dimensions must be an integer in 1..{model.dim}", "dimensions")
    return dimensions


def shorten(vectors: np.ndarray, dimensions: int) -> np.ndarray:
    """The first ``dimensions`` components, renormalised, as OpenAI's ``dimensions`` does (matryoshka)."""
    from zoo.encoders.base import l2_normalize

    return vectors if dimensions == vectors.shape[1] else l2_normalize(vectors[:, :dimensions])


def encode_row(row: np.ndarray, encoding: str) -> Any:
    if encoding == "base64":
        return base64.b64encode(row.astype("<f4").tobytes()).decode("ascii")
    return row.tolist()


def openai_error(message: str, param: str | None, status: int = 400) -> dict[str, Any]:
    kind = {404: "not_found_error", 500: "server_error"}.get(status, "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": None}}


class ServerThread:
    """A uvicorn server on 127.0.0.1 in a thread, on a port the OS picks: ``with ServerThread(app) as s: s.url``."""

    def __init__(self, app: Any, host: str = "127.0.0.1", start_timeout: float = 60.0) -> None:
        import uvicorn

        self.sock = bound_socket(host, 0)
        self.host, self.port = self.sock.getsockname()[:2]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.start_timeout = start_timeout

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server at {self.url} did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


def bound_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket bound to ``host:port`` (port 0: any free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock
