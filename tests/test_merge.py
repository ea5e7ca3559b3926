"""Model merging: the methods against hand-computed weights, recipes, and merged tiny local models."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from zoo.errors import ZooError
from zoo.merge import methods
from zoo.merge.build import build_merge, read_merge_record
from zoo.merge.recipe import MergeRecipe, read_recipe, recipe_from_name
from zoo.registry import Registry

WORDS = "the a cat dog sat on mat ran fast market fell"
TEXTS = ["the cat sat on the mat", "a dog ran fast", "market fell"]


def tiny_st_model(folder: Path, seed: int, hidden: int = 16) -> Path:
    """A sentence-transformers folder: a 1-layer BERT with random weights, a word-level tokenizer, mean pooling."""
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:
        from sentence_transformers.sentence_transformer.modules import (
            Pooling,
            Transformer,
        )
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import Pooling, Transformer
    bert = folder / "bert"
    bert.mkdir(parents=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS.split()]
    (bert / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(bert / "vocab.txt")).save_pretrained(bert)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=24,
        max_position_embeddings=32,
    )
    BertModel(config).save_pretrained(bert)
    modules = [Transformer(str(bert), max_seq_length=32), Pooling(hidden, pooling_mode="mean")]
    out = folder / "st"
    SentenceTransformer(modules=modules, device="cpu").save(str(out))
    return out


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("merge-models")
    return {
        "a": tiny_st_model(root / "a", seed=0),
        "b": tiny_st_model(root / "b", seed=1),
        "wide": tiny_st_model(root / "wide", seed=0, hidden=24),
    }


@pytest.fixture(autouse=True)
def _merge_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOO_MERGE_HOME", str(tmp_path / "merges"))


def state(folder: Path) -> dict[str, torch.Tensor]:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu").state_dict()


def encode(folder: Path) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu").encode(TEXTS, convert_to_numpy=True)


def t(values: list) -> dict[str, torch.Tensor]:
    return {"w": torch.tensor(values, dtype=torch.float32)}


# --- the methods, on hand-written tensors ------------------------------------------------------------


def test_linear_matches_hand_computed_weights():
    merged = methods.linear([t([[1.0, 2.0], [3.0, 4.0]]), t([[5.0, 6.0], [7.0, 8.0]])], [0.25, 0.75])
    assert torch.equal(merged["w"], torch.tensor([[4.0, 5.0], [6.0, 7.0]]))


def test_slerp_endpoints_return_the_inputs_and_the_midpoint_follows_the_arc():
    a, b = t([3.0, 0.0, 1.0]), t([0.0, 2.0, -1.0])
    assert torch.equal(methods.slerp(a, b, 0.0)["w"], a["w"])
    assert torch.equal(methods.slerp(a, b, 1.0)["w"], b["w"])
    half = methods.slerp(t([1.0, 0.0]), t([0.0, 1.0]), 0.5)["w"]
    torch.testing.assert_close(half, torch.tensor([math.sqrt(0.5), math.sqrt(0.5)]))  # stays on the circle


def test_slerp_of_parallel_tensors_interpolates_linearly():
    merged = methods.slerp(t([1.0, 2.0]), t([2.0, 4.0]), 0.25)["w"]
    torch.testing.assert_close(merged, torch.tensor([1.25, 2.5]))


def test_task_arithmetic_adds_scaled_task_vectors():
    merged = methods.task_arithmetic(t([1.0, 1.0]), [t([3.0, 0.0]), t([1.0, 5.0])], [0.5, 0.25])
    torch.testing.assert_close(merged["w"], torch.tensor([2.0, 1.5]))  # 1+0.5*2+0, 1-0.5*1+0.25*4


def test_ties_trims_elects_signs_and_averages_the_agreeing_entries():
    base = t([0.0, 0.0, 0.0, 0.0])
    first, second = t([3.0, -1.0, 0.5, 2.0]), t([-2.0, -4.0, 1.0, 1.0])
    # density 0.5 keeps [3, 0, 0, 2] and [-2, -4, 0, 0]; elected signs [+, -, 0, +]
    merged = methods.ties(base, [first, second], [1.0, 1.0], density=0.5)
    torch.testing.assert_close(merged["w"], torch.tensor([3.0, -4.0, 0.0, 2.0]))
    shifted = [t([4.0, 0.0, 1.5, 3.0]), t([-1.0, -3.0, 2.0, 2.0])]  # the same task vectors on base 1
    scaled = methods.ties(t([1.0, 1.0, 1.0, 1.0]), shifted, [1.0, 1.0], density=1.0, scale=0.5)
    # density 1 keeps all; signs [+, -, +, +]; means of the agreeing entries [3, -2.5, 0.75, 1.5]
    torch.testing.assert_close(scaled["w"], torch.tensor([2.5, -0.25, 1.375, 1.75]))


def test_mismatched_shapes_or_parameters_fail_clearly():
    with pytest.raises(ZooError, match=r"cannot merge 'x' and 'y': different architectures .*'w' has shape"):
        methods.check_same_architecture([t([1.0, 2.0]), t([1.0, 2.0, 3.0])], ["x", "y"])
    with pytest.raises(ZooError, match=r"parameter 'v' is only in 'y'"):
        methods.check_same_architecture([t([1.0]), {**t([1.0]), "v": torch.zeros(1)}], ["x", "y"])


def test_integer_buffers_are_copied_not_averaged():
    ids = torch.arange(4)
    merged = methods.linear([{"ids": ids, **t([2.0])}, {"ids": ids, **t([4.0])}], [0.5, 0.5])
    assert merged["ids"].dtype == torch.int64 and torch.equal(merged["ids"], ids)
    assert torch.equal(merged["w"], torch.tensor([3.0]))


# --- recipes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("average?models=a,b", "unknown merge method 'average'"),
        ("slerp?models=a,b,c", "slerp merges exactly 2 models"),
        ("ties?models=a", "ties needs a base"),
        ("linear?models=a,b&base=c", "linear takes no base"),
        ("linear?models=a,b&weights=1", "1 weights for 2 models"),
        ("slerp?models=a,b&t=1.5", r"t=1.5 must lie in \[0, 1\]"),
        ("ties?models=a&base=b&density=0", r"density=0.0 must lie in \(0, 1\]"),
        ("linear?models=a&t=x", "t must be a number"),
        ("linear?models=a&colour=red", "unknown recipe key 'colour'"),
    ],
)
def test_bad_recipes_are_one_line_errors(text: str, message: str):
    with pytest.raises(ZooError, match=message):
        recipe_from_name(text)


def test_recipe_files_in_json_and_toml(tmp_path: Path):
    (tmp_path / "soup.json").write_text(json.dumps({"method": "linear", "models": ["a", "b"], "weights": [0.3, 0.7]}))
    (tmp_path / "ties.toml").write_text('method = "ties"\nbase = "a"\nmodels = ["b"]\ndensity = 0.1\n')
    soup = read_recipe(tmp_path / "soup.json")
    assert soup == MergeRecipe("linear", ("a", "b"), weights=(0.3, 0.7), name="soup")
    ties = recipe_from_name(str(tmp_path / "ties.toml"))
    assert (ties.method, ties.base, ties.models, ties.density, ties.inputs()) == ("ties", "a", ("b",), 0.1, ("a", "b"))
    assert MergeRecipe("linear", ("a", "b", "c")).resolved_weights() == (1 / 3, 1 / 3, 1 / 3)


# --- merged models ------------------------------------------------------------------------------------


def test_a_model_merged_with_itself_equals_itself(models: dict[str, Path], tmp_path: Path):
    recipe = MergeRecipe("linear", (str(models["a"]), str(models["a"])))
    out = build_merge(recipe, tmp_path / "self")
    original, merged = state(models["a"]), state(out)
    assert all(torch.equal(original[key], merged[key]) for key in original)
    np.testing.assert_array_equal(encode(out), encode(models["a"]))


def test_linear_merge_of_two_tiny_models_matches_hand_computed_weights(models: dict[str, Path], tmp_path: Path):
    recipe = MergeRecipe("linear", (str(models["a"]), str(models["b"])), weights=(0.3, 0.7))
    out = build_merge(recipe, tmp_path / "soup")
    a, b, merged = state(models["a"]), state(models["b"]), state(out)
    for key, tensor in merged.items():
        if torch.is_floating_point(tensor):
            torch.testing.assert_close(tensor, 0.3 * a[key] + 0.7 * b[key])
    record = read_merge_record(out)
    assert record["recipe"]["weights"] == [0.3, 0.7] and len(record["inputs"]) == 2
    assert (out / "modules.json").is_file()  # a normal sentence-transformers folder


@pytest.mark.parametrize(("position", "expected"), [(0.0, "a"), (1.0, "b")])
def test_slerp_of_tiny_models_at_the_ends_returns_the_inputs(
    models: dict[str, Path], tmp_path: Path, position: float, expected: str
):
    out = build_merge(MergeRecipe("slerp", (str(models["a"]), str(models["b"])), t=position), tmp_path / "s")
    want, got = state(models[expected]), state(out)
    assert all(torch.equal(want[key], got[key]) for key in want)


def test_merging_different_architectures_fails_clearly(models: dict[str, Path], tmp_path: Path):
    recipe = MergeRecipe("linear", (str(models["a"]), str(models["wide"])))
    with pytest.raises(ZooError, match="different architectures"):
        build_merge(recipe, tmp_path / "bad")


def test_non_checkpoint_inputs_are_refused(models: dict[str, Path], tmp_path: Path):
    with pytest.raises(ZooError, match="merging needs sentence-transformers checkpoints"):
        build_merge(MergeRecipe("linear", (str(models["a"]), "hashing-bow-256")), tmp_path / "bad")


def test_merge_names_resolve_to_an_encoder_with_a_derived_fingerprint(models: dict[str, Path]):
    a, b = models["a"], models["b"]
    registry = Registry.from_plugins()
    encoder = registry.encoder(f"merge:linear?models={a}+{b}&weights=0.5+0.5").load()
    same = registry.encoder(f"merge:linear?models={a},{b}").load()  # uniform weights by default
    other = registry.encoder(f"merge:linear?models={a},{b}&weights=0.2,0.8").load()
    assert encoder.fingerprint() == same.fingerprint() != other.fingerprint()
    plain = registry.encoder(str(a)).load()
    assert encoder.fingerprint() != plain.fingerprint()
    assert encoder.dim == 16  # read from the merged folder's config
    vectors = encoder.encode(TEXTS, role="query")
    assert vectors.shape == (3, 16) and vectors.dtype == np.float32
    folder = encoder.folder()
    assert folder.name == encoder.merge_fingerprint() and read_merge_record(folder)["fingerprint"] == folder.name


def test_zoo_bench_runs_a_merge_like_any_model(models: dict[str, Path], tmp_path: Path):
    from zoo.cli.main import build_cli

    tiny_beir = Path(__file__).parent / "data" / "tiny-beir"
    name = f"merge:slerp?models={models['a']}+{models['b']}&t=0.25"  # -m splits at commas, not at "+"
    args = [
        "bench",
        "-m",
        name,
        "-t",
        str(tiny_beir),
        "-o",
        str(tmp_path / "out"),
        "--no-leaderboard",
        "--no-cache",
        "--no-progress",
    ]
    result = CliRunner().invoke(build_cli(), args)
    assert result.exit_code == 0, result.output
    written = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    assert written["encoder"] == name and 0.0 <= written["main_score"] <= 1.0


def test_zoo_merge_command_writes_the_folder(models: dict[str, Path], tmp_path: Path):
    from zoo.cli.main import build_cli

    out = tmp_path / "cli-merge"
    recipe = f"slerp?models={models['a']},{models['b']}&t=0.5"
    result = CliRunner().invoke(build_cli(), ["merge", recipe, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "slerp merge of" in result.output and (out / "merge_recipe.json").is_file()
    again = CliRunner().invoke(build_cli(), ["merge", recipe, "--out", str(out)])
    assert again.exit_code == 2 and "is not empty" in again.output


def test_the_merge_plugin_imports_no_torch_or_numpy():
    code = "import sys, zoo.merge.plugin; sys.exit('torch' in sys.modules or 'numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
