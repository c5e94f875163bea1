import pytest

from quizkit import checks, types
from quizkit.bank import load_bank
from quizkit.model import RunResult
from quizkit.types import mcq

from conftest import BANKS

pytestmark = pytest.mark.torch_free  # runs without the torch worker: pytest -m torch_free

Q = {q.id: q for q in load_bank(BANKS / "mini.yaml").questions}


def judge(q, answer, runner=None, order=None):
    """The question's own type module judges it (quizkit/types/)."""
    return types.of(q).judge(q, answer, types.Ctx(runner), order)


def test_fold():
    assert checks.fold("  tensor([[1, 2],\n        [3, 4]])\n") == "tensor([[1, 2], [3, 4]])"


@pytest.mark.parametrize("answer, ok", [
    ("torch.int64", True), ("  INT64 ", True), ("torch.long", True), ("long", True),
    ("int32", False), ("torch.longer", False), ("", False),
])
def test_short_matching(answer, ok):
    assert judge(Q["dtype-short"], answer).correct is ok


def test_output_matching_folds_white_space_and_spaces_around_brackets_and_commas():
    """Issue 8: `tensor([6.,6.])` is `tensor([6., 6.])`; what is printed must still match otherwise."""
    q = Q["grad-output"]
    assert judge(q, "tensor([6., 6.])").correct
    assert judge(q, "tensor([6.,   6.])").correct
    assert judge(q, "tensor([6.,6.])").correct
    assert judge(q, "tensor( [ 6. , 6. ] )").correct
    assert not judge(q, "tensor([6, 6])").correct
    assert not judge(q, "tensor([66.])").correct
    assert not judge(q, "tensor([6. 6.])").correct
    assert "tensor([6., 6.])" in judge(q, "x").detail


@pytest.mark.parametrize("text, n, picked", [
    ("b", 3, [1]), ("A, c", 3, [0, 2]), ("c a", 3, [0, 2]), ("d", 3, None), ("ab", 3, None), ("", 3, None),
])
def test_parse_choices(text, n, picked):
    assert mcq.parse_letters(text, n) == picked


def test_mcq_needs_exactly_the_right_set():
    q = Q["pick-two"]
    assert judge(q, "c,a").correct
    assert not judge(q, "a").correct
    assert not judge(q, "a b c").correct
    assert judge(q, "a,b", order=[2, 0, 1]).correct  # letters as shown, not as in the bank
    with pytest.raises(ValueError):
        judge(q, "z")


@pytest.mark.parametrize("code, forbid, hits", [
    ("y = torch.softmax(x, -1)", ["torch.softmax"], ["torch.softmax"]),
    ("y = x.softmax(-1)", ["torch.softmax"], ["torch.softmax"]),
    ("y = F.softmax(x, -1)", ["torch.nn.functional.softmax"], ["torch.nn.functional.softmax"]),
    ("import torch.nn.functional as G\ny = G.softmax(x, -1)", ["F.softmax"], ["F.softmax"]),
    ("from torch.nn.functional import softmax as sm\ny = sm(x)", ["F.softmax"], ["F.softmax"]),
    ("y = x.unfold(0, 2, 1)", ["torch.Tensor.unfold"], ["torch.Tensor.unfold"]),
    ("y = [v for v in x]", ["for"], ["for"]),
    ("while False:\n    pass", ["for", "while"], ["while"]),
    ("y = x.exp() / x.exp().sum()", ["torch.softmax", "F.softmax", "for"], []),
    ("y = nn.LayerNorm(4)(x)", ["nn.LayerNorm"], ["nn.LayerNorm"]),
    ("y = torch.nn.LayerNorm(4)(x)", ["nn.LayerNorm"], ["nn.LayerNorm"]),
    ("def f(x)\n  return", ["for"], []),  # a syntax error is the runner's to report
])
def test_forbidden_uses(code, forbid, hits):
    assert checks.forbidden_uses(code, forbid) == hits


class FakeRunner:
    """Gives a fixed result; counts runs."""
    def __init__(self, result):
        self.result, self.runs = result, 0

    def run(self, *a, **k):
        self.runs += 1
        return self.result


def test_judge_code_rules_first_then_run():
    q = Q["softmax"]
    runner = FakeRunner(RunResult("pass"))
    v = judge(q, "def softmax(x, dim=-1):\n    return F.softmax(x, dim)", runner)
    assert not v.correct and "F.softmax" in v.detail and runner.runs == 0
    fail = RunResult("fail", error="AssertionError", where="tests line 2", line="assert x")
    v = judge(q, "def softmax(x, dim=-1):\n    return x", FakeRunner(fail))
    assert not v.correct and v.detail == "tests line 2 `assert x`: AssertionError"
    assert judge(q, "def softmax(x, dim=-1):\n    return x", runner).correct
