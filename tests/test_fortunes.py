"""The Debian fortunes clustering task: parsing fortune files and the labelling rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.data.fortunes import fortunes_clustering, fortunes_dir, parse_fortunes, read_categories
from harness.tasks.builtin import builtin_task_specs
from zoo.errors import DataError

FILE = "A quote\nover two lines.\n%\n  Indented   words  \n%\n%\nLast one\n"


def test_parse_splits_on_percent_lines_and_collapses_whitespace() -> None:
    assert parse_fortunes(FILE) == ["A quote over two lines.", "Indented words", "Last one"]
    assert parse_fortunes("50% off\n%\n") == ["50% off"]  # only a line of its own separates


def test_ambiguous_quotes_and_small_categories_are_dropped() -> None:
    categories = {"love": ["a", "b", "shared"], "work": ["c", "d", "shared"], "tiny": ["e"]}
    data = fortunes_clustering(categories, min_per_category=2)
    assert (data.texts, data.labels) == (["a", "b", "c", "d"], ["love", "love", "work", "work"])
    with pytest.raises(DataError, match="fewer than two categories with 3\\+ quotes"):
        fortunes_clustering(categories, min_per_category=3)


def test_reads_category_files_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "love").write_text("x\n%\ny\n%\nx\n")
    (tmp_path / "love.dat").write_bytes(b"\x00\x01")
    (tmp_path / "love.u8").symlink_to(tmp_path / "love")
    monkeypatch.setenv("ZOO_FORTUNES_DIR", str(tmp_path))
    assert read_categories(fortunes_dir()) == {"love": ["x", "y"]}


def test_missing_folder_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOO_FORTUNES_DIR", str(tmp_path / "none"))
    with pytest.raises(DataError, match="apt-get install fortunes"):
        fortunes_dir()


def test_spec_records_source_licence_and_citation() -> None:
    spec = next(s for s in builtin_task_specs() if s.name == "fortunes-clustering")
    assert (spec.type, spec.main_metric, spec.aliases) == ("clustering", "v_measure", ("fortunes",))
    assert "Debian package fortunes" in spec.source and "BSD" in spec.license and "Arnold" in spec.citation


@pytest.mark.skipif(not Path("/usr/share/games/fortunes/computers").is_file(), reason="apt-get install fortunes")
def test_installed_package_gives_40_categories() -> None:
    from collections import Counter

    spec = next(s for s in builtin_task_specs() if s.name == "fortunes-clustering")
    counts = Counter(spec.load().data.labels)
    assert (len(counts), sum(counts.values())) == (40, 14964)  # fortune-mod 1.99.1-7.3 (Debian 12)
    assert min(counts.values()) >= 20
