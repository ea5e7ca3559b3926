"""zoo-dna as users meet it: registered through its entry point, cheap to import, run by `zoo bench`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from zoo.registry import Registry

from zoo_dna.catalogue import HUB_MODELS

OFFLINE_ENCODERS = ("tnf", "kmer-6", "kmer-mlp-16s")
TASK_NAMES = ("dna-16s-genus-clustering", "dna-16s-genus-fewshot", "dna-16s-read-alignment")


def zoo(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `zoo` command in a scratch folder, as a user would."""
    script = Path(sys.executable).with_name("zoo")
    command = str(script) if script.exists() else shutil.which("zoo")
    assert command, "the `zoo` command is not installed: pip install -e . in the embedding-zoo checkout"
    with tempfile.TemporaryDirectory() as scratch:
        return subprocess.run(
            [command, *args], capture_output=True, text=True, env=dict(os.environ), timeout=600, cwd=scratch
        )


def test_entry_point_registers_everything() -> None:
    registry = Registry.from_plugins()
    for name in (*OFFLINE_ENCODERS, *HUB_MODELS):
        assert registry.encoders.owners[name] == "dna"
        assert registry.encoder(name).modalities == ("dna",)
    for name in TASK_NAMES:
        assert registry.tasks.owners[name] == "dna" and registry.task(name).modalities == ("dna",)
    assert registry.encoder("kmer-4").name == "tnf" and registry.encoder("tnf").dim == 136
    assert registry.encoder("kmer-5").load().dim == 512  # opened by resolve_encoder
    assert registry.task("dna-alignment").name == "dna-16s-read-alignment"


def test_importing_the_plugin_is_cheap() -> None:
    code = (
        "import sys, zoo_dna; found = []; zoo_dna.register_encoders(found.append); "
        "zoo_dna.register_tasks(found.append); zoo_dna.resolve_encoder('kmer-5'); "
        "print(sorted({'numpy', 'harness', 'torch', 'transformers', 'sklearn'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_zoo_list_shows_the_tasks() -> None:
    result = zoo("list", "tasks")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert {row[0] for row in rows if "dna" in row} >= set(TASK_NAMES)


def test_remote_code_model_fails_with_one_line() -> None:
    result = zoo("bench", "--model", "dnabert-s", "--task", "dna-16s-genus-clustering", "--no-progress")
    assert result.returncode == 2
    assert "dnabert-s?trust_remote_code=true" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_zoo_bench_aligns_reads_with_exact_and_hnsw(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = zoo(
        "bench",
        "--model",
        "tnf",
        "--task",
        "dna-16s-read-alignment",
        "--backend",
        "exact,hnsw",
        "--out",
        str(out),
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    saved = {json.loads(p.read_text())["backend"]: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert set(saved) == {"exact", "hnsw"}
    assert saved["exact"]["main_metric"] == "top1" and 0.9 < saved["exact"]["main_score"] <= 1.0
    assert saved["hnsw"]["vs_exact"]["recall_at_10"] > 0.9
