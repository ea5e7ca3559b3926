"""A scripted embeddings server for the served-model tests: OpenAI's /v1/embeddings and TEI's /embed and /info,
on 127.0.0.1, answering each request as its script says (429 with Retry-After, 500, slow, truncated...)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from zoo.encoders.hashing import HashingEncoder

REFERENCE = HashingEncoder(16, name="reference")  # what every answer embeds with: known vectors


def reference(texts: list[str]) -> np.ndarray:
    return REFERENCE.encode(texts)


class FakeServer(ThreadingHTTPServer):
    """Answers the n-th request with ``script[n]`` ("ok" once the script runs out); ``poison`` in an input
    makes every answer to it a 500. ``received`` keeps each request's path, headers and body."""

    daemon_threads = True

    def __init__(
        self,
        script: list[str] | None = None,
        *,
        model: str = "fake-embed-1",
        usage: bool = True,
        info: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.script = list(script or [])
        self.model = model
        self.usage = usage
        self.info = info or {"model_id": "fake/embed", "model_sha": "abc123", "max_client_batch_size": 8}
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_step(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def embedding_calls(self) -> list[dict[str, Any]]:
        return [r for r in self.received if r["path"].endswith(("/embeddings", "/embed"))]

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.received.append({"path": self.path, "headers": dict(self.headers), "body": None})
        if self.path.rstrip("/").endswith("/info"):
            self.send_json(200, self.server.info)
        else:
            self.send_json(404, {"error": "not found"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with self.server.lock:
            self.server.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
        texts = body.get("input", body.get("inputs"))
        texts = [texts] if isinstance(texts, str) else texts
        step = "500" if "poison" in texts else self.server.next_step()
        if step == "429":
            self.send_json(429, {"error": {"message": "rate limit reached"}}, {"Retry-After": "7"})
        elif step == "500":
            self.send_json(500, {"error": {"message": "the model fell over"}})
        elif step == "400":
            auth = self.headers.get("Authorization", "")
            self.send_json(400, {"error": {"message": f"bad request\nfrom a client sending {auth}"}})
        elif step == "truncated":  # promises more bytes than it sends, then hangs up
            payload = json.dumps(self.answer(texts)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
        elif step == "cut-json":  # a complete response whose JSON stops half-way
            payload = json.dumps(self.answer(texts)).encode()[:40]
            self.send_raw(200, payload)
        elif step == "short":
            answer = self.answer(texts)
            if isinstance(answer, dict):
                answer["data"] = answer["data"][1:]
            else:
                answer = answer[1:]
            self.send_json(200, answer)
        elif step.startswith("slow"):
            time.sleep(float(step.partition(":")[2] or 1.0))
            self.send_json(200, self.answer(texts))
        else:
            self.send_json(200, self.answer(texts))

    def answer(self, texts: list[str]) -> Any:
        vectors = reference(texts)
        if self.path.endswith("/embed"):
            return vectors.tolist()
        rows = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
        answer: dict[str, Any] = {"object": "list", "data": rows[::-1], "model": self.server.model}  # any order
        if self.server.usage:
            tokens = sum(len(text.split()) for text in texts)
            answer["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
        return answer

    def send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self.send_raw(status, json.dumps(data).encode(), headers)

    def send_raw(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
