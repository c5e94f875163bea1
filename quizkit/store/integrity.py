"""Checking the file: SQLite's integrity check, and stored text that is not UTF-8 (quizkit doctor)."""

from __future__ import annotations

import json
import sqlite3

from ..errors import StoreError
from .connection import Connection


def _utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Integrity(Connection):
    def undecodable(self, limit: int = 20) -> list[str]:
        """'table.column #rowid' of stored text that is not UTF-8 (a command reading it would fail), at most
        `limit`: only values with a byte past ASCII (found by SQL) are decoded here."""
        found: list[str] = []
        self.db.text_factory = bytes
        try:
            tables = [t for (t,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                name = table.decode() if isinstance(table, bytes) else table
                texts = [c[1] for c in self.db.execute(f"PRAGMA table_info({json.dumps(name)})") if c[2] == b"TEXT"]
                for col in texts:
                    column = col.decode()
                    rows = self.db.execute(
                        f"SELECT rowid, {json.dumps(column)} FROM {json.dumps(name)} WHERE {json.dumps(column)} GLOB ?",
                        ("*[^\x01-\x7f]*",),  # a byte of 0x80 or more (GLOB reads invalid bytes one by one)
                    )
                    found += [f"{name}.{column} #{rowid}" for rowid, value in rows if not _utf8(value)]
                    if len(found) >= limit:
                        return found[:limit]
        except sqlite3.Error as e:
            raise StoreError(self._explain(e)) from None
        finally:
            self.db.text_factory = str
        return found

    def integrity(self) -> list[str]:
        """SQLite's `PRAGMA integrity_check`: ["ok"] when the file is sound, else what is wrong (at most 20
        lines). A file too damaged to be read at all is a StoreError naming it."""
        rows = self._read("PRAGMA integrity_check(20)")
        return [line for row in rows for line in str(row[0]).splitlines() if line.strip()]
