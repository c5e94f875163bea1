"""Writing answers: an attempt, its review and the card's new state in one transaction; rating again and
taking back, compare-and-set against another session; the hints a workspace question has shown."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .connection import Connection
from .rows import Attempt, ReplayRow, Review, utc_iso

# What record_review is given: a Review, or one made inside the transaction from the card's state as stored
# (JSON or None) and how many new cards were first reviewed in the span asked about.
ReviewMaker = Callable[[str | None, int], Review | None]
Replay = Callable[[list[ReplayRow]], list[Review]]

_INSERT_REVIEW = (
    "INSERT INTO reviews (attempt, question, card_id, time, rating, state, prev_state, due, stability, "
    "difficulty, duration_ms, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT_CARD = (
    "INSERT INTO cards (question, card_id, state, due, leech, updated) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(question) DO UPDATE SET state = excluded.state, due = excluded.due, "
    "leech = excluded.leech, updated = excluded.updated"
)


def _insert_review(db: sqlite3.Connection, attempt_id: int, r: Review, when: str, session: str) -> None:
    """The review's log row and the card it leaves, as of `when` (ISO)."""
    db.execute(
        _INSERT_REVIEW,
        (attempt_id, r.question, r.card_id, when, r.rating, r.state, r.prev_state, utc_iso(r.due), r.stability,
         r.difficulty, r.duration_ms, session),
    )  # fmt: skip
    db.execute(_UPSERT_CARD, (r.question, r.card_id, r.card_json, utc_iso(r.due), int(r.leech), when))


class Answers(Connection):
    @staticmethod
    def _insert_attempt(db: sqlite3.Connection, a: Attempt) -> int:
        cur = db.execute(
            "INSERT INTO attempts (question, time, answer, correct, seconds, device, session, mode, hints) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.question, utc_iso(a.time), a.answer, int(a.correct), round(a.seconds, 3), a.device, a.session,
             a.mode, a.hints),
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    def record_attempt(self, a: Attempt) -> int:
        return self._write(lambda db: self._insert_attempt(db, a))

    def record_review(
        self, a: Attempt, r: Review | ReviewMaker, new_since: str | None = None, new_until: str | None = None
    ) -> tuple[int, Review | None]:
        """The attempt, its review log row and the card's new state: all or nothing.

        `r` is a Review, or a function (the card's state JSON as stored now or None, how many new cards
        were first reviewed since `new_since`) -> Review or None, called inside the write transaction so
        that two sessions at once never rate the same card from a stale state nor overrun the new-card
        limit. None stores the attempt alone. Returns (attempt id, the Review written or None)."""

        def write(db: sqlite3.Connection) -> tuple[int, Review | None]:
            review: Review | None
            if callable(r):
                rows = db.execute("SELECT state FROM cards WHERE question = ?", (a.question,)).fetchall()
                new_today = db.execute(
                    "SELECT COUNT(*) FROM reviews WHERE prev_state = 0 AND time >= ? AND time < ?",
                    (new_since or "", new_until or "9"),
                ).fetchone()[0]
                review = r(rows[0][0] if rows else None, new_today)
            else:
                review = r
            attempt_id = self._insert_attempt(db, a)
            if review is None:
                return attempt_id, None
            _insert_review(db, attempt_id, review, utc_iso(a.time), a.session)
            return attempt_id, review

        return self._write(write)

    def _write_review(self, db: sqlite3.Connection, attempt_id: int, r: Review, when: str, session: str) -> None:
        """The answer's review replaced: its log row and the card."""
        db.execute("DELETE FROM reviews WHERE attempt = ?", (attempt_id,))
        _insert_review(db, attempt_id, r, when, session)

    def rerate(self, attempt_id: int, r: Review, expect: str | None = None, replay: Replay | None = None) -> str | None:
        """The learner changed the rating of an answer already stored: its review row and card, at once.

        Compare-and-set: `expect` is the card's state JSON as this answer left it. When the card holds
        something else (another session reviewed it meanwhile), the new rating goes into this answer's review
        row and the card is recomputed from its full log by `replay` (see _replay), never written from this
        session's stale copy. Returns the card's state JSON now (None: the answer is gone)."""

        def write(db: sqlite3.Connection) -> str | None:
            row = db.execute("SELECT time, session, question FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
            if not row:
                return None
            when, session, question = row
            if replay is not None and expect is not None and self._card_json(db, question) != expect:
                db.execute("UPDATE reviews SET rating = ? WHERE attempt = ?", (r.rating, attempt_id))
                return self._replay(db, question, replay)
            self._write_review(db, attempt_id, r, when, session)
            return r.card_json

        return self._write(write)

    def undo(
        self,
        attempt_id: int,
        question: str,
        card: str | None | bool = True,
        expect: str | None = None,
        replay: Replay | None = None,
    ) -> None:
        """Take back an answer: the attempt, its review, and the card: left as it is (`card` True, a
        drill), removed (None: it was new), or put back to the state JSON it had before.

        Compare-and-set: `expect` is the card's state JSON as this answer left it; when the card holds
        something else (another session reviewed it meanwhile), it is recomputed by `replay` from the
        reviews that remain, never put back to this session's stale copy."""

        def write(db: sqlite3.Connection) -> None:
            moved = expect is not None and replay is not None and self._card_json(db, question) != expect
            db.execute("DELETE FROM reviews WHERE attempt = ?", (attempt_id,))
            db.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
            if card is True:
                return
            if moved and replay is not None:
                self._replay(db, question, replay)
            elif card is None:
                db.execute("DELETE FROM cards WHERE question = ?", (question,))
            elif isinstance(card, str):
                state: dict[str, Any] = json.loads(card)
                due = datetime.fromisoformat(state["card"]["due"])
                db.execute(
                    "UPDATE cards SET state = ?, due = ?, leech = ? WHERE question = ?",
                    (card, utc_iso(due), int(state.get("leech", False)), question),
                )

        self._write(write)

    @staticmethod
    def _card_json(db: sqlite3.Connection, question: str) -> str | None:
        row = db.execute("SELECT state FROM cards WHERE question = ?", (question,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _replay(db: sqlite3.Connection, question: str, replay: Replay) -> str | None:
        """The card recomputed from its whole review log, inside the caller's transaction: `replay` takes
        ReplayRows oldest first and gives a Review per row; each row's computed columns and the card are
        rewritten. No review left: the card is removed (it is new again). Returns the card's state JSON now."""
        rows = db.execute(
            "SELECT id, attempt, time, rating, duration_ms FROM reviews WHERE question = ? ORDER BY id", (question,)
        ).fetchall()
        if not rows:
            db.execute("DELETE FROM cards WHERE question = ?", (question,))
            return None
        reviews = replay([ReplayRow(*rest) for _id, *rest in rows])
        for (review_id, *_rest), r in zip(rows, reviews):
            db.execute(
                "UPDATE reviews SET state = ?, prev_state = ?, due = ?, stability = ?, difficulty = ? WHERE id = ?",
                (r.state, r.prev_state, utc_iso(r.due), r.stability, r.difficulty, review_id),
            )
        last = reviews[-1]
        db.execute(
            _UPSERT_CARD, (question, last.card_id, last.card_json, utc_iso(last.due), int(last.leech), rows[-1][2])
        )
        return last.card_json

    def workspace_hints(self, question: str) -> int:
        rows = self._read("SELECT shown FROM workspace_hints WHERE question = ?", (question,))
        return int(rows[0][0]) if rows else 0

    def set_workspace_hints(self, question: str, shown: int) -> None:
        def write(db: sqlite3.Connection) -> None:
            if shown:
                db.execute("INSERT OR REPLACE INTO workspace_hints VALUES (?, ?)", (question, shown))
            else:
                db.execute("DELETE FROM workspace_hints WHERE question = ?", (question,))

        self._write(write)
