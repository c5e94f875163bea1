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
