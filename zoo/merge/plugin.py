"""Merging as a default plugin: ``merge:<recipe file>`` and ``merge:<method>?models=...`` encoder names,
and the ``zoo merge`` command. Nothing heavy is imported until a merged model is used."""

from __future__ import annotations

from typing import Any

from zoo import hookimpl
from zoo.protocols import Encoder, EncoderSpec

PREFIX = "merge:"


def merge_spec(name: str) -> EncoderSpec:
    """A spec whose ``load`` reads and checks the recipe, then gives the merged encoder (built lazily)."""

    def load() -> Encoder:
        from zoo.merge.encoder import MergedEncoder
        from zoo.merge.recipe import recipe_from_name

        return MergedEncoder(recipe_from_name(name.removeprefix(PREFIX)), name=name)

    return EncoderSpec(name=name, load=load, family="merge", description=f"weight-space merge {name}")


@hookimpl
def resolve_encoder(name: str) -> EncoderSpec | None:
    return merge_spec(name) if name.startswith(PREFIX) and len(name) > len(PREFIX) else None


@hookimpl
def register_commands(cli: Any) -> None:
    from zoo.merge.cli import merge

    cli.add_command(merge)
