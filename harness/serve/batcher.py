"""Dynamic batching: requests that arrive together are encoded in one call to the model.

The batcher takes the first waiting request, then keeps taking requests of the same role, for at most
``max_wait`` seconds or until ``max_batch`` texts, and encodes them in one call on a single worker thread
(models are not assumed thread-safe). Requests that arrive while the model is busy are taken at once on the
next round. With batching off, each request is encoded on its own, in arrival order.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

Encode = Callable[[list[str], str], "Embedded"]


@dataclass(frozen=True)
class Embedded:
    """Vectors (n, d) and, where the model can count them, the tokens of each input (n,)."""

    vectors: np.ndarray
    tokens: np.ndarray | None = None

    def rows(self, start: int, stop: int) -> Embedded:
        tokens = None if self.tokens is None else self.tokens[start:stop]
        return Embedded(self.vectors[start:stop], tokens)


@dataclass
class Pending:
    texts: list[str]
    role: str
    future: asyncio.Future[Embedded]


@dataclass
class BatchStats:
    """How requests were grouped: calls to the model and the texts they held."""

    batches: int = 0
    requests: int = 0
    texts: int = 0
    largest: int = 0

    def add(self, requests: int, texts: int) -> None:
        self.batches += 1
        self.requests += requests
        self.texts += texts
        self.largest = max(self.largest, texts)


@dataclass
class DynamicBatcher:
    encode: Encode
    max_batch: int = 64  # texts per call to the model (one larger request still goes alone)
    max_wait: float = 0.005  # seconds to wait for more requests once the first has arrived
    enabled: bool = True
    stats: BatchStats = field(default_factory=BatchStats)
    _queue: asyncio.Queue[Pending] | None = field(default=None, repr=False)
    _held: Pending | None = field(default=None, repr=False)
    _task: asyncio.Task[None] | None = field(default=None, repr=False)
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="zoo-serve-model")
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    async def submit(self, texts: list[str], role: str) -> Embedded:
        """The request's vectors, encoded alone or with others that arrived with it."""
        assert self._queue is not None, "start() the batcher first"
        future: asyncio.Future[Embedded] = asyncio.get_running_loop().create_future()
        await self._queue.put(Pending(texts, role, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = await self._collect()
            await self._encode(batch)

    async def _collect(self) -> list[Pending]:
        """One request, and those that may join it."""
        assert self._queue is not None
        first = self._held or await self._queue.get()
        self._held = None
        batch, size = [first], len(first.texts)
        if not self.enabled:
            return batch
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        while size < self.max_batch:
            try:
                left = deadline - loop.time()
                nxt = self._queue.get_nowait() if left <= 0 else await asyncio.wait_for(self._queue.get(), left)
            except (asyncio.QueueEmpty, asyncio.TimeoutError):
                break
            if nxt.role != first.role or size + len(nxt.texts) > self.max_batch:
                self._held = nxt  # it starts the next batch
                break
            batch.append(nxt)
            size += len(nxt.texts)
        return batch

    async def _encode(self, batch: list[Pending]) -> None:
        texts = [text for pending in batch for text in pending.texts]
        loop = asyncio.get_running_loop()
        try:
            embedded = await loop.run_in_executor(self._pool, self.encode, texts, batch[0].role)
        except Exception as exc:  # noqa: BLE001 - every request of the batch gets the error; the server goes on
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(exc)
            return
        self.stats.add(len(batch), len(texts))
        start = 0
        for pending in batch:
            stop = start + len(pending.texts)
            if not pending.future.done():  # a client that went away cancelled it
                pending.future.set_result(embedded.rows(start, stop))
            start = stop
