"""zoo-example: a character n-gram hashing encoder and a Python help-topics retrieval task.

This module is what the "zoo" entry point names; ``zoo list`` imports it, so it imports only ``zoo``
here. numpy, the harness and the task data load inside the ``load`` callables, when a run needs them.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from zoo import EncoderSpec, Task, TaskSpec, hookimpl

DEFAULT_DIM = 512
OPEN_NAME = re.compile(r"char-ngram-hash-(\d+)")  # any dim: char-ngram-hash-1024


def encoder_spec(dim: int, *, name: str | None = None) -> EncoderSpec:
    """The spec of a char n-gram hashing encoder with ``dim`` buckets."""
    name = name or f"char-ngram-hash-{dim}"

    def load() -> Any:
        from zoo_example.encoder import CharNgramEncoder

        return CharNgramEncoder(dim, name=name)

    return EncoderSpec(
        name=name,
        load=load,
        family="char-ngram-hash",
        modalities=("text",),
        dim=dim,
        license="Apache-2.0 (code only: no weights)",
        description=f"fastText-style char 3-5-grams in {dim} signed buckets; typo-robust, no weights",
    )


def _pydoc_topics_task(spec: TaskSpec) -> Task:
    from harness.api import RetrievalTask
    from zoo_example.topics import build_pydoc_topics

    return RetrievalTask(spec, build_pydoc_topics)


PYDOC_TOPICS = TaskSpec(
    name="pydoc-topics",
    type="retrieval",
    load=lambda: _pydoc_topics_task(PYDOC_TOPICS),
    main_metric="ndcg_at_10",
    version="1",
    modalities=("text",),
    uses_search=True,
    aliases=("python-help-topics",),
    description="Python's help() topics: find a topic's text from its title (known-item retrieval)",
    source="pydoc_data.topics in the running Python's standard library (the text behind help('if'))",
    license="PSF-2.0 (Python documentation)",
    citation="Python Software Foundation, The Python Language Reference, https://docs.python.org/3/reference/",
)


@hookimpl
def register_encoders(register: Callable[..., None]) -> None:
    register(encoder_spec(DEFAULT_DIM))


@hookimpl
def register_tasks(register: Callable[..., None]) -> None:
    register(PYDOC_TOPICS)


@hookimpl
def resolve_encoder(name: str) -> EncoderSpec | None:
    match = OPEN_NAME.fullmatch(name)
    return encoder_spec(int(match[1])) if match and int(match[1]) > 0 else None


@hookimpl
def register_commands(cli: Any) -> None:
    from zoo_example.commands import char_similarity

    cli.add_command(char_similarity)
