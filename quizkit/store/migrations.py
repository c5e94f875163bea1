"""The schema: numbered migrations, the repairs of released schemas they cannot reach, and applying them.

The one place a migration is added (append to MIGRATIONS; tests/test_migrations.py keeps the shipped ones
byte for byte).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ..errors import StoreError
from ..i18n import _
from .rows import utc_iso

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


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({json.dumps(table)})")}


def _has_was_new(db: sqlite3.Connection) -> bool:
    """The first store that shipped made reviews.was_new; migration 2 was then edited to make prev_state."""
    cols = _columns(db, "reviews")
    return "was_new" in cols and "prev_state" not in cols


def _was_new_to_prev_state(db: sqlite3.Connection) -> None:
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

Migration = tuple[int, str, str]  # (version, name, SQL)


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Every migration not applied yet, in one transaction. What is applied is known by name, not only by
    number: a database from a branch that numbered its migrations otherwise (the scale branch's 3 is
    today's 5) gets the ones it lacks and is renumbered; a released schema that a shipped migration was
    later edited away from is repaired first (REPAIRS); a file still lacking a column is refused."""
    db.execute("BEGIN IMMEDIATE")  # two first starts at once must not both migrate
    try:
        db.execute(
            "CREATE TABLE IF NOT EXISTS migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"
        )
        done = dict(db.execute("SELECT version, name FROM migrations").fetchall())
        todo = pending(done, path)
        if todo or set(done.items()) - {(v, n) for v, n, _sql in MIGRATIONS}:
            for needed, repair in REPAIRS:
                if needed(db):
                    repair(db)
            when = utc_iso(datetime.now(timezone.utc))
            for version, name, sql in todo:
                for statement in filter(str.strip, sql.split(";")):
                    db.execute(statement)
                db.execute("INSERT OR REPLACE INTO migrations VALUES (?, ?, ?)", (-version, name, when))
            _renumber(db)
            _check_schema(db, path)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # a COMMIT that found the disk full was rolled back by SQLite itself
            db.execute("ROLLBACK")
        raise


def pending(done: dict[int, str], path: Path) -> list[Migration]:
    """Today's migrations the file has not had. A recorded name known here counts as that migration,
    whatever its number; a name not known here counts as today's migration of its number (_check_schema
    then refuses the file if that guess left a column missing). StoreError for a newer quizkit's file."""
    known = max(migration[0] for migration in MIGRATIONS)
    if done and max(done) > known:
        raise StoreError(
            _("{path}: made by a newer quizkit (schema {version}); upgrade quizkit").format(
                path=path, version=max(done)
            )
        )
    names = {name for _v, name, _sql in MIGRATIONS}
    by_version = {v: name for v, name, _sql in MIGRATIONS}
    applied = {n if n in names else by_version[v] for v, n in done.items()}
    return [m for m in MIGRATIONS if m[1] not in applied]


def _renumber(db: sqlite3.Connection) -> None:
    """The migrations table in today's numbering (just applied ones were written with negative numbers)."""
    names = {name for _v, name, _sql in MIGRATIONS}
    by_version = {v: name for v, name, _sql in MIGRATIONS}
    applied: dict[str, str] = {}
    for version, name, when in db.execute("SELECT version, name, applied FROM migrations ORDER BY version"):
        name = name if name in names else by_version[abs(version)]
        applied[name] = min(applied.get(name, when), when)
    db.execute("DELETE FROM migrations")
    for version, name, _sql in MIGRATIONS:
        db.execute("INSERT INTO migrations VALUES (?, ?, ?)", (version, name, applied[name]))


def _check_schema(db: sqlite3.Connection, path: Path) -> None:
    """Every column today's migrations make is in the file (a fresh database in memory says which): a
    file that diverged in a way no repair knows is refused now, not at the first answer it cannot save."""
    fresh = sqlite3.connect(":memory:")
    try:
        for _version, _name, sql in MIGRATIONS:
            fresh.executescript(sql)
        missing = [
            f"{table}.{column}"
            for (table,) in fresh.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            for column in _columns(fresh, table) - _columns(db, table)
        ]
    finally:
        fresh.close()
    if missing:
        raise StoreError(
            _("{path}: its tables lack {columns}; it was left untouched (made by another build of quizkit?)")
            .format(path=path, columns=", ".join(missing))
        )  # fmt: skip
