"""The plugin as users meet it: installed by entry point, listed by `zoo list`, run by `zoo bench`.

Runs with random-weight models write only to temporary folders: such scores are never published.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner, Result

from zoo.registry import Registry


def zoo(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `zoo` command in a scratch folder (bench writes results/ under it)."""
    script = Path(sys.executable).with_name("zoo")
    command = str(script) if script.exists() else shutil.which("zoo")
    assert command, "the `zoo` command is not installed: pip install -e . in the embedding-zoo checkout"
    with tempfile.TemporaryDirectory() as scratch:
        return subprocess.run(
            [command, *args],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=300,
            cwd=scratch,
            check=False,
        )


def test_entry_point_registers_encoders_and_tasks() -> None:
    registry = Registry.from_plugins()
    assert registry.encoders.owners["clip-vit-base-patch32"] == "vision"
    assert registry.tasks.owners["digits"] == registry.tasks.owners["mmeb-imagenet-1k"] == "vision"
    assert registry.encoder("clip:openai/clip-vit-base-patch32").name == "clip-vit-base-patch32"  # alias
    assert registry.task("sklearn-digits").name == "digits"


def test_importing_the_plugin_is_cheap() -> None:
    code = (
        "import sys, zoo_vision; print(sorted({'numpy', 'torch', 'transformers', 'PIL', 'harness'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_zoo_list_shows_encoders_and_tasks() -> None:
    result = zoo("list")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    assert {"vision", "image/text", "512"} <= set(rows["clip-vit-base-patch32"])
    assert {"vision", "zero-shot-classification", "top1_accuracy"} <= set(rows["digits"])
    assert "image-text-retrieval" in rows["skimage-captions"] and "mmeb-vqa" in rows["mmeb-ok-vqa"]


def test_digits_without_a_loadable_encoder_says_what_to_pass(tmp_path: Path) -> None:
    result = zoo("bench", "--task", "digits", "--out", str(tmp_path / "out"), "--no-leaderboard", "--no-progress")
    assert result.returncode == 2
    [line] = [line for line in result.stderr.splitlines() if line.startswith("zoo: error")]
    assert "needs an encoder of image+text" in line and "--model clip-vit-base-patch32" in line
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.json"))


def bench_in_process(*args: str) -> Result:
    """`zoo bench` in this process: torch and transformers are imported once for the whole session."""
    from zoo.cli import main

    main.registry.cache_clear()
    main.plugin_manager.cache_clear()
    return CliRunner().invoke(main.build_cli(), ["bench", *args, "--no-leaderboard", "--no-progress"])


def test_zoo_bench_digits_with_a_local_model_folder(tiny_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"  # random weights: a temporary folder, never the leaderboard
    result = bench_in_process("-m", f"clip:{tiny_clip}", "-t", "digits", "--out", str(out))
    assert result.exit_code == 0, result.output
    [path] = out.glob("*.json")
    saved = json.loads(path.read_text())
    assert (saved["task"], saved["main_metric"], saved["dim"]) == ("digits", "top1_accuracy", 8)
    assert set(saved["scores"]) == {"top1_accuracy", "top5_accuracy", "mean_per_class_accuracy"}
    assert saved["items_encoded"] == 1797 + 10  # every image and one prompt per class
    again = bench_in_process("-m", f"clip:{tiny_clip}", "-t", "digits", "--out", str(tmp_path / "again"))
    assert again.exit_code == 0, again.output
    [path] = (tmp_path / "again").glob("*.json")
    cached = json.loads(path.read_text())
    # images travel as bytes, so the embedding cache keeps them: the second run encodes nothing
    assert (cached["items_encoded"], cached["items_cached"]) == (0, 1807)
    assert cached["main_score"] == saved["main_score"]


def test_zoo_bench_skimage_captions_on_two_backends(tiny_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = bench_in_process(
        "-m", f"clip:{tiny_clip}", "-t", "skimage-captions", "-b", "exact,hnsw", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    saved = {json.loads(p.read_text())["backend"]: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert set(saved) == {"exact", "hnsw"}
    assert saved["hnsw"]["vs_exact"]["recall_at_10"] == 1.0  # 17 items: the graph search is exhaustive
    assert saved["exact"]["n_queries"] == 34
