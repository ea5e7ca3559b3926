"""Search backends (exact, HNSW, Hamming here; more through plugins) and what their settings mean."""

from zoo.protocols import Param

# Options an index is searched at rather than built with: one build gives a curve of operating points,
# one per value. Every other setting (M, ef_construction, library, depth, ...) makes a different build.
SEARCH_OPTIONS = ("ef_search", "nprobe")

# Settings that record how an operating point was chosen (a recall target picks ef_search, reaching
# tuned_recall on what tuned_on names), not what was built or searched: they neither split builds nor
# name points.
POINT_NOTES = ("target_recall", "tuned_recall", "tuned_on")

INT_MAX = 2**31 - 1  # the libraries take these sizes as C ints
HNSWLIB_MAX_M = 10_000  # hnswlib caps M here (with a warning) and would build another graph than the one recorded
HNSWLIB_MAX_SEED = 2**31 - 2  # hnswlib's generator reduces seeds modulo 2**31 - 1; seed + 1 must stay below
INSERTION_ORDERS = ("given", "shuffled")


def graph_params(max_seed: int = HNSWLIB_MAX_SEED) -> tuple[Param, ...]:
    """The declared options of an HNSW graph (hnswlib here, faiss in zoo-faiss), seeds below ``max_seed``."""
    return (
        Param("M", int, 2, HNSWLIB_MAX_M),
        Param("ef_construction", int, 1, INT_MAX),
        Param("ef_search", int, 1, INT_MAX),
        Param("seed", int, 0, max_seed - 1),
        Param("insertion_order", str, choices=INSERTION_ORDERS),
        Param("threads", int, 1, 4096),
    )


HNSW_PARAMS = (*graph_params(), Param("library", str, help="hnswlib, or a plugin's hnsw-<library> backend"))
EXACT_PARAMS = (Param("chunk_size", int, 1, INT_MAX), Param("query_batch_size", int, 1, INT_MAX))
