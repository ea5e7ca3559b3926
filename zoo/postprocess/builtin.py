"""The built-in post-processors, registered as a default plugin like any third party's.

Factories import their classes on call, so listing post-processors imports no numpy.
"""

from __future__ import annotations

from typing import Any, Callable

from zoo import PostProcessor, hookimpl
from zoo.postprocess import params


def binary(**params: Any) -> PostProcessor:
    from zoo.postprocess.quantize import BinaryQuantizer

    return BinaryQuantizer(**params)


def int8(**params: Any) -> PostProcessor:
    from zoo.postprocess.quantize import Int8Quantizer

    return Int8Quantizer(**params)


def matryoshka(**params: Any) -> PostProcessor:
    from zoo.postprocess.matryoshka import Matryoshka

    return Matryoshka(**params)


def whiten(**params: Any) -> PostProcessor:
    from zoo.postprocess.whiten import Whiten

    return Whiten(**params)


@hookimpl
def register_postprocessors(register: Callable[..., None]) -> None:
    register(
        "binary",
        binary,
        aliases=("binarize", "bits"),
        params=params.BINARY,
        description="sign bits packed 8 per byte (32x smaller), Hamming search, optional float rescoring",
    )
    register(
        "int8",
        int8,
        aliases=("scalar-int8",),
        params=params.INT8,
        description="per-dimension scalar int8 codes (4x smaller), min-max or percentile calibration",
    )
    register(
        "matryoshka",
        matryoshka,
        aliases=("truncate",),
        params=params.MATRYOSHKA,
        description="keep the first dim coordinates and L2-renormalise (Matryoshka-trained models)",
    )
    register(
        "whiten",
        whiten,
        aliases=("whitening",),
        params=params.WHITEN,
        description="BERT-whitening: centre, decorrelate to unit variance, keep the first k dims (k=0: all)",
    )
