"""What the store takes and gives: plain values, read by name (never `row[3]` in another module).

The read rows are NamedTuples: they unpack as the tuples they replace, and they say what each field is.
Lists of them are made with `_make` (a fifth cheaper than `Row(*row)` per row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple


def utc_iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Attempt:
    question: str
    time: datetime
    answer: str
    correct: bool
    seconds: float
    device: str
    session: str
    mode: str = "drill"
    hints: int = 0  # progressive hints shown before this answer


@dataclass
class Review:
    """One scheduled review, written with its attempt and the card's new state in one transaction."""

    question: str
    card_id: int
    rating: int
    state: int
    prev_state: int  # 0: the card was new
    due: datetime
    stability: float | None
    difficulty: float | None
    duration_ms: int | None
    card_json: str
    leech: bool


class Progress(NamedTuple):
    """A question's answers so far."""

    attempts: int
    right: int
    last_right: bool  # the latest answer was right


class LastAnswer(NamedTuple):
    answer: str
    right: bool


class CardRow(NamedTuple):
    question: str
    state: str  # scheduler.CardState as JSON


class CardDue(NamedTuple):
    question: str
    due: str  # ISO 8601, UTC
    leech: bool


class ReviewRow(NamedTuple):
    """One row of the review log."""

    time: str  # ISO 8601, UTC
    question: str
    rating: int
    prev_state: int  # 0: the card was new
    duration_ms: int | None


class ReplayRow(NamedTuple):
    """A review as the card's replay reads it (Store.rerate, Store.undo)."""

    attempt: int
    time: str
    rating: int
    duration_ms: int | None


class QuestionTally(NamedTuple):
    question: str
    attempts: int
    right: int


class Tally(NamedTuple):
    attempts: int
    right: int


class MonthRetention(NamedTuple):
    month: str  # YYYY-MM, UTC
    reviews: int  # reviews of cards in review
    passed: int


class ReviewCounts(NamedTuple):
    new: int  # reviews of new cards
    other: int
    total: int  # every review ever


class DueForecast(NamedTuple):
    counts: list[int]  # non-leech cards due in each span, the first also counting every card due before it
    cards: int
    leeches: int


class AttemptTime(NamedTuple):
    time: str
    question: str
    correct: int  # 0 or 1
