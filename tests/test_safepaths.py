"""Paths made from data stay in their folder; archives unpack within bounds or not at all."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest

from zoo.errors import DataError, ZooError
from zoo.safepaths import checked_inside, component, extract_zip, inside


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "..",
        ".",
        "",
        "a/b",
        "a\\b",
        "/etc/passwd",
        "~",
        ".hidden",
        "x" * 500,
        "nul\x00byte",
        "caf\u00e9",
        "\ud800",
    ],
)
def test_components_are_single_safe_names(name: str):
    safe = component(name)
    assert safe and "/" not in safe and "\\" not in safe and safe not in (".", "..")
    assert not safe.startswith(".") and len(safe) <= 120 and safe.isascii()


def test_safe_names_are_kept_and_changed_ones_stay_distinct():
    assert component("icd10cm-small") == "icd10cm-small"
    assert component("binary_rescore=4+fit:corpus".replace(":", "_")) == "binary_rescore=4+fit_corpus"
    assert component("../x") != component("x") and component("../x") != component("..x")
    assert component("a/b") != component("a_b")


def test_inside_refuses_nothing_it_made_and_checked_inside_refuses_escapes(tmp_path: Path):
    assert inside(tmp_path, "..", "../../etc", "x.json").parent.parent.parent == tmp_path
    with pytest.raises(ZooError, match="outside"):
        checked_inside(tmp_path / "out", tmp_path / "out" / ".." / "x.json")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "link").symlink_to(tmp_path)
    with pytest.raises(ZooError, match="outside"):
        checked_inside(tmp_path / "out", tmp_path / "out" / "link" / "x.json")


def make_zip(path: Path, members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return path


def test_a_plain_archive_unpacks(tmp_path: Path):
    archive = make_zip(tmp_path / "a.zip", {"images/a.png": b"\x89PNG" + bytes(range(200)), "b.txt": b"hello"})
    written = extract_zip(archive, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == ["b.txt", "images/a.png"]
    assert (tmp_path / "out" / "b.txt").read_bytes() == b"hello"


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt", "C:evil.txt"])
def test_members_that_would_escape_are_refused(tmp_path: Path, name: str):
    archive = make_zip(tmp_path / "a.zip", {"ok.txt": b"x", name: b"evil"})
    with pytest.raises(DataError, match="outside"):
        extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "out").exists()


def test_a_zip_bomb_is_refused_by_ratio_and_by_total_size(tmp_path: Path):
    bomb = make_zip(tmp_path / "bomb.zip", {"zeros": bytes(10_000_000)})  # ~10 kB compressed
    with pytest.raises(DataError, match=r"unpacks to \d+x its compressed size"):
        extract_zip(bomb, tmp_path / "out")
    many = make_zip(
        tmp_path / "big.zip", {f"{i}": bytes(range(256)) * 40 for i in range(10)}, compression=zipfile.ZIP_STORED
    )
    with pytest.raises(DataError, match="more than the limit of 10,000"):
        extract_zip(many, tmp_path / "out", max_bytes=10_000)
    with pytest.raises(DataError, match="more than 5"):
        extract_zip(many, tmp_path / "out", max_members=5)
    assert not (tmp_path / "out").exists()


def test_symbolic_links_and_lying_headers_are_refused(tmp_path: Path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(info, "/etc/passwd")
    with pytest.raises(DataError, match="symbolic link"):
        extract_zip(archive, tmp_path / "out")
    liar = make_zip(tmp_path / "liar.zip", {"a": b"x" * 1000}, compression=zipfile.ZIP_STORED)
    data = liar.read_bytes()  # the central directory says 10 bytes; the stream holds 1,000
    liar.write_bytes(data.replace((1000).to_bytes(4, "little") * 2, (10).to_bytes(4, "little") * 2))
    with pytest.raises(DataError, match="more bytes than its header says|damaged"):
        extract_zip(liar, tmp_path / "out2")
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="not a readable zip archive"):
        extract_zip(tmp_path / "junk.zip", tmp_path / "out3")


def test_mteb_export_keeps_every_file_inside_its_folder(tmp_path: Path):
    from harness.mteb.export import export_results
    from harness.results import TaskResult

    good = json.loads((Path(__file__).parent / "hostile" / "good-result.json").read_text())
    hostile = [
        TaskResult.from_dict({**good, "task": "../../../escaped"}),
        TaskResult.from_dict({**good, "encoder": "../../x/../..", "encoder_fingerprint": "../../../../"}),
        TaskResult.from_dict({**good, "chain": ["../../up"], "backend": "../../hnsw"}),
    ]
    out = tmp_path / "deep" / "mteb"
    paths = export_results(hostile, out)
    assert len(paths) == 3
    for path in [*paths, *out.rglob("*")]:
        assert out.resolve() in path.resolve().parents
    assert sorted(p.name for p in tmp_path.rglob("*.json") if out not in p.parents) == []
