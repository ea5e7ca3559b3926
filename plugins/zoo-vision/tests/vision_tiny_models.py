"""Tiny models with random weights, built from configs and saved as hub-style folders (no network).

They prove code paths (shapes, pooling, prompts, batching, preprocessing), never quality: results from
them are written only to temporary folders.
"""

from __future__ import annotations

from pathlib import Path

WORDS = (
    "a photo of the number represent given image with following question what is in find me an "
    'everyday that matches caption cat dog red blue 0 1 2 3 4 5 6 7 8 9 : . " ,'
).split()


def word_tokenizer(specials: list[str], *, bos: str, eos: str, add_eos: bool) -> object:
    """A word-level fast tokenizer over WORDS; ``add_eos`` appends EOS as CLIP's tokenizer does."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {word: i for i, word in enumerate(["<pad>", "<unk>", *specials, *WORDS])}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.add_special_tokens(["<pad>", *specials])
    if add_eos:
        tokenizer.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A {eos}", special_tokens=[(bos, vocab[bos]), (eos, vocab[eos])]
        )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, pad_token="<pad>", unk_token="<unk>", bos_token=bos, eos_token=eos
    )


def build_clip(folder: Path, *, seed: int = 0) -> Path:
    """A CLIP with one layer per tower, 32-pixel images, 8-dim projections."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    tokenizer = word_tokenizer(["<s>", "</s>"], bos="<s>", eos="</s>", add_eos=True)
    vocab = tokenizer.get_vocab()
    config = CLIPConfig(
        text_config=dict(
            vocab_size=len(vocab),
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            max_position_embeddings=32,
            pad_token_id=vocab["<pad>"],
            bos_token_id=vocab["<s>"],
            eos_token_id=vocab["</s>"],
        ),
        vision_config=dict(
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            image_size=32,
            patch_size=8,
        ),
        projection_dim=8,
    )
    torch.manual_seed(seed)
    model = CLIPModel(config).eval()
    images = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    model.save_pretrained(folder)
    CLIPProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(folder)
    return folder


def build_llava(folder: Path, *, seed: int = 0) -> Path:
    """A LLaVA (CLIP vision tower + 2-layer Llama) with 16-pixel images: 4 image tokens per image."""
    import torch
    from transformers import (
        CLIPImageProcessor,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    tokenizer = word_tokenizer(["<s>", "</s>", "<image>"], bos="<s>", eos="</s>", add_eos=False)
    vocab = tokenizer.get_vocab()
    config = LlavaConfig(
        text_config=dict(
            model_type="llama",
            vocab_size=len(vocab),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=256,
            pad_token_id=vocab["<pad>"],
            bos_token_id=vocab["<s>"],
            eos_token_id=vocab["</s>"],
        ),
        vision_config=dict(
            model_type="clip_vision_model",
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=16,
            patch_size=8,
        ),
        image_token_id=vocab["<image>"],
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",
    )
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(config).eval()
    images = CLIPImageProcessor(size={"shortest_edge": 16}, crop_size={"height": 16, "width": 16})
    model.save_pretrained(folder)
    LlavaProcessor(
        image_processor=images,
        tokenizer=tokenizer,
        patch_size=8,
        image_token="<image>",
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
    ).save_pretrained(folder)
    return folder


def build_siglip(folder: Path, *, seed: int = 0) -> Path:
    """A SigLIP with one layer per tower, 32-pixel images, texts padded to 16 tokens."""
    import torch
    from transformers import (
        SiglipConfig,
        SiglipImageProcessor,
        SiglipModel,
        SiglipProcessor,
    )

    tokenizer = word_tokenizer(["<s>", "</s>"], bos="<s>", eos="</s>", add_eos=True)
    tokenizer.model_max_length = 16
    vocab = tokenizer.get_vocab()
    config = SiglipConfig(
        text_config=dict(
            vocab_size=len(vocab),
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            max_position_embeddings=16,
            pad_token_id=vocab["<pad>"],
            eos_token_id=vocab["</s>"],
        ),
        vision_config=dict(
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            image_size=32,
            patch_size=8,
        ),
    )
    torch.manual_seed(seed)
    model = SiglipModel(config).eval()
    model.save_pretrained(folder)
    images = SiglipImageProcessor(size={"height": 32, "width": 32})
    SiglipProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(folder)
    return folder
