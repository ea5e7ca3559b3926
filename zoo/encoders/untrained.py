"""Telling a checkpoint saved straight from a random initialisation from a trained one, without torch.

``save_pretrained`` on a freshly built model writes its initial values: every normalisation layer's
scale is exactly 1.0 (transformers' ``_init_weights``, and torch's own LayerNorm/RMSNorm reset). Training
moves every one of them, so a checkpoint whose norm scales are *all* exactly 1.0 was never trained. Only
the ``.safetensors`` files are read, only their norm tensors, straight from the file's byte offsets.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Iterable

import numpy as np

# a normalisation layer's scale: BERT's LayerNorm, CLIP's layer_norm1 and pre_layrnorm, GPT-2's ln_f, T5's
NORM_SCALE = re.compile(r"(?:^|\.)(?:\w*norm\w*|ln(?:_\w+)?)\.(?:weight|gamma)$", re.IGNORECASE)
ONE = {
    "F32": np.array(1.0, "<f4").tobytes(),
    "F16": np.array(1.0, "<f2").tobytes(),
    "BF16": np.array(1.0, "<f4").tobytes()[2:],
    "F64": np.array(1.0, "<f8").tobytes(),
}


def freshly_initialised(files: Iterable[Path]) -> bool | None:
    """True when every norm scale in the ``.safetensors`` files is exactly 1.0 (never trained), False when
    one is not, None when there is no such file or no norm layer to tell by."""
    seen = False
    for path in files:
        if Path(path).suffix != ".safetensors":
            continue
        with open(path, "rb") as handle:
            (size,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(size))
            for name, info in header.items():
                if name == "__metadata__" or not NORM_SCALE.search(name) or info["dtype"] not in ONE:
                    continue
                start, end = info["data_offsets"]
                handle.seek(8 + size + start)
                data = handle.read(end - start)
                one = ONE[info["dtype"]]
                if data != one * (len(data) // len(one)):
                    return False
                seen = True
    return True if seen else None
