"""Public modules whose names are imported on first use (PEP 562), so importing the module stays cheap."""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping


def lazy_exports(module: str, table: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``module``, taking each name in ``table`` from the module it maps to."""

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(table[name]), name)
        globals_of_module = importlib.import_module(module).__dict__
        globals_of_module[name] = value  # found once, then an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*table, *importlib.import_module(module).__dict__})

    return __getattr__, __dir__
