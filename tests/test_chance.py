"""Chance levels (seeded random vectors, the majority class) and the guard against untrained weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness.chance import ChanceLevel, ChanceStore, RandomVectors, measure_chance
from harness.results import ResultStore
from harness.runner import BenchmarkRun
from harness.tasks.classification import ClassificationData, ClassificationTask
from tests.conftest import TINY_BEIR
from zoo.encoders.hashing import HashingEncoder
from zoo.encoders.untrained import freshly_initialised
from zoo.errors import ZooError
from zoo.protocols import EncoderSpec, TaskSpec
from zoo.registry import Registry

WORDS = [
    "apple",
    "pear",
    "plum",
    "fig",
    "sky",
    "cloud",
    "rain",
    "sun",
    "oak",
    "elm",
    "fir",
    "ash",
    "cod",
    "eel",
    "ray",
    "gar",
]


def balanced_task(k: int = 4, test_per_class: int = 150, main: str = "accuracy") -> ClassificationTask:
    """k classes of four words each; train and test texts are random word strings of their class."""
    rng = np.random.default_rng(0)

    def texts(n: int) -> tuple[list[str], list[int]]:
        labels = [i % k for i in range(n)]
        return [" ".join(rng.choice(WORDS[4 * c : 4 * c + 4], 3)) + f" {i}" for i, c in enumerate(labels)], labels

    train, test = texts(40 * k), texts(test_per_class * k)
    spec = TaskSpec(name="balanced", type="classification", load=lambda: None, main_metric=main)
    return ClassificationTask(spec, lambda: ClassificationData(*train, *test), n_experiments=3)


def test_random_vectors_score_the_analytic_chance_on_a_balanced_task() -> None:
    """Four equal classes, 600 test items: chance accuracy is 1/4 (binomial sd 0.018)."""
    task = balanced_task()
    random = task.evaluate(RandomVectors())
    assert random.main_score == pytest.approx(0.25, abs=0.05)
    level = measure_chance(task, None)
    assert level.score == pytest.approx(0.25, abs=0.05) and level.items is not None


def test_random_vectors_are_seeded_per_input_and_role() -> None:
    vectors = RandomVectors()
    a = vectors.encode(["x", "y", "x"], role="query")
    np.testing.assert_array_equal(a[0], a[2])
    assert not np.allclose(a[0], a[1])
    assert not np.allclose(a[0], vectors.encode(["x"], role="document")[0])
    np.testing.assert_array_equal(RandomVectors().encode(["x"], role="query"), a[:1])


def test_majority_class_is_the_baseline_where_classes_are_unequal() -> None:
    labels = [0] * 30 + [1] * 10
    data = ClassificationData([f"t{i}" for i in range(40)], labels, [f"e{i}" for i in range(40)], labels)
    task = ClassificationTask(
        TaskSpec(name="skewed", type="classification", load=lambda: None, main_metric="accuracy"),
        lambda: data,
        n_experiments=2,
    )
    level = measure_chance(task, None)
    assert level.baseline == "majority class" and level.score == pytest.approx(0.75)


def test_a_result_is_at_chance_unless_significantly_above_it() -> None:
    task = balanced_task()
    level = measure_chance(task, None)
    assert not level.against(task.evaluate(HashingEncoder(256)))["at_chance"]  # words tell the classes apart
    other_random = task.evaluate(RandomVectors(seed=1))
    verdict = level.against(other_random)
    assert verdict["at_chance"] and verdict["p_value"] >= 0.05


def test_chance_levels_are_kept_in_the_store_and_carried_by_results(tmp_path: Path) -> None:
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    results = BenchmarkRun(
        [registry.encoder("hashing-bow-256")],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact")],
        ResultStore(tmp_path),
        progress=False,
    ).run()
    chance = results[0].chance
    assert chance["baseline"].startswith("random vectors") and "at_chance" in chance
    kept = ChanceStore(tmp_path / "chance")
    level = kept.get(results[0].task, results[0].data_fingerprint)
    assert level is not None and level.score == chance["score"] and level.items is not None
    off = BenchmarkRun(
        [registry.encoder("hashing-bow-256")],
        [beir_folder_spec(TINY_BEIR)],
        [registry.backend("exact")],
        ResultStore(tmp_path / "off"),
        progress=False,
        chance=False,
    ).run()
    assert off[0].chance == {} and not (tmp_path / "off" / "chance").exists()


def test_a_damaged_chance_file_is_measured_again(tmp_path: Path) -> None:
    store = ChanceStore(tmp_path)
    store.put("t", "f" * 16, ChanceLevel(0.1, "random vectors"))
    assert store.get("t", "f" * 16).score == 0.1
    store.path("t", "f" * 16).write_text("{")
    assert store.get("t", "f" * 16) is None


# --- untrained weights --------------------------------------------------------------------------


def write_checkpoint(path: Path, norm_scale: np.ndarray) -> Path:
    from safetensors.numpy import save_file

    save_file(
        {
            "encoder.layer.0.attention.output.LayerNorm.weight": norm_scale.astype(np.float32),
            "encoder.layer.0.attention.output.dense.weight": np.random.default_rng(0)
            .normal(size=(4, 4))
            .astype(np.float32),
        },
        str(path),
    )
    return path


def test_a_saved_random_initialisation_is_told_from_trained_weights(tmp_path: Path) -> None:
    fresh = write_checkpoint(tmp_path / "fresh.safetensors", np.ones(4))
    trained = write_checkpoint(tmp_path / "trained.safetensors", np.array([1.0, 0.98, 1.02, 1.0]))
    assert freshly_initialised([fresh]) is True
    assert freshly_initialised([trained]) is False
    from safetensors.numpy import save_file

    save_file({"embedding": np.ones((2, 2), dtype=np.float32)}, str(tmp_path / "plain.safetensors"))
    assert freshly_initialised([tmp_path / "plain.safetensors"]) is None  # no norm layer to tell by


class Untrained(HashingEncoder):
    """A plugin encoder that declares its weights untrained."""

    trained = False

    def __init__(self) -> None:
        super().__init__(64)
        self.name = "random-init"


def test_untrained_results_stay_off_the_page_without_the_flag(tmp_path: Path) -> None:
    from harness.leaderboard import load_leaderboard
    from harness.tasks.builtin import beir_folder_spec

    registry = Registry.from_plugins()
    specs = [registry.encoder("hashing-bow-256"), EncoderSpec(name="random-init", load=Untrained, family="test")]
    store = ResultStore(tmp_path)
    results = BenchmarkRun(
        specs, [beir_folder_spec(TINY_BEIR)], [registry.backend("exact")], store, progress=False, chance=False
    ).run()
    assert [r.untrained for r in results] == [False, True]
    assert json.loads(next(tmp_path.glob("*random-init*.json")).read_text())["untrained"] is True
    assert {e.result.encoder for e in load_leaderboard([store]).entries} == {"hashing-bow-256"}
    assert {e.result.encoder for e in load_leaderboard([store], allow_untrained=True).entries} == {
        "hashing-bow-256",
        "random-init",
    }
    next(tmp_path.glob("*hashing-bow-256*.json")).unlink()
    with pytest.raises(ZooError, match="--allow-untrained"):
        load_leaderboard([store])
