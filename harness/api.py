"""The public, versioned surface of the harness for plugin authors: task bases and helpers, data helpers,
timing, the data home, the build-stamp helper and what a search backend needs to agree with the others.

Import from here (and from ``zoo.api`` for hooks, contracts and encoders), never from the modules behind it:
those may move, these names stay. ``API_VERSION`` is zoo.api's: within one major version names are only
added. Importing this module is cheap: each name is imported on first use (most of them import numpy).
"""

from __future__ import annotations

from zoo.api import API_VERSION
from zoo.exports import lazy_exports

EXPORTS: dict[str, str] = {
    # retrieval: a BEIR-folder task to subclass or wrap, and search timed as the built-in tasks time it
    "RetrievalTask": "harness.tasks.retrieval",
    "timed_search": "harness.tasks.retrieval",
    "retrieval_scores": "harness.metrics",
    "read_qrels": "harness.trec",
    # classification and clustering: the experiments and summaries the built-in tasks run
    "ClassificationData": "harness.tasks.classification",
    "experiment_scores": "harness.tasks.classification",
    "undersample": "harness.tasks.classification",
    "summarize": "harness.tasks.clustering",
    "STSTask": "harness.tasks.sts",
    # task data: BEIR folders, the data home, atomic writes and folders built once per stamp
    "RetrievalData": "harness.data.beir",
    "load_beir": "harness.data.beir",
    "write_beir": "harness.data.beir",
    **dict.fromkeys(
        ("data_home", "build_once", "is_built", "atomic_dir", "atomic_write_text", "atomic_write_bytes", "BUILD_FILE"),
        "harness.data.paths",
    ),
    # search backends: input checks and the shared scoring that makes every backend agree bit for bit
    **dict.fromkeys(
        (
            "check_corpus",
            "check_queries",
            "positive_int",
            "normalised",
            "pair_scores",
            "rank",
            "key_error_bound",
            "settled",
            "candidate_count",
        ),
        "harness.backends.scoring",
    ),
    "DEFAULT_EF_SEARCH": "harness.backends.hnsw",
    "graph_options": "harness.backends.hnsw",
    "graph_params": "harness.backends",  # the declared options of a graph index (M, ef_construction, seed...)
}
__all__ = ["API_VERSION", *sorted(EXPORTS)]
__getattr__, __dir__ = lazy_exports(__name__, EXPORTS)
