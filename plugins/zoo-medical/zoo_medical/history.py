"""The "patient" modality: a patient's coded history before an index date, written as one string.

Format (whitespace-separated tokens)::

    @2019-05-01 2018-01-02 SNOMED:44054006 RXNORM:860975 2018-03-04 LOINC:4548-4

The first token is ``@`` and the index date; a bare ``YYYY-MM-DD`` token sets the date of the concepts
that follow it; every other token is a concept ``SYSTEM:CODE`` (the "concept" modality). Events must
fall before the index date. A string is content-addressed by the embedding cache, so one history is
encoded once whatever task or patient it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from zoo.api import ZooError

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CONCEPT = re.compile(r"[A-Z][A-Z0-9-]*:[^\s:]+")
EXAMPLE = "@2019-05-01 2018-01-02 SNOMED:44054006 RXNORM:860975"


@dataclass(frozen=True)
class History:
    """Events as (day number, concept), in the order written, and the index day (``date.toordinal()``)."""

    index_day: int
    events: tuple[tuple[int, str], ...]

    @property
    def concepts(self) -> list[str]:
        return [concept for _, concept in self.events]


def day(text: str) -> int:
    """``YYYY-MM-DD`` as a day number (proleptic Gregorian ordinal)."""
    try:
        return dt.date.fromisoformat(text).toordinal()
    except ValueError:
        raise ZooError(f"bad date {text!r} in a patient history; write dates as YYYY-MM-DD") from None


def format_history(index_day: int, events: Iterable[tuple[int, str]]) -> str:
    """The history string of ``events`` (day, concept) before ``index_day``, grouped by day in order."""
    tokens = [f"@{dt.date.fromordinal(index_day).isoformat()}"]
    current: int | None = None
    for when, concept in sorted(events):
        if when != current:
            tokens.append(dt.date.fromordinal(when).isoformat())
            current = when
        tokens.append(concept)
    return " ".join(tokens)


def parse_history(text: str) -> History:
    """Read a history string; raise ZooError naming the first bad token."""
    if not isinstance(text, str):
        raise ZooError(f"a patient history is a string like {EXAMPLE!r}, got a {type(text).__name__}")
    tokens = text.split()
    if not tokens or not tokens[0].startswith("@"):
        raise ZooError(f"a patient history starts with '@' and its index date, as in {EXAMPLE!r}")
    index_day = day(tokens[0][1:])
    events: list[tuple[int, str]] = []
    current: int | None = None
    for token in tokens[1:]:
        if DATE.fullmatch(token):
            current = day(token)
            if current >= index_day:
                raise ZooError(
                    f"event date {token} is not before the index date {tokens[0][1:]}; "
                    "a history holds only what happened before its index date"
                )
        elif CONCEPT.fullmatch(token) and current is not None:
            events.append((current, token))
        else:
            raise ZooError(
                f"bad token {token!r} in a patient history: expected a date YYYY-MM-DD or, "
                f"after a date, a concept SYSTEM:CODE, as in {EXAMPLE!r}"
            )
    return History(index_day, tuple(events))
