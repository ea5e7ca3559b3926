"""The leaderboard: result stores -> pandas tables -> one self-contained HTML page, CSV and Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from harness.data.paths import atomic_write_text, writable_folder
from harness.results import ResultStore
from zoo.errors import ZooError

if TYPE_CHECKING:
    from harness.leaderboard.table import Leaderboard

TITLE = "embedding-zoo leaderboard"


def load_leaderboard(
    stores: Iterable[ResultStore | Path | str],
    modalities: Mapping[str, Iterable[str]] | None = None,
    exact_backends: Iterable[str] | None = None,
    *,
    allow_untrained: bool = False,
    suites: Mapping[str, Iterable[str]] | None = None,
) -> Leaderboard:
    """Every result in ``stores``, the latest per cell, laid out by row, task group and backend.

    Results of untrained weights (``TaskResult.untrained``) are left out, with a warning, unless
    ``allow_untrained``: scores of random weights are never published by accident. ``suites`` (name ->
    tasks) get a mean column each, for rows that have all of their tasks.
    """
    from harness.leaderboard.load import keep_latest, read_stores
    from harness.leaderboard.table import build

    stores = list(stores)
    loaded = read_stores(stores)
    folders = ", ".join(str(s.folder if isinstance(s, ResultStore) else s) for s in stores)
    if not loaded:
        raise ZooError(f"no valid result files in {folders} (any skipped are named above): run `zoo bench` first")
    untrained = sorted({result.encoder for result, _ in loaded if result.untrained})
    if untrained and not allow_untrained:
        loaded = [(result, source) for result, source in loaded if not result.untrained]
        if not loaded:
            raise ZooError(
                f"every result in {folders} comes from untrained weights ({', '.join(untrained)}): "
                "pass --allow-untrained to put them on a page"
            )
        from zoo.plugins import warn

        warn(f"left off the page: {', '.join(untrained)} (untrained weights; --allow-untrained shows them)")
    return build(keep_latest(loaded), modalities, exact_backends, suites)


def write_leaderboard(
    stores: Iterable[ResultStore | Path | str],
    out: Path | str,
    *,
    csv: Path | str | None = None,
    markdown: Path | str | None = None,
    modalities: Mapping[str, Iterable[str]] | None = None,
    exact_backends: Iterable[str] | None = None,
    title: str = TITLE,
    registered: Iterable[Mapping[str, Any]] = (),
    allow_untrained: bool = False,
    suites: Mapping[str, Iterable[str]] | None = None,
) -> list[Path]:
    """Write the page (and the CSV / Markdown exports when asked); returns the paths written.

    ``registered``: the encoders the installed plugins offer (name, family, modalities, description);
    those without results are listed on the page as not run.
    """
    from harness.leaderboard.export import to_csv, to_markdown
    from harness.leaderboard.page import render_page
    from harness.leaderboard.payload import build_payload

    folders = [str(s.folder if isinstance(s, ResultStore) else s) for s in stores]
    for target, option in ((out, "--out"), (csv, "--csv"), (markdown, "--markdown")):
        if target is not None:  # before the work, not after it
            writable_folder(Path(target).parent, option)
    lb = load_leaderboard(folders, modalities, exact_backends, allow_untrained=allow_untrained, suites=suites)
    written = [_write(out, render_page(build_payload(lb, title, folders, registered)))]
    if csv is not None:
        written.append(_write(csv, to_csv(lb)))
    if markdown is not None:
        written.append(_write(markdown, to_markdown(lb)))
    return written


def _write(path: Path | str, text: str) -> Path:
    path = Path(path)
    atomic_write_text(path, text)
    return path
