"""Hypothesis settings and byte strategies shared by the property tests of loaders and parsers.

Deterministic (derandomized: the same examples every run) and modest (the suite stays fast); each
strategy mixes arbitrary bytes with near-valid inputs (a valid file with bytes inserted, a BOM, deep
nesting, lone surrogates) so that the parsers' deeper paths are reached, not only the first check.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xe9",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\x00",
    b"\r",
    b"\r\n",
    b"\t",
    b"\\ud800",
    b'"\\udfff"',
    b"NaN",
    b"Infinity",
    b"-0",
    b"1e999",
    b"[" * 5000,
    b"{" * 300,
    b"}",
    b"]",
    b'"',
    b"\n\n",
    b"\xf0\x9f\x98\x80",
    b"\\u0000",
    b" ",
]


def mutated(valid: bytes) -> st.SearchStrategy[bytes]:
    """``valid`` with pieces of ``NASTY`` or random bytes inserted, or cut short."""
    piece = st.one_of(st.sampled_from(NASTY), st.binary(min_size=1, max_size=8))
    insert = st.tuples(st.integers(0, len(valid)), piece).map(lambda t: valid[: t[0]] + t[1] + valid[t[0] :])
    cut = st.integers(0, len(valid)).map(lambda n: valid[:n])
    return st.one_of(insert, cut, st.just(b"\xef\xbb\xbf" + valid))


def hostile_bytes(*valid: bytes) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes, arbitrary UTF-8 text, deep nesting, and mutations of each ``valid`` example."""
    text = st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass"))
    deep = st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n)
    return st.one_of(st.binary(max_size=300), text, deep, *(mutated(v) for v in valid))
