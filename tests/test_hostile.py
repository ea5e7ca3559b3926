"""The hostile-input corpus (tests/hostile/manifest.json) through the real CLI: every case ends in a
clear one-line error or a correct result; none in a traceback, a silent wrong result, a hang or lost data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.hostile.runner import GOOD, cases, run_case

CASES = cases()


def test_the_corpus_is_large_and_covers_both_good_outcomes():
    assert len(CASES) >= 60
    assert len({case["name"] for case in CASES}) == len(CASES)
    expected = Counter(case["expect"] for case in CASES)
    assert expected["error"] >= 40 and expected["ok"] >= 15
    assert all(case.get("why") for case in CASES)
    assert all("message" in case for case in CASES if case["expect"] == "error")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case: dict, tmp_path: Path):
    outcome = run_case(case, tmp_path / "case")
    assert outcome.kind in GOOD, f"{outcome.kind}: {outcome.detail}"
    assert outcome.kind == ("clear error" if case["expect"] == "error" else "survived"), outcome.detail
