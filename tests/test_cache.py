"""The embedding cache: exact round trips, hit/miss bookkeeping, isolation, corruption, concurrency, CLI."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import zoo.cache
from zoo.cache import COMPACT_AT, COMPACT_BELOW, CacheNamespace, EmbeddingCache, cache_home, cacheable, item_key
from zoo.cli.cache import cache as cache_cli

NS = CacheNamespace("fp-aaaa", "document", None, encoder_name="tiny")
DIM = 8


def vectors_for(items: list, salt: int = 0, dim: int = DIM) -> np.ndarray:
    """Deterministic float32 vectors per item content."""
    rows = []
    for item in items:
        data = item.encode() if isinstance(item, str) else bytes(item)
        seed = int.from_bytes(hashlib.sha256(data + bytes([salt])).digest()[:8], "little")
        rows.append(np.random.default_rng(seed).standard_normal(dim).astype(np.float32))
    return np.stack(rows)


def segments(root: Path, namespace: CacheNamespace = NS) -> list[Path]:
    return sorted((root / "v1" / namespace.relpath()).glob("seg-*"))


def test_hit_is_bit_for_bit(tmp_path: Path):
    items = ["a", "b", "c", b"\x00\x01"]
    vectors = vectors_for(items)
    vectors[0, :4] = [np.nan, -0.0, np.inf, np.float32(1e-45)]  # NaN, signed zero, inf, subnormal
    assert EmbeddingCache(tmp_path).store(NS, items, vectors) == 4
    found = EmbeddingCache(tmp_path).lookup(NS, items)  # a fresh instance reads from disk
    assert found.misses == [] and found.hits == [0, 1, 2, 3]
    assert found.vectors.dtype == np.float32
    assert found.vectors.tobytes() == vectors.tobytes()
    np.testing.assert_array_equal(found.assemble(None), vectors)


def test_mixed_hits_misses_and_duplicates(tmp_path: Path):
    cache = EmbeddingCache(tmp_path)
    cache.store(NS, ["a", "b"], vectors_for(["a", "b"]))
    items = ["c", "a", "c", "b", "a", 5, b"a"]  # 5 is not cacheable; b"a" is not "a"
    found = cache.lookup(NS, items)
    assert found.hits == [1, 3, 4] and found.misses == [0, 2, 5, 6]
    np.testing.assert_array_equal(found.vectors, vectors_for(["a", "b", "a"]))
    fresh = np.arange(4 * DIM, dtype=np.float32).reshape(4, DIM)
    out = found.assemble(fresh)
    np.testing.assert_array_equal(out[[1, 3, 4]], found.vectors)
    np.testing.assert_array_equal(out[[0, 2, 5, 6]], fresh)


def test_assemble_copies_hits_once_and_keeps_fresh_vectors_as_they_are(tmp_path: Path):
    """Hits are read from the segment files straight into the result; with none, the fresh array is it."""
    from zoo.stored import StoredMatrix

    cache = EmbeddingCache(tmp_path)
    cache.store(NS, ["a"], vectors_for(["a"]))
    found = cache.lookup(NS, ["b", "a"])
    assert isinstance(found.stored, StoredMatrix) and found.stored.shape == (1, DIM)
    np.testing.assert_array_equal(found.assemble(vectors_for(["b"])), vectors_for(["b", "a"]))
    fresh = vectors_for(["x", "y"])
    assert cache.lookup(NS, ["x", "y"]).assemble(fresh) is fresh


def test_store_skips_cached_duplicate_and_uncacheable_items(tmp_path: Path):
    cache = EmbeddingCache(tmp_path)
    assert cache.store(NS, ["a", "a", 7], vectors_for(["a", "a", "7"])) == 1
    assert cache.store(NS, ["a"], vectors_for(["a"], salt=1)) == 0  # already there: first wins
    assert len(segments(tmp_path)) == 1
    np.testing.assert_array_equal(cache.lookup(NS, ["a"]).vectors, vectors_for(["a"]))
    assert not cacheable(7) and cacheable("x") and cacheable(b"x")
    assert item_key("a") != item_key(b"a") and len(item_key("a")) == 16


def test_store_checks_shapes(tmp_path: Path):
    cache = EmbeddingCache(tmp_path)
    with pytest.raises(ValueError):
        cache.store(NS, ["a", "b"], vectors_for(["a"]))
    cache.store(NS, ["a"], vectors_for(["a"]).astype(np.float64))  # stored as float32
    assert cache.lookup(NS, ["a"]).vectors.dtype == np.float32
    with pytest.raises(ValueError, match="8-d"):
        cache.store(NS, ["b"], vectors_for(["b"], dim=4))


@pytest.mark.parametrize(
    "other",
    [
        CacheNamespace("fp-bbbb", "document", None),
        CacheNamespace("fp-aaaa", "query", None),
        CacheNamespace("fp-aaaa", "document", ""),
        CacheNamespace("fp-aaaa", "document", "Represent this sentence:"),
        CacheNamespace("weird/fingerprint with spaces", "document", None),
    ],
)
def test_namespaces_isolate(tmp_path: Path, other: CacheNamespace):
    cache = EmbeddingCache(tmp_path)
    cache.store(NS, ["a"], vectors_for(["a"]))
    assert cache.lookup(other, ["a"]).misses == [0]
    cache.store(other, ["a"], vectors_for(["a"], salt=2))
    np.testing.assert_array_equal(EmbeddingCache(tmp_path).lookup(NS, ["a"]).vectors, vectors_for(["a"]))
    np.testing.assert_array_equal(EmbeddingCache(tmp_path).lookup(other, ["a"]).vectors, vectors_for(["a"], salt=2))


def test_display_name_is_not_part_of_the_namespace(tmp_path: Path):
    EmbeddingCache(tmp_path).store(NS, ["a"], vectors_for(["a"]))
    renamed = CacheNamespace(NS.encoder_fingerprint, NS.role, NS.instruction, encoder_name="other")
    assert EmbeddingCache(tmp_path).lookup(renamed, ["a"]).hits == [0]


def _flip_vector_byte(seg: Path) -> None:
    data = bytearray((seg / "vectors.npy").read_bytes())
    data[-5] ^= 0xFF
    (seg / "vectors.npy").write_bytes(bytes(data))


def _truncate_vectors(seg: Path) -> None:
    path = seg / "vectors.npy"
    path.write_bytes(path.read_bytes()[: -DIM * 4 - 3])


def _append_to_vectors(seg: Path) -> None:
    with open(seg / "vectors.npy", "ab") as fh:
        fh.write(b"\x00" * 4)


def _corrupt_npy_header(seg: Path) -> None:
    data = bytearray((seg / "keys.npy").read_bytes())
    data[:6] = b"NOTNPY"
    (seg / "keys.npy").write_bytes(bytes(data))


def _corrupt_json_header(seg: Path) -> None:
    (seg / "header.json").write_text('{"format": 1, "dim": ')


def _wrong_checksum(seg: Path) -> None:
    header = json.loads((seg / "header.json").read_text())
    header["checksum"] = "sha256:" + "0" * 64
    (seg / "header.json").write_text(json.dumps(header))


def _delete_keys(seg: Path) -> None:
    (seg / "keys.npy").unlink()


def _empty_vectors(seg: Path) -> None:
    (seg / "vectors.npy").write_bytes(b"")


@pytest.mark.parametrize(
    "damage",
    [
        _flip_vector_byte,
        _truncate_vectors,
        _append_to_vectors,
        _corrupt_npy_header,
        _corrupt_json_header,
        _wrong_checksum,
        _delete_keys,
        _empty_vectors,
    ],
)
def test_corrupt_segment_is_detected_dropped_and_recomputed(tmp_path: Path, capsys: pytest.CaptureFixture, damage):
    good, bad = ["g1", "g2"], ["b1", "b2", "b3"]
    cache = EmbeddingCache(tmp_path)
    cache.store(NS, good, vectors_for(good))
    cache.store(NS, bad, vectors_for(bad))
    damage(segments(tmp_path)[1])
    capsys.readouterr()

    reader = EmbeddingCache(tmp_path)
    found = reader.lookup(NS, good + bad)
    assert found.hits == [0, 1] and found.misses == [2, 3, 4]
    np.testing.assert_array_equal(found.vectors, vectors_for(good))
    err = capsys.readouterr().err
    assert err.count("corrupt segment") == 1 and "recomputed" in err
    assert len(segments(tmp_path)) == 1  # removed, not reused

    assert reader.store(NS, bad, vectors_for(bad)) == 3
    again = EmbeddingCache(tmp_path).lookup(NS, good + bad)
    assert again.misses == []
    np.testing.assert_array_equal(again.assemble(None), vectors_for(good + bad))
    assert capsys.readouterr().err == ""


def test_readers_see_segments_written_by_others(tmp_path: Path):
    reader, writer = EmbeddingCache(tmp_path), EmbeddingCache(tmp_path)
    assert reader.lookup(NS, ["a"]).misses == [0]
    writer.store(NS, ["a"], vectors_for(["a"]))
    assert reader.lookup(NS, ["a"]).hits == [0]
    writer.clear()
    assert reader.lookup(NS, ["a"]).misses == [0]


def test_a_late_segment_that_sorts_first_wins_everywhere(tmp_path: Path):
    """A slow writer's segment can appear after a reader indexed a later-named one: all readers agree."""
    reader = EmbeddingCache(tmp_path)
    EmbeddingCache(tmp_path).store(NS, ["a", "b"], vectors_for(["a", "b"], salt=1))
    assert reader.lookup(NS, ["a"]).hits == [0]
    EmbeddingCache(tmp_path / "slow").store(NS, ["a", "c"], vectors_for(["a", "c"], salt=2))  # "a" again
    late = segments(tmp_path / "slow")[0]
    late.rename(segments(tmp_path)[0].with_name("seg-" + "0" * 20 + "-early"))
    expected = vectors_for(["a", "b", "c"], salt=2)
    expected[1] = vectors_for(["b"], salt=1)[0]
    np.testing.assert_array_equal(reader.lookup(NS, ["a", "b", "c"]).vectors, expected)
    np.testing.assert_array_equal(EmbeddingCache(tmp_path).lookup(NS, ["a", "b", "c"]).vectors, expected)


def _writer(root: str, salt: int, barrier, batches: list[list[str]]) -> None:  # noqa: ANN001
    cache = EmbeddingCache(Path(root))
    barrier.wait()
    for batch in batches:
        cache.store(NS, batch, vectors_for(batch, salt=salt))


def test_two_writers_at_once_leave_a_consistent_cache(tmp_path: Path, capsys: pytest.CaptureFixture):
    items = [f"item {i}" for i in range(600)]
    first = [items[i : i + 50] for i in range(0, 400, 50)]  # items 0-399
    second = [items[i : i + 50] for i in range(200, 600, 50)]  # items 200-599: half overlap
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(3)
    procs = [
        ctx.Process(target=_writer, args=(str(tmp_path), salt, barrier, batches))
        for salt, batches in ((1, first), (2, second))
    ]
    for proc in procs:
        proc.start()
    barrier.wait()
    reader = EmbeddingCache(tmp_path)
    while any(proc.is_alive() for proc in procs):  # read while they write: never a half segment
        found = reader.lookup(NS, items)
        assert len(found.hits) + len(found.misses) == len(items)
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0

    a, b = EmbeddingCache(tmp_path).lookup(NS, items), EmbeddingCache(tmp_path).lookup(NS, items)
    assert a.misses == [] and b.misses == []
    np.testing.assert_array_equal(a.vectors, b.vectors)  # every reader picks the same copy
    np.testing.assert_array_equal(reader.lookup(NS, items).vectors, a.vectors)
    np.testing.assert_array_equal(a.vectors[:200], vectors_for(items[:200], salt=1))
    np.testing.assert_array_equal(a.vectors[400:], vectors_for(items[400:], salt=2))
    for i in range(200, 400):
        assert any(np.array_equal(a.vectors[i], vectors_for([items[i]], salt=s)[0]) for s in (1, 2))
    assert "corrupt" not in capsys.readouterr().err
    assert not list((tmp_path / "v1").rglob(".tmp-*"))


def test_store_failure_warns_and_does_not_raise(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    cache = EmbeddingCache(tmp_path)

    def full_disk(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache, "_write_segment", full_disk)
    assert cache.store(NS, ["a"], vectors_for(["a"])) == 0
    assert "could not store" in capsys.readouterr().err
    assert cache.lookup(NS, ["a"]).misses == [0]


def _small_segments(cache: EmbeddingCache, count: int, salt: int = 0, first: int = 0) -> list[str]:
    """``count`` one-item commits, as a writer committing often leaves them."""
    items = [f"item {first + i}" for i in range(count)]
    for item in items:
        cache.store(NS, [item], vectors_for([item], salt=salt))
    return items


def test_compaction_merges_runs_of_small_segments_and_every_key_keeps_its_copy(tmp_path: Path):
    cache = EmbeddingCache(tmp_path)
    items = _small_segments(cache, COMPACT_AT + 4)
    extra = [f"extra {i}" for i in range(COMPACT_BELOW)]  # a large segment after the run, which holds
    late = EmbeddingCache(tmp_path / "late")  # other copies of items 0-4
    late.store(NS, items[:5] + extra, vectors_for(items[:5] + extra, salt=9))
    segments(tmp_path / "late")[0].rename(segments(tmp_path)[-1].with_name(f"seg-{'9' * 20}-late"))
    reader = EmbeddingCache(tmp_path)
    before = reader.lookup(NS, items + extra).vectors

    assert cache.compact(NS) == COMPACT_AT + 4
    names = [folder.name for folder in segments(tmp_path)]
    assert len(names) == 2 and names[1].endswith("-late")  # one merged segment, sorting where the run did
    np.testing.assert_array_equal(reader.lookup(NS, items + extra).vectors, before)  # an older reader
    np.testing.assert_array_equal(EmbeddingCache(tmp_path).lookup(NS, items + extra).vectors, before)
    np.testing.assert_array_equal(before[:5], vectors_for(items[:5]))  # the first copy still wins
    assert cache.compact(NS) == 0  # nothing small is left in a run long enough


def test_compaction_leaves_short_runs_and_large_segments_alone(tmp_path: Path):
    cache = EmbeddingCache(tmp_path)
    _small_segments(cache, COMPACT_AT - 1)
    big = [f"big {i}" for i in range(COMPACT_BELOW)]
    cache.store(NS, big, vectors_for(big))
    _small_segments(cache, COMPACT_AT - 1, first=100)
    assert cache.compact(NS) == 0 and len(segments(tmp_path)) == 2 * (COMPACT_AT - 1) + 1


def test_a_reader_that_finds_a_listed_segment_gone_lists_again(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    """A merge between a reader's listing and its opening of a segment: no warning, no miss."""
    items = _small_segments(EmbeddingCache(tmp_path), COMPACT_AT)
    real_open = zoo.cache._open_segment
    merged: list[int] = []

    def open_after_a_merge(folder: Path, namespace: CacheNamespace, verify: bool = True):  # noqa: ANN202
        if not merged:  # the first open: another process merges the run first
            merged.append(0)
            merged[0] = EmbeddingCache(tmp_path).compact(NS)
        return real_open(folder, namespace, verify)

    monkeypatch.setattr(zoo.cache, "_open_segment", open_after_a_merge)
    found = EmbeddingCache(tmp_path).lookup(NS, items)
    assert merged == [COMPACT_AT] and found.misses == []
    np.testing.assert_array_equal(found.vectors, vectors_for(items))
    assert capsys.readouterr().err == ""


def test_one_process_compacts_a_namespace_at_a_time(tmp_path: Path):
    fcntl = pytest.importorskip("fcntl")
    cache = EmbeddingCache(tmp_path)
    _small_segments(cache, COMPACT_AT)
    with open(segments(tmp_path)[0].parent / ".compact.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another process is merging
        assert cache.compact(NS) == 0
    assert cache.compact(NS) == COMPACT_AT


def test_info_and_clear(tmp_path: Path):
    cache = EmbeddingCache(tmp_path)
    other = CacheNamespace("fp-bbbb", "query", "Find:")
    cache.store(NS, ["a", "b"], vectors_for(["a", "b"]))
    cache.store(NS, ["c"], vectors_for(["c"]))
    cache.store(other, ["a"], vectors_for(["a"], dim=4))
    infos = {info.namespace: info for info in cache.info()}
    assert set(infos) == {NS, other}
    assert (infos[NS].entries, infos[NS].dim, infos[NS].segments) == (3, DIM, 2)
    assert (infos[other].entries, infos[other].dim, infos[other].namespace.instruction) == (1, 4, "Find:")
    assert infos[NS].namespace.encoder_name == "tiny"
    on_disk = sum(p.stat().st_size for p in (tmp_path / "v1" / "fp-aaaa").rglob("*") if p.is_file())
    assert infos[NS].bytes == on_disk > 3 * DIM * 4
    assert cache.total_bytes() == infos[NS].bytes + infos[other].bytes

    assert cache.clear("fp-aaaa") == on_disk
    assert [info.namespace for info in cache.info()] == [other]
    assert cache.lookup(NS, ["a"]).misses == [0]
    assert cache.clear("fp-aaaa") == 0
    assert cache.clear() == infos[other].bytes
    assert cache.info() == [] and cache.total_bytes() == 0


def test_default_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("ZOO_CACHE_HOME", str(tmp_path / "here"))
    assert cache_home() == tmp_path / "here" and EmbeddingCache().root == tmp_path / "here"
    monkeypatch.delenv("ZOO_CACHE_HOME")
    assert cache_home() == Path.home() / ".cache" / "embedding-zoo" / "embeddings"


def test_cli_info_and_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ZOO_CACHE_HOME", str(tmp_path))
    cache = EmbeddingCache(tmp_path)
    cache.store(NS, ["a", "b"], vectors_for(["a", "b"]))
    cache.store(CacheNamespace("fp-bbbb", "query", "Find:"), ["a"], vectors_for(["a"]))
    runner = CliRunner()

    result = runner.invoke(cache_cli, ["info"], catch_exceptions=False)
    assert result.exit_code == 0
    assert str(tmp_path) in result.output and "2 namespaces" in result.output
    assert "fp-aaaa" in result.output and "tiny" in result.output and "Find:" in result.output

    result = runner.invoke(cache_cli, ["clear", "--encoder", "fp-aaaa"], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert len(cache.info()) == 2

    result = runner.invoke(cache_cli, ["clear", "--encoder", "fp-aaaa", "--yes"], catch_exceptions=False)
    assert result.exit_code == 0 and "freed" in result.output
    assert [info.namespace.encoder_fingerprint for info in cache.info()] == ["fp-bbbb"]

    result = runner.invoke(cache_cli, ["clear", "--encoder", "fp-aaaa", "--yes"], catch_exceptions=False)
    assert "nothing to clear" in result.output

    result = runner.invoke(cache_cli, ["clear"], input="y\n", catch_exceptions=False)
    assert result.exit_code == 0 and "freed" in result.output and cache.info() == []


def test_imports_stay_light():
    code = (
        "import sys, zoo.cli.cache; assert 'numpy' not in sys.modules; "
        "import zoo.cache; assert 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])
