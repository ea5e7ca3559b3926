"""Provenance: every result names the plugin, distribution, version and code of each part it used."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from harness.environment import code_fingerprint
from zoo.cli.main import build_cli
from zoo.provenance import package_code
from zoo.registry import Registry

FAKE_ENCODER = """
    from zoo import EncoderSpec, hookimpl
    from zoo.encoders.hashing import HashingEncoder

    @hookimpl
    def register_encoders(register):
        register(EncoderSpec(name="shared-name", load=lambda: HashingEncoder({dim}, name="shared-name"), dim={dim}))
"""


def bench(tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "results"
    result = CliRunner().invoke(
        build_cli(),
        ["bench", *args, "-t", "lee-sts", "--out", str(out), "--no-progress", "--no-chance", "--no-leaderboard"],
    )
    assert result.exit_code == 0, result.output
    return [json.loads(path.read_text()) for path in sorted(out.glob("*.json"))]


def test_a_result_names_the_distribution_and_code_of_each_part(fake_distribution, tmp_path: Path):
    fake_distribution("zoo_fake_provenance", FAKE_ENCODER.format(dim=16))
    (result,) = bench(tmp_path, "-m", "shared-name")
    encoder, task = result["plugins"]["encoder"], result["plugins"]["task"]
    assert encoder == {
        "name": "shared-name",
        "plugin": "zoo_fake_provenance",
        "distribution": "zoo_fake_provenance",
        "version": "1.0",
        "code": package_code("zoo_fake_provenance"),
    }
    assert (task["plugin"], task["distribution"]) == ("harness", "embedding-zoo")
    # the plugin's code is part of the code fingerprint; the built-ins' alone make the usual one
    assert result["code_fingerprint"] not in ("", code_fingerprint())


def test_builtin_parts_keep_the_code_fingerprint(tmp_path: Path):
    (result,) = bench(tmp_path, "-m", "hashing-bow-256")
    assert result["code_fingerprint"] == code_fingerprint()
    assert result["plugins"]["encoder"]["plugin"] == "zoo.encoders.builtin"


def test_a_clash_is_resolved_by_distribution_name_and_the_result_names_the_winner(fake_distribution, tmp_path, capsys):
    fake_distribution("zoo_fake_b", FAKE_ENCODER.format(dim=8))
    fake_distribution("zoo_fake_a", FAKE_ENCODER.format(dim=16))
    registry = Registry.from_plugins()
    assert registry.encoders.owners["shared-name"] == "zoo_fake_a"  # sorted by distribution: a before b
    (result,) = bench(tmp_path, "-m", "shared-name")
    assert result["plugins"]["encoder"]["distribution"] == "zoo_fake_a" and result["dim"] == 16
    assert "'shared-name' from plugin 'zoo_fake_b' clashes" in capsys.readouterr().err


def test_zoo_list_names_the_distribution_of_each_name(fake_distribution):
    fake_distribution("zoo_fake_listed", FAKE_ENCODER.format(dim=16))
    output = CliRunner().invoke(build_cli(), ["list", "encoders"]).output
    row = next(line for line in output.splitlines() if line.startswith("shared-name"))
    assert "zoo_fake_listed 1.0" in row
    assert "distribution" in output.splitlines()[1]


def test_a_plugin_slow_to_import_is_named_with_how_to_skip_it(fake_distribution, capsys):
    fake_distribution("zoo_fake_quick", FAKE_ENCODER.format(dim=16))
    fake_distribution("zoo_fake_sleepy", "import time\ntime.sleep(0.4)  # as a top-level `import torch` does\n")
    Registry.from_plugins()
    err = capsys.readouterr().err
    assert "plugin 'zoo_fake_sleepy'" in err and "to import" in err
    line = next(line for line in err.splitlines() if "zoo_fake_sleepy" in line)
    assert "ZOO_LOAD_PLUGINS=" in line and "zoo_fake_quick" in line.split("ZOO_LOAD_PLUGINS=")[1]
    assert "zoo_fake_quick'" not in err.replace(line, "")  # the quick one is not named
