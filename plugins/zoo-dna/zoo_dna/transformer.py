"""DNA language models through ``transformers.AutoModel``, mean-pooled over tokens.

DNABERT-S, DNABERT-2, Nucleotide Transformer v2 and HyenaDNA ship their own model code on the hub;
it runs only when the user asks for it (``trust_remote_code=true`` in the encoder's name).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Sequence

from zoo.api import Role, TransformersEncoder, ZooError, pool
from zoo_dna.catalogue import HUB_MODELS
from zoo_dna.sequences import check_sequences

if TYPE_CHECKING:
    import numpy as np


class DnaTransformerEncoder(TransformersEncoder):
    """Tokenise DNA with the model's own tokenizer, run the model, pool hidden states (mean by default).

    Sequences are upper-cased with ambiguity letters as N before tokenising; roles and instructions do not
    change the vectors. Inputs the model's forward does not take (``token_type_ids``, or the attention mask
    of convolutional models such as HyenaDNA) are not passed; pooling still follows the mask.
    """

    modalities: tuple[str, ...] = ("dna",)
    family = "dna-transformers"

    def check_inputs(self, inputs: Sequence[Any]) -> list[str]:
        return check_sequences(inputs, self.name)

    def encode_texts(self, texts: list[str], role: Role, instruction: str | None) -> np.ndarray:
        import numpy as np
        import torch

        tokenizer, model, device = self.model
        accepted = forward_inputs(model)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        chunks: list[np.ndarray] = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                batch = tokenizer(
                    [texts[i] for i in order[start : start + self.batch_size]],
                    padding=True,
                    truncation=True,
                    max_length=min(self.max_length, tokenizer.model_max_length),
                    return_tensors="pt",
                ).to(device)
                mask = batch.get("attention_mask", torch.ones_like(batch["input_ids"]))
                hidden = model(**{key: value for key, value in batch.items() if key in accepted})[0]
                pooled = pool(hidden, mask, self.pooling)
                if self.normalize:
                    pooled = torch.nn.functional.normalize(pooled, dim=-1)
                chunks.append(pooled.cpu().numpy())
        vectors = np.empty((len(texts), chunks[0].shape[1]), dtype=np.float32)
        vectors[order] = np.concatenate(chunks)
        return vectors


def forward_inputs(model: Any) -> set[str] | _Everything:
    """The keyword inputs a model's forward takes; all of them when it takes ``**kwargs``."""
    parameters = inspect.signature(model.forward).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return _Everything()
    return {p.name for p in parameters}


class _Everything:
    def __contains__(self, key: object) -> bool:
        return True


def load_hub_model(name: str, options: dict[str, Any]) -> DnaTransformerEncoder:
    """A catalogue model; refuses to build one that needs remote code the user did not allow."""
    model = HUB_MODELS[name]
    if model.remote_code and not options.get("trust_remote_code"):
        raise ZooError(
            f"{name} runs its own model code from {model.repo}: if you trust it, use "
            f"--model '{name}?trust_remote_code=true'"
        )
    return DnaTransformerEncoder(model.repo, name=name, **options)
