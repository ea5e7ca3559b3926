"""The plugin that docs/plugins.md builds, assembled from its code blocks alone, passes the guide's own
tests and the post-processor conformance check: the guide stays true to the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
GUIDE = ROOT / "docs" / "plugins.md"


@pytest.mark.slow  # a second pytest, and a zoo bench inside it
def test_the_guides_plugin_works_as_written(tmp_path: Path):
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.S)
    *module, tests = blocks  # the module and the snippets that extend it, then its tests
    site = tmp_path / "site"
    dist = site / "zoo_mine-0.1.0.dist-info"  # installed as pip would, without pip
    dist.mkdir(parents=True)
    (site / "zoo_mine.py").write_text("\n\n".join(module))
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: zoo-mine\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[zoo]\nmine = zoo_mine\n")
    (tmp_path / "test_mine.py").write_text(
        tests
        + (
            "\n\ndef test_centering_keeps_the_postprocessor_rules():\n"
            "    from zoo.testing import check_postprocessor\n\n"
            "    check_postprocessor(zoo_mine.Centering)\n"
        )
    )
    bin_dir = Path(sys.executable).parent  # the guide's test runs `zoo`: this interpreter's
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]),
        "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mine.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "6 passed" in done.stdout
