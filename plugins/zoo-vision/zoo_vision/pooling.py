"""Last-token pooling that finds each row's last real token whichever side the batch was padded on."""

from __future__ import annotations

from typing import Any


def last_token_positions(attention_mask: Any) -> Any:
    """Index of the last position with mask 1 in each row (left, right or no padding alike).

    ``hidden[:, -1]`` is right only for left padding and ``mask.sum(1) - 1`` only for right padding;
    the last 1 in each row is right for both.
    """
    import torch

    mask = attention_mask.to(torch.long)
    if bool((mask.sum(dim=1) == 0).any()):
        raise ValueError("a row of the attention mask has no tokens")
    width = mask.shape[1]
    return width - 1 - torch.argmax(mask.flip(dims=[1]), dim=1)


def last_token_pool(hidden: Any, attention_mask: Any) -> Any:
    """The hidden state (batch, seq, dim) of each row's last real token, as (batch, dim)."""
    import torch

    positions = last_token_positions(attention_mask).to(hidden.device)
    return hidden[torch.arange(hidden.shape[0], device=hidden.device), positions]
