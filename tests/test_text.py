"""quizkit/text.py: what a run prints and what the learner types is made safe where it enters."""

import pytest

from quizkit import text

pytestmark = pytest.mark.torch_free


def test_escape_sequences_and_controls_go_newlines_and_tabs_stay():
    raw = "a\x1b[2Jb\x1b]0;title\x07c\x07\td\r\ne\x00f\u202eg"
    assert text.safe(raw) == "abc\td\nefg"


def test_a_lone_carriage_return_is_a_new_line_not_an_overwrite():
    assert text.safe("PASS\rFAIL") == "PASS\nFAIL"


def test_surrogates_and_bytes_become_replacement_characters():
    assert text.safe("x\udcff") == "x\ufffd"
    assert text.safe(b"ok \xff") == "ok \ufffd"
    assert text.safe(None) == ""


def test_long_lines_and_the_whole_are_cut_with_a_marker():
    out = text.safe("a" * 30 + "\nshort", line_limit=10)
    assert out == "a" * 10 + " … [line cut]\nshort"
    assert text.safe("b" * 50, limit=20) == "b" * 20 + "\n… [cut]"
    assert text.safe("c" * 3000) != "c" * 3000  # the default line limit applies


def test_needs_cleaning_says_whether_safe_would_change_the_characters():
    assert not text.needs_cleaning("plain text\twith a tab\nand a line")
    for dirty in ("\x1b[31mred", "bell\x07", "bidi\u202e", "bad\udcff", "\x9b2J"):
        assert text.needs_cleaning(dirty), repr(dirty)


def test_typed_input_keeps_a_long_line_whole_but_loses_controls():
    line = "x" * 5000 + "\x1b[A"
    assert text.safe_input(line) == "x" * 5000
    assert text.safe_input(b"int64\xff") == "int64\ufffd"
