"""Issue 8: a pass must mean right. Each part of the judge through the CLI, on small banks."""
import json
import re
import textwrap

from typer.testing import CliRunner

from quizkit import checks, types
from quizkit.bank import load_bank
from quizkit.cli import app
from quizkit.types import short

from conftest import write_bank

cli = CliRunner()

CODE_Q = """\
questions:
  - id: double
    type: code
    prompt: p
    starter: |
      def double(x):
          raise NotImplementedError
    solution: |
      def double(x):
          return x * 2
    tests: |
      x = torch.tensor([1., -2.])
      assert torch.equal(double(x), torch.tensor([2., -4.]))
      assert double(x) is not x
"""


def verify(*args):
    r = cli.invoke(app, ["verify", "--json", *map(str, args)])
    return r.exit_code, json.loads(r.stdout)


def test_a_wrong_answer_that_passes_fails_verify_and_is_named_at_its_line(tmp_path):
    bank = write_bank(tmp_path, CODE_Q + textwrap.indent(textwrap.dedent("""\
        wrong:
          - code: |
              def double(x):
                  return x + x
            why: not wrong at all (x + x is 2x), so the tests cannot reject it
          - code: |
              def double(x):
                  return x.mul_(2)
            why: doubles in place
        """), "    "))
    code, data = verify(bank)
    assert code == 1
    result = data["results"][0]
    assert result["status"] == "fail" and "wrong answer 1 passes" in result["reason"]
    assert "x + x is 2x" in result["reason"]
    assert result["path"] == str(bank) and result["line"] == 17  # the first line of that wrong answer's code


def test_wrong_answers_that_fail_pass_verify(tmp_path):
    bank = write_bank(tmp_path, CODE_Q + textwrap.indent(textwrap.dedent("""\
        wrong:
          - code: |
              def double(x):
                  return x.mul_(2)
            why: in place, returns x itself
          - code: |
              def double(x):
                  return x * 2.5
            why: wrong factor
        """), "    "))
    code, data = verify(bank)
    assert code == 0, data


def test_short_examples_and_reject_are_checked_and_the_display_answer_is_not_accept(tmp_path):
    good = """\
questions:
  - id: ver
    type: short
    prompt: Which attribute counts in-place changes?
    answer: "`x._version`"
    accept: ["/(\\\\w+\\\\.)?_version/"]
    examples: [_version, y._version]
    reject: [version, x.version]
"""
    assert verify(write_bank(tmp_path, good))[0] == 0
    q = load_bank(write_bank(tmp_path, good)).questions[0]
    assert short.shown_answer(q) == "`x._version`"
    assert short.judge(q, "z._version", types.Ctx()).correct and not short.judge(q, "version", types.Ctx()).correct
    bad_example = good.replace("examples: [_version, y._version]", "examples: [_version, ver]")
    code, data = verify(write_bank(tmp_path, bad_example))
    assert code == 1 and "example 'ver' is not accepted" in data["results"][0]["reason"]
    bad_reject = good.replace("reject: [version, x.version]", "reject: [x._version]")
    code, data = verify(write_bank(tmp_path, bad_reject))
    assert code == 1 and "reject 'x._version' is accepted" in data["results"][0]["reason"]


SETUP_BANK = """\
setup: |
  def arange(i): return torch.arange(i)
  def where(q, a, b): return q * a + (~q) * b
questions:
  - &puzzle
    id: ones
    type: code
    prompt: ones(i) with arange and where only
    allow: [arange, where]
    max_lines: 1
    starter: |
      def ones(i):
          raise NotImplementedError
    solution: |
      def ones(i):
          return where(arange(i) >= 0, 1, 0)
    tests: |
      for n in (1, 4):
          assert torch.equal(ones(n), torch.ones(n, dtype=torch.long))
  - <<: *puzzle
    id: ones-again
    prompt: the same, merged in with an override
"""


def test_bank_setup_and_a_merge_key_override_load_and_verify(tmp_path):
    bank = write_bank(tmp_path, SETUP_BANK)
    qs = load_bank(bank).questions
    assert [q.id for q in qs] == ["ones", "ones-again"] and qs[1].prompt == {"en": "the same, merged in with an override"}
    assert qs[1].body.allow == ("arange", "where") and "def arange" in qs[1].body.setup
    code, data = verify(bank)
    assert code == 0, data


def check_file(tmp_path, bank, qid, answer):
    f = tmp_path / "answer.py"
    f.write_text(answer)
    return cli.invoke(app, ["check", qid, str(f), "--bank", str(bank)])


def test_allow_list_refuses_an_attribute_a_dunder_and_a_name(tmp_path):
    bank = write_bank(tmp_path, SETUP_BANK)
    for answer, name in [
        ("def ones(i):\n    return torch.ones(i, dtype=torch.long)\n", "torch.ones"),
        ("def ones(i):\n    return (arange(i) >= 0).long()\n", "long"),
        ("def ones(i):\n    return where(arange(i).T >= 0, 1, 0)\n", "T"),
        ("def ones(i):\n    return where(arange(i).__ge__(0), 1, 0)\n", "__ge__"),
        ("def ones(i):\n    return where(getattr(arange(i), 'abs')() >= 0, 1, 0)\n", "getattr"),
    ]:
        r = check_file(tmp_path, bank, "ones", answer)
        assert r.exit_code == 1 and name in r.stdout, (answer, r.stdout)
    assert check_file(tmp_path, bank, "ones", "def ones(i):\n    return where(arange(i) >= 0, 1, 0)\n").exit_code == 0


def test_max_lines_counts_statements(tmp_path):
    bank = write_bank(tmp_path, SETUP_BANK)
    answer = "def ones(i):\n    r = arange(i)\n    return where(r >= 0, 1, 0)\n"
    r = check_file(tmp_path, bank, "ones", answer)
    assert r.exit_code == 1 and "at most 1 line" in r.stdout


def test_an_answer_cannot_redefine_a_setup_helper_the_tests_use(tmp_path):
    bank = write_bank(tmp_path, SETUP_BANK.replace("    allow: [arange, where]\n    max_lines: 1\n", "")
                      .replace("assert torch.equal(ones(n), torch.ones(n, dtype=torch.long))",
                               "assert torch.equal(ones(n), where(arange(n) >= 0, 1, 0))"))
    cheat = "def where(q, a, b):\n    return 0\ndef ones(i):\n    return 0\n"
    r = check_file(tmp_path, bank, "ones", cheat)
    assert r.exit_code == 1


FLAKY = """\
questions:
  - id: flaky
    type: code
    prompt: p
    seeds: 4
    starter: "x = 0"
    solution: "x = 1"
    tests: |
      assert x == 1
      assert torch.rand(()) < 0.6
"""


def test_seeds_catch_a_flaky_test(tmp_path):
    """torch.rand under seed 0 is 0.496, under seed 1 it is 0.758: one seed hides the flaky test."""
    code, data = verify(write_bank(tmp_path, FLAKY))
    assert code == 1 and "(seed 1)" in data["results"][0]["reason"]
    assert verify(write_bank(tmp_path, FLAKY.replace("seeds: 4", "seeds: 1")))[0] == 0


def test_a_version_range_skips_and_strict_fails_on_a_skip(tmp_path):
    bank = write_bank(tmp_path, CODE_Q.replace("    prompt: p\n", "    prompt: p\n    requires: ['torch>=99']\n"))
    code, data = verify(bank)
    assert code == 0 and data["skipped"] == 1 and "torch>=99" in data["results"][0]["reason"]
    r = cli.invoke(app, ["verify", "--strict", str(bank)])
    assert r.exit_code == 1
    ok = write_bank(tmp_path, CODE_Q.replace("    prompt: p\n", "    prompt: p\n    requires: ['torch>=2.0,<99']\n"))
    assert verify(ok)[1]["passed"] == 1


def test_a_starter_that_is_not_python_is_a_bank_error_at_its_line(tmp_path):
    bank = write_bank(tmp_path, CODE_Q.replace("def double(x):\n          raise", "def double(x:\n          raise", 1))
    r = cli.invoke(app, ["verify", str(bank)])
    assert r.exit_code == 1 and f"{bank.name}:6: 'starter' is not valid Python" in r.output.replace("\n", "")


def test_a_folder_with_no_bank_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    r = cli.invoke(app, ["verify", str(tmp_path / "empty")])
    assert r.exit_code == 1 and "no bank in this folder" in r.output


def test_a_failing_test_is_reported_at_its_yaml_line_with_both_values(tmp_path):
    bank = write_bank(tmp_path, CODE_Q.replace("return x * 2", "return x * 3"))
    code, data = verify(bank)
    result = data["results"][0]
    assert code == 1 and result["line"] == 13  # `assert torch.equal(...)`: tests start on line 12
    assert "torch.equal(tensor([ 3., -6.]), tensor([ 2., -4.])) is false" in result["reason"]


def test_a_failing_compare_shows_both_sides(runner):
    r = runner.run([("answer", "def f(x):\n    return x + 1"), ("tests", "assert f(2) == 4\n")], answer=0)
    assert r.status == "fail" and r.error == "AssertionError: 3 != 4" and r.line == "assert f(2) == 4"
    r = runner.run([("answer", "y = torch.zeros(3, 2)"), ("tests", "assert y.shape == (2, 3)")], answer=0)
    assert r.error == "AssertionError: torch.Size([3, 2]) != (2, 3)"


def test_output_tolerance(tmp_path):
    bank = write_bank(tmp_path, """\
questions:
  - id: third
    type: output
    prompt: p
    code: print(round(1 / 3, 6))
    expected: "0.3333"
    tolerance: 1e-3
""")
    q = load_bank(bank).questions[0]
    def judge(answer):
        return types.of(q).judge(q, answer, types.Ctx()).correct
    assert judge("0.3334") and judge("0.333")
    assert not judge("0.34") and not judge("0.3333 0.1")
    assert verify(bank)[0] == 0


def test_schema_command_prints_the_per_type_schema():
    r = cli.invoke(app, ["schema"])
    schema = json.loads(r.stdout)
    per_type = {s["properties"]["type"]["const"]: s for s in schema["$defs"]["question"]["oneOf"]}
    assert set(per_type["code"]["properties"]) >= {"starter", "wrong", "allow", "seeds"}
    assert "choices" not in per_type["code"]["properties"]
    mcq_answer = per_type["mcq"]["properties"]["answer"]["oneOf"][0]
    assert re.fullmatch(mcq_answer["pattern"], "a") is None and re.fullmatch(mcq_answer["pattern"], "2")
    r = cli.invoke(app, ["schema", "--path"])
    assert r.stdout.strip().endswith("bank.schema.json")


def test_tolerance_takes_inf_and_nan_as_themselves():
    assert checks.same_output("inf 1000.6932", "inf 1000.6931", (1e-3, 0))
    assert checks.same_output("tensor([nan, -inf])", "tensor([nan, -inf])", (1e-3, 0))
    assert not checks.same_output("inf 1000.6932", "-inf 1000.6931", (1e-3, 0))
    assert not checks.same_output("nan", "1.0", (1e-3, 0))
    # with an rtol, rtol * inf is inf: every number (and the other infinity) was within it
    assert not checks.same_output("5.0", "inf", (1e-3, 1e-2))
    assert not checks.same_output("tensor([-inf])", "tensor([inf])", (0, 1e-5))
    assert not checks.same_output("inf", "3.0", (0, 1e-5))
    assert checks.same_output("tensor([inf, 1.001])", "tensor([inf, 1.0])", (0, 1e-2))


RIGHT = """\
    forbid: [torch.add]
    right:
      - code: |
          def double(x):
              return x + x
        why: adds x to itself
      - code: |
          def double(x):
              return torch.mul(x, 2)
        why: torch.mul
"""


def test_right_answers_in_other_styles_must_pass_verify(tmp_path):
    code, data = verify(write_bank(tmp_path, CODE_Q + RIGHT))
    assert code == 0, data


def test_a_right_answer_the_tests_refuse_fails_verify_at_its_line(tmp_path):
    too_strict = CODE_Q.replace("assert double(x) is not x", "assert double(x).dtype == torch.float64")
    bank = write_bank(tmp_path, too_strict.replace("return x * 2", "return (x * 2).double()") + RIGHT)
    code, data = verify(bank)
    result = data["results"][0]
    assert code == 1 and result["status"] == "fail", data
    assert "right answer 1 fails" in result["reason"] and "adds x to itself" in result["reason"]
    assert result["line"] == 18  # the first line of that right answer's code


def test_a_right_answer_the_rules_refuse_fails_verify(tmp_path):
    bank = write_bank(tmp_path, CODE_Q + RIGHT.replace("return x + x", "return torch.add(x, x)"))
    code, data = verify(bank)
    result = data["results"][0]
    assert code == 1 and "right answer 1 is refused by the rules" in result["reason"], data
    assert "torch.add" in result["reason"]
