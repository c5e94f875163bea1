"""The connection to the progress database: opening it (WAL, migrations, a read-only folder, the check of a
damaged file), one transaction per write, and the one line an SQLite error becomes.

Every answer is its own transaction, committed as it is given: a killed process loses nothing
already answered. WAL and a busy timeout let two sessions write the same file at once.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from ..errors import StoreError
from ..i18n import _
from ..settings import data_dir
from . import migrations

T = TypeVar("T")
C = TypeVar("C", bound="Connection")

BUSY_MS = 5000
SYNC_CHECK_BYTES = 4 << 20  # a checked store up to this size is quick_checked at once (about 10 ms at most)


def _cannot_write(e: Exception) -> bool:
    """An error opening the database that says the folder or the file cannot be written."""
    if isinstance(e, OSError):
        return e.errno in (13, 30, 1)  # EACCES, EROFS, EPERM
    text = str(e)
    return any(w in text for w in ("readonly", "read-only", "unable to open", "attempt to write"))


def _quick_check(db: sqlite3.Connection) -> list[str]:
    """SQLite's quick_check: [] when the pages are sound, else what is wrong (a file too damaged to read says
    so as its one line); [] when interrupted (a command that ended before it finished)."""
    try:
        rows = db.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.OperationalError as e:
        if "interrupt" in str(e):
            return []
        return [str(e)]
    except sqlite3.DatabaseError as e:
        return [str(e)]
    lines = [line for row in rows for line in str(row[0]).splitlines() if line.strip()]
    return [] if lines == ["ok"] else lines


class Connection:
    """The file and its connection; the store's query modules are mixins over it (store/__init__.py)."""

    db: sqlite3.Connection
    path: Path
    read_only: bool
    # (thread, connection, its answer) of a quick_check still running
    _checker: tuple[threading.Thread, sqlite3.Connection, list[list[str]]] | None = None

    def __init__(self, path: Path | None = None, check: bool = False):
        """`check`: for a command that writes answers, SQLite's quick_check first (at once for a small file,
        in a thread beside the first question for a large one, awaited before the first write): a damaged
        database is refused, never written into with "saved" said."""
        if path is None:
            path = data_dir() / "quizkit.db"
        self.path = Path(path)
        self.read_only = False
        try:
            self._open()
            if check:
                self._start_check()
        except (sqlite3.Error, OSError) as e:
            if check or not _cannot_write(e):
                raise self._open_error(e) from None
            self._open_read_only(e)  # stats, export, list: a folder that cannot be written is read

    def _open_error(self, e: Exception) -> StoreError:
        if isinstance(e, sqlite3.Error):
            return StoreError(self._explain(e, opening=True))
        return StoreError(
            _("{path}: cannot open the progress database: {error}").format(
                path=self.path, error=getattr(e, "strerror", None) or e
            )
        )

    def _open(self) -> None:
        """Connect, WAL, migrate. Two first starts at once: switching a new file to WAL while another
        process holds its lock is 'database is locked' at once (SQLite calls no busy handler there), so a
        locked open is tried again until BUSY_MS has passed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + BUSY_MS / 1000
        while True:
            self.db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
            try:
                self.db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")  # with WAL: safe against a crashed process
                self._migrate()
                return
            except sqlite3.OperationalError as e:
                self.db.close()
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _open_read_only(self, why: Exception) -> None:
        """A read-only folder (or file): read the database as it is, without its WAL's shared memory if that
        cannot be made (immutable: nothing can write it meanwhile); no database yet is an empty one in
        memory. One made by an older quizkit cannot be upgraded here: StoreError."""
        self.read_only = True
        if not self.path.exists():
            self.db = sqlite3.connect(":memory:", isolation_level=None)
            self._migrate()
            return
        done = None
        for flags in ("mode=ro", "immutable=1"):
            try:
                self.db = sqlite3.connect(f"file:{quote(str(self.path))}?{flags}", uri=True, isolation_level=None)
                done = dict(self.db.execute("SELECT version, name FROM migrations").fetchall())
                break
            except sqlite3.Error as e:
                self.db.close()
                why = e
        if done is None:
            raise self._open_error(why)
        if self._pending(done):
            self.db.close()
            raise StoreError(
                _(
                    "{path}: made by an older quizkit and cannot be upgraded where it is (the folder is read-only); "
                    "run quizkit once where it can be written"
                ).format(path=self.path)
            )

    def _start_check(self) -> None:
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        if size <= SYNC_CHECK_BYTES:
            self._refuse_damage(_quick_check(self.db))
            return
        con = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, check_same_thread=False)
        found: list[list[str]] = []
        thread = threading.Thread(target=lambda: found.append(_quick_check(con)), daemon=True)
        thread.start()
        self._checker = (thread, con, found)

    def _await_check(self) -> None:
        """Before the first write of a checked store: the quick_check's answer (waited for)."""
        if self._checker is None:
            return
        thread, con, found = self._checker
        thread.join()
        self._checker = None
        con.close()
        self._refuse_damage(found[0] if found else [])

    def _refuse_damage(self, lines: list[str]) -> None:
        if lines:
            shown = "; ".join(" ".join(x.split()) for x in lines[:2])
            raise StoreError(
                _(
                    "{path}: the progress database is damaged ({problem}); nothing is written into it: copy it "
                    "somewhere safe and run quizkit doctor, or set QUIZKIT_HOME to start afresh"
                ).format(path=self.path, problem=shown)
            )

    @staticmethod
    def files(path: Path) -> list[Path]:
        """The database and every file SQLite keeps beside it (WAL, shared memory, rollback journal)."""
        return [Path(str(path) + suffix) for suffix in ("", "-wal", "-shm", "-journal")]

    def _explain(self, e: Exception, opening: bool = False) -> str:
        """The one line for an SQLite error; `opening`: raised while opening, before anything was answered."""
        text = str(e)
        if "not a database" in text or "malformed" in text:
            message = _(
                "{path}: not a readable quizkit database ({error}); it was left untouched: "
                "move it away or set QUIZKIT_HOME to start afresh"
            )
        elif "locked" in text or "busy" in text:
            message = _("{path}: the progress database is locked by another program ({error}); try again")
        elif opening and any(w in text for w in ("full", "disk I/O", "readonly", "unable to open")):
            message = _(
                "{path}: cannot write the progress database ({error}); free some space, or set QUIZKIT_HOME to a "
                "folder you can write"
            )
        elif "full" in text or "disk I/O" in text or "readonly" in text:
            message = _("{path}: cannot write the progress database ({error}); the last answer was NOT saved")
        else:
            message = _("{path}: progress database error: {error}")
        return message.format(path=self.path, error=text)

    def _migrate(self) -> None:
        migrations.migrate(self.db, self.path)

    def _pending(self, done: dict[int, str]) -> list[migrations.Migration]:
        return migrations.pending(done, self.path)

    def versions(self) -> list[int]:
        return [v for (v,) in self.db.execute("SELECT version FROM migrations ORDER BY version")]

    def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """One transaction; an error leaves the file as it was and becomes a StoreError naming the real
        cause (a disk-full COMMIT is reported as such, not as the rollback that follows it)."""
        self._await_check()
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                result = fn(self.db)
                self.db.execute("COMMIT")
                return result
            except BaseException:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite may have rolled back already; the first error is the one to report
                raise
        except sqlite3.Error as e:
            raise StoreError(self._explain(e)) from None

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            raise StoreError(self._explain(e)) from None

    def close(self) -> None:
        if self._checker is not None:  # a large file still being checked, and nothing written: stop it
            thread, con, _found = self._checker
            con.interrupt()
            thread.join()
            con.close()
            self._checker = None
        self.db.close()

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
