"""Issue 22's data defects, each met through the CLI as a careless user would meet it: nothing answered is
lost, nothing damaged is trusted."""
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.store import Attempt, Store

from conftest import BANKS

pytestmark = pytest.mark.torch_free  # short questions and exports: no torch worker

cli = CliRunner()


def home():
    return Path(os.environ["QUIZKIT_HOME"])


def answer_one(text="int64\n"):
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--type", "short", "-n", "1", "--seed", "0"], input=text)
    assert r.exit_code == 0, r.output
    return r


def stored():
    with Store(home() / "quizkit.db") as s:
        return s.attempts()


def one_line_error(r):
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1, r.output


# ---- 1. an export never lands on quizkit's own files, and is always whole ----


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "anki"])
@pytest.mark.parametrize("name", ["quizkit.db", "quizkit.db-wal", "quizkit.db-shm", "quizkit.db-journal",
                                  "config.yaml"])
def test_export_onto_the_database_or_its_journals_is_refused_and_keeps_every_answer(fmt, name):
    answer_one()
    before = (home() / "quizkit.db").read_bytes()
    r = cli.invoke(app, ["export", "--format", fmt, "-o", str(home() / name), "--bank", str(BANKS)]
                   if fmt == "anki" else ["export", "--format", fmt, "-o", str(home() / name)])
    one_line_error(r)
    assert "quizkit's own files" in r.output
    assert (home() / "quizkit.db").read_bytes() == before
    assert len(stored()) == 1  # and the next command still finds the answer
    assert not [p for p in home().iterdir() if p.name.endswith(".part")]


def test_export_through_a_link_or_a_copy_of_the_database_is_refused(tmp_path):
    answer_one()
    link = tmp_path / "backup.jsonl"
    link.symlink_to(home() / "quizkit.db")
    one_line_error(cli.invoke(app, ["export", "-o", str(link)]))
    hard = tmp_path / "hard"
    os.link(home() / "quizkit.db", hard)
    one_line_error(cli.invoke(app, ["export", "--format", "anki", "--bank", str(BANKS), "-o", str(hard)]))
    copy = tmp_path / "copy.db"
    copy.write_bytes((home() / "quizkit.db").read_bytes())
    r = cli.invoke(app, ["export", "-o", str(copy)])
    one_line_error(r)
    assert "SQLite database" in r.output and copy.read_bytes()[:6] == b"SQLite"
    assert len(stored()) == 1


def test_export_onto_a_bank_or_into_the_bank_cache_is_refused(tmp_path):
    bank = tmp_path / "mine.yaml"
    bank.write_text((BANKS / "mini.yaml").read_text())
    text = bank.read_text()
    for fmt in ("jsonl", "anki"):
        r = cli.invoke(app, ["export", "--format", fmt, "-o", str(bank), *(["--bank", str(bank)] * (fmt == "anki"))])
        one_line_error(r)
        assert "bank" in r.output and bank.read_text() == text
    cache = Path(os.environ["QUIZKIT_CACHE"])
    r = cli.invoke(app, ["export", "-o", str(cache / "banks" / "x.marshal")])
    one_line_error(r)
    assert "cache" in r.output
    from quizkit.bank import shipped_dir
    one_line_error(cli.invoke(app, ["export", "-o", str(shipped_dir() / "new.jsonl")]))
    assert not (shipped_dir() / "new.jsonl").exists()


def test_an_export_replaces_the_old_file_whole_and_keeps_its_permissions(tmp_path):
    answer_one()
    out = tmp_path / "a.jsonl"
    out.write_text("the last good export\n")
    out.chmod(0o600)
    r = cli.invoke(app, ["export", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["question"] == "mini/dtype-short"
    assert oct(out.stat().st_mode & 0o777) == oct(0o600)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def _limit_file_size():  # a full disk, as the export meets it: writes past 4 KiB fail (EFBIG)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_an_export_that_meets_a_full_disk_leaves_the_old_file_as_it_was(tmp_path):
    with Store(home() / "quizkit.db") as s:  # enough rows for an export far past the limit
        for i in range(200):
            s.record_attempt(Attempt(f"b/q{i}", datetime.now(timezone.utc), "x" * 50, True, 1.0, "cpu", "s"))
    out = tmp_path / "backup.jsonl"
    out.write_text("the last good export\n")
    env = {**os.environ, "NO_COLOR": "1"}
    p = subprocess.run([sys.executable, "-m", "quizkit", "export", "-o", str(out)], capture_output=True,
                       text=True, env=env, preexec_fn=_limit_file_size, timeout=60)
    assert p.returncode == 1, p.stderr
    assert "cannot write" in p.stderr and "Traceback" not in p.stderr and len(p.stderr.splitlines()) == 1
    assert out.read_text() == "the last good export\n"
    assert not [x for x in tmp_path.iterdir() if x.name.endswith(".part")]


# ---- 2. a damaged cache entry is never served: read again from the YAML, counted, shown by doctor ----


def _entry_of(bank_file):
    from quizkit import cache
    return cache._entry(bank_file, os.stat(bank_file))


def test_a_flipped_byte_in_the_cache_never_judges_a_right_answer_wrong(tmp_path):
    bank = tmp_path / "mini.yaml"
    bank.write_text((BANKS / "mini.yaml").read_text())
    r = cli.invoke(app, ["list", "--bank", str(bank)])
    assert r.exit_code == 0, r.output
    entry = _entry_of(bank)
    data = entry.read_bytes()
    assert data.count(b"int64") >= 1
    entry.write_bytes(data.replace(b"int64", b"int65"))  # a one-bit flip (4 -> 5) that marshal still loads
    r = cli.invoke(app, ["drill", "--bank", str(bank), "--type", "short", "-n", "1", "--seed", "0"], input="int64\n")
    assert r.exit_code == 0 and "✓ right" in r.output, r.output
    assert [a["correct"] for a in stored()] == [True]
    assert b"int65" not in entry.read_bytes()  # rewritten from the YAML
    from quizkit import cache
    h = cache.health(Path(os.environ["QUIZKIT_CACHE"]))
    assert h["damaged_found"] == 1 and h["damaged_now"] == 0 and h["last_damaged"][0]["why"] == "checksum mismatch"
    assert h["last_damaged"][0]["bank"] == str(bank)


def test_an_entry_from_another_reader_is_read_again_and_every_damage_counted(tmp_path):
    from quizkit import bank as bank_mod
    from quizkit import cache
    f = tmp_path / "mini.yaml"
    f.write_text((BANKS / "mini.yaml").read_text())
    bank_mod.load_bank(f)
    entry = _entry_of(f)
    good = entry.read_bytes()
    head, _, payload = good[len(cache.MAGIC):].partition(b"\n")
    for bad in (
        cache.MAGIC + head.replace(head.split(b" ")[1], b"0.0.0") + b"\n" + payload,  # another version's
        good[:-5],  # cut short
        cache.MAGIC + payload,  # no header (format 2)
    ):
        entry.write_bytes(bad)
        assert len(bank_mod.load_bank(f).questions) == 6
        assert entry.read_bytes() == good
    assert cache.health(Path(os.environ["QUIZKIT_CACHE"]))["damaged_found"] == 3


# ---- 4. undo and re-rate in one session never wipe out another session's review of the same card ----

DECK = Path(__file__).parent / "data" / "deck"
T = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


def _two_sessions(db):
    from quizkit import catalog
    from quizkit.engine import Session
    from quizkit.policies import ReviewPolicy
    from quizkit.scheduler import Scheduler
    from quizkit.settings import Settings

    q = next(x for x in catalog.load([DECK])[1] if x.type == "short")
    sessions = []
    for minutes in (0, 1):
        policy = ReviewPolicy([(q, None)], Scheduler(enable_fuzzing=False), Settings())
        sessions.append(Session(policy, Store(db), clock=lambda m=minutes: T.replace(minute=m)))
    return q, sessions


def _replayed(q, db, ratings):
    """The card as the full log says: the ratings replayed from a new card, in order."""
    from quizkit import scheduler as sch
    with Store(db) as s:
        times = [datetime.fromisoformat(t) for t, *_ in s.reviews()]
    state = sch.new_card(q.full_id, times[0])
    for when, rating in zip(times, ratings):
        state = sch.Scheduler(enable_fuzzing=False).review(state, rating, when, None).state
    return state


def test_undo_in_one_session_keeps_the_review_another_session_made_meanwhile(tmp_path):
    from quizkit.scheduler import CardState
    db = tmp_path / "q.db"
    q, (a, b) = _two_sessions(db)
    a.next()
    b.next()  # both sessions show the card
    assert a.answer("yes").verdict.correct  # A: good, from new
    assert b.answer("yes").verdict.correct  # B: computed from A's stored state, under the transaction
    assert a.undo()  # A takes its answer back: B's review stays, and the card is B's review alone
    with Store(db) as s:
        assert [r[2] for r in s.reviews()] == [3] and len(s.attempts()) == 1
        card = CardState.from_json(s.card(q.full_id))
        assert card.reps == 1  # the old code put back A's 'new' copy: the card was removed (reps 0)
        assert card.card.due == _replayed(q, db, [3]).card.due
        assert s.reviews()[0][3] == 0  # B's review is now the card's first: prev_state new
    for x in (a, b):
        x.store.close()


def test_rerate_in_one_session_recomputes_the_card_from_its_full_log(tmp_path):
    from quizkit.scheduler import CardState
    db = tmp_path / "q.db"
    q, (a, b) = _two_sessions(db)
    a.next()
    b.next()
    a.answer("yes")
    b.answer("yes")  # B: good, on top of A's good
    a.rate("e")  # A says it was easy: the old code wrote A's easy-from-new over B's review
    with Store(db) as s:
        assert [r[2] for r in s.reviews()] == [4, 3]
        card = CardState.from_json(s.card(q.full_id))
        assert card.reps == 2
        want = _replayed(q, db, [4, 3])
        assert (card.card.due, card.card.stability) == (want.card.due, want.card.stability)
    for x in (a, b):
        x.store.close()


def test_undo_without_a_race_still_puts_the_card_back(tmp_path):
    db = tmp_path / "q.db"
    q, (a, b) = _two_sessions(db)
    a.next()
    a.answer("yes")
    a.rate("h")
    assert a.undo()
    with Store(db) as s:
        assert s.card(q.full_id) is None and not s.reviews()
    for x in (a, b):
        x.store.close()


def _read_until(p, text: bytes, seconds: float = 60) -> bytes:
    import time
    out, end = b"", time.monotonic() + seconds
    while text not in out and time.monotonic() < end:
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            break
        out += chunk
    assert text in out, out.decode(errors="replace")
    return out


def test_two_review_processes_at_once_undo_in_one_keeps_the_other(tmp_path):
    """As a learner meets it: two terminals review the same new card; the first undoes its answer after the
    second has rated the card. The second's review is the card's whole history."""
    from quizkit.scheduler import CardState
    env = {**os.environ, "NO_COLOR": "1", "QUIZKIT_NOW": T.isoformat()}
    cmd = [sys.executable, "-m", "quizkit", "review", "--bank", str(DECK), "--type", "short", "--new", "1"]
    a, b = (subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
            for _ in range(2))
    try:
        for p in (a, b):
            _read_until(p, b"> ")  # both show the card
        a.stdin.write(b"yes\n")
        a.stdin.flush()
        _read_until(a, b"Enter: good")
        b.stdin.write(b"yes\n\n")
        b.stdin.close()
        assert b.wait(60) == 0
        a.stdin.write(b"u\n")
        a.stdin.close()
        assert a.wait(60) == 0
    finally:
        for p in (a, b):
            p.kill() if p.poll() is None else None
            p.stdout.close()
    with Store(home() / "quizkit.db") as s:
        assert [r[2] for r in s.reviews()] == [3] and len(s.attempts()) == 1
        [(question, state)] = s.cards()
        assert CardState.from_json(state).reps == 1


# ---- 5. a row that does not decode, a damaged file: export goes on, doctor says so, drill refuses ----


def _bad_byte_in_one_answer():
    answer_one()
    answer_one("torch.int64\n")
    con = sqlite3.connect(home() / "quizkit.db")
    con.execute("UPDATE attempts SET answer = CAST(X'696e74ff3634' AS TEXT) WHERE id = 1")  # int\xff64
    con.commit()
    con.close()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_one_invalid_utf8_byte_in_one_row_exports_every_row_and_says_so(fmt, tmp_path, monkeypatch):
    monkeypatch.setattr(Store, "EXPORT_CHUNK", 1)  # the bad row alone in its chunk, and the rows after it
    _bad_byte_in_one_answer()
    out = tmp_path / f"a.{fmt}"
    r = cli.invoke(app, ["export", "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "1 stored value was not UTF-8" in r.output and "wrote 2 attempts" in r.output
    text = out.read_text(encoding="utf-8")
    assert "int\ufffd64" in text and "torch.int64" in text
    if fmt == "jsonl":
        assert [json.loads(x)["answer"] for x in text.splitlines()] == ["int\ufffd64", "torch.int64"]
    r = cli.invoke(app, ["export"])  # to stdout too
    assert r.exit_code == 0 and r.stdout.count("\n") == 2, r.output


def test_stats_and_export_of_a_sound_store_say_nothing_of_damage(tmp_path):
    answer_one()
    r = cli.invoke(app, ["export", "-o", str(tmp_path / "a.jsonl")])
    assert r.exit_code == 0 and "UTF-8" not in r.output


def test_the_store_names_the_rows_that_do_not_decode():
    _bad_byte_in_one_answer()
    with Store(home() / "quizkit.db") as s:
        s.db.execute("INSERT INTO workspace_hints VALUES ('mini/\u4e2d', 1)")  # Chinese is fine
        assert s.undecodable() == ["attempts.answer #1"]


def _damage_an_index_page(db: Path) -> None:
    """A page of an index made unreadable (its header's page type zeroed): SQLite's quick_check sees it, and
    an INSERT that does not touch that page still succeeds."""
    with Store(db) as s:
        s.db.execute("BEGIN")
        s.db.executemany(
            "INSERT INTO attempts (question, time, answer, correct, seconds, device, session) VALUES (?, ?, ?, 1, 1, "
            "'cpu', 's')", [(f"b/q{i}", "2026-11-01T09:00:00+00:00", "a" * 30) for i in range(3000)])
        s.db.execute("COMMIT")
        s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    good = db.read_bytes()
    for page in range(3, len(good) // 4096):
        data = bytearray(good)
        if data[(page - 1) * 4096] != 0x0A:  # an index leaf page
            continue
        data[(page - 1) * 4096] = 0
        db.write_bytes(bytes(data))
        con = sqlite3.connect(db)
        try:
            damaged = con.execute("PRAGMA quick_check").fetchall() != [("ok",)]
            con.execute("INSERT INTO attempts (question, time, answer, correct, seconds, device, session) "
                        "VALUES ('x', 'y', 'z', 1, 1, 'cpu', 's')")
            con.rollback()
        except sqlite3.DatabaseError:
            damaged = False
        finally:
            con.close()
        if damaged:
            return
    raise AssertionError("no page to damage")


@pytest.mark.parametrize("size", ["small", "large"])
def test_drill_refuses_to_write_into_a_damaged_database(size, monkeypatch):
    import quizkit.store
    db = home() / "quizkit.db"
    home().mkdir(parents=True)
    _damage_an_index_page(db)
    if size == "large":  # checked in a thread beside the first question, awaited before the first write
        monkeypatch.setattr(quizkit.store, "SYNC_CHECK_BYTES", 0)
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--type", "short", "-n", "1", "--seed", "0"], input="int64\n")
    assert r.exit_code == 1, r.output
    assert "the progress database is damaged" in r.output and "Traceback" not in r.output
    assert "saved" not in r.output.replace("nothing is written", "")
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM attempts WHERE question LIKE 'mini/%'").fetchone() == (0,)
    con.close()


# ---- 6. the rest: first starts at once, stdout and stdin, a read-only home, HOME='' ----


def test_a_first_start_while_another_holds_the_new_files_lock_waits_instead_of_failing(tmp_path):
    """Two first starts at once: switching a new file to WAL while the other holds its lock was 'database is
    locked' at once (SQLite calls no busy handler there): 8 of 140 pairs failed."""
    import threading
    db = home() / "quizkit.db"
    home().mkdir(parents=True)
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE first (x)")
    holder.execute("BEGIN IMMEDIATE")  # as the other first start holds it, mid-way through making the file
    threading.Timer(0.5, lambda: holder.execute("ROLLBACK")).start()
    r = cli.invoke(app, ["export"])  # opens the store at once (no banks to load first)
    assert r.exit_code == 0 and r.output == "", r.output
    holder.close()
    answer_one()
    assert len(stored()) == 1


def test_many_first_starts_at_once_all_succeed(tmp_path):
    code = "import sys\nfrom quizkit.store import Store\nStore(sys.argv[1]).close()\n"
    for i in range(6):
        db = tmp_path / f"h{i}" / "quizkit.db"
        ps = [subprocess.Popen([sys.executable, "-c", code, str(db)], stderr=subprocess.PIPE) for _ in range(3)]
        for p in ps:
            assert p.wait(60) == 0, p.stderr.read()
            p.stderr.close()


def _quizkit(args, **kw):
    env = {**os.environ, "NO_COLOR": "1", **kw.pop("env", {})}
    if "stdout" not in kw:
        kw["capture_output"] = True
    return subprocess.run([sys.executable, "-m", "quizkit", *args], env=env, text=True, timeout=120, **kw)


@pytest.mark.parametrize("args", [["stats"], ["export"], ["list", "--bank", str(BANKS)], ["--help"],
                                  ["drill", "--bank", str(BANKS), "--type", "short", "-n", "1"]])
def test_stdout_on_a_full_device_or_closed_is_one_line_never_a_traceback(args):
    answer_one()
    with open("/dev/full", "w") as full:
        p = _quizkit(args, stdout=full, stderr=subprocess.PIPE, input="int64\n")
    assert p.returncode == 1 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "stdout: cannot write: No space left on device" in p.stderr
    code = ("import os, subprocess, sys\nos.close(1)\n"
            "sys.exit(subprocess.run([sys.executable, '-m', 'quizkit', *sys.argv[1:]], close_fds=False).returncode)")
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                       input="int64\n", env={**os.environ, "NO_COLOR": "1"})
    assert p.returncode == 1 and "Traceback" not in p.stderr and "stdout is closed" in p.stderr, p.stderr


def test_stdin_closed_is_the_end_of_input_not_a_traceback():
    code = ("import os, subprocess, sys\nos.close(0)\n"
            "sys.exit(subprocess.run([sys.executable, '-m', 'quizkit', *sys.argv[1:]]).returncode)")
    p = subprocess.run([sys.executable, "-c", code, "drill", "--bank", str(BANKS), "--type", "short", "-n", "1"],
                       capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    assert "nothing answered" in p.stdout


def _read_only(folder: Path, args: list[str], stdin: str = "", home: Path | None = None):
    """quizkit in a process for which `folder` is read-only: a read-only bind mount in a user namespace
    (root ignores file modes), else the folder's mode for an ordinary user."""
    import shutil
    env = {**os.environ, "NO_COLOR": "1", "QUIZKIT_CACHE": "off", **({"QUIZKIT_HOME": str(home)} if home else {})}
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return _quizkit(args, input=stdin, env=env)
        finally:
            folder.chmod(0o755)
    if not shutil.which("unshare") or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("no user namespaces to make a read-only folder in")
    script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", str(folder), sys.executable, "-m", "quizkit",
                           *args], input=stdin, env=env, capture_output=True, text=True, timeout=120)


def test_a_read_only_home_still_shows_stats_and_exports(tmp_path):
    answer_one()
    p = _read_only(home(), ["stats", "--json"])
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["total"]["attempts"] == 1
    p = _read_only(home(), ["export"])
    assert p.returncode == 0 and json.loads(p.stdout)["answer"] == "int64", p.stderr
    p = _read_only(home(), ["drill", "--bank", str(BANKS), "--type", "short", "-n", "1"], "int64\n")
    assert p.returncode == 1 and "cannot write the progress database" in p.stderr, p.stderr  # refused at once
    assert "Traceback" not in p.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    p = _read_only(empty, ["stats", "--json"], "", home=empty / "never-made")  # no database yet: none to show
    assert p.returncode == 0 and json.loads(p.stdout)["total"]["attempts"] == 0, p.stderr
    assert not (empty / "never-made").exists()


def test_an_empty_home_variable_is_not_the_root_folder(monkeypatch):
    from quizkit import cache, settings
    monkeypatch.delenv("QUIZKIT_HOME")
    monkeypatch.delenv("QUIZKIT_CACHE")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "")
    import pwd
    own = Path(pwd.getpwuid(os.getuid()).pw_dir)
    assert settings.data_dir() == own / ".config" / "quizkit" and cache.cache_dir() == own / ".cache" / "quizkit"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")  # the XDG spec: a relative path is ignored
    assert settings.data_dir() == own / ".config" / "quizkit"


# ---- 6. study days: a DST gap at the rollover hour, a clock that moved back ----


@pytest.fixture
def berlin(monkeypatch):
    import time
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _stats_at(when: str) -> dict:
    r = cli.invoke(app, ["stats", "--json"], env={"QUIZKIT_NOW": when})
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_the_study_day_does_not_start_an_hour_early_in_a_dst_gap_at_the_rollover_hour(berlin):
    home().mkdir(parents=True)
    (home() / "config.yaml").write_text("rollover_hour: 2\n")  # 29 March 2026: 02:00 does not happen in Berlin
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--type", "short", "-n", "1", "--seed", "0"],
                   input="int64\n", env={"QUIZKIT_NOW": "2026-03-29T00:30:00+00:00"})  # 01:30 CET: still the 28th
    assert r.exit_code == 0, r.output
    data = _stats_at("2026-03-29T00:40:00+00:00")
    assert data["today"]["date"] == "2026-03-28" and data["today"]["attempts"] == 1  # it was counted on the 29th
    assert data["streak"] == 1
    from quizkit.scheduler import Scheduler
    s = Scheduler(rollover_hour=2)
    assert s.day_start(s.study_day(datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc))).isoformat() == \
        "2026-03-29T01:00:00+00:00"  # the 29th begins at 03:00 CEST, the gap's end


def test_today_does_not_count_answers_dated_later_when_the_clock_moved_back(berlin):
    for when, answer in (("2026-12-02T10:00:00+00:00", "int64\n"), ("2026-12-01T10:00:00+00:00", "int64\n")):
        r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--type", "short", "-n", "1", "--seed", "0"],
                       input=answer, env={"QUIZKIT_NOW": when})  # the first while the clock was a day ahead
        assert r.exit_code == 0, r.output
    data = _stats_at("2026-12-01T11:00:00+00:00")
    assert data["today"] == {"date": "2026-12-01", "attempts": 1, "right": 1, "reviews": 0, "new": 0}


def test_the_new_cards_limit_does_not_count_a_review_dated_later(berlin):
    home().mkdir(parents=True)
    (home() / "config.yaml").write_text("new_per_day: 1\n")
    deck = str(DECK)
    r = cli.invoke(app, ["review", "--bank", deck, "--type", "short"], input="yes\n\n",
                   env={"QUIZKIT_NOW": "2026-12-02T10:00:00+00:00"})  # a new card, while the clock was ahead
    assert r.exit_code == 0, r.output
    r = cli.invoke(app, ["review", "--bank", deck, "--type", "short"], input="yes\n\n",
                   env={"QUIZKIT_NOW": "2026-12-01T10:00:00+00:00"})
    assert r.exit_code == 0 and "1 new" in r.output, r.output  # today's one new card is still to come
    with Store(home() / "quizkit.db") as s:
        assert len(s.reviews()) == 2


# ---- 6. the editor: an empty file is no answer, a huge one is refused ----


@pytest.mark.parametrize("content", ["", "   \n\n", "#" * (2 << 20)], ids=["empty", "blank", "2MiB"])
def test_an_empty_or_huge_editor_file_is_not_stored_and_the_editor_is_offered_again(content, tmp_path, monkeypatch):
    source = tmp_path / "content.py"
    source.write_text(content)
    editor = tmp_path / "editor.sh"  # an "editor" that leaves the file as `content`
    editor.write_text(f"#!/bin/sh\ncat '{source}' > \"$1\"\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--type", "code", "-n", "1"], input="\ns\n")
    assert r.exit_code == 0, r.output
    assert ("larger than 1 MiB" if content.startswith("#") else "the file is empty") in r.output
    assert r.output.count("Enter opens your editor") == 2  # offered again; then skipped
    assert "↷ skipped" in r.output
    with Store(home() / "quizkit.db") as s:
        assert s.attempts() == []  # the old code stored the empty file as a wrong answer
