"""Reading the scheduled cards and their review log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .connection import Connection
from .rows import CardDue, CardRow, ReviewRow, utc_iso


class Cards(Connection):
    def cards(self) -> list[CardRow]:
        """(question, CardState JSON) for every card ever scheduled."""
        return list(map(CardRow._make, self._read("SELECT question, state FROM cards")))

    def card(self, question: str) -> str | None:
        rows = self._read("SELECT state FROM cards WHERE question = ?", (question,))
        return rows[0][0] if rows else None

    def due_cards(self, until: datetime, limit: int | None = None) -> list[CardRow]:
        """(question, CardState JSON) of non-leech cards due by `until`, most overdue first (indexed)."""
        sql = "SELECT question, state FROM cards WHERE leech = 0 AND due <= ? ORDER BY due, question"
        args: tuple[Any, ...] = (utc_iso(until),)
        if limit is not None:
            sql += " LIMIT ?"
            args += (limit,)
        return list(map(CardRow._make, self._read(sql, args)))

    def card_dues(self) -> list[CardDue]:
        """(question, due ISO, leech) of every card: enough for forecasts without parsing states."""
        return [CardDue(q, d, bool(leech)) for q, d, leech in self._read("SELECT question, due, leech FROM cards")]

    def reviews(self, since: datetime | None = None, until: datetime | None = None) -> list[ReviewRow]:
        """The review log in time order, optionally from `since` on and before `until`."""
        sql = "SELECT time, question, rating, prev_state, duration_ms FROM reviews"
        if since or until:
            bounds = (utc_iso(since) if since else "", utc_iso(until) if until else "9")
            rows = self._read(sql + " WHERE time >= ? AND time < ? ORDER BY time", bounds)
        else:
            rows = self._read(sql + " ORDER BY time")
        return list(map(ReviewRow._make, rows))

    def phases(self) -> dict[str, int]:
        """question -> its card's phase after its latest review (1 learning, 2 review, 3 relearning)."""
        rows = self._read(
            "SELECT question, state FROM reviews WHERE id IN (SELECT MAX(id) FROM reviews GROUP BY question)"
        )
        return dict(rows)
