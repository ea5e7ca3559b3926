"""The ``merge:`` encoder: a recipe's merged model, built once into ``merge_home()`` and then reused.

Its fingerprint derives from the recipe and the inputs' fingerprints (which hash their files), so it is
known before any weights load and names the folder the merged model is saved in.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from zoo.encoders.sentence_transformers import SentenceTransformerEncoder
from zoo.merge.build import (
    MergeInput,
    build_merge,
    merge_fingerprint,
    merge_home,
    read_merge_record,
    resolve_input,
)
from zoo.merge.recipe import MergeRecipe


class MergedEncoder(SentenceTransformerEncoder):
    """A SentenceTransformerEncoder over the merged folder of ``recipe``, built on first use."""

    family = "merge"

    def __init__(self, recipe: MergeRecipe, *, name: str, root: Path | None = None, **options: Any) -> None:
        self.recipe = recipe.validated()
        self.root = Path(root) if root is not None else merge_home()
        self._inputs: list[MergeInput] | None = None
        super().__init__(name, name=name, **options)

    def __repr__(self) -> str:
        return f"MergedEncoder({self.recipe!r}, name={self.name!r})"

    @property
    def inputs(self) -> list[MergeInput]:
        if self._inputs is None:
            self._inputs = [resolve_input(name) for name in self.recipe.inputs()]
        return self._inputs

    def merge_fingerprint(self) -> str:
        return merge_fingerprint(self.recipe, self.inputs)

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return (self.family, self.merge_fingerprint(), self.settings(), self.effective_dtype())

    @property
    def local_folder(self) -> Path:
        """Where sentence-transformers loads the model from: the merged folder, merged on first use."""
        return self.folder()

    def folder(self) -> Path:
        """The merged model's folder, merging the weights first if no earlier run did."""
        folder = self.root / self.merge_fingerprint()
        record = read_merge_record(folder)
        if record is None or record.get("fingerprint") != folder.name:
            scratch = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
            shutil.rmtree(scratch, ignore_errors=True)
            build_merge(self.recipe, scratch)
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(scratch, folder)  # readers never see a half-written model
        return folder
