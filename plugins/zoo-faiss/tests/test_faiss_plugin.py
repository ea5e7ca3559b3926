"""zoo-faiss as its users meet it: registration, a cheap import, hnsw?library=faiss, and `zoo bench`."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import zoo_faiss
from zoo.errors import ZooError
from zoo.plugins import get_plugin_manager
from zoo.registry import Registry

INSTALLED = any(ep.value == "zoo_faiss" for ep in importlib.metadata.entry_points(group="zoo"))
needs_install = pytest.mark.skipif(not INSTALLED, reason="zoo-faiss is not installed: pip install -e plugins/zoo-faiss")


def test_hooks_register_without_installing() -> None:
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(zoo_faiss, name="faiss")
    registry = Registry.from_plugins(pm)
    assert {name: registry.backends.owners[name] for name in ("ivf-flat", "ivf-pq", "hnsw-faiss")} == {
        "ivf-flat": "faiss",
        "ivf-pq": "faiss",
        "hnsw-faiss": "faiss",
    }


def test_import_stays_cheap() -> None:
    """`zoo list` imports every plugin: this one must not bring in faiss, numpy or the harness."""
    code = "import sys, zoo_faiss; print(sorted({'faiss', 'numpy', 'harness'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("factory", [zoo_faiss.ivf_flat, zoo_faiss.ivf_pq, zoo_faiss.hnsw_faiss])
def test_missing_faiss_is_one_clear_error(factory: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    monkeypatch.setitem(sys.modules, "faiss", None)  # as if faiss-cpu were not installed
    with pytest.raises(ZooError, match="backend: needs faiss .*; pip install faiss-cpu"):
        factory().build(np.eye(4, dtype=np.float32), ["a", "b", "c", "d"], "cosine")  # type: ignore[operator]


@needs_install
def test_hnsw_library_faiss_resolves_through_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("faiss")
    from zoo_faiss.hnsw import FaissHnswBackend

    monkeypatch.setenv("ZOO_LOAD_PLUGINS", "faiss")
    backend = Registry.from_plugins().backend("hnsw").factory(library="faiss", M=8, ef_search=32)
    assert isinstance(backend, FaissHnswBackend)
    assert backend.params()["library"] == "faiss" and backend.params()["M"] == 8


def test_hnsw_library_faiss_without_the_plugin_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOO_LOAD_PLUGINS", "")  # as a user without zoo-faiss sees it
    with pytest.raises(ZooError, match=r"'hnsw-faiss'.*pip install -e plugins/zoo-faiss"):
        Registry.from_plugins().backend("hnsw").factory(library="faiss")


@needs_install
@pytest.mark.slow
def test_zoo_bench_runs_every_faiss_backend(tmp_path: Path) -> None:
    pytest.importorskip("faiss")
    script = Path(sys.executable).with_name("zoo")
    command = str(script) if script.exists() else shutil.which("zoo")
    assert command, "the `zoo` command is not installed: pip install -e . in the embedding-zoo checkout"
    backends = [
        "-b",
        "ivf-flat?nlist=32&nprobe=4",
        "-b",
        "ivf-pq?m=16&nbits=4",
        "-b",
        "hnsw?library=faiss&ef_search=32",
    ]
    result = subprocess.run(
        [
            command,
            "bench",
            "-m",
            "hashing-bow-256",
            "-t",
            "icd10cm-small",
            *backends,
            "--out",
            str(tmp_path / "results"),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    runs = {r["backend"]: r for r in map(json.loads, map(Path.read_text, (tmp_path / "results").glob("*.json")))}
    # a result names its backend by the options that shape the build; search options go to its params
    flat, pq, graph = "ivf-flat?nlist=32", "ivf-pq?m=16&nbits=4", "hnsw?library=faiss"
    assert runs.keys() == {"exact", flat, pq, graph}  # exact joins to measure recall
    assert runs[flat]["backend_params"]["nprobe"] == 4
    assert runs[pq]["backend_params"]["code_bytes"] == 8
    assert runs[graph]["backend_params"]["library"] == "faiss"
    assert runs[graph]["backend_params"]["ef_search"] == 32
    assert all(0.5 < r["vs_exact"]["recall_at_10"] <= 1 for name, r in runs.items() if name != "exact")
