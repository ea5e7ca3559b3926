"""Canonical k-mer counting and sequence handling, against hand-counted answers."""

from __future__ import annotations

import numpy as np
import pytest
from zoo.errors import ZooError

from zoo_dna.kmers import canonical_columns, canonical_kmers, kmer_counts, n_canonical
from zoo_dna.sequences import check_sequences, clean, from_codes, reverse_complement, to_codes


@pytest.mark.parametrize(("k", "columns"), [(1, 2), (2, 10), (3, 32), (4, 136), (5, 512), (6, 2080)])
def test_column_counts(k: int, columns: int) -> None:
    assert n_canonical(k) == columns == canonical_columns(k).max() + 1
    assert len(canonical_kmers(k)) == columns


def test_hand_counted_dimers() -> None:
    # ACGTNAC: AC, CG, GT (= AC reversed and complemented), then TN and NA skipped, then AC again
    counts = kmer_counts(["ACGTNAC"], 2)[0]
    names = canonical_kmers(2)
    assert names == ["AA", "AC", "AG", "AT", "CA", "CC", "CG", "GA", "GC", "TA"]
    assert dict(zip(names, counts.tolist())) == {
        "AA": 0,
        "AC": 3,
        "AG": 0,
        "AT": 0,
        "CA": 0,
        "CC": 0,
        "CG": 1,
        "GA": 0,
        "GC": 0,
        "TA": 0,
    }


def test_a_strand_and_its_reverse_complement_count_the_same() -> None:
    rng = np.random.default_rng(0)
    forward = "".join(rng.choice(list("ACGT"), 500))
    both = kmer_counts([forward, reverse_complement(forward)], 6)
    np.testing.assert_array_equal(both[0], both[1])
    assert both[0].sum() == 495


def test_short_and_unknown_sequences_count_nothing() -> None:
    assert kmer_counts(["ACG", "NNNNNNN", ""], 4).sum() == 0


def test_cleaning_and_codes() -> None:
    assert clean("acgURYn") == "ACGTNNN"
    assert from_codes(to_codes("ACGTN")) == "ACGTN"
    assert to_codes("ACGTN").tolist() == [0, 1, 2, 3, 4]
    assert reverse_complement("AACGN") == "NCGTT"


def test_bad_sequences_raise_one_clear_error() -> None:
    with pytest.raises(ZooError, match="not a single string"):
        check_sequences("ACGT", "tnf")
    with pytest.raises(ZooError, match="input 1 is a int"):
        check_sequences(["ACGT", 5], "tnf")
    with pytest.raises(ZooError, match=r"input 0 is not DNA \(letters 'ELO'\)"):
        check_sequences(["HELLO"], "tnf")
