"""Quantizers: packed sign bits (binary) and per-dimension scalar int8 codes, with float rescoring.

Rescoring is asymmetric, as in BEBR (Gan et al., 2023) and sentence-transformers' embedding quantization
docs: documents are stored as codes, queries stay float, and the top ``rescore * k`` candidates found
with the codes are re-ranked by the float query's dot product with each candidate's rescoring codes
(``rescore_codes``). For binary codes those can be the sign bits themselves (nothing more to store), or int8
or float32 copies of the documents kept beside the index, on disk in a deployment, read only for the
candidates: the index stays 32x smaller than float32 and the rescoring sees finer vectors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zoo.errors import ZooError
from zoo.postprocess import BasePostProcessor, as_matrix
from zoo.postprocess.params import CALIBRATIONS, RESCORE_WITH

INT8_LEVELS = 255  # 256 codes, -128..127, give 255 steps between min and max


def _check_rescore(owner: str, rescore: Any) -> None:
    if isinstance(rescore, bool) or not isinstance(rescore, (int, np.integer)) or rescore < 0:
        raise ZooError(f"{owner} rescore={rescore!r} must be an integer >= 0 (0 turns rescoring off)")


def _check_candidates(queries: np.ndarray, codes: np.ndarray, width: int, owner: str) -> None:
    if codes.ndim != 3 or codes.shape[0] != queries.shape[0] or codes.shape[2] != width:
        raise ZooError(
            f"{owner}.rescore_scores needs codes of shape (m={queries.shape[0]}, candidates, {width}), "
            f"got {codes.shape}: pass each query's candidates' codes"
        )


def _popcount_view(codes: np.ndarray) -> np.ndarray:
    """The same bits as the widest unsigned words the row length allows (fewer elements to count)."""
    codes = np.ascontiguousarray(codes)
    for dtype in (np.uint64, np.uint32, np.uint16):
        if codes.shape[1] % np.dtype(dtype).itemsize == 0:
            return codes.view(dtype)
    return codes


def hamming_scores(query_codes: np.ndarray, doc_codes: np.ndarray) -> np.ndarray:
    """Negative Hamming distances between packed codes, int32 (m, n); higher is more similar.

    Memory: the xor materialises an (m, n, nbytes) byte array, so callers pass documents (or queries) in
    chunks sized to their budget, e.g. 256 queries x 65,536 docs x 48 bytes = 805 MB.
    """
    q, d = np.asarray(query_codes), np.asarray(doc_codes)
    if q.dtype != np.uint8 or d.dtype != np.uint8 or q.ndim != 2 or d.ndim != 2 or q.shape[1] != d.shape[1]:
        raise ZooError(
            f"hamming_scores needs two uint8 (rows, nbytes) arrays of equal width, got {q.dtype}{q.shape} "
            f"and {d.dtype}{d.shape}: pass BinaryQuantizer.transform outputs"
        )
    qw, dw = _popcount_view(q), _popcount_view(d)
    counts = np.bitwise_count(qw[:, None, :] ^ dw[None, :, :]).sum(axis=2, dtype=np.int32)
    return np.negative(counts, out=counts)


class BinaryQuantizer(BasePostProcessor):
    """Sign bits packed 8 per byte: bit = x > 0, ``np.packbits`` order (big-endian: dim 0 is the top bit
    of byte 0); the last byte is zero-padded when dim is not a multiple of 8. 32x smaller than float32.
    """

    similarity: str | None = "hamming"

    def __init__(self, rescore: int = 0, rescore_with: str = "sign") -> None:
        self.rescore = rescore
        self.rescore_with = rescore_with

    def fit(self, X: np.ndarray, y: Any = None) -> BinaryQuantizer:
        name = type(self).__name__
        _check_rescore(name, self.rescore)
        if self.rescore_with not in RESCORE_WITH:
            raise ZooError(
                f"{name} rescore_with={self.rescore_with!r} is unknown: use one of {', '.join(RESCORE_WITH)}"
            )
        arr = self._check_fit_input(X)
        self.dim_ = int(arr.shape[1])
        if self.rescore_with == "int8":
            self.int8_ = Int8Quantizer().fit(arr)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        self._check_fitted("dim_")
        arr = as_matrix(X, "BinaryQuantizer.transform")
        self._check_width(arr, self.dim_, "transform")
        return np.packbits(arr > 0, axis=1)

    def signs(self, codes: np.ndarray) -> np.ndarray:
        """The ±1 float32 vectors (..., dim) that packed codes (..., nbytes) stand for; pad bits dropped."""
        self._check_fitted("dim_")
        bits = np.unpackbits(np.asarray(codes, dtype=np.uint8), axis=-1, count=self.dim_)
        return bits.astype(np.float32) * 2.0 - 1.0

    def rescore_codes(self, X: np.ndarray) -> np.ndarray:
        """What is kept per document for rescoring: the sign bits, int8 codes or float32 vectors."""
        if self.rescore_with == "int8":
            self._check_fitted("int8_")
            return self.int8_.transform(X)
        if self.rescore_with == "float":
            self._check_fitted("dim_")
            arr = as_matrix(X, "BinaryQuantizer.rescore_codes")
            self._check_width(arr, self.dim_, "rescore_codes")
            return arr
        return self.transform(X)

    def rescore_scores(self, queries: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Float queries (m, d) dotted with their candidates' ``rescore_codes`` (m, c, width)."""
        self._check_fitted("dim_")
        q = as_matrix(queries, "BinaryQuantizer.rescore_scores")
        self._check_width(q, self.dim_, "rescore_scores")
        if self.rescore_with == "int8":
            return self.int8_.rescore_scores(q, codes)
        codes = np.asarray(codes)
        if self.rescore_with == "float":
            _check_candidates(q, codes, self.dim_, "BinaryQuantizer")
            return np.matmul(codes.astype(np.float32, copy=False), q[:, :, None])[:, :, 0]
        _check_candidates(q, codes, self.bytes_per_vector(self.dim_), "BinaryQuantizer")
        return np.matmul(self.signs(codes), q[:, :, None])[:, :, 0].astype(np.float32, copy=False)

    def rescore_bytes_per_vector(self, dim: int) -> int:
        """Bytes per document kept beside the index for rescoring (0 when the codes themselves suffice)."""
        return {"sign": 0, "int8": int(dim), "float": 4 * int(dim)}[self.rescore_with] if self.rescore else 0

    @staticmethod
    def bytes_per_vector(dim: int) -> int:
        return -(-int(dim) // 8)


class Int8Quantizer(BasePostProcessor):
    """Per-dimension scalar quantization to int8: code = round((x - min) / scale) - 128, scale = (max - min)/255.

    ``calibration="minmax"`` takes each dimension's range from the fitting data; ``"percentile"`` takes the
    [100 - p, p] percentiles instead, so a few outliers do not stretch the range (they are clipped).
    Dimensions with max == min get scale 0: every value codes to -128 and decodes to min.
    """

    similarity: str | None = None  # codes are dequantized and searched with the encoder's similarity

    def __init__(self, calibration: str = "minmax", percentile: float = 99.9, rescore: int = 0) -> None:
        self.calibration = calibration
        self.percentile = percentile
        self.rescore = rescore

    def _validate_params(self) -> None:
        name = type(self).__name__
        if self.calibration not in CALIBRATIONS:
            choices = ", ".join(CALIBRATIONS)
            raise ZooError(f"{name} calibration={self.calibration!r} is unknown: use one of {choices}")
        p = self.percentile
        if isinstance(p, bool) or not isinstance(p, (int, float, np.number)) or not 50 < p <= 100:
            raise ZooError(f"{name} percentile={p!r} must be a number in (50, 100], e.g. 99.9")
        _check_rescore(name, self.rescore)

    def fit(self, X: np.ndarray, y: Any = None) -> Int8Quantizer:
        self._validate_params()
        arr = self._check_fit_input(X)
        if self.calibration == "percentile":
            low, high = np.percentile(arr, [100.0 - self.percentile, self.percentile], axis=0)
        else:
            low, high = arr.min(axis=0), arr.max(axis=0)
        self.dim_ = int(arr.shape[1])
        self.min_ = low.astype(np.float32)
        self.max_ = high.astype(np.float32)
        self.scale_ = ((self.max_ - self.min_) / INT8_LEVELS).astype(np.float32)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        self._check_fitted("scale_")
        arr = as_matrix(X, "Int8Quantizer.transform")
        self._check_width(arr, self.dim_, "transform")
        step = np.where(self.scale_ > 0, self.scale_, np.float32(1.0))  # degenerate dims: x - min is 0
        levels = np.rint((np.clip(arr, self.min_, self.max_) - self.min_) / step)
        return (np.clip(levels, 0, INT8_LEVELS) - 128).astype(np.int8)

    def inverse_transform(self, codes: np.ndarray) -> np.ndarray:
        """Approximate float32 originals of int8 codes (..., dim): within scale/2 per dim inside [min, max]."""
        self._check_fitted("scale_")
        codes = np.asarray(codes)
        self._check_width(codes, self.dim_, "inverse_transform")
        return (self.min_ + (codes.astype(np.float32) + 128.0) * self.scale_).astype(np.float32, copy=False)

    def rescore_scores(self, queries: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Float queries (m, d) dotted with their candidates' dequantized codes (m, c, d)."""
        self._check_fitted("scale_")
        q = as_matrix(queries, "Int8Quantizer.rescore_scores")
        self._check_width(q, self.dim_, "rescore_scores")
        codes = np.asarray(codes)
        _check_candidates(q, codes, self.dim_, "Int8Quantizer")
        return np.matmul(self.inverse_transform(codes), q[:, :, None])[:, :, 0]

    def rescore_codes(self, X: np.ndarray) -> np.ndarray:
        """The int8 codes themselves: rescoring dequantizes them for the float query."""
        return self.transform(X)

    def rescore_bytes_per_vector(self, dim: int) -> int:
        return 0

    @staticmethod
    def bytes_per_vector(dim: int) -> int:
        return int(dim)
