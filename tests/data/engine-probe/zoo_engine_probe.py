"""A test-only zoo plugin that Ray workers open by name, as they would any plugin's encoder.

``engine-probe-<ms>``: a 64-bucket hashing encoder that sleeps <ms> milliseconds per call (so a test can
kill a process mid-run) and appends ``<pid> <event> <items> <time>`` lines to ``$ZOO_PROBE_LOG`` (so a test can
count the work of processes it killed).
"""

from __future__ import annotations

import os
import re
import time
from typing import Any, Sequence

import numpy as np

from zoo import hookimpl
from zoo.encoders.hashing import HashingEncoder
from zoo.fingerprint import fingerprint
from zoo.protocols import EncoderSpec

NAME = re.compile(r"engine-probe-(\d+)")


class ProbeEncoder(HashingEncoder):
    def __init__(self, milliseconds: int) -> None:
        super().__init__(64, name=f"engine-probe-{milliseconds}")
        self.milliseconds = milliseconds

    def fingerprint(self) -> str:
        return fingerprint("engine-probe", super().fingerprint())  # its vectors do not depend on the delay

    def load(self) -> None:
        _log("load", 0)

    def encode(self, inputs: Sequence[Any], *, role: str = "document", instruction: str | None = None) -> np.ndarray:
        time.sleep(self.milliseconds / 1000)
        out = super().encode(inputs, role=role, instruction=instruction)
        _log("encode", len(inputs))
        return out


def _log(event: str, items: int) -> None:
    path = os.environ.get("ZOO_PROBE_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {event} {items} {time.time():.3f}\n")


@hookimpl
def resolve_encoder(name: str) -> EncoderSpec | None:
    match = NAME.fullmatch(name)
    if match is None:
        return None
    milliseconds = int(match.group(1))
    return EncoderSpec(name=name, load=lambda: ProbeEncoder(milliseconds), family="test")
