"""MMEB (Jiang et al., 2024): 36 datasets in four meta-tasks, each query ranked against its own candidates.

Every example is a query (an image and/or a text that carries its instruction) and a list of candidates
whose first one is correct; the score is precision@1, the share of queries whose best candidate is the
correct one (ties go to the first, as MMEB's ``argmax`` does).

Local layout (what ``--task mmeb-<subset>`` reads; the hub loader writes the same)::

    $ZOO_MMEB_HOME (default $ZOO_DATA_HOME/mmeb)/
      <subset>/test.jsonl   one example per line: {"qry_text": str, "qry_img_path": str,
                            "tgt_text": [str, ...], "tgt_img_path": [str, ...]}  (MMEB-eval's columns)
      images/               image paths in the JSONL are relative to this folder

Texts may hold MMEB's ``<|image_1|>`` placeholder: it is dropped, since each encoder places the image
itself. An empty path means "no image". When a subset is missing, it is fetched from the Hugging Face
hub (``TIGER-Lab/MMEB-eval`` and its ``images.zip``) where the network allows.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Hashable

import numpy as np

from zoo.api import DataError, Encoder, SearchBackend, TaskScores, TaskSpec, ZooError, fingerprint, json_objects
from zoo_vision.inputs import ImageText
from zoo_vision.loading import need
from zoo_vision.metrics import similarity_matrix
from zoo_vision.mmeb_names import META_TASKS  # noqa: F401  (re-exported: the 36 datasets)
from zoo_vision.modality import require_modalities

ENV_VAR = "ZOO_MMEB_HOME"
HUB_REPO = "TIGER-Lab/MMEB-eval"
IMAGE_PLACEHOLDER = "<|image_1|>"
SPLIT = "test"
MAIN_METRIC = "precision_at_1"


@dataclass(frozen=True)
class Example:
    """One MMEB query and its candidates; ``candidates[0]`` is the correct one."""

    query: ImageText
    candidates: tuple[ImageText, ...]


def mmeb_home() -> Path:
    """``$ZOO_MMEB_HOME``, else ``$ZOO_DATA_HOME/mmeb``."""
    from harness.api import data_home

    configured = os.environ.get(ENV_VAR)
    return Path(configured).expanduser() if configured else data_home() / "mmeb"


def parse_item(text: str | None, image_path: str | None, images: Path) -> ImageText:
    """An MMEB side (text with the placeholder dropped, image path under ``images``) as an ImageText."""
    cleaned = (text or "").replace(IMAGE_PLACEHOLDER, "").strip()
    image = images / image_path if image_path else None
    return ImageText(image=image, text=cleaned or None)


def read_subset(root: Path, subset: str) -> list[Example]:
    """The examples of ``<root>/<subset>/test.jsonl``, images under ``<root>/images``."""
    path = root / subset / f"{SPLIT}.jsonl"
    if not path.is_file():
        raise DataError(f"{path} does not exist")
    examples = [_example(record, root / "images", path, number) for number, record in json_objects(path)]
    if not examples:
        raise DataError(f"{path} holds no examples")
    return examples


def _example(record: dict[str, Any], images: Path, path: Path, number: int) -> Example:
    try:
        texts, paths = list(record["tgt_text"]), list(record.get("tgt_img_path") or [])
        query = parse_item(record.get("qry_text"), record.get("qry_img_path"), images)
    except (KeyError, TypeError) as exc:
        raise DataError(f"{path}:{number}: needs qry_text, qry_img_path, tgt_text, tgt_img_path ({exc})") from None
    paths += [""] * (len(texts) - len(paths))
    if not texts or len(paths) != len(texts):
        raise DataError(f"{path}:{number}: tgt_text and tgt_img_path must be non-empty lists of one length")
    return Example(query, tuple(parse_item(t, p, images) for t, p in zip(texts, paths)))


def download_subset(root: Path, subset: str) -> None:
    """Fetch one subset (and, once, the shared images) from the hub into the local layout."""
    from harness.api import atomic_dir, atomic_write_text

    datasets = need("MMEB from the hub", "datasets", "datasets")
    hub = need("MMEB from the hub", "huggingface_hub", "huggingface_hub")
    try:
        rows = datasets.load_dataset(HUB_REPO, subset, split=SPLIT)
        if not (root / "images").is_dir():
            archive = hub.hf_hub_download(HUB_REPO, "images.zip", repo_type="dataset")
            _unpack(Path(archive), root / "images", atomic_dir)
    except Exception as exc:  # noqa: BLE001 - the hub raises many types; all mean the same to the user
        raise ZooError(
            f"MMEB subset {subset!r} is not in {root} and could not be fetched from {HUB_REPO} "
            f"({type(exc).__name__}); put it there in the documented layout or set {ENV_VAR}"
        ) from None
    columns = ("qry_text", "qry_img_path", "tgt_text", "tgt_img_path")
    text = "".join(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n" for row in rows)
    atomic_write_text(root / subset / f"{SPLIT}.jsonl", text)


def _unpack(archive: Path, folder: Path, atomic_dir: Callable[[Path], Any]) -> None:
    """Unzip the image archive into ``folder`` (bounded, nothing outside it: zoo.api.extract_zip),
    dropping its single top-level folder if it has one."""
    from zoo.api import extract_zip

    with atomic_dir(folder) as tmp:
        extract_zip(archive, tmp)
        inner = [p for p in tmp.iterdir() if not p.name.startswith(".")]
        if len(inner) == 1 and inner[0].is_dir():
            for child in inner[0].iterdir():
                child.rename(tmp / child.name)
            inner[0].rmdir()


def locate_subset(subset: str) -> list[Example]:
    """A subset from the local layout, fetched from the hub first when it is not there."""
    root = mmeb_home()
    if not (root / subset / f"{SPLIT}.jsonl").is_file():
        download_subset(root, subset)
    return read_subset(root, subset)


def _key(item: ImageText) -> Hashable:
    return (str(item.image) if item.image is not None else None, item.text)


def _encoder_input(item: ImageText) -> Any:
    """A text-only item as its str: the embedding cache stores strings."""
    return item.text if item.image is None else item


class MMEBTask:
    """One MMEB dataset: each query scored against its own candidates, precision@1."""

    def __init__(self, spec: TaskSpec, load_examples: Callable[[], list[Example]]) -> None:
        self.spec = spec
        self._load_examples = load_examples

    @functools.cached_property
    def examples(self) -> list[Example]:
        return self._load_examples()

    @functools.cached_property
    def candidates(self) -> list[ImageText]:
        """Each distinct candidate once, in first-seen order."""
        unique = {_key(c): c for example in self.examples for c in example.candidates}
        return list(unique.values())

    def data_fingerprint(self) -> str:
        rows = [[_key(e.query), [_key(c) for c in e.candidates]] for e in self.examples]
        return fingerprint("mmeb", rows, SPLIT)

    def evaluate(
        self, encoder: Encoder, backend: SearchBackend | None = None, *, depth: int | None = None
    ) -> TaskScores:
        require_modalities(self.spec, encoder)
        queries = encoder.encode([_encoder_input(e.query) for e in self.examples], role="query")
        candidates = encoder.encode([_encoder_input(c) for c in self.candidates], role="document")
        row = {_key(c): i for i, c in enumerate(self.candidates)}
        hits = []
        for query, example in zip(queries, self.examples):
            own = candidates[[row[_key(c)] for c in example.candidates]]
            hits.append(int(np.argmax(similarity_matrix(query[None, :], own, encoder.similarity)[0])) == 0)
        scores = {MAIN_METRIC: float(np.mean(hits))}
        return TaskScores(scores, scores[MAIN_METRIC], SPLIT)
