"""Issue 13, part 1: parsed banks are cached per file (JSON of plain values), and a changed file is read again."""
import os
from pathlib import Path

import pytest

from quizkit import bank, cache

from conftest import BANKS, write_bank

pytestmark = pytest.mark.torch_free

ROOT = Path(__file__).resolve().parent.parent


def test_every_shipped_bank_comes_back_from_the_cache_equal():
    for f in sorted((ROOT / "questions").glob("*.yaml")):
        parsed = bank.load_bank(f)  # parses and writes the entry
        st = os.stat(f)
        cached = cache.get(f, st)
        assert cached is not None, f
        assert cached.questions == parsed.questions and cached.id == parsed.id and cached.title == parsed.title


def test_a_second_load_does_not_parse(monkeypatch):
    first = bank.load_bank(BANKS / "mini.yaml")

    def no_parse(*a):
        raise AssertionError("parsed again")
    monkeypatch.setattr(bank, "_load", no_parse)
    assert bank.load_bank(BANKS / "mini.yaml").questions == first.questions


def test_a_changed_file_is_read_again(tmp_path):
    text = (BANKS / "mini.yaml").read_text()
    f = write_bank(tmp_path, text)
    assert bank.load_bank(f).questions[0].prompt["en"] == "What does `requires_grad` do?"
    st = os.stat(f)
    f.write_text(text.replace("What does `requires_grad` do?", "What does `requires_grad` mean?"))
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime; size and ctime differ
    assert bank.load_bank(f).questions[0].prompt["en"] == "What does `requires_grad` mean?"


def test_a_damaged_entry_is_ignored_and_a_broken_bank_never_cached(tmp_path):
    f = write_bank(tmp_path, (BANKS / "mini.yaml").read_text())
    bank.load_bank(f)
    entry = cache._entry(f, os.stat(f))
    entry.write_text('{"id": "x", "questions": [{"type": "nope"}]')  # the old JSON format
    assert len(bank.load_bank(f).questions) == 6
    import marshal
    for damaged in (
        cache.MAGIC + marshal.dumps({"id": "x", "questions": [{"type": "nope"}]}),  # a type that is not one
        cache.MAGIC + marshal.dumps([1, 2]),  # not a bank at all
        cache.MAGIC + marshal.dumps({"id": "x"})[:-3],  # cut short
        cache.MAGIC + b"\xff" * 40,  # not marshal data
    ):
        entry.write_bytes(damaged)
        assert len(bank.load_bank(f).questions) == 6  # read again from the bank, and the entry rewritten
        assert entry.read_bytes() != damaged
    broken = write_bank(tmp_path, "questions: [[[", "broken.yaml")
    with pytest.raises(bank.BankError):
        bank.load_bank(broken)
    assert not cache._entry(broken, os.stat(broken)).exists()


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_CACHE", "off")
    f = write_bank(tmp_path, (BANKS / "mini.yaml").read_text())
    assert len(bank.load_bank(f).questions) == 6 and cache._entry(f, os.stat(f)) is None
