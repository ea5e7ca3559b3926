"""DNA transformer encoders, offline: tiny random models with tokenizers built here (never scored)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from zoo.errors import ZooError
from zoo.registry import Registry
from zoo.testing import check_encoder

from zoo_dna.transformer import DnaTransformerEncoder, forward_inputs, load_hub_model

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def fast_tokenizer(tokenizer: object, *, with_cls: bool) -> object:
    from tokenizers import processors
    from transformers import PreTrainedTokenizerFast

    if with_cls:
        tokenizer.post_processor = processors.TemplateProcessing(  # type: ignore[attr-defined]
            single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
        )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=512,
    )


@pytest.fixture(scope="session")
def bert_folder(tmp_path_factory: pytest.TempPathFactory, genes: list[str]) -> Path:
    """DNABERT-2 style: BPE over nucleotides, a BERT encoder (random weights, 2 layers, 32 wide)."""
    import torch
    from tokenizers import Tokenizer, models, trainers
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-dnabert")
    bpe = Tokenizer(models.BPE(unk_token="[UNK]"))
    bpe.train_from_iterator(genes, trainers.BpeTrainer(vocab_size=80, special_tokens=SPECIALS))
    tokenizer = fast_tokenizer(bpe, with_cls=True)
    tokenizer.save_pretrained(folder)  # type: ignore[attr-defined]
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,  # type: ignore[arg-type]
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    BertModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def char_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """HyenaDNA style: one token per nucleotide, a causal decoder whose forward takes no token_type_ids."""
    import torch
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaModel

    folder = tmp_path_factory.mktemp("tiny-char-decoder")
    vocab = {token: i for i, token in enumerate([*SPECIALS, "A", "C", "G", "T", "N"])}
    chars = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    chars.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tokenizer = fast_tokenizer(chars, with_cls=False)
    tokenizer.save_pretrained(folder)  # type: ignore[attr-defined]
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=2048,
    )
    LlamaModel(config).save_pretrained(folder)
    return folder


@pytest.mark.slow
def test_bert_style_model_meets_the_contract(bert_folder: Path, genes: list[str]) -> None:
    encoder = DnaTransformerEncoder(bert_folder, name="tiny-dnabert", batch_size=2)
    check_encoder(encoder, inputs=genes)
    assert encoder.dim == 32 and encoder.modalities == ("dna",)


@pytest.mark.slow
def test_vectors_are_the_mean_of_token_states(bert_folder: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    sequence = "ACGTTGCAACGGTAGCATTAGC"
    tokenizer, model = AutoTokenizer.from_pretrained(bert_folder), AutoModel.from_pretrained(bert_folder)
    with torch.inference_mode():
        states = model(**tokenizer([sequence], return_tensors="pt"))[0][0]
    expected = torch.nn.functional.normalize(states.mean(0), dim=0).numpy()
    got = DnaTransformerEncoder(bert_folder).encode([sequence.lower()])[0]
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.slow
def test_char_decoder_model_meets_the_contract(char_folder: Path, genes: list[str]) -> None:
    check_encoder(DnaTransformerEncoder(char_folder, name="tiny-char", max_length=2048), inputs=genes)


@pytest.mark.slow
def test_open_name_loads_a_local_folder(bert_folder: Path) -> None:
    spec = Registry.from_plugins().encoder(f"dna:{bert_folder}?pooling=cls&max_length=64")
    encoder = spec.load()
    assert encoder.pooling == "cls" and encoder.max_length == 64 and spec.modalities == ("dna",)
    assert encoder.encode(["ACGT"]).shape == (1, 32)


def test_remote_code_runs_only_when_asked() -> None:
    with pytest.raises(ZooError, match=r"dnabert-s\?trust_remote_code=true"):
        load_hub_model("dnabert-s", {})
    registry = Registry.from_plugins()
    with pytest.raises(ZooError, match="dnabert-s\\?trust_remote_code=true"):
        registry.encoder("dnabert-s").load()
    allowed = registry.encoder("dnabert-s?trust_remote_code=true&max_length=256")
    assert allowed.name == "dnabert-s?trust_remote_code=true&max_length=256" and allowed.dim == 768
    model = load_hub_model("dnabert-s", {"trust_remote_code": True})  # built, not loaded: weights load lazily
    assert model.trust_remote_code and model.model_name_or_path == "zhihan1996/DNABERT-S"
    assert not load_hub_model("nucleotide-transformer-500m-human-ref", {}).trust_remote_code


def test_bad_options_are_clear_errors() -> None:
    registry = Registry.from_plugins()
    with pytest.raises(ZooError, match="unknown option 'prompt' for dnabert-2: it takes batch_size"):
        registry.encoder("dnabert-2?prompt=x")
    with pytest.raises(ZooError, match="names no model: write dna:<hub repo or folder>"):
        registry.encoder("dna:")


def test_only_inputs_the_forward_takes_are_passed() -> None:
    class Convolutional:  # HyenaDNA's forward takes neither token_type_ids nor an attention mask
        def forward(self, input_ids: object, output_hidden_states: bool = False) -> None: ...

    class Open:
        def forward(self, input_ids: object, **kwargs: object) -> None: ...

    assert forward_inputs(Convolutional()) == {"input_ids", "output_hidden_states"}
    assert "attention_mask" in forward_inputs(Open()) and "token_type_ids" in forward_inputs(Open())
