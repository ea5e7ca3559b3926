"""zoo-faiss: faiss search backends, IVF-Flat, IVF-PQ and HNSW, with scores recomputed as exact search's.

This module is what the "zoo" entry point names; ``zoo list`` imports it, so it imports only ``zoo``.
faiss and numpy load inside the factories, when a run makes a backend. The core's ``hnsw?library=faiss``
reaches ``hnsw-faiss`` by its registered name.
"""

from __future__ import annotations

from typing import Any, Callable

from zoo import SearchBackend, hookimpl


def ivf_flat(**params: Any) -> SearchBackend:
    from zoo_faiss.ivf import IvfFlatBackend

    return IvfFlatBackend(**params)


def ivf_pq(**params: Any) -> SearchBackend:
    from zoo_faiss.ivf import IvfPqBackend

    return IvfPqBackend(**params)


def hnsw_faiss(**params: Any) -> SearchBackend:
    from zoo_faiss.hnsw import FaissHnswBackend

    return FaissHnswBackend(**params)


@hookimpl
def register_search_backends(register: Callable[..., None]) -> None:
    register("ivf-flat", ivf_flat,
             description="faiss IVF-Flat: k-means lists, nprobe of them scanned; scores recomputed as exact's")
    register("ivf-pq", ivf_pq,
             description="faiss IVF-PQ: product-quantized lists, candidates rescored with float vectors")
    register("hnsw-faiss", hnsw_faiss,
             description="faiss IndexHNSWFlat (also hnsw?library=faiss); scores recomputed as exact's")
