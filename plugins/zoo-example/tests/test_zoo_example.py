"""zoo-example, tested as its users meet it: the encoder contract, the task data, and the `zoo` CLI."""

from __future__ import annotations

import json
import os
import random
import shutil
import string
import subprocess
import tempfile
import sys
import time
from pathlib import Path

import pytest

from zoo.errors import ZooError
from zoo.registry import Registry
from zoo.testing import check_encoder
from zoo_example import PYDOC_TOPICS
from zoo_example.encoder import CharNgramEncoder, char_ngrams
from zoo_example.topics import build_pydoc_topics, split_title, topics_data

ENCODER = "char-ngram-hash-512"
TASK = "pydoc-topics"


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test builds task data in its own folder, never in the user's cache."""
    home = tmp_path / "data-home"
    monkeypatch.setenv("ZOO_DATA_HOME", str(home))
    return home


def zoo(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `zoo` command as a user would."""
    script = Path(sys.executable).with_name("zoo")
    command = str(script) if script.exists() else shutil.which("zoo")
    assert command, "the `zoo` command is not installed: pip install -e . in the embedding-zoo checkout"
    # in a scratch folder: `zoo bench` writes results/ (and its index.html) under the working folder
    with tempfile.TemporaryDirectory() as scratch:
        return subprocess.run(
            [command, *args], capture_output=True, text=True, env=dict(os.environ), timeout=300, cwd=scratch
        )


# --- encoder ---------------------------------------------------------------------------------------


VARIANTS = [CharNgramEncoder(), CharNgramEncoder(64, min_n=2, max_n=4, sublinear_tf=False)]


@pytest.mark.parametrize("encoder", VARIANTS)
def test_encoder_meets_the_contract(encoder: CharNgramEncoder) -> None:
    check_encoder(encoder)


def test_misspelt_words_stay_close() -> None:
    right, typo, other = CharNgramEncoder().encode(["retrieval", "retreival", "elephant"])
    assert right @ typo > 0.3 > right @ other
    query, match, unrelated = CharNgramEncoder().encode(
        ["exeption handlign in pyhton", "exception handling in python", "the zebra ate some grass"]
    )
    assert query @ match > 0.5 > query @ unrelated


def test_ngrams_have_word_boundaries() -> None:
    assert char_ngrams("cat", 3, 4) == ["<ca", "cat", "at>", "<cat", "cat>"]
    assert char_ngrams("a", 4, 5) == ["<a>"]


def test_fingerprint_covers_every_parameter() -> None:
    variants = [
        CharNgramEncoder(),
        CharNgramEncoder(256),
        CharNgramEncoder(min_n=2),
        CharNgramEncoder(max_n=6),
        CharNgramEncoder(sublinear_tf=False),
    ]
    assert len({e.fingerprint() for e in variants}) == len(variants)
    assert CharNgramEncoder(name="other").fingerprint() == CharNgramEncoder().fingerprint()


def test_bad_input_raises_one_clear_error() -> None:
    encoder = CharNgramEncoder()
    with pytest.raises(ZooError, match="list of strings"):
        encoder.encode("not a list")
    with pytest.raises(ZooError, match="input 1 is a int"):
        encoder.encode(["fine", 3])
    with pytest.raises(ZooError, match="unknown role"):
        encoder.encode(["fine"], role="passage")
    with pytest.raises(ZooError, match="min_n"):
        CharNgramEncoder(min_n=4, max_n=3)


def test_ten_thousand_short_texts_in_seconds() -> None:
    rng = random.Random(0)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 10))) for _ in range(5000)]
    texts = [" ".join(rng.choices(words, k=12)) for _ in range(10_000)]
    started = time.perf_counter()
    vectors = CharNgramEncoder().encode(texts)
    assert vectors.shape == (10_000, 512)
    assert time.perf_counter() - started < 10  # about 1 s on a laptop; the bound only catches regressions


# --- task data -------------------------------------------------------------------------------------


def test_title_is_split_from_body() -> None:
    assert split_title('The "pass" statement\n**********************\n\n   pass_stmt ::= "pass"\n') == (
        'The "pass" statement',
        'pass_stmt ::= "pass"',
    )
    assert split_title("No underline here\nJust text\nand more") is None
    assert split_title("Title only\n**********\n\n") is None


def test_untitled_and_repeated_topics_are_dropped() -> None:
    topics = {
        "if": "The if statement\n****\n\nBody.",
        "else": "The if statement\n****\n\nBody.",
        "raw": "no title",
        "with": "The with statement\n****\n\nOther body.",
    }
    data = topics_data(topics)
    assert data.corpus == {"else": "Body.", "with": "Other body."}
    assert data.queries == {"q-else": "The if statement", "q-with": "The with statement"}
    assert data.qrels == {"q-else": {"else": 1}, "q-with": {"with": 1}}


def test_task_builds_deterministically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fingerprints = []
    for home in ("first", "second"):
        monkeypatch.setenv("ZOO_DATA_HOME", str(tmp_path / home))
        task = PYDOC_TOPICS.load()
        assert task.folder.is_relative_to(tmp_path / home)
        fingerprints.append(task.data_fingerprint())
    assert fingerprints[0] == fingerprints[1]
    data = task.data
    assert len(data.queries) == len(data.corpus) > 50
    assert data.queries["q-assert"] == 'The "assert" statement'
    assert not data.corpus["assert"].startswith(("The", "*"))


def test_second_load_reuses_the_built_folder() -> None:
    folder = build_pydoc_topics()
    stamp = (folder / "corpus.jsonl").stat().st_mtime_ns
    assert build_pydoc_topics() == folder and (folder / "corpus.jsonl").stat().st_mtime_ns == stamp


# --- through the plugin system and the CLI ---------------------------------------------------------


def test_entry_point_registers_encoder_and_task() -> None:
    registry = Registry.from_plugins()
    assert registry.encoders.owners[ENCODER] == "example"
    assert registry.tasks.owners[TASK] == "example"
    assert registry.task("python-help-topics").name == TASK
    assert registry.encoder("char-ngram-hash-64").load().dim == 64  # opened by resolve_encoder


def test_importing_the_plugin_is_cheap() -> None:
    code = "import sys, zoo_example; print(sorted({'numpy', 'harness', 'torch'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_zoo_list_shows_the_encoder_and_its_plugin() -> None:
    result = zoo("list", "encoders")
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith(ENCODER))
    assert "example" in row.split() and "512" in row.split()


def test_zoo_bench_runs_the_task(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = zoo("bench", "--model", ENCODER, "--task", TASK, "--out", str(out), "--no-progress")
    assert result.returncode == 0, result.stderr
    [path] = out.glob("*.json")
    saved = json.loads(path.read_text())
    assert (saved["encoder"], saved["task"], saved["main_metric"]) == (ENCODER, TASK, "ndcg_at_10")
    assert saved["main_score"] > 0.3
    assert f"{saved['main_score']:.4f}" in result.stdout


def test_zoo_char_sim_command() -> None:
    result = zoo("char-sim", "receive", "recieve", "banana")
    assert result.returncode == 0, result.stderr
    scores = {line.split()[1]: float(line.split()[0]) for line in result.stdout.splitlines()}
    assert scores["recieve"] > scores["banana"]


def test_task_passes_the_conformance_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.backends.exact import ExactBackend
    from zoo.testing import check_task

    monkeypatch.setenv("ZOO_DATA_HOME", str(tmp_path))
    check_task(PYDOC_TOPICS.load(), CharNgramEncoder(64), ExactBackend)
