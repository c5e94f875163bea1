"""quizkit/asserts.py: a failing `assert` in a question's tests says the values, as pytest's do."""

import pytest

from quizkit import asserts

pytestmark = pytest.mark.torch_free


def _run(source: str) -> dict:
    namespace = {asserts.EXPLAIN: asserts.explain}
    exec(compile(asserts.rewrite(source, "<tests>"), "<tests>", "exec"), namespace)
    return namespace


def _message(source: str) -> str:
    with pytest.raises(AssertionError) as e:
        _run(source)
    return str(e.value)


def test_a_failed_comparison_reports_both_values_and_the_opposite_operator():
    assert _message("a = [1, 2]\nassert a == [1, 3]") == "[1, 2] != [1, 3]"
    assert _message("assert 3 < 2") == "3 >= 2"
    assert _message("assert 'x' in 'abc'") == "'x' not in 'abc'"


def test_a_failed_call_reports_the_function_and_its_arguments():
    assert _message("def close(a, b, tol=0):\n    return False\nassert close(1, 2, tol=3)") == "close(1, 2, 3) is false"


def test_passing_asserts_pass_and_each_operand_is_evaluated_once():
    ns = _run("calls = []\ndef f():\n    calls.append(1)\n    return 1\nassert f() == 1\nassert f() in [1]")
    assert ns["calls"] == [1, 1]


def test_an_assert_with_a_message_or_a_chained_comparison_is_left_as_written():
    assert _message("assert 1 == 2, 'own words'") == "own words"
    assert _message("assert 1 < 3 < 2") == ""


def test_line_numbers_stay_as_written():
    with pytest.raises(AssertionError) as e:
        _run("x = 1\n\nassert x == 2")
    assert e.traceback[-1].lineno + 1 == 3


def test_short_repr_cuts_long_values_and_survives_a_broken_repr():
    class Broken:
        def __repr__(self):
            raise ValueError("no")

    assert asserts.short_repr(Broken()) == "<unprintable Broken: ValueError>"
    long = asserts.short_repr("y" * 1000)
    assert len(long) == 300 and long.endswith("…")

    class Tensorish:
        def __repr__(self):
            return "tensor([1,\n        2])"

    assert asserts.short_repr(Tensorish()) == "tensor([1, 2])"  # one line, whitespace runs collapsed
