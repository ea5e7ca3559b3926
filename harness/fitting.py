"""Where a post-processor chain is fit, said explicitly and recorded with every result.

``corpus``          the task's own inputs (for retrieval, the corpus it searches): transductive, as in
                    BERT-whitening, so a gain here is not free
``task:<name>``     another registered task's inputs (or a task folder): inductive
``file:<path>``     one text per line (``.jsonl``: a "text" field per line), e.g. a split held out from the
                    evaluation, such as the ICD-10-CM training terms ``benchmarks/finetune_merge.py`` writes
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoo.errors import ZooError
from zoo.fingerprint import hash_file
from zoo.textio import json_objects, text_lines

KINDS = ("corpus", "task", "file")
USAGE = "use corpus, task:<name> or file:<path>"


@dataclass(frozen=True)
class FitSource:
    """A parsed ``--fit-on`` value; ``label`` is what results record (a file also by its content hash)."""

    kind: str
    target: str = ""

    @property
    def label(self) -> str:
        if self.kind == "corpus":
            return "fit:corpus"
        if self.kind == "file":
            path = Path(self.target)
            return f"fit:file:{path.name}#{hash_file(path)[:8]}"
        return f"fit:task:{self.target}"

    def inputs(self, task: Any) -> list[Any]:
        """The inputs to fit on, given the task being evaluated."""
        if self.kind == "corpus":
            return task_inputs(task, "this task")
        if self.kind == "file":
            return read_fit_file(Path(self.target))
        return task_inputs(load_task(self.target), self.target)


def save_states(view: Any, folder: Path) -> list[Path]:
    """Write the fitted state of each chain step that can ``save(path)`` it, under
    ``folder/<chain fingerprint>/`` (results record that fingerprint, so they find their state)."""
    target = Path(folder) / view.fingerprint()
    saved = []
    for position, step in enumerate(view.steps):
        save = getattr(step, "save", None)
        if callable(save):
            target.mkdir(parents=True, exist_ok=True)
            saved.append(Path(save(target / f"{position}-{type(step).__name__.lower()}.npz")))
    return saved


def parse_fit_source(text: str) -> FitSource:
    """``"corpus"``, ``"task:lee-sts"`` or ``"file:terms.txt"`` as a FitSource; anything else is a ZooError."""
    kind, sep, target = text.strip().partition(":")
    if kind == "corpus" and not sep:
        return FitSource("corpus")
    if kind == "task" and target:
        return FitSource("task", target)
    if kind == "file" and target:
        path = Path(target).expanduser()
        if not path.is_file():
            raise ZooError(f"--fit-on {text!r}: no such file {path}")
        return FitSource("file", str(path))
    raise ZooError(f"unknown fit source {text!r}: {USAGE}")


def task_inputs(task: Any, name: str) -> list[Any]:
    fit_inputs = getattr(task, "fit_inputs", None)
    if fit_inputs is None:
        raise ZooError(f"task {name!r} cannot fit post-processors: it has no fit_inputs(); {USAGE}")
    return list(fit_inputs())


@functools.lru_cache(maxsize=8)
def load_task(name: str) -> Any:
    """A registered task (or a task folder) by name, loaded once per process."""
    from zoo.registry import Registry

    spec = Registry.from_plugins().tasks.find(name)
    if spec is None and Path(name).is_dir():
        from harness.data.folders import folder_task_spec

        spec = folder_task_spec(Path(name))
    if spec is None:
        raise ZooError(f"--fit-on task:{name}: no such task; see `zoo list` for task names")
    return spec.load()


def _text_field(path: Path, number: int, record: dict[str, Any]) -> str:
    text = record.get("text")
    if not isinstance(text, str):
        raise ZooError(f'{path}:{number}: every line of a .jsonl fit file needs a string "text" field')
    return text


def read_fit_file(path: Path) -> list[str]:
    """Texts to fit on: one per non-empty line, or a "text" field per line of a ``.jsonl`` file."""
    if path.suffix == ".jsonl":
        texts = [_text_field(path, number, record) for number, record in json_objects(path)]
    else:
        texts = [line.strip() for _, line in text_lines(path) if line.strip()]
    if not texts:
        raise ZooError(f"{path} holds no texts to fit on: write one per line")
    return texts
