"""Issue 22, defect 3: a progress database of every released schema opens with today's store, through the CLI,
with every row kept. The fixtures (tests/data/schemas/*.sql) were made by each release's own store.py
(scripts/make_schema_fixtures.py); migrations are append-only, and that is checked too."""
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.app import optimize
from quizkit.cli import app
from quizkit.store import MIGRATIONS, Store

from conftest import BANKS

pytestmark = pytest.mark.torch_free

SCHEMAS = sorted((Path(__file__).parent / "data" / "schemas").glob("*.sql"))
cli = CliRunner()

# Every migration that has shipped, as it shipped: (version, name, sha256 of its SQL). Editing one breaks
# every database made before the edit (migration 2 was, and "no such column: prev_state" followed); append.
SHIPPED = [
    (1, "attempts", "06bb832fbf9b8830"),
    (2, "cards and reviews", "7f6a81da89aa796e"),
    (3, "hints used", "77eb2536eac1568b"),
    (4, "workspace hints and mock interviews", "4b9204bbf62a93d1"),
    (5, "indexes for stats and export", "e7cb6fb69f7f1c99"),
    (6, "fsrs parameters", "a0cb061dba0d3998"),
]


def test_shipped_migrations_are_never_edited_only_appended():
    assert [(v, n, hashlib.sha256(sql.encode()).hexdigest()[:16]) for v, n, sql in MIGRATIONS[: len(SHIPPED)]] \
        == SHIPPED
    assert [v for v, _n, _s in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert len({n for _v, n, _s in MIGRATIONS}) == len(MIGRATIONS)  # names identify them: unique


def test_there_is_a_fixture_for_every_released_schema():
    assert [p.stem for p in SCHEMAS] == ["1-first-store", "2-prev-state", "3-hints-mocks", "4-scale-branch",
                                         "5-indexes", "6-fsrs-params"]


def _home_from(sql: Path, tmp_path, monkeypatch) -> Path:
    home = tmp_path / "old-home"
    home.mkdir()
    con = sqlite3.connect(home / "quizkit.db")
    con.executescript(sql.read_text())
    con.close()
    monkeypatch.setenv("QUIZKIT_HOME", str(home))
    return home


def _dump(home):
    con = sqlite3.connect(home / "quizkit.db")
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.mark.parametrize("sql", SCHEMAS, ids=[p.stem for p in SCHEMAS])
def test_every_released_database_opens_with_its_rows_and_takes_new_answers(sql, tmp_path, monkeypatch):
    home = _home_from(sql, tmp_path, monkeypatch)
    r = cli.invoke(app, ["stats", "--json"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in cli.invoke(app, ["export"]).stdout.splitlines()]
    assert [(x["question"], x["mode"], x["rating"], x["state"]) for x in rows] == [
        ("mini/dtype-short", "drill", None, None), ("mini/card", "review", 3, 1), ("mini/card", "review", 3, 2)]
    with Store(home / "quizkit.db") as s:
        kept = s.attempts()
    assert [(x["question"], x["mode"], x["rating"], x["state"], x["prev_state"]) for x in kept] == [
        ("mini/dtype-short", "drill", None, None, None),
        ("mini/card", "review", 3, 1, 0),  # the first review: from new
        ("mini/card", "review", 3, 2, 1),  # the second, from learning (the first store's was_new was 0)
    ]
    assert rows[0]["time"] == "2026-11-20T09:00:00+00:00" and rows[0]["seconds"] == 4.25
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--type", "short", "-n", "1", "--seed", "0"],
                   input="int64\n")
    assert r.exit_code == 0 and "Every answer is saved" in r.output, r.output
    with Store(home / "quizkit.db") as s:
        assert len(s.attempts()) == 4 and s.attempts()[-1]["hints"] == 0
        assert s.versions() == [v for v, _n, _s in MIGRATIONS]
        assert [n for (n,) in s.db.execute("SELECT name FROM migrations ORDER BY version")] == [
            n for _v, n, _s in MIGRATIONS]
        assert s.card("mini/card") is not None
        if "hints" in sql.read_text():
            assert s.workspace_hints("mini/grad-output") == 2
        if "INSERT INTO \"mocks\"" in sql.read_text():
            assert s.mocks()[0]["score"] == 1.0
        if "INSERT INTO \"fsrs_params\"" in sql.read_text():  # the fitted parameters stay in force
            assert optimize.parameters(s)[8] == 2.0 and s.fsrs_params()["reviews"] == 600
            assert s.notice_shown("optimize") == "2026-11-23T09:00:00+00:00"
        else:
            assert optimize.parameters(s) is None


@pytest.mark.parametrize("sql", SCHEMAS, ids=[p.stem for p in SCHEMAS])
def test_an_old_card_is_reviewed_from_its_stored_state(sql, tmp_path, monkeypatch):
    home = _home_from(sql, tmp_path, monkeypatch)
    r = cli.invoke(app, ["review", "--bank", str(BANKS), "--type", "flashcard"], input="\n3\n",
                   env={"QUIZKIT_NOW": "2026-12-20T09:00:00+00:00"})
    assert r.exit_code == 0, r.output
    with Store(home / "quizkit.db") as s:
        last = s.attempts()[-1]
    assert last["question"] == "mini/card" and last["prev_state"] == 2 and last["rating"] == 3


def test_opening_again_changes_nothing(tmp_path, monkeypatch):
    home = _home_from(SCHEMAS[0], tmp_path, monkeypatch)
    Store(home / "quizkit.db").close()
    before = _dump(home)
    Store(home / "quizkit.db").close()
    assert _dump(home) == before


def test_a_later_branch_database_lacking_a_column_is_refused_in_one_line_and_left_as_it_was(tmp_path, monkeypatch):
    """Its migration 3 is not today's (a branch's own): had it been trusted by number, its new answers would
    all fail on the missing hints column."""
    home = _home_from(SCHEMAS[1], tmp_path, monkeypatch)
    con = sqlite3.connect(home / "quizkit.db")
    con.execute("INSERT INTO migrations VALUES (3, 'a branch of its own', 'x')")
    con.commit()
    con.close()
    before = _dump(home)
    r = cli.invoke(app, ["stats"])
    assert r.exit_code == 1 and "lack attempts.hints" in r.output, r.output
    assert len(r.output.strip().splitlines()) == 1
    assert _dump(home) == before  # (opening it switched it to WAL: its rows and tables are as they were)


def test_a_database_lacking_a_column_is_refused_before_an_answer_is_lost(tmp_path, monkeypatch):
    home = _home_from(SCHEMAS[1], tmp_path, monkeypatch)  # schema 2: migrations 3-5 still to apply
    con = sqlite3.connect(home / "quizkit.db")
    con.execute("ALTER TABLE reviews DROP COLUMN duration_ms")
    con.commit()
    con.close()
    r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--type", "short", "-n", "1"], input="int64\n")
    assert r.exit_code == 1 and "reviews.duration_ms" in r.output, r.output
    assert "Traceback" not in r.output
