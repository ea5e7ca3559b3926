"""Weight-space merges of state dicts that share one architecture: linear, SLERP, task arithmetic, TIES.

Every function takes and returns ``{name: torch.Tensor}``. Floating-point tensors are merged in float64
and cast back to their dtype; other tensors (integer buffers such as position ids) are taken from the
first input, after checking every input holds the same.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from zoo.errors import ZooError

if TYPE_CHECKING:
    import torch

StateDict = Mapping[str, "torch.Tensor"]
COLINEAR = 0.9995  # above this cosine SLERP's sin(omega) is too small to divide by: interpolate linearly


def check_same_architecture(states: Sequence[StateDict], names: Sequence[str]) -> None:
    """Raise a ZooError naming the first parameter whose presence or shape differs between two inputs."""
    first, first_name = states[0], names[0]
    for state, name in zip(states[1:], names[1:]):
        missing = sorted(set(first) ^ set(state))
        if missing:
            owner = first_name if missing[0] in first else name
            raise ZooError(
                f"cannot merge {first_name!r} and {name!r}: different architectures "
                f"(parameter {missing[0]!r} is only in {owner!r}); merge checkpoints of one model"
            )
        for key, tensor in first.items():
            if tuple(tensor.shape) != tuple(state[key].shape):
                raise ZooError(
                    f"cannot merge {first_name!r} and {name!r}: different architectures "
                    f"({key!r} has shape {tuple(tensor.shape)} vs {tuple(state[key].shape)}); "
                    "merge checkpoints of one model"
                )


def merge_tensors(
    states: Sequence[StateDict], combine: Callable[[list[torch.Tensor]], torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Apply ``combine`` to each floating-point parameter's float64 tensors, one from each state."""
    import torch

    merged = {}
    for key, tensor in states[0].items():
        if not torch.is_floating_point(tensor):
            if any(not torch.equal(tensor, state[key]) for state in states[1:]):
                raise ZooError(f"cannot merge: non-float tensor {key!r} differs between the inputs")
            merged[key] = tensor.clone()
            continue
        merged[key] = combine([state[key].to(torch.float64) for state in states]).to(tensor.dtype)
    return merged


def linear(states: Sequence[StateDict], weights: Sequence[float]) -> dict[str, torch.Tensor]:
    """``sum_i w_i theta_i`` (a model soup when the weights sum to 1)."""
    return merge_tensors(states, lambda ts: sum(w * t for w, t in zip(weights, ts)))


def slerp(a: StateDict, b: StateDict, t: float) -> dict[str, torch.Tensor]:
    """Spherical interpolation from ``a`` (t=0) to ``b`` (t=1), tensor by tensor."""
    return merge_tensors([a, b], lambda ts: slerp_tensor(ts[0], ts[1], t))


def slerp_tensor(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Interpolate along the great circle through the directions of ``a`` and ``b``, scaling their norms."""
    import torch

    na, nb = torch.linalg.vector_norm(a), torch.linalg.vector_norm(b)
    if na == 0 or nb == 0:
        return (1 - t) * a + t * b
    cos = float(torch.clamp((a.flatten() @ b.flatten()) / (na * nb), -1.0, 1.0))
    if abs(cos) > COLINEAR:
        return (1 - t) * a + t * b
    omega = math.acos(cos)
    # coefficients first: at t=0 and t=1 they are exactly 1 and 0, so the endpoints come back unchanged
    return math.sin((1 - t) * omega) / math.sin(omega) * a + math.sin(t * omega) / math.sin(omega) * b


def task_arithmetic(base: StateDict, models: Sequence[StateDict], weights: Sequence[float]) -> dict[str, torch.Tensor]:
    """``base + sum_i w_i (theta_i - base)``: add each model's task vector, scaled (Ilharco et al., 2023)."""
    return merge_tensors([base, *models], lambda ts: ts[0] + sum(w * (t - ts[0]) for w, t in zip(weights, ts[1:])))


def ties(
    base: StateDict, models: Sequence[StateDict], weights: Sequence[float], density: float, scale: float = 1.0
) -> dict[str, torch.Tensor]:
    """TIES-merging (Yadav et al., 2023): trim each task vector to its ``density`` largest entries, elect a
    sign per entry from the weighted sum, average the entries that agree with it, add ``scale`` times that."""
    return merge_tensors(
        [base, *models], lambda ts: ts[0] + scale * ties_delta([trim(t - ts[0], density) for t in ts[1:]], weights)
    )


def trim(delta: torch.Tensor, density: float) -> torch.Tensor:
    """Keep the ``ceil(density * n)`` entries of largest magnitude, zero the rest."""
    import torch

    keep = math.ceil(density * delta.numel())
    if keep >= delta.numel():
        return delta
    flat = delta.flatten()
    mask = torch.zeros_like(flat, dtype=torch.bool)
    mask[torch.topk(flat.abs(), keep, sorted=False).indices] = True
    return torch.where(mask, flat, torch.zeros_like(flat)).reshape(delta.shape)


def ties_delta(deltas: Sequence[torch.Tensor], weights: Sequence[float]) -> torch.Tensor:
    """The disjoint weighted mean: per entry, over the deltas whose sign matches the elected one."""
    import torch

    stacked = torch.stack(list(deltas))
    w = torch.tensor(list(weights), dtype=stacked.dtype).reshape(-1, *[1] * (stacked.dim() - 1))
    elected = torch.sign((w * stacked).sum(dim=0))
    agree = (torch.sign(stacked) == elected) & (elected != 0)
    weight_agreeing = (w * agree).sum(dim=0)
    summed = (w * stacked * agree).sum(dim=0)
    nonzero = weight_agreeing != 0  # no delta agrees (or all were trimmed): the entry stays at the base
    return torch.where(nonzero, summed / torch.where(nonzero, weight_agreeing, 1.0), 0.0)
