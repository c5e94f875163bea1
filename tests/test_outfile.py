"""quizkit/outfile.py: an export never lands on quizkit's own files, and is written whole or not at all."""

import io
import os
import sqlite3

import pytest

from quizkit import outfile
from quizkit.errors import QuizkitError

pytestmark = pytest.mark.torch_free


def test_refuse_own_files_their_links_and_folders(tmp_path):
    db = tmp_path / "quizkit.db"
    db.write_bytes(b"")
    banks = tmp_path / "banks"
    banks.mkdir()
    with pytest.raises(QuizkitError, match="one of quizkit's own files"):
        outfile.refuse_own(db, [db], [])
    os.link(db, tmp_path / "hard")
    with pytest.raises(QuizkitError, match="one of quizkit's own files"):
        outfile.refuse_own(tmp_path / "hard", [db], [])
    with pytest.raises(QuizkitError, match="one of quizkit's own files"):
        outfile.refuse_own(tmp_path / "quizkit.db-wal", [tmp_path / "quizkit.db-wal"], [])  # not made yet
    with pytest.raises(QuizkitError, match="inside"):
        outfile.refuse_own(banks / "sub" / "out.csv", [], [None, banks])
    outfile.refuse_own(tmp_path / "out.csv", [db], [None, banks])  # anywhere else is fine


def test_refuse_a_bank_or_an_sqlite_database(tmp_path):
    bank = tmp_path / "mine.yml"
    bank.write_text("questions: []\n")
    with pytest.raises(QuizkitError, match="that is a bank"):
        outfile.refuse_own(bank, [], [])
    with pytest.raises(QuizkitError, match="that is a bank"):
        outfile.refuse_own(tmp_path / "new.yaml", [], [], banks=[tmp_path / "new.yaml"])
    outfile.refuse_own(tmp_path / "new.yaml", [], [])  # a YAML name not made yet and not a bank
    copy = tmp_path / "backup.bin"
    sqlite3.connect(copy).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(QuizkitError, match="SQLite database"):
        outfile.refuse_own(copy, [], [])


def test_atomic_replaces_the_file_only_when_the_block_ends(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    with pytest.raises(RuntimeError):
        with outfile.atomic(target) as f:
            f.write("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["out.csv"]  # no .part left
    with outfile.atomic(target) as f:
        f.write("new\n")
    assert target.read_text() == "new\n" and (target.stat().st_mode & 0o777) == 0o600


def test_atomic_writes_through_a_symbolic_link_and_refuses_a_folder(tmp_path):
    real = tmp_path / "real.jsonl"
    real.write_text("")
    (tmp_path / "link.jsonl").symlink_to(real)
    with outfile.atomic(tmp_path / "link.jsonl", binary=True) as f:
        f.write(b"x\n")
    assert (tmp_path / "link.jsonl").is_symlink() and real.read_bytes() == b"x\n"
    with pytest.raises(IsADirectoryError):
        with outfile.atomic(tmp_path):
            pass


def test_write_rows_in_both_formats_counts_the_rows():
    buf = io.StringIO()
    assert outfile.write_rows(iter([['{"a": 1}\n'], ['{"a": 2}\n', '{"a": 3}\n']]), "jsonl", ["a"], buf) == 3
    assert buf.getvalue() == '{"a": 1}\n{"a": 2}\n{"a": 3}\n'
    buf = io.StringIO()
    assert outfile.write_rows(iter([[(1, "x,y")], [(2, "z")]]), "csv", ["n", "s"], buf) == 2
    assert buf.getvalue() == 'n,s\n1,"x,y"\n2,z\n'
