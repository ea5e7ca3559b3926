"""The files of a new plugin package, as ``zoo plugin new`` writes them (``{name}``: the plugin's name,
``{module}``: its import name, ``{version}``: the zoo's plugin API version)."""

from __future__ import annotations

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "zoo-{name}"
version = "0.1.0"
description = "An embedding-zoo plugin: {name}"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["embedding-zoo", "numpy"]

[project.optional-dependencies]
test = ["pytest>=8"]

# the zoo finds the plugin through this entry point: plugin name = module holding the @hookimpl functions
[project.entry-points.zoo]
{name} = "{module}"

[tool.setuptools]
packages = ["{module}"]
"""

README = """\
# zoo-{name}

An [embedding-zoo](https://github.com/) plugin, written against the zoo's plugin API {version}
(`zoo.api`, `harness.api`). It registers one encoder, `{name}-letters`: letter frequencies, L2-normalised.

```bash
pip install -e ".[test]"
zoo list encoders             # {name}-letters, plugin "{name}"
zoo bench -m {name}-letters -t lee-sts
python -m pytest -q
```

Replace the encoder with your own: `BaseEncoder` checks inputs and roles, answers an empty input, loads the
model once and hashes the fingerprint; you write `encode_items`, `fingerprint_parts` and `dim`.
"""

INIT = '''\
"""zoo-{name}: an embedding-zoo plugin. Importing it stays cheap: numpy and models load inside functions."""

from __future__ import annotations

from typing import Any, Callable

from zoo.api import API_VERSION, BaseEncoder, EncoderSpec, hookimpl

LETTERS = "abcdefghijklmnopqrstuvwxyz"
VERSION = 1  # bump when the vectors change: it is part of the fingerprint

assert API_VERSION.split(".")[0] == "{major}", "zoo-{name} is written against the zoo's plugin API {version}"


class LettersEncoder(BaseEncoder):
    """How often each letter a-z occurs in a text, L2-normalised; a text without letters gives zeros."""

    name = "{name}-letters"
    n_parameters = 0  # nothing learned

    @property
    def dim(self) -> int:
        return len(LETTERS)

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return ("{name}-letters", VERSION, LETTERS)

    def encode_items(self, items: list[str], role: str, instruction: str | None) -> Any:
        import numpy as np

        counts = np.array([[text.lower().count(letter) for letter in LETTERS] for text in items], dtype=np.float32)
        norms = np.linalg.norm(counts, axis=1, keepdims=True)
        return counts / np.where(norms > 0, norms, 1.0)


@hookimpl
def register_encoders(register: Callable[..., None]) -> None:
    register(EncoderSpec(name="{name}-letters", load=LettersEncoder, family="letters", dim=len(LETTERS),
                         license="Apache-2.0", description="letter frequencies (a template to replace)"))
'''

TESTS = '''\
"""zoo-{name}'s tests: the zoo's conformance checks, and the installed plugin as the zoo sees it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from zoo.api import find_encoder
from zoo.testing import check_encoder

from {module} import LettersEncoder


def test_encoder_keeps_the_encoder_contract() -> None:
    check_encoder(LettersEncoder())


def test_vectors_are_letter_frequencies() -> None:
    vectors = LettersEncoder().encode(["aab", "123"])
    np.testing.assert_allclose(vectors[0, :2], np.array([2, 1]) / np.sqrt(5), rtol=1e-6)
    assert not vectors[1].any()


def test_the_installed_plugin_registers_its_encoder() -> None:
    spec = find_encoder("{name}-letters")
    assert spec.load().encode(["zoo"]).shape == (1, 26)


def test_importing_the_plugin_is_cheap() -> None:
    code = "import sys, {module}; print(sorted({{'numpy', 'torch'}} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
'''

FILES = {
    "pyproject.toml": PYPROJECT,
    "README.md": README,
    "{module}/__init__.py": INIT,
    "tests/test_{module}.py": TESTS,
}
