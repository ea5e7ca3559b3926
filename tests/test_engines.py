"""Engines: the local engine's length order, load timing and commit granularity; the Ray engine's equality
with it, its recovery from a killed worker or driver, and a real two-node Ray cluster on this machine."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from harness.encoding import MeasuredEncoder
from harness.engines import EncodeJob, by_length, get_engine
from harness.engines.commit import Committer, CommitPolicy
from harness.engines.local import LocalEngine
from harness.results import ResultStore, TaskResult
from harness.runner import BenchmarkRun
from tests.conftest import DATA, TINY_BEIR
from zoo.cache import CacheNamespace, EmbeddingCache
from zoo.encoders.hashing import HashingEncoder
from zoo.errors import ZooError
from zoo.registry import Registry

PROBE = DATA / "engine-probe"  # a plugin that Ray workers find on PYTHONPATH, as they would an installed one
NS = CacheNamespace("fp-engines", "document")


def probe() -> ModuleType:
    """The probe plugin's module, imported from its file (this process does not load it as a plugin)."""
    spec = importlib.util.spec_from_file_location("zoo_engine_probe", PROBE / "zoo_engine_probe.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Recording(HashingEncoder):
    def __init__(self) -> None:
        super().__init__(16, name="recording")
        self.calls: list[list[str]] = []

    def encode(self, inputs, *, role="document", instruction=None):  # noqa: ANN001, ANN201
        self.calls.append(list(inputs))
        return super().encode(inputs, role=role, instruction=instruction)


# --- choosing an engine ---------------------------------------------------------------------------


def test_get_engine_knows_local_and_ray_and_says_how_to_install_ray(monkeypatch: pytest.MonkeyPatch):
    assert isinstance(get_engine("local"), LocalEngine)
    with pytest.raises(ZooError, match="unknown engine 'spark': choose one of local, ray"):
        get_engine("spark")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    with pytest.raises(ZooError, match=r"pip install 'embedding-zoo\[ray\]'"):
        get_engine("ray", workers=2)


def test_importing_the_engines_does_not_import_ray():
    code = (
        "import harness.engines.ray, harness.engines.ray_search, harness.runner, harness.commands.bench, sys; "
        "print('ray' in sys.modules)"
    )
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )


def test_the_ray_engine_searches_exactly_on_its_own_cluster():
    """With the Ray engine the runner's exact backends are ShardedExact over the engine's workers, on the
    engine's RayCluster (one connection for both), with exact's settings and parameters; others unchanged."""
    from harness.backends.exact import ExactBackend
    from harness.backends.hnsw import HnswBackend
    from harness.engines.ray import RayEngine
    from harness.engines.ray_search import ShardedExact
    from harness.runner import make_backend
    from zoo.options import bind_backend_options

    engine, registry = RayEngine(workers=3), Registry.from_plugins()
    sharded = make_backend(bind_backend_options(registry.backend("exact"), "chunk_size=64"), None, engine)
    assert isinstance(sharded, ShardedExact) and sharded.cluster is engine.cluster and sharded.workers == 3
    assert sharded.params() == ExactBackend(chunk_size=64).params()  # the same configuration
    assert isinstance(make_backend(registry.backend("exact"), None), ExactBackend)  # the local engine
    assert isinstance(make_backend(registry.backend("exact"), None, LocalEngine()), ExactBackend)
    assert isinstance(make_backend(registry.backend("hnsw"), None, engine), HnswBackend)


# --- the local engine -----------------------------------------------------------------------------


def test_by_length_puts_the_longest_text_first_and_keeps_other_items_in_order():
    image = object()
    assert by_length(["a", "abc", image, b"ab", "xyz"]) == [1, 4, 3, 0, 2]


def test_local_engine_encodes_longest_first_and_returns_the_input_order():
    rng = random.Random(0)
    items = [" ".join(f"w{rng.randrange(50)}" for _ in range(rng.randrange(1, 30))) for _ in range(1000)]
    encoder = Recording()
    done = LocalEngine(chunk=64).encode(EncodeJob(encoder, "recording", items, progress=False))
    seen = [text for call in encoder.calls for text in call]
    assert sorted(seen) == sorted(items) and max(len(call) for call in encoder.calls) == 64
    lengths = [len(text) for text in seen]
    assert lengths == sorted(lengths, reverse=True)  # one order over the whole input, not per chunk
    np.testing.assert_array_equal(done.vectors, HashingEncoder(16).encode(items))  # back in input order


class Constant(HashingEncoder):
    """512 ones per input, made at once: what is measured around it is the harness's own memory."""

    def __init__(self) -> None:
        super().__init__(512, name="constant")

    def encode(self, inputs, *, role="document", instruction=None):  # noqa: ANN001, ANN201
        return np.ones((len(inputs), self.dim), dtype=np.float32)


@pytest.mark.parametrize("cached", [False, True])
def test_a_fresh_encode_holds_its_vectors_once(tmp_path: Path, cached: bool):
    """The engine writes each chunk into one (n, dim) array (no chunks kept and concatenated), and the
    cache's commits hold only what is pending (here at most 2,048 items: an encoder faster than the disk
    waits for the writer thread), never a second copy of it all."""
    import tracemalloc

    items = [f"item {i}" for i in range(20_000)]
    measured = MeasuredEncoder(
        Constant(),
        cache=EmbeddingCache(tmp_path) if cached else None,
        progress=False,
        commit=CommitPolicy(2048, 0.0, max_pending_bytes=2048 * 512 * 4),
    )
    tracemalloc.start()
    try:
        vectors = measured.encode(items)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert vectors.shape == (20_000, 512)
    assert peak < (1.5 if cached else 1.25) * vectors.nbytes  # chunks and a concatenation would be 2x


class SlowLoading(HashingEncoder):
    """Loads in 5 s and encodes a call in 1 s, on a fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(8, name="slow-loading")
        self.clock = clock
        self.loads = 0

    def load(self) -> None:
        self.clock.now += 5.0 if not self.loads else 0.0  # a second load() finds the model loaded
        self.loads += 1

    def encode(self, inputs, *, role="document", instruction=None):  # noqa: ANN001, ANN201
        assert self.loads, "load() runs before the first encode"
        self.clock.now += 1.0
        return super().encode(inputs, role=role, instruction=instruction)


def test_model_load_is_timed_apart_from_encoding(monkeypatch: pytest.MonkeyPatch):
    clock = FakeClock()
    monkeypatch.setattr(time, "perf_counter", clock)
    measured = MeasuredEncoder(SlowLoading(clock), progress=False)
    measured.encode([f"text {i}" for i in range(600)])  # three chunks of at most 256
    assert (measured.load_seconds, measured.encode_seconds) == (5.0, 3.0)
    measured.encode(["one more"], role="query")
    assert (measured.load_seconds, measured.encode_seconds) == (5.0, 4.0)


def test_a_load_method_that_needs_arguments_is_not_the_hook():
    class FromFile(HashingEncoder):
        @classmethod
        def load(cls, path: str) -> FromFile:  # a constructor of another kind, as some plugins have
            raise AssertionError("not called")

    measured = MeasuredEncoder(FromFile(8), progress=False)
    measured.encode(["a", "b"])
    assert measured.load_seconds == 0.0 and measured.items_encoded == 2


def test_bench_takes_ray_options_only_with_the_ray_engine():
    from click.testing import CliRunner

    from zoo.cli.main import build_cli

    result = CliRunner().invoke(build_cli(), ["bench", "-m", "hashing", "-t", str(TINY_BEIR), "--workers", "2"])
    assert result.exit_code != 0 and "--workers and --ray-address need --engine ray" in result.output


def test_results_record_the_engine_and_load_time_and_older_files_still_load(tmp_path: Path):
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    (result,) = BenchmarkRun(
        [registry.encoder("hashing-bow-256")],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact")],
        ResultStore(tmp_path),
        progress=False,
    ).run()
    assert (result.engine, result.engine_params, result.load_seconds) == ("local", {}, 0.0)  # nothing to load
    older = {k: v for k, v in result.to_dict().items() if k not in ("load_seconds", "engine", "engine_params")}
    loaded = TaskResult.from_dict(older)
    assert (loaded.engine, loaded.load_seconds, loaded.run_id) == ("local", 0.0, result.run_id)


# --- commit granularity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pending", "elapsed", "due"),
    [
        (255, 60.0, False),  # fewer than 256 items wait, however long it has been
        (256, 0.24, False),  # a fast encoder waits a quarter second: its writer would fsync all the time
        (256, 0.25, True),
        (50_000, 1.5, True),
    ],
)
def test_commit_policy_waits_for_256_items_and_a_quarter_second(pending: int, elapsed: float, due: bool):
    assert CommitPolicy().due(pending, elapsed) is due


def test_committer_commits_on_its_own_thread_when_due_and_merges_the_small_segments(tmp_path: Path):
    clock = FakeClock()
    cache = EmbeddingCache(tmp_path)
    committer = Committer(cache, NS, CommitPolicy(256, 1.0), clock=clock)
    items = [f"item {i}" for i in range(256 * 20 + 310)]
    vectors = HashingEncoder(8).encode(items)
    clock.now = 0.5
    committer.add(items[:100], vectors[:100])
    clock.now = 0.75
    committer.add(items[100:300], vectors[100:300])
    time.sleep(0.1)
    assert (committer.committed, committer.pending) == (0, 300)  # 300 items, but less than a second
    clock.now = 1.25  # binary fractions, so that each later second is exactly 1.0
    committer.add(items[300:310], vectors[300:310])
    _until(lambda: committer.committed == 310)
    assert len(cache.info()) == 1
    for start in range(310, len(items), 256):  # one commit a second, 256 items each
        clock.now += 1.0
        committer.add(items[start : start + 256], vectors[start : start + 256])
        _until(lambda: committer.committed == min(start + 256, len(items)))  # noqa: B023 - called at once
    committer.close()
    assert committer.committed == len(items)
    (info,) = cache.info()
    assert info.segments == 6  # 21 commits: the first 16 were merged into one as the 16th landed
    found = EmbeddingCache(tmp_path).lookup(NS, items)
    assert found.misses == []
    np.testing.assert_array_equal(found.vectors, vectors)


def test_committer_flush_and_close_store_everything_handed_over(tmp_path: Path):
    """A flush does not wait for the policy: it returns once all handed over is stored, as close does."""
    cache = EmbeddingCache(tmp_path)
    committer = Committer(cache, NS, CommitPolicy(10_000, 3600.0))
    items = [f"item {i}" for i in range(300)]
    vectors = HashingEncoder(8).encode(items)
    committer.add(items[:100], vectors[:100])
    committer.flush()
    assert (committer.committed, committer.pending) == (100, 0)
    committer.add(items[100:], vectors[100:])
    committer.close()
    assert committer.committed == 300 and EmbeddingCache(tmp_path).lookup(NS, items).misses == []


def test_a_failure_on_the_writer_thread_is_raised_in_the_caller(tmp_path: Path):
    committer = Committer(EmbeddingCache(tmp_path), NS, CommitPolicy(1, 0.0))
    committer.add(["a", "b"], np.zeros((3, 8), dtype=np.float32))  # one row too many: the cache refuses it
    with pytest.raises(ValueError, match="one row per item"):
        committer.close()


def _until(condition, seconds: float = 10.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the writer thread did not commit in time"
        time.sleep(0.005)


KILLED_LOCAL_RUN = """
import sys
sys.path.insert(0, {probe!r})
from zoo_engine_probe import ProbeEncoder
from harness.encoding import MeasuredEncoder
from harness.engines.commit import CommitPolicy
from zoo.cache import EmbeddingCache

items = [f"document {{i}}" for i in range({n})]
MeasuredEncoder(ProbeEncoder(50), cache=EmbeddingCache(), progress=False, commit=CommitPolicy(256, 0.0)).encode(items)
"""


def test_a_local_run_killed_mid_way_keeps_all_but_the_chunk_in_hand(tmp_path: Path):
    """kill -9 after some chunks: at most the chunk being committed and the one finished meanwhile (2 x 256
    items) are lost, and a rerun encodes the rest."""
    n, log = 256 * 40, tmp_path / "probe.log"
    env = {**os.environ, "ZOO_PROBE_LOG": str(log)}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_LOCAL_RUN.format(probe=str(PROBE), n=n)], env=env)
    try:
        _wait_for(lambda: _encoded(log) >= 256 * 8, proc, seconds=120)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    encoded = _encoded(log)
    items = [f"document {i}" for i in range(n)]
    encoder = probe().ProbeEncoder(0)
    committed = len(EmbeddingCache().lookup(CacheNamespace(encoder.fingerprint(), "document"), items).hits)
    assert 256 * 6 <= committed < n and encoded - committed <= 2 * 256  # one chunk being committed, one more

    rerun = MeasuredEncoder(encoder, cache=EmbeddingCache(), progress=False)
    vectors = rerun.encode(items)
    assert (rerun.items_cached, rerun.items_encoded) == (committed, n - committed)
    np.testing.assert_array_equal(vectors, HashingEncoder(64).encode(items))  # the probe's vectors


def _encoded(log: Path) -> int:
    """Items the probe encoder finished, by the lines its processes appended."""
    return sum(int(count) for _, event, count in _events(log) if event == "encode")


def _events(log: Path) -> list[tuple[int, str, int]]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [(int(pid), event, int(count)) for pid, event, count, _ in (line.split() for line in lines)]


def _wait_for(condition, proc: subprocess.Popen, seconds: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, f"the run ended (exit {proc.returncode}) before the kill"
        assert time.monotonic() < deadline, "the run made no progress in time"
        time.sleep(0.02)


# --- the Ray engine -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ray_local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One local Ray instance for the module (starting one takes seconds); yields the probe's log file."""
    ray = pytest.importorskip("ray")
    log = tmp_path_factory.mktemp("probe") / "probe.log"
    env = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROBE), os.environ.get("PYTHONPATH")])),
        "ZOO_PROBE_LOG": str(log),
    }  # Ray's workers inherit this environment
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        yield log
    finally:
        ray.shutdown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run(name: str, tasks: list, folder: Path, engine=None) -> list[TaskResult]:  # noqa: ANN001
    registry = Registry.from_plugins()
    return BenchmarkRun(
        [registry.encoder(name)],
        tasks,
        [registry.backend("exact")],
        ResultStore(folder),
        cache=EmbeddingCache(folder / "cache"),
        progress=False,
        engine=engine,
    ).run()


@pytest.mark.slow  # every test that starts Ray takes seconds
@pytest.mark.parametrize("name", ["hashing-bow-256", "char-ngram-hash-512"])
def test_ray_engine_scores_equal_the_local_engines(ray_local: Path, tmp_path: Path, name: str):
    from harness.engines.ray import RayEngine

    task = Registry.from_plugins().task("icd10cm-small")
    (local,) = _run(name, [task], tmp_path / "local")
    (on_ray,) = _run(name, [task], tmp_path / "ray", RayEngine(workers=2))
    assert on_ray.scores == local.scores and on_ray.main_score == local.main_score  # identical, not close
    assert on_ray.engine == "ray" and on_ray.engine_params["workers"] == 2
    assert sum(on_ray.engine_params["items_by_node"].values()) == on_ray.items_encoded == local.items_encoded


@pytest.mark.slow
def test_zoo_bench_on_ray_searches_on_its_workers_and_scores_as_the_local_engine(
    ray_local: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`zoo bench --engine ray --workers 2`: exact search (the chance level's and the task's) runs in two
    shards on the Ray the encoding joined; every score and per-query item equals the local engine's, and the
    result is the same configuration (the same file)."""
    from click.testing import CliRunner

    from harness.engines.ray_search import ShardedExact
    from zoo.cli.main import build_cli

    clusters: list = []
    build = ShardedExact.build
    monkeypatch.setattr(ShardedExact, "build", lambda self, *args: clusters.append(self.cluster) or build(self, *args))
    monkeypatch.setenv("ZOO_CACHE_HOME", str(tmp_path / "cache"))

    def bench(folder: str, *engine: str) -> Path:
        done = CliRunner().invoke(
            build_cli(),
            [
                "bench",
                "-m",
                "hashing-bow-256",
                "-t",
                "icd10cm-small",
                *engine,
                "-o",
                str(tmp_path / folder),
                "--no-leaderboard",
                "--no-progress",
            ],
        )
        assert done.exit_code == 0, done.output
        (path,) = (tmp_path / folder).glob("*.json")
        return path

    on_ray = bench("ray", "--engine", "ray", "--workers", "2")
    local = bench("local")
    assert len(clusters) == 2 and clusters[0] is clusters[1]  # one RayCluster: the engine's
    assert on_ray.name == local.name  # the same run id
    ray_result, local_result = (TaskResult.from_dict(json.loads(path.read_text())) for path in (on_ray, local))
    assert ray_result.scores == local_result.scores and ray_result.backend_params == local_result.backend_params
    assert ray_result.engine == "ray" and ray_result.engine_params["workers"] == 2
    assert ray_result.chance == local_result.chance and ray_result.interval == local_result.interval
    items = [np.load(path.with_suffix(".items.npz")) for path in (on_ray, local)]
    assert all(np.array_equal(items[0][name], items[1][name]) for name in ("values", "ids"))


@pytest.mark.slow
def test_ray_engine_matches_local_minilm_within_tolerance(ray_local: Path, tmp_path: Path):
    from harness.data.beir import load_beir
    from harness.data.icd10cm import build_icd10cm
    from harness.engines.ray import RayEngine

    registry = Registry.from_plugins()
    titles = list(load_beir(build_icd10cm("icd10cm-small")).corpus.values())[:300]
    engine = RayEngine(workers=1)
    encoder = registry.encoder("all-minilm-l6-v2").load()
    local = MeasuredEncoder(encoder, progress=False).encode(titles)
    on_ray = MeasuredEncoder(encoder, progress=False, engine=engine, spec_name="all-minilm-l6-v2").encode(titles)
    cosines = np.sum(local * on_ray, axis=1) / np.linalg.norm(local, axis=1) / np.linalg.norm(on_ray, axis=1)
    assert cosines.min() >= 1 - 1e-5

    sts = _run("all-minilm-l6-v2", [registry.task("lee-sts")], tmp_path / "local")[0]
    sts_ray = _run("all-minilm-l6-v2", [registry.task("lee-sts")], tmp_path / "ray", engine)[0]
    assert abs(sts.main_score - sts_ray.main_score) <= 1e-4 and sts_ray.load_seconds > 0


@pytest.mark.slow
def test_a_killed_ray_worker_is_replaced_and_only_its_block_is_redone(ray_local: Path, tmp_path: Path):
    from harness.engines.ray import RayEngine, block_size

    ray_local.write_text("")
    items = [f"note {i} " + "word " * (i % 7) for i in range(4096)]
    encoder = probe().ProbeEncoder(20)
    policy = CommitPolicy(256, 0.0)  # every chunk streams back and is committed at once
    killed: list[int] = []

    class KillTheWorker(Committer):
        def add(self, items, vectors):  # noqa: ANN001, ANN201
            super().add(items, vectors)
            if not killed:  # the first vectors are in: kill the worker in the middle of its block
                killed.append(next(pid for pid, event, _ in _events(ray_local) if event == "load"))
                os.kill(killed[0], signal.SIGKILL)

    cache = EmbeddingCache(tmp_path)
    sink = KillTheWorker(cache, CacheNamespace(encoder.fingerprint(), "document"), policy)
    engine = RayEngine(workers=1, policy=policy)
    done = engine.encode(EncodeJob(encoder, "engine-probe-20", items, sink=sink, progress=False))
    sink.close()
    np.testing.assert_array_equal(done.vectors, HashingEncoder(64).encode(items))  # the probe's vectors
    loaded = [pid for pid, event, _ in _events(ray_local) if event == "load"]
    assert len(loaded) == 2 and loaded[0] == killed[0]  # Ray restarted the actor, which loaded the model again
    redone = _encoded(ray_local) - len(items)
    assert 0 <= redone <= block_size(len(items), 1)  # the block it was in the middle of, no more

    rerun = MeasuredEncoder(encoder, cache=cache, progress=False, engine=engine, spec_name="engine-probe-20")
    rerun.encode(items)
    assert (rerun.items_cached, rerun.items_encoded) == (len(items), 0)  # every vector was committed


KILLED_RAY_RUN = """
import sys
sys.path.insert(0, {probe!r})
from zoo_engine_probe import ProbeEncoder
from harness.encoding import MeasuredEncoder
from harness.engines.commit import CommitPolicy
from harness.engines.ray import RayEngine
from zoo.cache import EmbeddingCache

items = [f"report {{i}}" for i in range({n})]
policy = CommitPolicy(256, 0.0)
engine = RayEngine(workers=1, cpus_per_worker=1, policy=policy)
MeasuredEncoder(ProbeEncoder(50), cache=EmbeddingCache(), progress=False, engine=engine,
                spec_name="engine-probe-50", commit=policy).encode(items)
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the run's leftover processes in /proc")
def test_a_ray_run_whose_driver_is_killed_resumes_with_only_what_was_not_committed(ray_local: Path, tmp_path: Path):
    from harness.engines.ray import RayEngine

    n, log = 256 * 64, tmp_path / "probe.log"
    items = [f"report {i}" for i in range(n)]
    encoder = probe().ProbeEncoder(0)
    namespace = CacheNamespace(encoder.fingerprint(), "document")
    committed = lambda: len(EmbeddingCache().lookup(namespace, items).hits)  # noqa: E731
    env = {
        **os.environ,
        "ZOO_PROBE_LOG": str(log),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROBE), os.environ.get("PYTHONPATH")])),
    }
    driver = subprocess.Popen(
        [sys.executable, "-c", KILLED_RAY_RUN.format(probe=str(PROBE), n=n)], env=env, start_new_session=True
    )  # its own Ray instance lives in its session
    try:
        _wait_for(lambda: committed() >= 256 * 4, driver, seconds=300)
        seen = committed()
        driver.send_signal(signal.SIGKILL)
        driver.wait(30)
    finally:
        _kill_session(driver.pid)
    after = committed()
    assert seen <= after < n

    rerun = MeasuredEncoder(
        encoder, cache=EmbeddingCache(), progress=False, engine=RayEngine(workers=1), spec_name="engine-probe-0"
    )
    vectors = rerun.encode(items)
    assert (rerun.items_cached, rerun.items_encoded) == (after, n - after)
    np.testing.assert_array_equal(vectors, HashingEncoder(64).encode(items))  # the probe's vectors


# --- a real cluster of two Ray nodes on this machine ----------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the nodes' processes in /proc")
def test_zoo_bench_on_a_two_node_ray_cluster_uses_both_nodes(tmp_path: Path):
    """`ray start --head` and `ray start --address` (one CPU each), then `zoo bench --engine ray
    --workers 2 --ray-address`: both nodes encode and the scores equal the local engine's. The nodes are
    stopped by ending the sessions this test started (`ray stop` would stop every Ray on the machine)."""
    pytest.importorskip("ray")
    ray_cli = shutil.which("ray") or str(Path(sys.executable).with_name("ray"))
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="zr-", dir="/tmp")  # Ray's socket paths must fit in 107 bytes
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    node = ["--node-ip-address=127.0.0.1", "--num-cpus=1", "--block"]
    nodes: list[subprocess.Popen] = []
    try:
        nodes.append(
            _start(
                [
                    ray_cli,
                    "start",
                    "--head",
                    f"--port={port}",
                    "--include-dashboard=false",
                    f"--temp-dir={temp}",
                    *node,
                ],
                env,
                tmp_path / "head.log",
            )
        )
        _wait_for_port(port, nodes[0], seconds=120)
        nodes.append(_start([ray_cli, "start", f"--address=127.0.0.1:{port}", *node], env, tmp_path / "node.log"))
        bench = [
            "bench",
            "-m",
            "hashing-bow-256",
            "-t",
            "icd10cm-small",
            "--engine",
            "ray",
            "--workers",
            "2",
            "--ray-address",
            f"127.0.0.1:{port}",
            "-o",
            str(tmp_path / "out"),
            "--no-leaderboard",
            "--no-progress",
        ]
        done = subprocess.run(
            [sys.executable, "-c", "from zoo.cli.main import main; main()", *bench],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        for proc in nodes:
            _kill_session(proc.pid, grace=5.0)
            proc.wait(30)
        shutil.rmtree(temp, ignore_errors=True)
    (path,) = (tmp_path / "out").glob("*.json")
    on_ray = TaskResult.from_dict(json.loads(path.read_text()))
    by_node = on_ray.engine_params["items_by_node"]
    assert len(by_node) == 2 and min(by_node.values()) > 0  # both nodes encoded
    (local,) = _run("hashing-bow-256", [Registry.from_plugins().task("icd10cm-small")], tmp_path / "local")
    assert sum(by_node.values()) == on_ray.items_encoded == local.items_encoded
    assert on_ray.scores == local.scores and on_ray.engine == "ray"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for_port(port: int, proc: subprocess.Popen, seconds: float) -> None:
    def listening() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    _wait_for(listening, proc, seconds)


def _kill_session(session: int, grace: float = 0.0) -> None:
    """End every process of a session this test started: SIGTERM, then SIGKILL after ``grace`` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 0.0)):
        for pid in _session_members(session):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while _session_members(session) and time.monotonic() < deadline:
            time.sleep(0.2)


def _session_members(session: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        if int(fields[3]) == session and fields[0] != "Z":  # fields after the name: state, ppid, pgrp, sid
            members.append(int(stat.parent.name))
    return members
