"""faiss itself: imported when a backend first needs it, and its OpenMP thread count set per call."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from zoo.api import ZooError


def load_faiss(backend: str) -> Any:
    """The faiss module, or a ZooError saying how to install it."""
    try:
        import faiss
    except ImportError as exc:
        raise ZooError(f"{backend} backend: needs faiss ({exc}); pip install faiss-cpu") from None
    return faiss


@contextmanager
def faiss_threads(threads: int) -> Iterator[None]:
    """Run faiss with ``threads`` OpenMP threads, restoring the count after (faiss keeps it process-wide)."""
    faiss = load_faiss("faiss")
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
