"""faiss's OpenMP thread count for one call, restored afterwards (faiss keeps it process-wide)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


@contextmanager
def faiss_threads(threads: int) -> Iterator[None]:
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
