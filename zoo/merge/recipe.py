"""A merge recipe: which checkpoints, which method, which coefficients. Read from a JSON or TOML file, or
from the options of a ``merge:`` encoder name. Validation happens here, before any weights load.

    {"method": "slerp", "models": ["all-minilm-l6-v2", "/work/scratch/minilm-icd/model"], "t": 0.5}
    merge:ties?base=all-minilm-l6-v2&models=/work/scratch/minilm-icd/model&density=0.2
    merge:linear?models=all-minilm-l6-v2+/work/scratch/minilm-icd/model&weights=0.3+0.7
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from zoo.errors import ZooError
from zoo.textio import check_value, loads, read_text

METHODS = ("linear", "slerp", "task_arithmetic", "ties")
FIELDS = ("method", "models", "base", "weights", "t", "density", "scale", "name")
RECIPE_FILE = "merge_recipe.json"  # written into every merged model folder
LIST_FIELDS = ("models", "weights")
# "+" in names (read as a space), since `zoo bench -m` splits its value at commas; commas work elsewhere
LIST_SEPARATOR = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class MergeRecipe:
    """``models`` are encoder names, aliases or folders; ``base`` is needed by task_arithmetic and ties.

    ``weights``: one per model (linear: the coefficients, default uniform; task_arithmetic: each task
    vector's scale, default 1; ties: relative weights, default 1). ``t``: SLERP's position from the first
    model (0) to the second (1). ``density``: the share of each task vector TIES keeps. ``scale``: TIES's
    lambda.
    """

    method: str
    models: tuple[str, ...]
    base: str | None = None
    weights: tuple[float, ...] | None = None
    t: float = 0.5
    density: float = 0.2
    scale: float = 1.0
    name: str | None = None

    def resolved_weights(self) -> tuple[float, ...]:
        if self.weights is not None:
            return self.weights
        if self.method == "linear":
            return tuple(1.0 / len(self.models) for _ in self.models)
        return tuple(1.0 for _ in self.models)

    def inputs(self) -> tuple[str, ...]:
        """Every checkpoint the merge reads: the base (if any) first."""
        return (self.base, *self.models) if self.base else self.models

    def label(self) -> str:
        return self.name or f"merge-{self.method}"

    def as_dict(self) -> dict[str, Any]:
        """The recipe as written to a merged model's folder (and hashed into its fingerprint)."""
        data = asdict(self)
        data["models"] = list(self.models)
        data["weights"] = list(self.resolved_weights())
        return data

    def validated(self) -> MergeRecipe:
        """This recipe, or a ZooError naming the first problem and how to fix it."""
        if self.method not in METHODS:
            raise ZooError(f"unknown merge method {self.method!r}: choose one of {', '.join(METHODS)}")
        if not self.models:
            raise ZooError("a merge recipe needs models: list the checkpoints to merge")
        if self.method == "slerp" and len(self.models) != 2:
            raise ZooError(f"slerp merges exactly 2 models, got {len(self.models)}: use linear for more")
        needs_base = self.method in ("task_arithmetic", "ties")
        if needs_base and not self.base:
            raise ZooError(f"{self.method} needs a base: the checkpoint the models were fine-tuned from")
        if not needs_base and self.base:
            raise ZooError(f"{self.method} takes no base; drop it, or use task_arithmetic or ties")
        if self.weights is not None and len(self.weights) != len(self.models):
            raise ZooError(f"{len(self.weights)} weights for {len(self.models)} models: give one per model")
        if not all(math.isfinite(w) for w in self.resolved_weights()):
            raise ZooError(f"merge weights must be finite numbers, got {list(self.resolved_weights())}")
        if not 0.0 <= self.t <= 1.0:
            raise ZooError(f"slerp t={self.t} must lie in [0, 1] (0: the first model, 1: the second)")
        if not 0.0 < self.density <= 1.0:
            raise ZooError(f"ties density={self.density} must lie in (0, 1]: the share of each task vector kept")
        return self


def recipe_from_dict(data: dict[str, Any], where: str, folder: Path | None = None) -> MergeRecipe:
    """A validated recipe from parsed JSON/TOML; relative model folders resolve against ``folder``."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ZooError(f"{where}: unknown recipe key {unknown[0]!r}; recipes take {', '.join(FIELDS)}")
    if "method" not in data or "models" not in data:
        raise ZooError(f'{where}: a recipe needs "method" and "models"')
    models = data["models"]
    if isinstance(models, str) or not isinstance(models, list):
        raise ZooError(f'{where}: "models" must be a list of encoder names or folders')
    values = dict(data)
    values["models"] = tuple(_located(str(m), folder) for m in models)
    if data.get("base"):
        values["base"] = _located(str(data["base"]), folder)
    if data.get("weights") is not None:
        values["weights"] = tuple(_number(where, "weights", w) for w in data["weights"])
    for key in ("t", "density", "scale"):
        if key in data:
            values[key] = _number(where, key, data[key])
    return MergeRecipe(**values).validated()


def _number(where: str, key: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ZooError(f"{where}: {key} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ZooError(f"{where}: {key} must be a number, got {value!r}") from None


def _located(model: str, folder: Path | None) -> str:
    """A model named relative to the recipe file, where that folder exists; otherwise the name as given."""
    if folder is not None and model.startswith("."):
        candidate = (folder / model).resolve()
        if candidate.is_dir():
            return str(candidate)
    return model


def read_recipe(path: Path | str) -> MergeRecipe:
    """A recipe file: ``.json``, or ``.toml`` with the same keys at the top level."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ZooError(f"no merge recipe file {path}: write one (see docs/merging.md)")
    text = read_text(path)
    try:
        if path.suffix == ".toml":
            import tomllib

            data = tomllib.loads(text)
            check_value(data, str(path))
        else:
            data = loads(text, str(path), fix="write the recipe as a JSON object", whole_file=True)
    except ZooError:
        raise
    except (ValueError, RecursionError) as exc:  # tomllib's errors, or its recursion on deep nesting
        raise ZooError(f"{path}: not a valid TOML recipe ({type(exc).__name__}: {exc})") from None
    if not isinstance(data, dict):
        raise ZooError(f"{path}: a recipe is an object with method and models")
    recipe = recipe_from_dict(data, str(path), path.parent)
    return recipe if recipe.name else replace(recipe, name=path.stem)


def recipe_from_name(text: str) -> MergeRecipe:
    """``<method>?models=a+b&weights=..&t=..`` (the part after ``merge:``) or a recipe file path."""
    head, _, query = text.partition("?")
    if not query and (head.endswith((".json", ".toml")) or Path(head).expanduser().is_file()):
        return read_recipe(head)
    data: dict[str, Any] = {"method": head}
    for key, value in parse_qsl(query, keep_blank_values=True):  # "+" arrives as a space
        if key in LIST_FIELDS:
            data.setdefault(key, []).extend(part for part in LIST_SEPARATOR.split(value) if part)
        else:
            data[key] = value
    return recipe_from_dict(data, f"merge:{text}")
