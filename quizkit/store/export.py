"""Export queries: every attempt with its review, oldest first, from one cursor (memory stays flat at any
size), as dicts or as chunks of CSV rows and JSON lines made by SQL."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import StoreError
from .connection import Connection


def _column(expr: str, kind: type, fmt: str) -> str:
    """One exported column in SQL: for "jsonl", its JSON text."""
    if kind is bool:
        yes, no = ("'True'", "'False'") if fmt == "csv" else ("'true'", "'false'")
        return f"CASE WHEN {expr} THEN {yes} ELSE {no} END"
    if fmt == "csv":
        return expr
    if kind is str:
        return f"json_quote({expr})"
    if kind is float:
        return (
            f"CASE WHEN {expr} IS NULL THEN 'null' WHEN {expr} > 1e308 THEN 'Infinity' "
            f"WHEN {expr} < -1e308 THEN '-Infinity' ELSE {expr} END"
        )
    return f"IFNULL({expr}, 'null')"


class Export(Connection):
    _ATTEMPT_KEYS = (
        "id", "question", "time", "answer", "correct", "seconds", "device", "session", "mode", "hints",
        "card_id", "rating", "state", "prev_state", "due", "stability", "difficulty", "duration_ms",
    )  # fmt: skip

    def iter_attempts(self) -> Iterator[dict[str, Any]]:
        """Every attempt with its review (if any), oldest first, one at a time from a cursor: an export
        of a million rows holds one row in memory, not all of them."""
        try:
            cur = self.db.execute(
                "SELECT a.id, a.question, a.time, a.answer, a.correct, a.seconds, a.device, a.session, a.mode, a.hints, "
                "r.card_id, r.rating, r.state, r.prev_state, r.due, r.stability, r.difficulty, r.duration_ms "
                "FROM attempts a LEFT JOIN reviews r ON r.attempt = a.id ORDER BY a.id"
            )
            for row in cur:
                d = dict(zip(self._ATTEMPT_KEYS, row))
                d["correct"] = bool(d["correct"])
                yield d
        except sqlite3.Error as e:
            raise StoreError(self._explain(e)) from None

    # What each exported column is in SQL, and its kind: a drill attempt has no review row, so its review
    # columns are NULL.
    _EXPORT_SQL: dict[str, tuple[str, type]] = {
        "id": ("a.id", int), "question": ("a.question", str), "time": ("a.time", str),
        "answer": ("a.answer", str), "correct": ("a.correct", bool), "seconds": ("a.seconds", float),
        "device": ("a.device", str), "session": ("a.session", str), "mode": ("a.mode", str), "hints": ("a.hints", int),
        "card_id": ("r.card_id", int), "rating": ("r.rating", int), "state": ("r.state", int),
        "prev_state": ("r.prev_state", int), "due": ("r.due", str), "stability": ("r.stability", float),
        "difficulty": ("r.difficulty", float), "duration_ms": ("r.duration_ms", int),
    }  # fmt: skip
    EXPORT_CHUNK = 2000

    def export(self, fields: Sequence[str], fmt: str, damaged: list[int] | None = None) -> Iterator[list[Any]]:
        """Every attempt with its review, oldest first, in chunks (lists) read from one cursor, so memory
        stays flat at any size. "csv": tuples for csv.writer, `correct` as True/False; "jsonl": whole lines,
        each the same text as json.dumps(row, ensure_ascii=False) + newline.

        For JSON, SQL gives every value as its JSON text (json_quote escapes exactly as Python's json does;
        NULL is 'null') and one %-format per row puts them between the keys. Floats alone come back as
        floats, which %s writes with repr() as json does: SQLite before 3.43 would round them to 15 digits.

        A value that is not UTF-8 (one bad byte in one row) no longer fails the whole export: it is written
        with U+FFFD for the bad bytes and counted in `damaged` (one item per value)."""
        cols = [_column(*self._EXPORT_SQL[f], fmt) for f in fields]
        line = None if fmt == "csv" else "{" + ", ".join(f"{json.dumps(f)}: %s" for f in fields) + "}\n"
        sql = (
            "SELECT a.id, " + ", ".join(cols) + " FROM attempts a LEFT JOIN reviews r ON r.attempt = a.id "
            "WHERE a.id > ? ORDER BY a.id"
        )
        last = 0  # the id of the last row given: the query starts again after it
        try:
            cur = self.db.execute(sql, (last,))
            while True:
                try:
                    rows = cur.fetchmany(self.EXPORT_CHUNK)
                except sqlite3.OperationalError as e:
                    if "decode" not in str(e):
                        raise
                    rows, cur = self._undecodable_chunk(sql, last, damaged)
                if not rows:
                    return
                last = rows[-1][0]
                rows = [row[1:] for row in rows]
                yield rows if line is None else list(map(line.__mod__, rows))
        except sqlite3.Error as e:
            raise StoreError(self._explain(e)) from None

    def _undecodable_chunk(self, sql: str, last: int, damaged: list[int] | None) -> tuple[list[Any], sqlite3.Cursor]:
        """The chunk after `last` again, a value that is not UTF-8 text (a damaged row, a byte written by
        another program) decoded with U+FFFD for its bad bytes and counted in `damaged`; then (rows, a cursor
        for the rest, decoded strictly and fast again)."""

        def tolerant(raw: bytes) -> str:
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                if damaged is not None:
                    damaged.append(1)
                return raw.decode("utf-8", "replace")

        self.db.text_factory = tolerant
        try:
            rows = self.db.execute(sql, (last,)).fetchmany(self.EXPORT_CHUNK)
        finally:
            self.db.text_factory = str
        return rows, self.db.execute(sql, (rows[-1][0] if rows else last,))

    def attempts(self) -> list[dict[str, Any]]:
        return list(self.iter_attempts())
