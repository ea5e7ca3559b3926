"""The shipped offline tasks: data home, atomic builds, the ICD-10-CM builder and the Lee STS set."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from harness.data import icd10cm
from harness.data.beir import RetrievalData, beir_fingerprint, load_beir
from harness.data.icd10cm import build_icd10cm
from harness.data.lee_sts import STSData, lee_fingerprint, load_lee_sts, load_sts_jsonl
from harness.data.paths import atomic_dir, atomic_write_text, data_home
from zoo.errors import DataError


@pytest.fixture(autouse=True)
def _data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "zoo-data"
    monkeypatch.setenv("ZOO_DATA_HOME", str(home))
    return home


# --- paths ----------------------------------------------------------------------------------------


def test_data_home_follows_env(_data_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert data_home() == _data_home
    monkeypatch.delenv("ZOO_DATA_HOME")
    assert data_home() == Path.home() / ".cache" / "embedding-zoo" / "data"


def test_atomic_write_text(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_atomic_dir_leaves_nothing_when_interrupted(tmp_path: Path) -> None:
    final = tmp_path / "built"
    with pytest.raises(RuntimeError):
        with atomic_dir(final) as tmp:
            (tmp / "half.txt").write_text("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_replaces_a_previous_build(tmp_path: Path) -> None:
    final = tmp_path / "built"
    for content in ("old", "new"):
        with atomic_dir(final) as tmp:
            (tmp / "data.txt").write_text(content)
    assert (final / "data.txt").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["built"]


# --- ICD-10-CM ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_icd10cm("icd10cm-small", tmp_path_factory.mktemp("icd-a"))


def check_consistent(data: RetrievalData) -> None:
    documents = set(data.corpus)
    titles = {title.casefold() for title in data.corpus.values()}
    assert list(data.queries) == list(data.qrels)
    for qid, relevant in data.qrels.items():
        assert relevant and set(relevant.values()) == {1}
        assert set(relevant) <= documents
        assert data.queries[qid].casefold() not in titles


def test_small_variant_sizes_and_consistency(small_folder: Path) -> None:
    data = load_beir(small_folder)
    assert len(data.queries) == icd10cm.SMALL_QUERIES
    assert len(data.corpus) == icd10cm.SMALL_DOCUMENTS
    check_consistent(data)
    info = json.loads((small_folder / "build.json").read_text())
    assert info["package_version"] == icd10cm.package_version()
    assert info["variant"] == "icd10cm-small" and info["seed"] == icd10cm.SMALL_SEED
    assert small_folder.parts[-3:] == ("icd10cm", "icd10cm-small", f"v{icd10cm.VERSION}")


def test_small_variant_is_deterministic(small_folder: Path, tmp_path: Path) -> None:
    icd10cm._full.cache_clear()  # rebuild from the package, not from this process's cache
    again = build_icd10cm("icd10cm-small", tmp_path / "other-root")
    assert beir_fingerprint(again) == beir_fingerprint(small_folder)


def test_build_is_reused_then_rebuilt_when_stale(tmp_path: Path) -> None:
    folder = build_icd10cm("icd10cm-small")
    assert folder.is_relative_to(data_home())
    stamp = (folder / "corpus.jsonl").stat().st_mtime_ns
    assert build_icd10cm("icd10cm-small") == folder
    assert (folder / "corpus.jsonl").stat().st_mtime_ns == stamp
    info = json.loads((folder / "build.json").read_text())
    (folder / "build.json").write_text(json.dumps(info | {"package_version": "0.0.0"}))
    time.sleep(0.01)
    build_icd10cm("icd10cm-small")
    assert json.loads((folder / "build.json").read_text())["package_version"] == icd10cm.package_version()
    assert [p.name for p in folder.parent.iterdir()] == [f"v{icd10cm.VERSION}"]  # no temporary folders left behind


def test_fingerprint_covers_the_package_version(small_folder: Path, tmp_path: Path) -> None:
    import shutil

    copy = Path(shutil.copytree(small_folder, tmp_path / "copy"))
    info = json.loads((copy / "build.json").read_text())
    for version, same in ((info["package_version"], True), ("9.9.9", False)):
        (copy / "build.json").write_text(
            json.dumps(info | {"package_version": version}, indent=1, sort_keys=True) + "\n"
        )
        assert (beir_fingerprint(copy) == beir_fingerprint(small_folder)) is same


def test_unknown_variant() -> None:
    with pytest.raises(DataError, match="icd10cm-small"):
        build_icd10cm("icd10cm-tiny")


@pytest.mark.slow  # about 8 s on its own: parsing the package's XML, then 98k documents
def test_full_variant(tmp_path: Path) -> None:
    data = load_beir(build_icd10cm("icd10cm", tmp_path))
    assert 95_000 <= len(data.corpus) <= 100_000
    assert 12_000 <= len(data.queries) <= 13_000
    check_consistent(data)
    assert data.corpus["A01.0"] == "Typhoid fever"
    assert data.qrels["A01.02-1"] == {"A01.02": 1}
    assert data.queries["A01.02-1"] == "Typhoid endocarditis"


def test_metadata_names_the_package_version() -> None:
    assert icd10cm.source().startswith(f"simple-icd-10-cm {icd10cm.package_version()}, ICD-10-CM")
    assert "MIT" in icd10cm.LICENSE and icd10cm.CITATION


# --- Lee STS and user STS files -------------------------------------------------------------------


def test_lee_sts_shape_and_range() -> None:
    data = load_lee_sts()
    assert isinstance(data, STSData) and len(data) == 1225 and data.split == "test"
    assert len(data.sentences1) == len(data.sentences2) == data.scores.shape[0] == 1225
    assert data.scores.dtype == np.float64
    assert 0.2 <= data.scores.min() and data.scores.max() <= 1.0
    assert len(set(data.sentences1) | set(data.sentences2)) == 50
    assert all(a != b for a, b in zip(data.sentences1, data.sentences2))
    assert "£" in " ".join(data.sentences1 + data.sentences2)  # Latin-1 decoded, not mangled
    assert lee_fingerprint() == lee_fingerprint()


def test_load_sts_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text(
        '{"sentence1": "a", "sentence2": "b", "score": 4}\n\n{"sentence1": "c", "sentence2": "d", "score": 0.5}\n'
    )
    data = load_sts_jsonl(path, split="dev")
    assert data.sentences1 == ["a", "c"] and data.sentences2 == ["b", "d"]
    assert data.scores.tolist() == [4.0, 0.5] and data.split == "dev"


@pytest.mark.parametrize(
    ("text", "where", "needle"),
    [
        ('{"sentence1": "a", "sentence2": "b", "score": 1}\n{"sentence1": "a"\n', ":2: ", "invalid JSON"),
        ('{"sentence1": "a", "score": 1}\n', ":1: ", 'missing "sentence2"'),
        ('{"sentence1": 1, "sentence2": "b", "score": 1}\n', ":1: ", '"sentence1" must be a string'),
        ('{"sentence1": "a", "sentence2": "b", "score": "high"}\n', ":1: ", "finite number"),
        ('{"sentence1": "a", "sentence2": "b", "score": NaN}\n', ":1: ", "NaN is not JSON"),
        ('{"sentence1": "a", "sentence2": "b"}\n', ":1: ", 'missing "score"'),
        ("[1, 2]\n", ":1: ", "JSON object"),
        ("\n", ": ", "no pairs"),
    ],
)
def test_sts_jsonl_errors_name_file_and_line(tmp_path: Path, text: str, where: str, needle: str) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        load_sts_jsonl(path)
    message = str(info.value)
    assert message.startswith(f"{path}{where}") and needle in message and "\n" not in message


def test_sts_jsonl_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load_sts_jsonl(tmp_path / "absent.jsonl")
