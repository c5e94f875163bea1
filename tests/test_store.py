import sqlite3
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.errors import StoreError
from quizkit.store import MIGRATIONS, Attempt, Store

from conftest import BANKS

pytestmark = pytest.mark.torch_free  # runs without the torch worker: pytest -m torch_free

T = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def attempt(q="b/q", correct=True, session="s1"):
    return Attempt(q, T, "x", correct, 1.5, "cpu", session)


def test_migrations_from_an_empty_file(tmp_path):
    path = tmp_path / "q.db"
    path.touch()  # an empty file is a valid, empty SQLite database
    with Store(path) as s:
        assert s.versions() == [v for v, _, _ in MIGRATIONS]
    with Store(path) as s:  # a second open applies nothing twice
        assert s.versions() == [v for v, _, _ in MIGRATIONS]
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_partial_migration_is_completed(tmp_path):
    path = tmp_path / "q.db"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL);"
                     + MIGRATIONS[0][2] + "; INSERT INTO migrations VALUES (1, 'attempts', 'then');"
                     "INSERT INTO attempts (question, time, answer, correct, seconds, device, session) "
                     "VALUES ('b/old', '2026-01-01T00:00:00+00:00', 'a', 1, 1.0, 'cpu', 'old');")
    db.commit()
    db.close()
    with Store(path) as s:
        assert s.versions() == [v for v, _, _ in MIGRATIONS]
        [old] = s.attempts()
        assert old["question"] == "b/old" and old["hints"] == 0  # kept through the migrations


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "q.db"
    with Store(path) as s:
        s.db.execute("INSERT INTO migrations VALUES (99, 'future', 'x')")
    with pytest.raises(StoreError, match="newer quizkit"):
        Store(path)


def test_each_attempt_is_committed_at_once(tmp_path):
    path = tmp_path / "q.db"
    s = Store(path)
    s.record_attempt(attempt())
    other = sqlite3.connect(path)  # another reader sees it before s is closed
    assert other.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 1
    s.close()


def test_two_stores_on_one_file_both_write(tmp_path):
    path = tmp_path / "q.db"
    a, b = Store(path), Store(path)
    for i in range(20):
        a.record_attempt(attempt(f"b/a{i}", session="A"))
        b.record_attempt(attempt(f"b/b{i}", session="B"))
    assert len(a.attempts()) == 40 and len(b.attempts()) == 40
    a.close()
    b.close()


def test_two_processes_writing_at_once(tmp_path):
    path = tmp_path / "q.db"
    Store(path).close()
    code = ("import sys; from datetime import datetime, timezone; from quizkit.store import Store, Attempt\n"
            "s = Store(sys.argv[1])\n"
            "for i in range(200):\n"
            "    s.record_attempt(Attempt(f'b/{sys.argv[2]}{i}', datetime.now(timezone.utc), 'x', True, 1.0, 'cpu', sys.argv[2]))\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), name]) for name in "AB"]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with Store(path) as s:
        assert len(s.attempts()) == 400


def test_corrupt_file_one_line_error_and_left_untouched(tmp_path):
    path = tmp_path / "q.db"
    junk = b"this is not a database, it is a shopping list\n" * 100
    path.write_bytes(junk)
    with pytest.raises(StoreError) as e:
        Store(path)
    assert "not a readable quizkit database" in str(e.value) and "left untouched" in str(e.value)
    assert path.read_bytes() == junk


def test_corrupt_file_through_the_cli(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "quizkit.db").write_bytes(b"garbage" * 500)
    monkeypatch.setenv("QUIZKIT_HOME", str(home))
    r = CliRunner().invoke(app, ["drill", "--bank", str(BANKS)], input="q\n")
    assert r.exit_code == 1 and "not a readable quizkit database" in r.output
    assert "Traceback" not in r.output and r.output.strip().count("\n") == 0
    assert (home / "quizkit.db").read_bytes() == b"garbage" * 500


def test_locked_database_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("quizkit.store.connection.BUSY_MS", 100)
    path = tmp_path / "q.db"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        s = Store.__new__(Store)  # open without migrating: the lock bites on the write
        s.path = path
        s.db = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        with pytest.raises(StoreError, match="locked"):
            s.record_attempt(attempt())
    finally:
        holder.execute("ROLLBACK")


def _open_on_a_full_disk(tmp_path, limit):
    """What Store() says in a process whose files may not grow past `limit` bytes (a full disk)."""
    code = ("import resource, signal, sys\n"
            "from quizkit.errors import StoreError\n"
            "from quizkit.store import Store\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))\n"
            "try:\n"
            "    Store(sys.argv[1]).close()\n"
            "    print('opened')\n"
            "except StoreError as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / f"{limit}.db"), str(limit)],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    return out.stdout.strip()


def test_a_disk_filling_up_while_the_store_is_made_says_so(tmp_path):
    """SQLite rolls a transaction back itself when its COMMIT finds the disk full: the error must say the
    disk is full, not 'cannot rollback - no transaction is active'. A file size limit plays the full disk."""
    for limit in (4096, 16384, 32768, 65536):
        said = _open_on_a_full_disk(tmp_path, limit)
        assert said == "opened" or "cannot write the progress database" in said, (limit, said)


def test_a_full_disk_when_opening_does_not_speak_of_a_lost_answer(tmp_path):
    """Opened on a full disk (stats, or a drill before its first question), nothing was answered: the error
    says what to do, not that 'the last answer was NOT saved'."""
    said = _open_on_a_full_disk(tmp_path, 4096)
    assert "cannot write the progress database" in said and "QUIZKIT_HOME" in said, said
    assert "NOT saved" not in said, said


def test_reads_are_rows_read_by_field_name(tmp_path):
    """Issue 18, item 5: a read gives NamedTuple rows whose names say which column is which (a field order
    that disagreed with the SELECT would put the rating where prev_state is read)."""
    from datetime import timedelta

    from quizkit.store import Review

    with Store(tmp_path / "q.db") as s:
        s.record_attempt(Attempt("b/q", T, "first", False, 1.0, "cpu", "s1"))
        review = Review("b/q", 7, 3, 2, 0, T + timedelta(days=2), 2.5, 5.0, 1500, '{"card": {}}', False)
        s.record_review(Attempt("b/q", T + timedelta(seconds=5), "second", True, 2.0, "cpu", "s1"), review)
        p = s.progress()["b/q"]
        assert (p.attempts, p.right, p.last_right) == (2, 1, True)
        last = s.last_answer("b/q")
        assert last is not None and (last.answer, last.right) == ("second", True)
        (row,) = s.reviews()
        assert (row.question, row.rating, row.prev_state, row.duration_ms) == ("b/q", 3, 0, 1500)
        (due,) = s.card_dues()
        assert (due.question, due.leech) == ("b/q", False) and due.due.startswith("2026-11-28")
        assert s.cards()[0].state == '{"card": {}}' and s.due_cards(T + timedelta(days=3))[0].question == "b/q"
        (tally,) = s.attempts_by_question()
        assert (tally.question, tally.attempts, tally.right) == ("b/q", 2, 1)
        assert s.attempts_since("").right == 1 and s.review_counts_since("").new == 1
        assert s.attempt_times()[1].correct == 1 and s.due_forecast(["", "9"]).cards == 1
        assert s.progress()["b/q"] == (2, 1, True)  # and they unpack as the tuples they replaced
