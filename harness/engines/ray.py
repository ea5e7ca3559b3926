"""The Ray engine: encoding on a Ray cluster through Ray Data, one encoder per actor, streamed into the cache.

The driver (this process) asks the cache what is missing and sends only that: the inputs, longest first, cut
into blocks, go through ``Dataset.map_batches`` over a pool of actors, each of which opens the encoder once
from its registry name (a loaded model is never pickled). An actor yields its vectors every quarter second or
so (at least 256 at a time), and the driver commits them into its own cache as they stream back, so workers need no
shared filesystem and a kill loses only what was in flight: Ray restarts a killed actor and retries its
block, and a rerun after a killed driver encodes only what was not committed. ``import ray`` happens here
only, when a run has something to encode.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from harness.engines import ENCODE_CHUNK, RAY_HINT, EncodeJob, Encoded, by_length, checked, load_model
from harness.engines.commit import CommitPolicy
from harness.engines.ray_cluster import RayCluster
from zoo.errors import ZooError
from zoo.plugins import warn

BLOCK_MAX_ITEMS = 16_384  # items per input block: what Ray redoes when it retries a killed worker's block
BLOCKS_PER_WORKER = 4  # at least, where the input allows: evens out the work and its tail
ACTOR_START_SECONDS = 600  # blocks are sent once every actor has loaded its model, or this has passed


class RayEngine:
    """Encodes on ``workers`` Ray actors of its ``cluster`` (``RayCluster``: the cluster at ``address``, or
    ``$RAY_ADDRESS``, or the Ray this process already joined, else a local instance stopped by ``close``).
    Each actor takes one GPU where the cluster has GPUs, else ``cpus_per_worker`` CPUs. Exact search runs on
    the same cluster and workers (``search_backend``)."""

    name = "ray"

    def __init__(
        self,
        workers: int = 1,
        address: str | None = None,
        cpus_per_worker: int | None = None,
        policy: CommitPolicy = CommitPolicy(),
    ) -> None:
        self.cluster = RayCluster(workers, address, cpus_per_worker)
        self.workers = workers
        self.policy = policy
        self._ray: Any = None
        self._gpus = 0

    @property
    def address(self) -> str | None:
        return self.cluster.address

    @property
    def cpus_per_worker(self) -> int | None:
        return self.cluster.cpus_per_worker

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"workers": self.workers, "cluster": self.cluster.label}
        if self._ray is not None:  # known once connected: a run served from the cache never connects
            params.update(cpus_per_worker=self.cpus_per_worker, gpus_per_worker=self._gpus)
        return params

    def search_backend(self, backend: Any) -> Any:
        """The backend to search with on this engine: an ExactBackend becomes a ShardedExact over the same
        workers and cluster (the same results, the corpus split among the workers); others stay as they are."""
        from harness.backends.exact import ExactBackend

        if type(backend) is not ExactBackend:
            return backend
        from harness.engines.ray_search import ShardedExact

        return ShardedExact(
            workers=self.workers,
            chunk_size=backend.chunk_size,
            query_batch_size=backend.query_batch_size,
            cluster=self.cluster,
        )

    def encode(self, job: EncodeJob) -> Encoded:
        from tqdm.auto import tqdm

        ray = self._connect()
        order = by_length(job.items)
        size = block_size(len(order), self.workers)
        blocks = [order[start : start + size] for start in range(0, len(order), size)]
        worker = {
            "name": _worker_name(job.name),
            "role": job.role,
            "instruction": job.instruction,
            "fingerprint": job.encoder.fingerprint(),
            "policy": self.policy,
        }
        collected = _Collected(job)
        workers = f"{self.workers} Ray worker" + ("s" if self.workers > 1 else "")
        bar = tqdm(
            total=len(job.items),
            desc=f"{job.encoder.name}: {job.role}s on {workers}",
            unit="item",
            disable=None if job.progress else True,
            file=sys.stderr,
            leave=False,
        )
        submitted = time.time()  # wall clocks: workers on other nodes say when they started
        with bar, _quiet_data_context(ray), _zoo_errors():
            dataset = _dataset(ray, job.items, blocks).map_batches(
                EncodeWorker,
                fn_constructor_kwargs=worker,
                batch_size=None,
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(
                    size=min(self.workers, len(blocks)),  # no idle actors
                    max_tasks_in_flight_per_actor=2,
                ),
                num_cpus=self.cpus_per_worker,
                num_gpus=self._gpus,
            )
            # no prefetching: it holds each batch back about a second, which a killed driver would lose
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=0):
                bar.update(collected.add(batch))
        finished = time.time()
        if collected.missing or collected.vectors is None:
            raise ZooError(
                f"the ray engine got back {len(job.items) - collected.missing} of {len(job.items)} "
                "vectors; rerun to encode the rest (the cache keeps what was committed)"
            )
        started = min(collected.started, default=submitted)
        return Encoded(
            collected.vectors,
            max(collected.load_seconds, default=0.0),
            max(finished - started, 0.0),
            collected.by_node,
            startup_seconds=max(started - submitted, 0.0),
        )

    def close(self) -> None:
        self.cluster.close()
        self._ray = None

    def _connect(self) -> Any:
        if self._ray is not None:
            return self._ray
        try:
            import ray.data  # noqa: F401  # the engine needs Ray Data, not only Ray
        except ImportError as exc:
            raise ZooError(f"--engine ray needs Ray Data ({exc}): {RAY_HINT}") from None
        ray = self.cluster.connect()
        resources = ray.cluster_resources()
        gpus, cpus = int(resources.get("GPU", 0)), resources.get("CPU", 0)
        if gpus and self.workers > gpus:
            raise ZooError(
                f"--workers {self.workers} asks for one GPU each and the cluster has {gpus}: "
                f"pass --workers {gpus} or fewer"
            )
        cpus_per_worker = self.cpus_per_worker or 1
        if not gpus and cpus < self.workers * cpus_per_worker:
            warn(
                f"the Ray cluster has {cpus:g} CPUs for {self.workers} workers of {cpus_per_worker}: "
                f"they start as CPUs free up (blocks wait up to {ACTOR_START_SECONDS} s)"
            )
        self._ray, self._gpus = ray, 1 if gpus else 0
        return ray


def block_size(n: int, workers: int) -> int:
    """Items per input block: at least BLOCKS_PER_WORKER blocks per worker, each 256 to BLOCK_MAX_ITEMS."""
    return min(BLOCK_MAX_ITEMS, max(ENCODE_CHUNK, math.ceil(n / (workers * BLOCKS_PER_WORKER))))


class EncodeWorker:
    """The Ray Data UDF: one per actor. It opens the encoder from its registry name, checks that it is the
    driver's model, and for each block yields packed vectors whenever the commit policy says (a one-row
    batch per yield, so Ray Data streams each to the driver at once rather than merging them into a block).
    """

    def __init__(self, name: str, role: str, instruction: str | None, fingerprint: str, policy: CommitPolicy) -> None:
        import ray

        from zoo.registry import Registry

        began = time.perf_counter()
        self.encoder = Registry.from_plugins().encoder(name).load()
        load_model(self.encoder)
        self.node = ray.get_runtime_context().get_node_id()
        if self.encoder.fingerprint() != fingerprint:
            raise ZooError(
                f"a ray worker on node {self.node} opens {name!r} as another model (fingerprint "
                f"{self.encoder.fingerprint()}, the driver has {fingerprint}): install the same model "
                "and plugin versions on every node"
            )
        self.role, self.instruction, self.policy = role, instruction, policy
        self.pid = os.getpid()
        self.load_seconds = time.perf_counter() - began  # reported once, with the first vectors

    def __call__(self, block: Any) -> Iterator[dict[str, np.ndarray]]:
        rows = block.column("row").to_numpy()
        items = block.column("item").to_pylist()
        parts: list[np.ndarray] = []
        done, spent, last = 0, 0.0, time.monotonic()
        self.started = time.time()
        for start in range(0, len(items), ENCODE_CHUNK):
            chunk = items[start : start + ENCODE_CHUNK]
            began = time.perf_counter()
            vectors = self.encoder.encode(chunk, role=self.role, instruction=self.instruction)
            spent += time.perf_counter() - began
            parts.append(checked(vectors, len(chunk), self.encoder.name))
            end = start + len(chunk)
            if end == len(items) or self.policy.due(end - done, time.monotonic() - last):
                yield self._packed(rows[done:end], np.concatenate(parts), spent)
                parts, done, spent, last = [], end, 0.0, time.monotonic()

    def _packed(self, rows: np.ndarray, vectors: np.ndarray, spent: float) -> dict[str, np.ndarray]:
        """One row: the positions and vectors as bytes, where they were made, and what that cost."""
        load_seconds, self.load_seconds = self.load_seconds, 0.0
        return {
            "rows": _one(np.ascontiguousarray(rows, dtype=np.int64).tobytes()),
            "vectors": _one(np.ascontiguousarray(vectors, dtype=np.float32).tobytes()),
            "dim": np.array([vectors.shape[1]]),
            "node": _one(self.node),
            "pid": np.array([self.pid]),
            "load_seconds": np.array([load_seconds]),
            "encode_seconds": np.array([spent]),
            "started": np.array([self.started]),  # when this block's encoding began, by the wall clock
        }


class _Collected:
    """The driver's side: vectors put in input order as they arrive, and each committed once."""

    def __init__(self, job: EncodeJob) -> None:
        self.job = job
        self.vectors: np.ndarray | None = None
        self.done = np.zeros(len(job.items), dtype=bool)
        self.load_seconds: list[float] = []
        self.started: list[float] = []
        self.by_node: dict[str, int] = {}
        self.by_worker: dict[int, int] = {}  # items per actor process, for tests and logs

    @property
    def missing(self) -> int:
        return int(len(self.done) - self.done.sum())

    def add(self, batch: dict[str, np.ndarray]) -> int:
        """Take one streamed batch (one packed row per worker yield); returns the items new to the run."""
        added = 0
        for k in range(len(batch["rows"])):
            rows = np.frombuffer(batch["rows"][k], dtype=np.int64)
            vectors = np.frombuffer(batch["vectors"][k], dtype=np.float32).reshape(len(rows), int(batch["dim"][k]))
            if batch["load_seconds"][k] > 0:
                self.load_seconds.append(float(batch["load_seconds"][k]))
            self.started.append(float(batch["started"][k]))
            fresh = ~self.done[rows]  # a block Ray retried after a worker died can send rows again
            rows, vectors = rows[fresh], vectors[fresh]
            if not len(rows):
                continue
            if self.vectors is None:
                self.vectors = np.empty((len(self.done), vectors.shape[1]), dtype=np.float32)
            self.vectors[rows] = vectors
            self.done[rows] = True
            if self.job.sink is not None:  # a worker yields once its own commit policy is due: commit it
                self.job.sink.add([self.job.items[i] for i in rows], vectors)  # now, not a quarter second later
                self.job.sink.flush()
            node, pid = str(batch["node"][k]), int(batch["pid"][k])
            self.by_node[node] = self.by_node.get(node, 0) + len(rows)
            self.by_worker[pid] = self.by_worker.get(pid, 0) + len(rows)
            added += len(rows)
        return added


def _one(value: Any) -> np.ndarray:
    column = np.empty(1, dtype=object)
    column[0] = value
    return column


def _worker_name(name: str) -> str:
    """The name a worker opens the encoder by: a model folder as an absolute path (workers start elsewhere)."""
    folder = Path(name).expanduser()
    return str(folder.resolve()) if folder.is_dir() else name


def _dataset(ray: Any, items: list[Any], blocks: list[list[int]]) -> Any:
    """One Ray Data block per list of positions: columns ``row`` (the position) and ``item``."""
    if all(isinstance(item, str) for item in items) or all(isinstance(item, bytes) for item in items):
        import pyarrow as pa

        return ray.data.from_arrow(
            [pa.table({"row": pa.array(rows, pa.int64()), "item": [items[i] for i in rows]}) for rows in blocks]
        )
    ordered = [{"row": i, "item": items[i]} for rows in blocks for i in rows]  # images, arrays: pickled
    return ray.data.from_items(ordered, override_num_blocks=len(blocks))


@contextlib.contextmanager
def _quiet_data_context(ray: Any) -> Iterator[None]:
    """Ray Data settings for one encode: stream each worker yield as its own block, wait for every actor
    before sending blocks (so load time is apart and the work spreads), no bars or banners of its own."""
    context = ray.data.DataContext.get_current()
    settings = {
        "target_max_block_size": 1 << 10,
        "enable_progress_bars": False,
        "print_on_execution_start": False,
        "wait_for_min_actors_s": ACTOR_START_SECONDS,
    }
    saved = {key: getattr(context, key) for key in settings}
    levels = {"ray.data": logging.ERROR, "ray.data.exceptions": logging.CRITICAL}  # errors are raised here
    saved_levels = {name: logging.getLogger(name).level for name in levels}
    for key, value in settings.items():
        setattr(context, key, value)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(context, key, value)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


@contextlib.contextmanager
def _zoo_errors() -> Iterator[None]:
    """A ZooError raised in a worker surfaces as that one-line ZooError, not as Ray's wrapped traceback."""
    try:
        yield
    except Exception as exc:
        message = _zoo_message(exc)
        if message is None:
            raise
        raise ZooError(message) from None


def _zoo_message(exc: BaseException) -> str | None:
    """The message of a ZooError that a worker raised. Ray wraps a task's error (``cause``), but an actor
    whose constructor raised dies with the error's text only, so that is read as well."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, ZooError):
        return str(cause)
    if isinstance(exc, ZooError) and type(exc).__module__.startswith("zoo."):
        return str(exc)
    lines = [match.group(1) for match in re.finditer(r"^zoo\.errors\.\w+: (.+)$", str(exc), re.MULTILINE)]
    return lines[-1] if lines else None
