"""Meta-tests: every hook is documented in the plugin guide and exercised by a test (as datasette does)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from zoo import hookspecs

ROOT = Path(__file__).parent.parent
HOOKS = sorted(name for name, value in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(value, "zoo_spec"))


def test_there_are_hooks():
    assert {"register_encoders", "register_tasks", "resolve_encoder"} <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented(hook: str):
    guide = (ROOT / "docs" / "plugins.md").read_text()
    signature = inspect.signature(getattr(hookspecs, hook))
    assert f"### `{hook}({', '.join(signature.parameters)})`" in guide


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook: str):
    tests = [p.read_text() for p in (ROOT / "tests").glob("test_*.py") if p.name != "test_meta.py"]
    assert any(f"def {hook}(" in text for text in tests), f"no test plugin implements {hook}"
