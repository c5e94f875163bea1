"""The progress database: one SQLite file. The only package that imports sqlite3.

One module per concern, each a mixin over the connection; `Store` is all of them, so callers keep
`store.Store(...)`:

    connection   opening (WAL, a read-only folder, the check of a damaged file), one transaction per write
    migrations   the numbered schema migrations and the repairs of released schemas: add migrations here
    rows         the values taken and given (Attempt, Review, and NamedTuple rows read by name)
    answers      attempts, reviews and cards written; rerate and undo (compare-and-set); workspace hints
    cards        the scheduled cards and the review log
    mocks        mock interviews' reports
    aggregates   counts for stats, lists and study plans
    export       every attempt with its review, streamed for `quizkit export`
    integrity    integrity_check and text that is not UTF-8 (`quizkit doctor`)
    fsrs         the review log an FSRS fit learns from, the fits in force, notices shown (`quizkit optimize`)
"""

from __future__ import annotations

from .aggregates import Aggregates
from .answers import Answers
from .cards import Cards
from .connection import BUSY_MS, SYNC_CHECK_BYTES
from .export import Export
from .fsrs import Fsrs
from .integrity import Integrity
from .migrations import MIGRATIONS, REPAIRS
from .mocks import Mocks
from .rows import (
    Attempt,
    AttemptTime,
    CardDue,
    CardRow,
    DueForecast,
    LastAnswer,
    MonthRetention,
    Progress,
    QuestionTally,
    ReplayRow,
    Review,
    ReviewCounts,
    ReviewRow,
    Tally,
    utc_iso,
)


class Store(Answers, Cards, Mocks, Aggregates, Export, Integrity, Fsrs):
    """The progress database (see connection.Connection for opening it)."""


__all__ = [
    "BUSY_MS", "MIGRATIONS", "REPAIRS", "SYNC_CHECK_BYTES", "Attempt", "AttemptTime", "CardDue", "CardRow",
    "DueForecast", "LastAnswer", "MonthRetention", "Progress", "QuestionTally", "ReplayRow", "Review",
    "ReviewCounts", "ReviewRow", "Store", "Tally", "utc_iso",
]  # fmt: skip
