"""Issue 22: doctor runs the integrity checks the commands rely on, and says what it found (through the CLI,
with the suite's warm worker for its torch facts)."""
import json
import os
from pathlib import Path

from typer.testing import CliRunner

from quizkit import cache
from quizkit.cli import app

from conftest import BANKS

cli = CliRunner()


def _entry_of(bank_file):
    return cache._entry(bank_file, os.stat(bank_file))


def test_doctor_shows_a_damaged_cache_entry(tmp_path):
    f = tmp_path / "mini.yaml"
    f.write_text((BANKS / "mini.yaml").read_text())
    assert cli.invoke(app, ["list", "--bank", str(f)]).exit_code == 0
    entry = _entry_of(f)
    entry.write_bytes(entry.read_bytes().replace(b"int64", b"int65"))
    folder = Path(os.environ["QUIZKIT_CACHE"])
    assert cache.health(folder)["damaged_now"] == 1
    r = cli.invoke(app, ["doctor", "--json"])
    data = json.loads(r.stdout)
    assert r.exit_code == 1 and data["cache"]["damaged_now"] == 1
    assert any("bank cache: 1 damaged entry" in p for p in data["problems"]), data["problems"]


def test_doctor_names_a_row_that_does_not_decode_and_a_card_that_does_not_parse():
    import sqlite3
    for answer in ("int64\n", "torch.int64\n"):
        r = cli.invoke(app, ["drill", "--bank", str(BANKS), "--type", "short", "-n", "1", "--seed", "0"],
                       input=answer)
        assert r.exit_code == 0, r.output
    db = Path(os.environ["QUIZKIT_HOME"]) / "quizkit.db"
    con = sqlite3.connect(db)
    con.execute("UPDATE attempts SET answer = CAST(X'696e74ff3634' AS TEXT) WHERE id = 2")
    con.execute("INSERT INTO cards VALUES ('mini/card', 1, '{\"question_id\": 1}', '2026-11-01', 0, '2026-11-01')")
    con.commit()
    con.close()
    r = cli.invoke(app, ["doctor", "--json"])
    data = json.loads(r.stdout)
    assert r.exit_code == 1
    assert data["store"]["undecodable"] == ["attempts.answer #2"] and data["store"]["bad_cards"] == ["mini/card"]
    assert any("not UTF-8" in p and "attempts.answer #2" in p for p in data["problems"])
    assert any("card states that do not parse" in p for p in data["problems"])
    r = cli.invoke(app, ["doctor"])  # and in words
    assert "attempts.answer #2" in r.output
