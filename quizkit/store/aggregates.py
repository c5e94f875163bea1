"""Counts for stats, lists and study plans: SQL does the counting, over the indexes migration 5 made."""

from __future__ import annotations

from .connection import Connection
from .rows import AttemptTime, DueForecast, LastAnswer, MonthRetention, Progress, QuestionTally, ReviewCounts, Tally


class Aggregates(Connection):
    def progress(self) -> dict[str, Progress]:
        """question -> (attempts, right, last answer right)."""
        rows = self._read(
            "SELECT question, COUNT(*), SUM(correct), "
            "(SELECT correct FROM attempts b WHERE b.question = a.question ORDER BY b.id DESC LIMIT 1) "
            "FROM attempts a GROUP BY question"
        )
        return {q: Progress(n, right or 0, bool(last)) for q, n, right, last in rows}

    def last_answer(self, question: str) -> LastAnswer | None:
        """(answer, right) of the question's latest attempt, or None."""
        rows = self._read(
            "SELECT answer, correct FROM attempts WHERE question = ? ORDER BY id DESC LIMIT 1", (question,)
        )
        return LastAnswer(rows[0][0], bool(rows[0][1])) if rows else None

    def counts_between(self, bounds: list[str]) -> list[int]:
        """Attempts in each [bounds[i], bounds[i+1]) of ISO times (an indexed range count each)."""
        return [
            self._read("SELECT COUNT(*) FROM attempts WHERE time >= ? AND time < ?", (a, b))[0][0]
            for a, b in zip(bounds, bounds[1:])
        ]

    def any_between(self, bounds: list[str]) -> list[bool]:
        """Whether there is an attempt in each [bounds[i], bounds[i+1]): one index probe each, not a count."""
        return [
            bool(self._read("SELECT EXISTS (SELECT 1 FROM attempts WHERE time >= ? AND time < ?)", (a, b))[0][0])
            for a, b in zip(bounds, bounds[1:])
        ]

    def due_forecast(self, starts: list[str]) -> DueForecast:
        """(non-leech cards due in each [starts[i], starts[i+1]), the first also counting every card due
        before it; all cards; leeches), counted over the (leech, due) index."""
        counts = [
            self._read("SELECT COUNT(*) FROM cards WHERE leech = 0 AND due >= ? AND due < ?", (a, b))[0][0]
            for a, b in zip(["", *starts[1:-1]], starts[1:])
        ]
        cards, leeches = self._read("SELECT COUNT(*), COALESCE(SUM(leech != 0), 0) FROM cards")[0]
        return DueForecast(counts, cards, leeches)

    def first_attempt_time(self) -> str | None:
        first: str | None = self._read("SELECT MIN(time) FROM attempts")[0][0]
        return first

    def attempts_by_question(self) -> list[QuestionTally]:
        """(question, attempts, right)."""
        rows = self._read("SELECT question, COUNT(*), SUM(correct) FROM attempts GROUP BY question")
        return list(map(QuestionTally._make, rows))

    def attempts_since(self, since: str, until: str | None = None) -> Tally:
        """(attempts, right) from an ISO time on (and before `until`: answers dated later, stored while the
        clock was ahead, are not today's)."""
        n, right = self._read(
            "SELECT COUNT(*), SUM(correct) FROM attempts WHERE time >= ? AND time < ?", (since, until or "9")
        )[0]
        return Tally(n, right or 0)

    def retention_by_month(self) -> list[MonthRetention]:
        """(YYYY-MM in UTC, reviews of cards in review, passed) — Anki's true retention."""
        rows = self._read(
            "SELECT substr(time, 1, 7), COUNT(*), SUM(rating > 1) FROM reviews "
            "WHERE prev_state = 2 GROUP BY 1 ORDER BY 1"
        )
        return list(map(MonthRetention._make, rows))

    def review_counts_since(self, since: str, until: str | None = None) -> ReviewCounts:
        """(reviews of new cards, other reviews, all reviews ever) from an ISO time on, before `until`."""
        new, other = self._read(
            "SELECT COALESCE(SUM(prev_state = 0), 0), COALESCE(SUM(prev_state != 0), 0) FROM reviews "
            "WHERE time >= ? AND time < ?",
            (since, until or "9"),
        )[0]
        return ReviewCounts(new, other, self._read("SELECT COUNT(*) FROM reviews")[0][0])

    def attempt_times(self) -> list[AttemptTime]:
        """(time, question, correct 0/1) of every attempt, oldest first."""
        return list(map(AttemptTime._make, self._read("SELECT time, question, correct FROM attempts ORDER BY id")))
