"""Encoders on a GPU and from the hub: skipped here, run where a CUDA device or the network exists."""

from __future__ import annotations

import numpy as np
import pytest

from zoo.registry import Registry

SENTENCES = ["A man is playing a guitar.", "Someone plays an instrument.", "The stock market fell."]


@pytest.mark.gpu
def test_minilm_on_cuda_in_fp16_matches_cpu():
    from zoo.encoders.builtin import packaged_minilm_folder
    from zoo.encoders.sentence_transformers import SentenceTransformerEncoder

    gpu = SentenceTransformerEncoder(packaged_minilm_folder(), device="cuda")
    cpu = SentenceTransformerEncoder(packaged_minilm_folder(), device="cpu")
    on_gpu, on_cpu = gpu.encode(SENTENCES), cpu.encode(SENTENCES)
    assert str(next(gpu.model.parameters()).dtype) == "torch.float16"
    assert on_gpu.dtype == np.float32
    np.testing.assert_allclose(on_gpu, on_cpu, atol=5e-3)
    assert gpu.effective_dtype() == "float16" and gpu.fingerprint() != cpu.fingerprint()


@pytest.mark.network
def test_hub_minilm_equals_the_packaged_copy():
    hub = Registry.from_plugins().encoder("hf:sentence-transformers/all-MiniLM-L6-v2").load()
    packaged = Registry.from_plugins().encoder("all-minilm-l6-v2").load()
    np.testing.assert_allclose(hub.encode(SENTENCES), packaged.encode(SENTENCES), atol=1e-5)
