"""DNA sequences as strings and as small integer codes: cleaning, validation, reverse complements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from zoo.api import ZooError

if TYPE_CHECKING:
    import numpy as np

BASES = "ACGT"
UNKNOWN = 4  # the code of N and of every other IUPAC ambiguity letter
IUPAC = frozenset("ACGTNRYSWKMBDHVU")
_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


def clean(sequence: str) -> str:
    """Upper case, RNA's U read as T, and every ambiguity letter as N."""
    upper = sequence.upper().replace("U", "T")
    return "".join(base if base in BASES else "N" for base in upper)


def check_sequences(inputs: Sequence[Any], owner: str) -> list[str]:
    """The inputs as a list of cleaned DNA strings, or a one-line ZooError naming the first bad one."""
    if isinstance(inputs, (str, bytes)):
        raise ZooError(f"{owner}: encode() takes a list of DNA sequences, not a single string")
    sequences = list(inputs)
    for index, item in enumerate(sequences):
        if not isinstance(item, str):
            raise ZooError(f"{owner} encodes DNA strings: input {index} is a {type(item).__name__}")
        stray = set(item.upper()) - IUPAC
        if stray:
            raise ZooError(
                f"{owner}: input {index} is not DNA (letters {''.join(sorted(stray))!r}); "
                "use A, C, G, T and IUPAC codes only"
            )
    return [clean(item) for item in sequences]


def reverse_complement(sequence: str) -> str:
    """The reverse complement of a cleaned sequence (N stays N)."""
    return sequence.translate(_COMPLEMENT)[::-1]


def to_codes(sequence: str) -> np.ndarray:
    """A cleaned sequence as uint8 codes: A=0, C=1, G=2, T=3, N=4."""
    import numpy as np

    table = np.full(256, UNKNOWN, dtype=np.uint8)
    for code, base in enumerate(BASES):
        table[ord(base)] = code
    return table[np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)]


def from_codes(codes: np.ndarray) -> str:
    """The inverse of ``to_codes``."""
    import numpy as np

    letters = np.frombuffer(b"ACGTN", dtype=np.uint8)
    return letters[np.asarray(codes, dtype=np.intp)].tobytes().decode("ascii")
