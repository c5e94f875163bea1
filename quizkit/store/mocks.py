"""Mock interviews: each one's report, kept whole."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .connection import Connection
from .rows import utc_iso


class Mocks(Connection):
    def record_mock(self, session: str, started: datetime, minutes: int, report: dict[str, Any]) -> int:
        values = (session, utc_iso(started), minutes, report["seconds"], report["asked"], report["right"],
                  report["points"], report["possible"], json.dumps(report))  # fmt: skip
        return self._write(
            lambda db: int(
                db.execute(
                    "INSERT INTO mocks (session, started, minutes, seconds, asked, answered_right, points, possible, "
                    "report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                ).lastrowid
                or 0
            )
        )

    def mocks(self, limit: int = 10) -> list[dict[str, Any]]:
        """The latest mock interviews, newest first, each its stored report."""
        rows = self._read("SELECT started, report FROM mocks ORDER BY started DESC, id DESC LIMIT ?", (limit,))
        return [dict(json.loads(report), started=started) for started, report in rows]
