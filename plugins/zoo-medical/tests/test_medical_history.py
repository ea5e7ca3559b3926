"""The patient-history string: writing, reading and the errors users see."""

from __future__ import annotations

import datetime as dt

import pytest
from zoo_medical.history import History, format_history, parse_history

from zoo.errors import ZooError

D = dt.date.toordinal


def test_format_groups_events_by_day_in_date_order() -> None:
    events = [
        (D(dt.date(2018, 3, 4)), "LOINC:4548-4"),
        (D(dt.date(2018, 1, 2)), "SNOMED:44054006"),
        (D(dt.date(2018, 1, 2)), "RXNORM:860975"),
    ]
    text = format_history(D(dt.date(2019, 5, 1)), events)
    assert text == "@2019-05-01 2018-01-02 RXNORM:860975 SNOMED:44054006 2018-03-04 LOINC:4548-4"


def test_parse_reads_what_format_writes() -> None:
    events = ((D(dt.date(2001, 1, 1)), "CVX:140"), (D(dt.date(2001, 1, 9)), "SNOMED:1000"))
    parsed = parse_history(format_history(D(dt.date(2002, 1, 1)), events))
    assert parsed == History(D(dt.date(2002, 1, 1)), events)
    assert parsed.concepts == ["CVX:140", "SNOMED:1000"]


def test_an_empty_history_is_just_the_index_date() -> None:
    assert parse_history("@2020-01-01") == History(D(dt.date(2020, 1, 1)), ())


@pytest.mark.parametrize(
    "text, problem",
    [
        ("2019-01-01 SNOMED:1", "starts with '@'"),
        ("@2019-01-01 SNOMED:1", "bad token 'SNOMED:1'"),  # a concept needs a date before it
        ("@2019-01-01 2019-01-01 SNOMED:1", "not before the index date"),
        ("@2019-01-01 2018-01-01 aspirin", "bad token 'aspirin'"),
        ("@2019-13-01", "bad date '2019-13-01'"),
    ],
)
def test_bad_histories_name_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ZooError, match=problem):
        parse_history(text)


def test_a_history_must_be_a_string() -> None:
    with pytest.raises(ZooError, match="got a list"):
        parse_history(["@2019-01-01"])  # type: ignore[arg-type]
