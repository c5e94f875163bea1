"""FSRS fitted to the learner (`quizkit optimize`): the review log it learns from, every fit and reset
(the latest is in force), and when a suggestion was last shown."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .connection import Connection
from .rows import utc_iso


class Fsrs(Connection):
    def review_log(self) -> list[tuple[int, str, int, int | None, int]]:
        """(card id, time, rating, duration_ms, prev_state) of every review, each card's oldest first."""
        return self._read(
            "SELECT card_id, time, rating, duration_ms, prev_state FROM reviews ORDER BY card_id, time, id"
        )

    def countable_reviews(self, since: str = "") -> int:
        """Reviews from `since` on that came a day or more after their card's previous review: those an FSRS
        fit learns from (py-fsrs counts whole days, as timedelta.days)."""
        rows = self._read(
            "SELECT COUNT(*) FROM (SELECT time, CAST(strftime('%s', time) AS INTEGER) - CAST(strftime('%s', "
            "LAG(time) OVER (PARTITION BY card_id ORDER BY time, id)) AS INTEGER) AS gap FROM reviews) "
            "WHERE gap >= 86400 AND time >= ?",
            (since,),
        )
        return int(rows[0][0])

    def fsrs_params(self) -> dict[str, Any] | None:
        """The latest fit or reset: {"time", "reviews", "parameters" (None: the defaults), "report"}; None: never."""
        rows = self._read("SELECT time, reviews, parameters, report FROM fsrs_params ORDER BY id DESC LIMIT 1")
        if not rows:
            return None
        when, reviews, params, report = rows[0]
        return {"time": when, "reviews": reviews, "parameters": json.loads(params) if params else None,
                "report": json.loads(report)}  # fmt: skip

    def set_fsrs_params(
        self, when: datetime, reviews: int, parameters: list[float] | None, report: dict[str, Any]
    ) -> None:
        params = json.dumps(parameters) if parameters is not None else None
        self._write(
            lambda db: db.execute(
                "INSERT INTO fsrs_params (time, reviews, parameters, report) VALUES (?, ?, ?, ?)",
                (utc_iso(when), reviews, params, json.dumps(report)),
            )
        )

    def notice_shown(self, name: str) -> str | None:
        rows = self._read("SELECT shown FROM notices WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def set_notice_shown(self, name: str, when: datetime) -> None:
        self._write(lambda db: db.execute("INSERT OR REPLACE INTO notices VALUES (?, ?)", (name, utc_iso(when))))
