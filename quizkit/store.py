"""The progress database: one SQLite file. The only module that imports sqlite3.

Every answer is its own transaction, committed as it is given: a killed process loses nothing
already answered. WAL and a busy timeout let two sessions write the same file at once.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import StoreError
from .i18n import _

BUSY_MS = 5000
SYNC_CHECK_BYTES = 4 << 20  # a checked store up to this size is quick_checked at once (about 10 ms at most)

# Numbered migrations, applied in order and recorded in the file. Never edit one that has shipped.
MIGRATIONS = [
    (
        1,
        "attempts",
        """
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            question TEXT NOT NULL,          -- full id: bank/qid
            time TEXT NOT NULL,              -- ISO 8601, UTC
            answer TEXT NOT NULL,
            correct INTEGER NOT NULL,        -- 0 or 1
            seconds REAL NOT NULL,           -- time taken to answer
            device TEXT NOT NULL,
            session TEXT NOT NULL,
            mode TEXT NOT NULL DEFAULT 'drill'
        );
        CREATE INDEX attempts_question ON attempts(question);
        CREATE INDEX attempts_time ON attempts(time);
    """,
    ),
    (
        2,
        "cards and reviews",
        """
        CREATE TABLE cards (
            question TEXT PRIMARY KEY,
            card_id INTEGER NOT NULL,
            state TEXT NOT NULL,             -- scheduler.CardState as JSON
            due TEXT NOT NULL,               -- ISO 8601, UTC (copied out of state for queries)
            leech INTEGER NOT NULL DEFAULT 0,
            updated TEXT NOT NULL
        );
        CREATE INDEX cards_due ON cards(due);
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            attempt INTEGER REFERENCES attempts(id),
            question TEXT NOT NULL,
            card_id INTEGER NOT NULL,
            time TEXT NOT NULL,              -- ISO 8601, UTC
            rating INTEGER NOT NULL,         -- 1 again, 2 hard, 3 good, 4 easy
            state INTEGER NOT NULL,          -- fsrs State after the review: 1 learning, 2 review, 3 relearning
            prev_state INTEGER NOT NULL,     -- before it: 0 new (first review), else as state
            due TEXT NOT NULL,
            stability REAL,
            difficulty REAL,
            duration_ms INTEGER,
            session TEXT NOT NULL
        );
        CREATE INDEX reviews_time ON reviews(time);
    """,
    ),
    (
        3,
        "hints used",
        """
        ALTER TABLE attempts ADD COLUMN hints INTEGER NOT NULL DEFAULT 0;
    """,
    ),
    (
        4,
        "workspace hints and mock interviews",
        """
        CREATE TABLE workspace_hints (
            question TEXT PRIMARY KEY,
            shown INTEGER NOT NULL           -- hints revealed by `quizkit show --hint` since the last reset
        );
        CREATE TABLE mocks (
            id INTEGER PRIMARY KEY,
            session TEXT NOT NULL,           -- the attempts' session id
            started TEXT NOT NULL,           -- ISO 8601, UTC
            minutes INTEGER NOT NULL,        -- the time allowed
            seconds REAL NOT NULL,           -- the time used
            asked INTEGER NOT NULL,
            answered_right INTEGER NOT NULL,
            points REAL NOT NULL,
            possible REAL NOT NULL,
            report TEXT NOT NULL             -- the whole report as JSON
        );
        CREATE INDEX mocks_started ON mocks(started);
    """,
    ),
    (
        5,
        "indexes for stats and export",
        """
        CREATE INDEX IF NOT EXISTS attempts_question_correct ON attempts(question, correct);
        CREATE INDEX IF NOT EXISTS reviews_attempt ON reviews(attempt);
        CREATE INDEX IF NOT EXISTS reviews_month ON reviews(prev_state, substr(time, 1, 7), rating);
        CREATE INDEX IF NOT EXISTS cards_leech_due ON cards(leech, due);
    """,
    ),
    (
        6,
        "fsrs parameters",
        """
        CREATE TABLE fsrs_params (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,              -- ISO 8601, UTC: when they were fitted (or reset)
            reviews INTEGER NOT NULL,        -- the reviews they were fitted on (0: a reset)
            parameters TEXT,                 -- FSRS-6's 21 weights as a JSON list (NULL: the defaults again)
            report TEXT NOT NULL             -- the fit's figures as JSON
        );
        CREATE TABLE notices (
            name TEXT PRIMARY KEY,
            shown TEXT NOT NULL              -- ISO 8601, UTC: when it was last shown
        );
    """,
    ),
]
# 6: every fit and reset is kept (the latest is in force); notices: a suggestion shown at most once a month.
# 5: accuracy by question reads a covering index instead of a million rows; the export's join (and undo,
# rerate) find a review by its attempt without a scan or a temporary index; retention by month reads the
# index of review-card reviews grouped by month (the query must spell `substr(time, 1, 7)` so); the forecast
# and the due queue count and read non-leech cards by due time.


def _cannot_write(e: Exception) -> bool:
    """An error opening the database that says the folder or the file cannot be written."""
    if isinstance(e, OSError):
        return e.errno in (13, 30, 1)  # EACCES, EROFS, EPERM
    text = str(e)
    return any(w in text for w in ("readonly", "read-only", "unable to open", "attempt to write"))


def _quick_check(db) -> list[str]:
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


def _utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _columns(db, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({json.dumps(table)})")}


def _has_was_new(db) -> bool:
    """The first store that shipped made reviews.was_new; migration 2 was then edited to make prev_state."""
    cols = _columns(db, "reviews")
    return "was_new" in cols and "prev_state" not in cols


def _was_new_to_prev_state(db) -> None:
    """was_new (1: the card's first review) becomes prev_state: 0 for a first review, else the state the
    card's previous review left it in (review, 2, where no earlier review is stored)."""
    db.execute("ALTER TABLE reviews RENAME COLUMN was_new TO prev_state")
    db.execute(
        "UPDATE reviews SET prev_state = CASE WHEN prev_state THEN 0 ELSE COALESCE((SELECT p.state FROM reviews p "
        "WHERE p.question = reviews.question AND p.id < reviews.id ORDER BY p.id DESC LIMIT 1), 2) END"
    )


# Released schemas that today's migrations cannot reach by themselves, each (found in the file?, repair),
# run before the pending migrations. Append only, as the migrations.
REPAIRS = [(_has_was_new, _was_new_to_prev_state)]


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


class Store:
    _checker: tuple | None = None  # (thread, connection, its answer) of a quick_check still running

    def __init__(self, path: Path | None = None, check: bool = False):
        """`check`: for a command that writes answers, SQLite's quick_check first (at once for a small file,
        in a thread beside the first question for a large one, awaited before the first write): a damaged
        database is refused, never written into with "saved" said."""
        if path is None:
            from .settings import data_dir

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
        import time

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
        from urllib.parse import quote

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
        import threading

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

    def _migrate(self):
        """Every migration not applied yet, in one transaction. What is applied is known by name, not only by
        number: a database from a branch that numbered its migrations otherwise (the scale branch's 3 is
        today's 5) gets the ones it lacks and is renumbered; a released schema that a shipped migration was
        later edited away from is repaired first (REPAIRS); a file still lacking a column is refused."""
        self.db.execute("BEGIN IMMEDIATE")  # two first starts at once must not both migrate
        try:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"
            )
            done = dict(self.db.execute("SELECT version, name FROM migrations").fetchall())
            pending = self._pending(done)
            if pending or set(done.items()) - {(v, n) for v, n, _sql in MIGRATIONS}:
                for needed, repair in REPAIRS:
                    if needed(self.db):
                        repair(self.db)
                when = utc_iso(datetime.now(timezone.utc))
                for version, name, sql in pending:
                    for statement in filter(str.strip, sql.split(";")):
                        self.db.execute(statement)
                    self.db.execute("INSERT OR REPLACE INTO migrations VALUES (?, ?, ?)", (-version, name, when))
                self._renumber()
                self._check_schema()
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:  # a COMMIT that found the disk full was rolled back by SQLite itself
                self.db.execute("ROLLBACK")
            raise

    def _pending(self, done: dict[int, str]) -> list[tuple[int, str, str]]:
        """Today's migrations the file has not had. A recorded name known here counts as that migration,
        whatever its number; a name not known here counts as today's migration of its number (_check_schema
        then refuses the file if that guess left a column missing). StoreError for a newer quizkit's file."""
        known = max(migration[0] for migration in MIGRATIONS)
        if done and max(done) > known:
            raise StoreError(
                _("{path}: made by a newer quizkit (schema {version}); upgrade quizkit").format(
                    path=self.path, version=max(done)
                )
            )
        names = {name for _v, name, _sql in MIGRATIONS}
        by_version = {v: name for v, name, _sql in MIGRATIONS}
        applied = {n if n in names else by_version[v] for v, n in done.items()}
        return [m for m in MIGRATIONS if m[1] not in applied]

    def _renumber(self) -> None:
        """The migrations table in today's numbering (just applied ones were written with negative numbers)."""
        names = {name for _v, name, _sql in MIGRATIONS}
        by_version = {v: name for v, name, _sql in MIGRATIONS}
        applied: dict[str, str] = {}
        for version, name, when in self.db.execute("SELECT version, name, applied FROM migrations ORDER BY version"):
            name = name if name in names else by_version[abs(version)]
            applied[name] = min(applied.get(name, when), when)
        self.db.execute("DELETE FROM migrations")
        for version, name, _sql in MIGRATIONS:
            self.db.execute("INSERT INTO migrations VALUES (?, ?, ?)", (version, name, applied[name]))

    def _check_schema(self) -> None:
        """Every column today's migrations make is in the file (a fresh database in memory says which): a
        file that diverged in a way no repair knows is refused now, not at the first answer it cannot save."""
        fresh = sqlite3.connect(":memory:")
        try:
            for _version, _name, sql in MIGRATIONS:
                fresh.executescript(sql)
            missing = [
                f"{table}.{column}"
                for (table,) in fresh.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                for column in _columns(fresh, table) - _columns(self.db, table)
            ]
        finally:
            fresh.close()
        if missing:
            raise StoreError(
                _("{path}: its tables lack {columns}; it was left untouched (made by another build of quizkit?)")
                .format(path=self.path, columns=", ".join(missing))
            )  # fmt: skip

    def versions(self) -> list[int]:
        return [v for (v,) in self.db.execute("SELECT version FROM migrations ORDER BY version")]

    def _write(self, fn):
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

    def _read(self, sql, args=()):
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            raise StoreError(self._explain(e)) from None

    @staticmethod
    def _insert_attempt(db, a: Attempt) -> int:
        cur = db.execute(
            "INSERT INTO attempts (question, time, answer, correct, seconds, device, session, mode, hints) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                a.question,
                utc_iso(a.time),
                a.answer,
                int(a.correct),
                round(a.seconds, 3),
                a.device,
                a.session,
                a.mode,
                a.hints,
            ),
        )
        return cur.lastrowid

    def record_attempt(self, a: Attempt) -> int:
        return self._write(lambda db: self._insert_attempt(db, a))

    def record_review(self, a: Attempt, r, new_since: str | None = None, new_until: str | None = None):
        """The attempt, its review log row and the card's new state: all or nothing.

        `r` is a Review, or a function (the card's state JSON as stored now or None, how many new cards
        were first reviewed since `new_since`) -> Review or None, called inside the write transaction so
        that two sessions at once never rate the same card from a stale state nor overrun the new-card
        limit. None stores the attempt alone. Returns (attempt id, the Review written or None)."""

        def write(db):
            review = r
            if callable(r):
                rows = db.execute("SELECT state FROM cards WHERE question = ?", (a.question,)).fetchall()
                new_today = db.execute(
                    "SELECT COUNT(*) FROM reviews WHERE prev_state = 0 AND time >= ? AND time < ?",
                    (new_since or "", new_until or "9"),
                ).fetchone()[0]
                review = r(rows[0][0] if rows else None, new_today)
            attempt_id = self._insert_attempt(db, a)
            if review is None:
                return attempt_id, None
            r_ = review
            db.execute(
                "INSERT INTO reviews (attempt, question, card_id, time, rating, state, prev_state, due, stability, "
                "difficulty, duration_ms, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    attempt_id,
                    r_.question,
                    r_.card_id,
                    utc_iso(a.time),
                    r_.rating,
                    r_.state,
                    r_.prev_state,
                    utc_iso(r_.due),
                    r_.stability,
                    r_.difficulty,
                    r_.duration_ms,
                    a.session,
                ),
            )
            db.execute(
                "INSERT INTO cards (question, card_id, state, due, leech, updated) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(question) DO UPDATE SET state = excluded.state, due = excluded.due, "
                "leech = excluded.leech, updated = excluded.updated",
                (r_.question, r_.card_id, r_.card_json, utc_iso(r_.due), int(r_.leech), utc_iso(a.time)),
            )
            return attempt_id, r_

        return self._write(write)

    # ---- reads ----

    def _write_review(self, db, attempt_id: int, r, when: str, session: str):
        db.execute("DELETE FROM reviews WHERE attempt = ?", (attempt_id,))
        db.execute(
            "INSERT INTO reviews (attempt, question, card_id, time, rating, state, prev_state, due, stability, "
            "difficulty, duration_ms, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                attempt_id,
                r.question,
                r.card_id,
                when,
                r.rating,
                r.state,
                r.prev_state,
                utc_iso(r.due),
                r.stability,
                r.difficulty,
                r.duration_ms,
                session,
            ),
        )
        db.execute(
            "INSERT INTO cards (question, card_id, state, due, leech, updated) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(question) DO UPDATE SET state = excluded.state, due = excluded.due, "
            "leech = excluded.leech, updated = excluded.updated",
            (r.question, r.card_id, r.card_json, utc_iso(r.due), int(r.leech), when),
        )

    def rerate(self, attempt_id: int, r, expect: str | None = None, replay=None) -> str | None:
        """The learner changed the rating of an answer already stored: its review row and card, at once.

        Compare-and-set: `expect` is the card's state JSON as this answer left it. When the card holds
        something else (another session reviewed it meanwhile), the new rating goes into this answer's review
        row and the card is recomputed from its full log by `replay` (see _replay), never written from this
        session's stale copy. Returns the card's state JSON now (None: the answer is gone)."""

        def write(db):
            row = db.execute("SELECT time, session, question FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
            if not row:
                return None
            if replay is not None and expect is not None and self._card_json(db, row[2]) != expect:
                db.execute("UPDATE reviews SET rating = ? WHERE attempt = ?", (r.rating, attempt_id))
                return self._replay(db, row[2], replay)
            self._write_review(db, attempt_id, r, row[0], row[1])
            return r.card_json

        return self._write(write)

    def undo(self, attempt_id: int, question: str, card: str | None | bool = True, expect=None, replay=None):
        """Take back an answer: the attempt, its review, and the card: left as it is (`card` True, a
        drill), removed (None: it was new), or put back to the state JSON it had before.

        Compare-and-set: `expect` is the card's state JSON as this answer left it; when the card holds
        something else (another session reviewed it meanwhile), it is recomputed by `replay` from the
        reviews that remain, never put back to this session's stale copy."""

        def write(db):
            moved = expect is not None and replay is not None and self._card_json(db, question) != expect
            db.execute("DELETE FROM reviews WHERE attempt = ?", (attempt_id,))
            db.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
            if card is True:
                return
            if moved:
                self._replay(db, question, replay)
            elif card is None:
                db.execute("DELETE FROM cards WHERE question = ?", (question,))
            else:
                due = datetime.fromisoformat(json.loads(card)["card"]["due"])
                db.execute(
                    "UPDATE cards SET state = ?, due = ?, leech = ? WHERE question = ?",
                    (card, utc_iso(due), int(json.loads(card).get("leech", False)), question),
                )

        self._write(write)

    @staticmethod
    def _card_json(db, question: str) -> str | None:
        row = db.execute("SELECT state FROM cards WHERE question = ?", (question,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _replay(db, question: str, replay) -> str | None:
        """The card recomputed from its whole review log, inside the caller's transaction: `replay` takes
        [(attempt id, time ISO, rating, duration_ms)] oldest first and gives a Review per row; each row's
        computed columns and the card are rewritten. No review left: the card is removed (it is new again).
        Returns the card's state JSON now."""
        rows = db.execute(
            "SELECT id, attempt, time, rating, duration_ms FROM reviews WHERE question = ? ORDER BY id", (question,)
        ).fetchall()
        if not rows:
            db.execute("DELETE FROM cards WHERE question = ?", (question,))
            return None
        reviews = replay([(attempt, when, rating, ms) for _id, attempt, when, rating, ms in rows])
        for (review_id, *_rest), r in zip(rows, reviews):
            db.execute(
                "UPDATE reviews SET state = ?, prev_state = ?, due = ?, stability = ?, difficulty = ? WHERE id = ?",
                (r.state, r.prev_state, utc_iso(r.due), r.stability, r.difficulty, review_id),
            )
        last = reviews[-1]
        db.execute(
            "INSERT INTO cards (question, card_id, state, due, leech, updated) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(question) DO UPDATE SET state = excluded.state, due = excluded.due, "
            "leech = excluded.leech, updated = excluded.updated",
            (question, last.card_id, last.card_json, utc_iso(last.due), int(last.leech), rows[-1][2]),
        )
        return last.card_json

    _ATTEMPT_KEYS = (
        "id", "question", "time", "answer", "correct", "seconds", "device", "session", "mode", "hints",
        "card_id", "rating", "state", "prev_state", "due", "stability", "difficulty", "duration_ms",
    )  # fmt: skip

    def iter_attempts(self):
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
    _EXPORT_SQL = {
        "id": ("a.id", int), "question": ("a.question", str), "time": ("a.time", str),
        "answer": ("a.answer", str), "correct": ("a.correct", bool), "seconds": ("a.seconds", float),
        "device": ("a.device", str), "session": ("a.session", str), "mode": ("a.mode", str), "hints": ("a.hints", int),
        "card_id": ("r.card_id", int), "rating": ("r.rating", int), "state": ("r.state", int),
        "prev_state": ("r.prev_state", int), "due": ("r.due", str), "stability": ("r.stability", float),
        "difficulty": ("r.difficulty", float), "duration_ms": ("r.duration_ms", int),
    }  # fmt: skip
    EXPORT_CHUNK = 2000

    def export(self, fields, fmt: str, damaged: list | None = None):
        """Every attempt with its review, oldest first, in chunks (lists) read from one cursor, so memory
        stays flat at any size. "csv": tuples for csv.writer, `correct` as True/False; "jsonl": whole lines,
        each the same text as json.dumps(row, ensure_ascii=False) + newline.

        For JSON, SQL gives every value as its JSON text (json_quote escapes exactly as Python's json does;
        NULL is 'null') and one %-format per row puts them between the keys. Floats alone come back as
        floats, which %s writes with repr() as json does: SQLite before 3.43 would round them to 15 digits.

        A value that is not UTF-8 (one bad byte in one row) no longer fails the whole export: it is written
        with U+FFFD for the bad bytes and counted in `damaged` (one item per value)."""
        cols = []
        for f in fields:
            expr, kind = self._EXPORT_SQL[f]
            if kind is bool:
                yes, no = ("'True'", "'False'") if fmt == "csv" else ("'true'", "'false'")
                cols.append(f"CASE WHEN {expr} THEN {yes} ELSE {no} END")
            elif fmt == "csv":
                cols.append(expr)
            elif kind is str:
                cols.append(f"json_quote({expr})")
            elif kind is float:
                cols.append(
                    f"CASE WHEN {expr} IS NULL THEN 'null' WHEN {expr} > 1e308 THEN 'Infinity' "
                    f"WHEN {expr} < -1e308 THEN '-Infinity' ELSE {expr} END"
                )
            else:
                cols.append(f"IFNULL({expr}, 'null')")
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

    def _undecodable_chunk(self, sql: str, last: int, damaged: list | None):
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

    def attempts(self) -> list[dict]:
        return list(self.iter_attempts())

    def progress(self) -> dict[str, tuple[int, int, bool]]:
        """question -> (attempts, right, last answer right)."""
        rows = self._read(
            "SELECT question, COUNT(*), SUM(correct), "
            "(SELECT correct FROM attempts b WHERE b.question = a.question ORDER BY b.id DESC LIMIT 1) "
            "FROM attempts a GROUP BY question"
        )
        return {q: (n, right or 0, bool(last)) for q, n, right, last in rows}

    def phases(self) -> dict[str, int]:
        """question -> its card's phase after its latest review (1 learning, 2 review, 3 relearning)."""
        rows = self._read(
            "SELECT question, state FROM reviews WHERE id IN (SELECT MAX(id) FROM reviews GROUP BY question)"
        )
        return dict(rows)

    def last_answer(self, question: str) -> tuple[str, bool] | None:
        """(answer, right) of the question's latest attempt, or None."""
        rows = self._read(
            "SELECT answer, correct FROM attempts WHERE question = ? ORDER BY id DESC LIMIT 1", (question,)
        )
        return (rows[0][0], bool(rows[0][1])) if rows else None

    def workspace_hints(self, question: str) -> int:
        rows = self._read("SELECT shown FROM workspace_hints WHERE question = ?", (question,))
        return rows[0][0] if rows else 0

    def set_workspace_hints(self, question: str, shown: int) -> None:
        def write(db):
            if shown:
                db.execute("INSERT OR REPLACE INTO workspace_hints VALUES (?, ?)", (question, shown))
            else:
                db.execute("DELETE FROM workspace_hints WHERE question = ?", (question,))

        self._write(write)

    def record_mock(self, session: str, started: datetime, minutes: int, report: dict) -> int:
        return self._write(
            lambda db: (
                db.execute(
                    "INSERT INTO mocks (session, started, minutes, seconds, asked, answered_right, points, possible, "
                    "report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        session,
                        utc_iso(started),
                        minutes,
                        report["seconds"],
                        report["asked"],
                        report["right"],
                        report["points"],
                        report["possible"],
                        json.dumps(report),
                    ),
                ).lastrowid
            )
        )

    def mocks(self, limit: int = 10) -> list[dict]:
        """The latest mock interviews, newest first, each its stored report."""
        rows = self._read("SELECT started, report FROM mocks ORDER BY started DESC, id DESC LIMIT ?", (limit,))
        return [dict(json.loads(report), started=started) for started, report in rows]

    def cards(self) -> list[tuple[str, str]]:
        """(question, CardState JSON) for every card ever scheduled."""
        return self._read("SELECT question, state FROM cards")

    def card(self, question: str) -> str | None:
        rows = self._read("SELECT state FROM cards WHERE question = ?", (question,))
        return rows[0][0] if rows else None

    def due_cards(self, until: datetime, limit: int | None = None) -> list[tuple[str, str]]:
        """(question, CardState JSON) of non-leech cards due by `until`, most overdue first (indexed)."""
        sql = "SELECT question, state FROM cards WHERE leech = 0 AND due <= ? ORDER BY due, question"
        args: tuple = (utc_iso(until),)
        if limit is not None:
            sql += " LIMIT ?"
            args += (limit,)
        return self._read(sql, args)

    def card_dues(self) -> list[tuple[str, str, bool]]:
        """(question, due ISO, leech) of every card: enough for forecasts without parsing states."""
        return [(q, d, bool(leech)) for q, d, leech in self._read("SELECT question, due, leech FROM cards")]

    def reviews(self, since: datetime | None = None, until: datetime | None = None) -> list[tuple]:
        """(time, question, rating, prev_state, duration_ms) in time order, optionally from `since` on and
        before `until`."""
        sql = "SELECT time, question, rating, prev_state, duration_ms FROM reviews"
        if since or until:
            bounds = (utc_iso(since) if since else "", utc_iso(until) if until else "9")
            return self._read(sql + " WHERE time >= ? AND time < ? ORDER BY time", bounds)
        return self._read(sql + " ORDER BY time")

    # ---- aggregates for stats: SQL does the counting, over the time index ----

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

    def due_forecast(self, starts: list[str]) -> tuple[list[int], int, int]:
        """(non-leech cards due in each [starts[i], starts[i+1]), the first also counting every card due
        before it; all cards; leeches), counted over the (leech, due) index."""
        counts = [
            self._read("SELECT COUNT(*) FROM cards WHERE leech = 0 AND due >= ? AND due < ?", (a, b))[0][0]
            for a, b in zip(["", *starts[1:-1]], starts[1:])
        ]
        cards, leeches = self._read("SELECT COUNT(*), COALESCE(SUM(leech != 0), 0) FROM cards")[0]
        return counts, cards, leeches

    def first_attempt_time(self) -> str | None:
        return self._read("SELECT MIN(time) FROM attempts")[0][0]

    def attempts_by_question(self) -> list[tuple[str, int, int]]:
        """(question, attempts, right)."""
        return self._read("SELECT question, COUNT(*), SUM(correct) FROM attempts GROUP BY question")

    def attempts_since(self, since: str, until: str | None = None) -> tuple[int, int]:
        """(attempts, right) from an ISO time on (and before `until`: answers dated later, stored while the
        clock was ahead, are not today's)."""
        n, right = self._read(
            "SELECT COUNT(*), SUM(correct) FROM attempts WHERE time >= ? AND time < ?", (since, until or "9")
        )[0]
        return n, right or 0

    def retention_by_month(self) -> list[tuple[str, int, int]]:
        """(YYYY-MM in UTC, reviews of cards in review, passed) — Anki's true retention."""
        return self._read(
            "SELECT substr(time, 1, 7), COUNT(*), SUM(rating > 1) FROM reviews "
            "WHERE prev_state = 2 GROUP BY 1 ORDER BY 1"
        )

    def review_counts_since(self, since: str, until: str | None = None) -> tuple[int, int, int]:
        """(reviews of new cards, other reviews, all reviews ever) from an ISO time on, before `until`."""
        new, other = self._read(
            "SELECT COALESCE(SUM(prev_state = 0), 0), COALESCE(SUM(prev_state != 0), 0) FROM reviews "
            "WHERE time >= ? AND time < ?",
            (since, until or "9"),
        )[0]
        return new, other, self._read("SELECT COUNT(*) FROM reviews")[0][0]

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
        return rows[0][0]

    def fsrs_params(self) -> dict | None:
        """The latest fit or reset: {"time", "reviews", "parameters" (None: the defaults), "report"}; None: never."""
        rows = self._read("SELECT time, reviews, parameters, report FROM fsrs_params ORDER BY id DESC LIMIT 1")
        if not rows:
            return None
        when, reviews, params, report = rows[0]
        return {"time": when, "reviews": reviews, "parameters": json.loads(params) if params else None,
                "report": json.loads(report)}  # fmt: skip

    def set_fsrs_params(self, when: datetime, reviews: int, parameters: list[float] | None, report: dict) -> None:
        params = json.dumps(parameters) if parameters is not None else None
        self._write(
            lambda db: db.execute(
                "INSERT INTO fsrs_params (time, reviews, parameters, report) VALUES (?, ?, ?, ?)",
                (utc_iso(when), reviews, params, json.dumps(report)),
            )
        )

    def notice_shown(self, name: str) -> str | None:
        rows = self._read("SELECT shown FROM notices WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def set_notice_shown(self, name: str, when: datetime) -> None:
        self._write(lambda db: db.execute("INSERT OR REPLACE INTO notices VALUES (?, ?)", (name, utc_iso(when))))

    def attempt_times(self) -> list[tuple[str, str, int]]:
        """(time, question, correct 0/1) of every attempt, oldest first."""
        return self._read("SELECT time, question, correct FROM attempts ORDER BY id")

    def integrity(self) -> list[str]:
        """SQLite's `PRAGMA integrity_check`: ["ok"] when the file is sound, else what is wrong (at most 20
        lines). A file too damaged to be read at all is a StoreError naming it."""
        rows = self._read("PRAGMA integrity_check(20)")
        return [line for row in rows for line in str(row[0]).splitlines() if line.strip()]

    def close(self):
        if self._checker is not None:  # a large file still being checked, and nothing written: stop it
            thread, con, _found = self._checker
            con.interrupt()
            thread.join()
            con.close()
            self._checker = None
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
