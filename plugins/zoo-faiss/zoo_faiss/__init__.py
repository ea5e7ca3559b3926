"""zoo-faiss: faiss search backends, IVF-Flat, IVF-PQ and HNSW, with scores recomputed as exact search's.

This module is what the "zoo" entry point names; ``zoo list`` imports it, so it imports only ``zoo``.
faiss and numpy load inside the factories, when a run makes a backend. The core's ``hnsw?library=faiss``
reaches ``hnsw-faiss`` by its registered name.
"""

from __future__ import annotations

from typing import Any, Callable

from zoo import Param, SearchBackend, hookimpl

INT_MAX = 2**31 - 1  # faiss takes list counts, probes and k-means seeds as C ints
IVF_PARAMS = (
    Param("nlist", int, 1, INT_MAX),
    Param("nprobe", int, 1, INT_MAX),
    Param("train_size", int, 1, INT_MAX),
    Param("seed", int, 0, INT_MAX),
    Param("threads", int, 1, 4096),
)
IVF_PQ_PARAMS = (
    *IVF_PARAMS,
    Param("m", int, 1, 2**16, help="sub-quantizers; must divide the dimension"),
    Param("nbits", int, 1, 16),
    Param("rescore", int, 1, 10_000),
)


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
    from harness.api import graph_params

    register(
        "ivf-flat",
        ivf_flat,
        params=IVF_PARAMS,
        description="faiss IVF-Flat: k-means lists, nprobe of them scanned; scores recomputed as exact's",
    )
    register(
        "ivf-pq",
        ivf_pq,
        params=IVF_PQ_PARAMS,
        description="faiss IVF-PQ: product-quantized lists, candidates rescored with float vectors",
    )
    register(
        "hnsw-faiss",
        hnsw_faiss,
        params=graph_params(max_seed=2**63),  # faiss seeds are int64
        description="faiss IndexHNSWFlat (also hnsw?library=faiss); scores recomputed as exact's",
    )
