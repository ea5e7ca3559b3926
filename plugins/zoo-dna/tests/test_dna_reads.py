"""Read simulation, fragmenting and the alignment scores, on cases small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pytest
from zoo.errors import ZooError

from zoo_dna.reads import ErrorRates, Fragment, Read, fragment_starts, mutate, reverse_complement_codes, simulate_reads
from zoo_dna.sequences import reverse_complement, to_codes
from zoo_dna.tasks.alignment import hit_rates, relevant


def test_fragment_starts_cover_the_end() -> None:
    assert fragment_starts(1450, 250, 50)[-3:] == [1100, 1150, 1200]
    assert fragment_starts(260, 250, 50) == [0, 10]
    assert fragment_starts(300, 250, 50) == [0, 50]
    assert fragment_starts(100, 250, 50) == [0]
    with pytest.raises(ZooError, match="positive"):
        fragment_starts(100, 250, 0)


def test_error_free_reads_are_exact_copies_of_either_strand() -> None:
    reference = "".join(np.random.default_rng(1).choice(list("ACGT"), 1000))
    reads = simulate_reads({"ref": reference}, 20, 250, ErrorRates(0, 0, 0), 0.5, seed=3)
    assert {read.reverse for read in reads} == {True, False}
    for read in reads:
        copy = reference[read.start : read.start + 250]
        assert read.sequence == (reverse_complement(copy) if read.reverse else copy)


def test_reads_are_seeded() -> None:
    reference = {"ref": "ACGT" * 200}
    first, again = (simulate_reads(reference, 5, 250, ErrorRates(), 0.5, seed=9) for _ in range(2))
    assert first == again
    assert all(len(read.sequence) == 250 for read in first)


def test_substitutions_change_every_base_when_certain() -> None:
    codes = to_codes("ACGTN" * 40)
    out = mutate(codes, ErrorRates(0.999999, 0, 0), np.random.default_rng(0))
    known = codes != 4
    assert (out[known] != codes[known]).all() and (out[~known] == 4).all()


def test_indel_rates_change_length_as_expected() -> None:
    codes = to_codes("ACGT" * 25_000)
    rng = np.random.default_rng(0)
    assert len(mutate(codes, ErrorRates(0, 0.1, 0), rng)) == pytest.approx(110_000, rel=0.01)
    assert len(mutate(codes, ErrorRates(0, 0, 0.1), rng)) == pytest.approx(90_000, rel=0.01)


def test_reverse_complement_codes_keep_n() -> None:
    assert reverse_complement_codes(to_codes("AACGN")).tolist() == to_codes("NCGTT").tolist()


def test_bad_error_rate() -> None:
    with pytest.raises(ZooError, match="substitution=1.5"):
        ErrorRates(1.5)


def test_relevant_fragments_lie_within_the_tolerance() -> None:
    frags = [Fragment(f"a:{s}", "", "a", s) for s in (0, 50, 100, 150)] + [Fragment("b:100", "", "b", 100)]
    read = Read("a/r0", "", "a", 110, False)
    assert relevant(read, frags, 50) == {"a:100": 1, "a:150": 1}
    assert relevant(read, frags, 10) == {}


def test_hit_rates_by_hand() -> None:
    reads = [Read("a/r0", "", "a", 0, False), Read("b/r0", "", "b", 0, False)]
    qrels = {"a/r0": {"a:0": 1}, "b/r0": {"b:0": 1}}
    hits = [["a:0", "b:0"], ["b:50", "a:0", "c:0", "d:0", "b:0"]]
    scores = hit_rates(hits, reads, qrels, (1, 5))
    assert scores == {"hit_at_1": 0.5, "hit_at_5": 1.0, "top1": 0.5, "top1_reference": 1.0}
