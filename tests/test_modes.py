"""Issue 12: progressive hints, finding questions (list search and status), learning paths, the workspace
(show / start / check / reset) and drill --id / --missed, each through the CLI."""
import os
import signal
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.store import Store

from conftest import read_until

STUDY = Path(__file__).parent / "data" / "study"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
cli = CliRunner()


def run(*args, input=None):
    return cli.invoke(app, [*args, "--bank", str(STUDY)], input=input, env={"QUIZKIT_NOW": NOW.isoformat()})


def attempts():
    with Store() as s:
        return s.attempts()


# ---- progressive hints ----

@pytest.mark.torch_free
def test_each_question_mark_shows_the_next_hint_and_the_count_is_stored():
    r = run("drill", "--id", "one", input="?\n?\n?\n?\none\n")
    assert r.exit_code == 0, r.output
    assert "hint 1/3: It is a number." in r.output
    assert "hint 2/3: It comes before two." in r.output
    assert r.output.count("hint 3/3: It is spelled o-n-e.") == 2  # the last one again, not an error
    assert "hint 4" not in r.output
    [a] = attempts()
    assert a["correct"] and a["hints"] == 3


@pytest.mark.torch_free
def test_hints_use_the_learners_language():
    r = run("drill", "--id", "one", "--lang", "zh", input="?\n?\none\n")
    assert "它在二之前。" in r.output


@pytest.mark.torch_free
def test_a_right_answer_found_with_a_hint_is_rated_hard_in_review():
    r = run("review", "--type", "short", "--new", "1", input="?\none\n\n")
    assert r.exit_code == 0, r.output
    assert "Enter: hard (you used a hint)" in r.output and "rated hard" in r.output
    with Store() as s:
        assert [row[2] for row in s.reviews()] == [2]  # Hard, not Good
    r = run("review", "--type", "short", "--new", "2", input="two\ne\n")  # no hint: easy is allowed
    with Store() as s:
        assert [row[2] for row in s.reviews()] == [2, 4]


@pytest.mark.torch_free
def test_a_hint_list_that_is_empty_or_not_text_is_a_bank_error(tmp_path):
    bank = tmp_path / "b.yaml"
    bank.write_text("questions:\n  - id: a\n    type: short\n    prompt: p\n    accept: [x]\n    hint: []\n")
    r = cli.invoke(app, ["verify", str(bank)])
    assert r.exit_code == 1 and "b.yaml:6: 'hint' is an empty list" in r.output
    bank.write_text("questions:\n  - id: a\n    type: short\n    prompt: p\n    accept: [x]\n    hint: [ok, [no]]\n")
    r = cli.invoke(app, ["verify", str(bank)])
    assert r.exit_code == 1 and "'hint[1]'" in r.output


# ---- list: search, filters, status ----

@pytest.mark.torch_free
def test_list_searches_and_shows_each_questions_status():
    run("drill", "--id", "one", input="one\n")
    run("drill", "--id", "two", input="three\n")
    r = cli.invoke(app, ["list", "--bank", str(STUDY), "--search", "SAY"], env={"COLUMNS": "100"})
    assert r.exit_code == 0, r.output
    rows = {line.split()[1]: line for line in r.output.splitlines() if line.startswith("│ study/")}
    assert set(rows) == {"study/one", "study/two", "study/three"}  # by prompt, ignoring case
    assert "done" in rows["study/one"] and "missed" in rows["study/two"] and "new" in rows["study/three"]
    r = cli.invoke(app, ["list", "--bank", str(STUDY), "--status", "missed"])
    assert "study/two" in r.output and "study/one" not in r.output and "1 question: 1 missed" in r.output
    r = cli.invoke(app, ["list", "--bank", str(STUDY), "--type", "code"])
    assert "study/add" in r.output and "study/one" not in r.output
    r = cli.invoke(app, ["list", "--bank", str(STUDY), "--status", "bogus"])
    assert r.exit_code == 1 and "--status must be one of" in r.output


@pytest.mark.torch_free
def test_list_shows_review_and_learning_phases():
    run("review", "--type", "flashcard", "--new", "1", input="\n4\n")  # easy: straight to review
    run("review", "--type", "short", "--new", "2", input="one\n\n")  # good: a learning step
    r = cli.invoke(app, ["list", "--bank", str(STUDY), "--search", "study/"])
    rows = {line.split()[1]: line for line in r.output.splitlines() if line.startswith("│ study/")}
    assert "review" in rows["study/five"] and "learning" in rows["study/one"] and "new" in rows["study/four"]


# ---- drill --id, --missed ----

@pytest.mark.torch_free
def test_drill_missed_asks_only_what_was_last_answered_wrong():
    r = run("drill", "--missed")
    assert r.exit_code == 1 and "nothing missed" in r.output
    run("drill", "--id", "one", "--id", "two", input="one\nthree\n")
    r = run("drill", "--missed", input="two\n")
    assert "Say two." in r.output and "Say one." not in r.output
    r = run("drill", "--id", "nope")
    assert r.exit_code == 1 and "no question 'nope'" in r.output


# ---- learning paths ----

@pytest.mark.torch_free
def test_a_path_shows_done_next_and_locked_and_drill_follows_it():
    r = run("path", "basics")
    assert r.exit_code == 0, r.output
    assert "→ next" in r.output and r.output.count("· locked") == 3
    r = run("drill", "--path", "basics", input="one\ntwo\nwrong\nthree\nq\n")
    assert "basics · step 1/4" in r.output and "basics · step 3/4" in r.output
    assert r.output.count("Say three.") == 2  # a wrong step comes back once
    r = run("path", "basics")
    lines = [line for line in r.output.splitlines() if line.startswith("│") and "Say" in line or "Write" in line]
    assert ["✓ done" in line for line in lines] == [True, True, True, False]
    assert "→ next" in lines[3]
    r = run("path")
    assert "basics" in r.output and "3/4" in r.output and "study/add" in r.output


@pytest.mark.torch_free
def test_after_keeps_a_step_locked_until_its_prerequisite_is_done(tmp_path):
    bank = tmp_path / "p.yaml"
    bank.write_text(
        "paths:\n  - {id: p, steps: [b, c]}\n"
        "questions:\n"
        "  - {id: a, type: short, prompt: say a, accept: [a]}\n"
        "  - {id: b, type: short, prompt: say b, accept: [b]}\n"
        "  - {id: c, type: short, prompt: say c, accept: [c], after: [a]}\n")
    r = cli.invoke(app, ["drill", "--path", "p", "--bank", str(bank)], input="b\n")
    assert "say b" in r.output and "say c" not in r.output  # c waits for a, which is not on the path
    r = cli.invoke(app, ["path", "p", "--bank", str(bank)])
    assert "· locked" in [line for line in r.output.splitlines() if "say c" in line][0]
    cli.invoke(app, ["drill", "--id", "a", "--bank", str(bank)], input="a\n")
    r = cli.invoke(app, ["path", "p", "--bank", str(bank)])
    assert "→ next" in [line for line in r.output.splitlines() if "say c" in line][0]


@pytest.mark.torch_free
def test_a_path_that_cannot_go_on_says_why_and_is_not_finished(tmp_path):
    bank = tmp_path / "p.yaml"
    bank.write_text(
        "paths:\n  - {id: p, steps: [a, other/zz]}\n"
        "questions:\n  - {id: a, type: short, prompt: say a, accept: [a], after: [other/q]}\n")
    r = cli.invoke(app, ["drill", "--path", "p", "--bank", str(bank)], input="")
    assert r.exit_code == 1 and r.output == "error: path 'p' is stuck: step 'p/a' waits for other/q\n"
    r = cli.invoke(app, ["path", "--bank", str(bank)])
    assert r.exit_code == 0 and "stuck" in r.output and "finished" not in r.output
    r = cli.invoke(app, ["path", "p", "--bank", str(bank)], env={"COLUMNS": "120"})
    assert "is stuck: step 'p/a' waits for other/q" in r.output and "asks the next step" not in r.output


@pytest.mark.torch_free
@pytest.mark.parametrize("text, message", [
    ("paths:\n  - {id: p, steps: []}\n", "p.yaml:2: path 'p': 'steps' is an empty list"),
    ("paths:\n  - {id: p, steps: [../a]}\n", "p.yaml:2: path 'p': '../a' is not a question id (ID or BANK/ID)"),
    ("paths:\n  - {id: p, steps: [x/y/z]}\n", "p.yaml:2: path 'p': 'x/y/z' is not a question id"),
    ("paths:\n  - {id: p, steps: [a]}\n# after\n", None),
])
def test_a_path_step_or_after_that_is_no_question_id_is_refused(tmp_path, text, message):
    bank = tmp_path / "p.yaml"
    bank.write_text(text + "questions:\n  - {id: a, type: short, prompt: x, accept: [x]}\n")
    r = cli.invoke(app, ["path", "--bank", str(bank)])
    if message is None:
        assert r.exit_code == 0
    else:
        assert r.exit_code == 1 and message in r.output and len(r.output.splitlines()) == 1
    bank.write_text("questions:\n  - {id: a, type: short, prompt: x, accept: [x], after: [/]}\n")
    r = cli.invoke(app, ["list", "--bank", str(bank)])
    assert r.exit_code == 1 and "question 'a': 'after': '/' is not a question id" in r.output


@pytest.mark.torch_free
def test_verify_counts_errors_across_banks_apart_from_banks_refused(tmp_path):
    (tmp_path / "a.yaml").write_text("paths:\n  - {id: p, steps: [a]}\n"
                                     "questions:\n  - {id: a, type: short, prompt: x, accept: [x], after: [b/b]}\n")
    (tmp_path / "b.yaml").write_text("paths:\n  - {id: p, steps: [b]}\n"
                                     "questions:\n  - {id: b, type: short, prompt: x, accept: [x], after: [a/a]}\n")
    r = cli.invoke(app, ["verify", str(tmp_path)])
    assert r.exit_code == 1 and "2 passed, 0 failed, 0 skipped; 2 errors across banks" in r.output, r.output
    assert "refused" not in r.output


@pytest.mark.torch_free
def test_path_and_after_errors_name_the_line(tmp_path):
    bank = tmp_path / "p.yaml"
    bank.write_text("paths:\n  - {id: p, steps: [a, nope]}\nquestions:\n  - {id: a, type: short, prompt: x, accept: [x]}\n")
    r = cli.invoke(app, ["verify", str(bank)])
    assert r.exit_code == 1 and "p.yaml:2: path 'p': no question 'nope' in this bank" in r.output
    bank.write_text("questions:\n  - {id: a, type: short, prompt: x, accept: [x], after: [other/q]}\n")
    r = cli.invoke(app, ["verify", str(bank)])
    assert r.exit_code == 1 and "'after' names 'other/q', not loaded" in r.output
    bank.write_text("questions:\n  - {id: a, type: short, prompt: x, accept: [x], after: [b]}\n"
                    "  - {id: b, type: short, prompt: x, accept: [x], after: [a]}\n")
    r = cli.invoke(app, ["verify", str(bank)])
    assert r.exit_code == 1 and "goes round in a circle" in r.output
    steps = ", ".join(["a"] + [f"q{i}" for i in range(600)])
    bank.write_text(f"paths:\n  - {{id: p, steps: [{steps}]}}\nquestions:\n  - {{id: a, type: short, prompt: x, accept: [x]}}\n")
    r = cli.invoke(app, ["verify", str(bank)])
    assert r.exit_code == 1 and "p.yaml:2: path 'p': more than 500 steps" in r.output
    r = cli.invoke(app, ["drill", "--path", "basic", "--bank", str(STUDY)])
    assert r.exit_code == 1 and "did you mean 'basics'" in r.output


# ---- the workspace ----

@pytest.mark.torch_free
def test_show_prints_the_prompt_starter_hints_so_far_and_progress():
    r = run("show", "add")
    assert "Write add(a, b)" in r.output and "def add(a, b):" in r.output
    assert "2 hints left" in r.output and "status: new" in r.output
    r = run("show", "add", "--hint")
    assert "hint 1/2: Tensors support +." in r.output and "1 hint left" in r.output
    r = run("show", "add")
    assert "hint 1/2" in r.output  # remembered
    with Store() as s:
        assert s.workspace_hints("study/add") == 1


def test_check_stores_a_pass_once_with_its_hints_and_rates_the_card(tmp_path):
    run("show", "add", "--hint")
    f = tmp_path / "add.py"
    f.write_text("def add(a, b):\n    return a - b\n")
    r = run("check", "add", str(f))
    assert r.exit_code == 1 and not attempts()  # a failing file is work in progress
    f.write_text("def add(a, b):\n    return a + b\n")
    r = run("check", "add", str(f))
    assert r.exit_code == 0 and "PASS" in r.output and "rated hard" in r.output
    r = run("check", "add", str(f))  # the same passing file checked again is not a new answer
    assert r.exit_code == 0 and "PASS" in r.output and "rated" not in r.output
    [a] = attempts()
    assert a["mode"] == "check" and a["correct"] and a["hints"] == 1
    with Store() as s:
        assert s.card("study/add") is not None and [row[2] for row in s.reviews()] == [2]


@pytest.mark.torch_free
def test_start_and_reset_on_a_question_that_is_not_code_name_the_command(tmp_path):
    for command in ("start", "reset"):
        r = run(command, "one", str(tmp_path / "work"))
        assert r.exit_code == 1 and r.output == f"error: study/one is not a code question (its type: short); {command} takes code questions\n"


def test_start_writes_the_starter_watches_and_a_pass_is_recorded(tmp_path):
    env = {**os.environ, "NO_COLOR": "1", "QUIZKIT_NOW": NOW.isoformat(), "COLUMNS": "100"}
    p = subprocess.Popen([sys.executable, "-m", "quizkit", "start", "add", str(tmp_path / "work"), "--bank",
                          str(STUDY)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list = []

    def until(text):
        return read_until(p, lines, text)

    f = tmp_path / "work" / "study" / "add.py"
    try:
        assert until("FAIL study/add"), lines  # the starter fails
        assert "quizkit-work" not in "".join(lines)  # the workspace shown is the one given, not the default
        assert f.read_text() == "def add(a, b):\n    pass\n"
        f.write_text("def add(a, b):\n    return a + b\n")
        assert until("PASS study/add"), lines
        assert until("rated good"), lines
    finally:
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=20)
    assert p.returncode == 0 and "Traceback" not in "".join(lines) + out
    [a] = attempts()
    assert a["question"] == "study/add" and a["correct"] and a["mode"] == "check"
    r = run("reset", "add", str(tmp_path / "work"))
    assert r.exit_code == 0 and f.read_text() == "def add(a, b):\n    pass\n"
    assert (tmp_path / "work" / "study" / "add.py.bak").read_text() == "def add(a, b):\n    return a + b\n"
    r = run("start", "one", str(tmp_path / "work"))
    assert r.exit_code == 1 and "takes code questions" in r.output


# ---- shell completion ----

def complete(words: str) -> list[str]:
    env = {"_QUIZKIT_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    r = cli.invoke(app, [], prog_name="quizkit", env=env)
    assert r.exit_code == 0, r.output
    return r.output.split()


@pytest.mark.torch_free
def test_completion_offers_ids_tags_types_banks_paths_and_statuses():
    assert complete("quizkit show attention/rope") == ["attention/rope-apply", "attention/rope-which-tensors"]
    assert "rope-apply" in complete("quizkit start rope-ap")  # a bare id where it is unique
    assert "autograd" in complete("quizkit drill --tag autog")
    assert complete("quizkit list --type fl") == ["flashcard"]
    assert complete("quizkit drill --bank atte") == ["attention"]
    assert complete("quizkit drill --path ll") == ["llm"]
    assert complete("quizkit path bl") == ["blitz"]
    assert complete("quizkit list --status mi") == ["missed"]


@pytest.mark.torch_free
def test_list_all_lists_every_question_and_plain_list_says_how():
    r = cli.invoke(app, ["list"])
    assert "quizkit list --all" in r.output and "│ seed/" not in r.output
    from quizkit import catalog
    _banks, shipped, _errors = catalog.load(None)
    r = cli.invoke(app, ["list", "--all"], env={"COLUMNS": "100"})
    assert r.exit_code == 0 and f"{len(shipped)} questions: {len(shipped)} new" in r.output.replace("\n", " ")


@pytest.mark.torch_free
def test_a_path_id_declared_by_two_banks_is_one_line_for_path_drill_and_verify(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(
            f"bank: {name}\npaths:\n  - {{id: p, steps: [q]}}\nquestions:\n  - {{id: q, type: short, prompt: x, accept: [x]}}\n")
    for args in (["path"], ["drill", "--path", "p"]):
        r = cli.invoke(app, [*args, "--bank", str(tmp_path)])
        assert r.exit_code == 1 and r.output == f"error: {tmp_path / 'b.yaml'}:3: path 'p' is also declared by bank 'a'\n"
    r = cli.invoke(app, ["verify", str(tmp_path)])
    assert r.exit_code == 1 and "b.yaml:3: path 'p' is also declared by bank 'a'" in r.output
