"""The local engine: encodes in this process, longest inputs first, committing to the cache as it goes."""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np

from harness.engines import ENCODE_CHUNK, EncodeJob, Encoded, by_length, checked, load_model


class LocalEngine:
    """One process, one encoder. The whole input is ordered by length before it is cut into chunks, so
    each chunk (and each batch the encoder makes of it) holds similar lengths and pads little; the vectors
    come back in input order."""

    name = "local"

    def __init__(self, chunk: int = ENCODE_CHUNK) -> None:
        self.chunk = chunk

    def params(self) -> dict[str, Any]:
        return {}

    def encode(self, job: EncodeJob) -> Encoded:
        from tqdm.auto import tqdm

        load_seconds = load_model(job.encoder)
        order = np.asarray(by_length(job.items), dtype=np.int64)
        out: np.ndarray | None = None
        spent = 0.0
        bar = tqdm(
            total=len(job.items),
            desc=f"{job.encoder.name}: {job.role}s",
            unit="item",
            disable=None if job.progress else True,
            file=sys.stderr,
            leave=False,
        )
        with bar:
            for start in range(0, len(order), self.chunk):
                rows = order[start : start + self.chunk]
                items = [job.items[i] for i in rows]
                began = time.perf_counter()
                vectors = job.encoder.encode(items, role=job.role, instruction=job.instruction)
                spent += time.perf_counter() - began
                vectors = checked(vectors, len(items), job.encoder.name)
                if out is None:
                    out = np.empty((len(order), vectors.shape[1]), dtype=np.float32)
                out[rows] = vectors
                if job.sink is not None:
                    job.sink.add(items, vectors)
                bar.update(len(items))
        if out is None:
            raise ValueError("nothing to encode")  # callers only send non-empty jobs
        return Encoded(out, load_seconds, spent)

    def close(self) -> None:
        """Nothing to release: the encoder belongs to the caller."""
