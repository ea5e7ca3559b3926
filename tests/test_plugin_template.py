"""`zoo plugin new`: the generated package installs, registers through its entry point and passes its own
tests (as datasette tests its plugin template)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from zoo.cli.main import build_cli

ROOT = Path(__file__).parent.parent


def test_new_writes_a_package(tmp_path: Path):
    result = CliRunner().invoke(build_cli(), ["plugin", "new", "my-encoders", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "zoo-my-encoders"
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == [
        "README.md",
        "pyproject.toml",
        "tests/test_zoo_my_encoders.py",
        "zoo_my_encoders/__init__.py",
    ]
    assert 'my-encoders = "zoo_my_encoders"' in (folder / "pyproject.toml").read_text()
    compile((folder / "zoo_my_encoders" / "__init__.py").read_text(), "__init__.py", "exec")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("My_Plugin", "lower-case letters"),
        ("two--hyphens", "lower-case letters"),
        ("taken", "already exists"),
    ],
)
def test_bad_names_are_one_line_errors(tmp_path: Path, name: str, message: str):
    (tmp_path / "zoo-taken").mkdir()
    result = CliRunner().invoke(build_cli(), ["plugin", "new", name, "--dir", str(tmp_path)])
    assert result.exit_code == 2 and message in result.output


@pytest.mark.slow  # builds a wheel and runs a second pytest
def test_the_generated_plugin_installs_and_passes_its_tests(tmp_path: Path):
    CliRunner().invoke(build_cli(), ["plugin", "new", "template-check", "--dir", str(tmp_path)])
    site = tmp_path / "site"  # installed here, never into the running environment
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(site),
            str(tmp_path / "zoo-template-check"),
        ],
        check=True,
        capture_output=True,
    )
    assert (site / "zoo_template_check-0.1.0.dist-info" / "entry_points.txt").is_file()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path / "zoo-template-check",
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout
    listed = subprocess.run(
        [sys.executable, "-c", "from zoo.cli.main import main; main()", "list", "encoders"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert any(
        line.startswith("template-check-letters") and "zoo-template-check 0.1.0" in line for line in listed.splitlines()
    )
