"""Versioned JSON Schemas of the files the harness writes: ``result.v1.json`` describes a result file.

Every reader of result files (the leaderboard, ``zoo compare``, ``zoo mteb export``, ``ResultStore``)
checks a file against it before trusting it; the schema allows keys it does not list, so a newer
writer's optional keys never make an older reader skip a file. Documented in docs/results.md.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

RESULT_SCHEMA = "result.v1.json"


def schema_text(name: str = RESULT_SCHEMA) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@functools.cache
def _validator(name: str) -> Any:
    import jsonschema

    schema = json.loads(schema_text(name))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def result_problem(data: Any) -> str | None:
    """None where ``data`` is a valid result; else its first problem in words, e.g.
    ``main_score: '0.72' is not of type 'number'``."""
    error = next(iter(sorted(_validator(RESULT_SCHEMA).iter_errors(data), key=lambda e: list(e.path))), None)
    if error is None:
        return None
    where = ".".join(str(part) for part in error.path)
    message = error.message if len(error.message) <= 120 else error.message[:117] + "..."
    return f"{where}: {message}" if where else message
