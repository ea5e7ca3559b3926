"""Make a merged model: resolve the recipe's checkpoints, merge their weights, save a sentence-transformers
folder holding the recipe and a fingerprint derived from the inputs' fingerprints and the recipe.

The folder takes its config, tokenizer and modules from the first input (the base, where there is one).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoo.errors import ZooError
from zoo.fingerprint import fingerprint
from zoo.merge import methods
from zoo.merge.recipe import RECIPE_FILE, MergeRecipe

MERGE_VERSION = "1"  # bump when the same recipe and inputs would give other weights
ENV_VAR = "ZOO_MERGE_HOME"


def merge_home() -> Path:
    """``$ZOO_MERGE_HOME`` if set, else ``~/.cache/embedding-zoo/merges``: where ``merge:`` models are built."""
    configured = os.environ.get(ENV_VAR)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "embedding-zoo" / "merges"


@dataclass(frozen=True)
class MergeInput:
    """One checkpoint of a recipe: the name it was given, where sentence-transformers loads it from,
    and its encoder fingerprint."""

    name: str
    source: str
    fingerprint: str


def resolve_input(name: str, registry: Any = None) -> MergeInput:
    """A recipe's model name as a sentence-transformers checkpoint (a registered name, hub id or folder)."""
    from zoo.encoders.sentence_transformers import SentenceTransformerEncoder
    from zoo.registry import Registry

    registry = registry or Registry.from_plugins()
    encoder = registry.encoder(name).load()
    if not isinstance(encoder, SentenceTransformerEncoder):
        raise ZooError(
            f"cannot merge {name!r}: it is a {type(encoder).__name__}, and merging needs "
            "sentence-transformers checkpoints (a registered one, st:<repo> or a model folder)"
        )
    source = encoder.local_folder or encoder.model_name_or_path
    return MergeInput(name, str(source), encoder.fingerprint())


def merge_fingerprint(recipe: MergeRecipe, inputs: list[MergeInput]) -> str:
    """Identity of a merge: the method's version, the recipe's coefficients, and what each input holds."""
    coefficients = {k: v for k, v in recipe.as_dict().items() if k not in ("models", "base", "name")}
    return fingerprint("merge", MERGE_VERSION, coefficients, [item.fingerprint for item in inputs])


def merged_state(recipe: MergeRecipe, states: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    """Apply the recipe's method to loaded state dicts (the base first, where the method has one)."""
    methods.check_same_architecture(states, names)
    weights = recipe.resolved_weights()
    if recipe.method == "linear":
        return methods.linear(states, weights)
    if recipe.method == "slerp":
        return methods.slerp(states[0], states[1], recipe.t)
    if recipe.method == "task_arithmetic":
        return methods.task_arithmetic(states[0], states[1:], weights)
    return methods.ties(states[0], states[1:], weights, recipe.density, recipe.scale)


def build_merge(recipe: MergeRecipe, out: Path | str, registry: Any = None) -> Path:
    """Merge the recipe's inputs into the sentence-transformers folder ``out``; returns ``out``."""
    from sentence_transformers import SentenceTransformer

    inputs = [resolve_input(name, registry) for name in recipe.validated().inputs()]
    models = [SentenceTransformer(item.source, device="cpu") for item in inputs]
    states = [model.state_dict() for model in models]
    merged = merged_state(recipe, states, [item.name for item in inputs])
    target = models[0]
    target.load_state_dict(merged)
    out = Path(out)
    target.save(str(out))
    record = {
        "recipe": recipe.as_dict(),
        "merge_version": MERGE_VERSION,
        "inputs": [vars(item) for item in inputs],
        "fingerprint": merge_fingerprint(recipe, inputs),
    }
    (out / RECIPE_FILE).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return out


def read_merge_record(folder: Path | str) -> dict[str, Any] | None:
    """The recipe record of a merged model folder, or None for an ordinary one."""
    path = Path(folder) / RECIPE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
