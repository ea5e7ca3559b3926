"""The layers point one way: zoo <- harness <- commands. zoo never imports harness, not even inside a function."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every absolute module an ``import`` or ``from ... import`` in the file names, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def is_under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


ZOO_MODULES = sorted((ROOT / "zoo").rglob("*.py"))


@pytest.mark.parametrize("path", ZOO_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_zoo_never_imports_harness(path: Path):
    upward = [f"line {line}: {module}" for line, module in imported_modules(path) if is_under(module, "harness")]
    assert not upward, f"{path.relative_to(ROOT)} imports the harness (the layer above it): {upward}"


def test_the_check_sees_imports_inside_functions(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from harness.runner import BenchmarkRun\n    import harness.results\n")
    assert [m for _, m in imported_modules(module)] == ["harness.runner", "harness.results"]


def test_zoo_cli_holds_only_zoo_commands():
    """The commands that drive the harness live in harness/commands and register through its plugin."""
    assert {p.stem for p in (ROOT / "zoo" / "cli").glob("*.py")} == {
        "__init__",
        "main",
        "listing",
        "cache",
        "table",
        "plugin",
        "plugin_template",
    }


PUBLIC = {"zoo", "zoo.api", "harness.api"}  # all a first-party plugin's own code may import of the core
PLUGIN_MODULES = sorted(ROOT.glob("plugins/*/zoo_*/**/*.py"))


@pytest.mark.parametrize("path", PLUGIN_MODULES, ids=lambda p: str(p.relative_to(ROOT / "plugins")))
def test_first_party_plugins_use_only_the_public_api(path: Path):
    internal = [
        f"line {line}: {module}"
        for line, module in imported_modules(path)
        if (is_under(module, "zoo") or is_under(module, "harness")) and module not in PUBLIC
    ]
    assert not internal, f"{path.relative_to(ROOT)} imports internals; use zoo.api or harness.api: {internal}"


@pytest.mark.parametrize("module", ["zoo.api", "harness.api"])
def test_every_public_name_resolves(module: str):
    import importlib

    api = importlib.import_module(module)
    assert api.API_VERSION == "1.0"
    for name in api.__all__:
        assert getattr(api, name) is not None, f"{module}.{name}"
    assert set(dir(api)) >= set(api.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        api.nothing_here  # noqa: B018


@pytest.mark.parametrize("module", ["zoo.api", "harness.api"])
def test_importing_the_public_api_stays_light(module: str):
    """Each name is imported on first use: a plugin that imports the API at its top makes `zoo list` no slower."""
    code = f"import sys, {module}; print(sorted(m for m in ('numpy', 'torch', 'sklearn') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
