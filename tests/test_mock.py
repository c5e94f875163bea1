"""Issue 12: the mock interview, through the CLI, under a fake clock: the mix, one try each, hints cost
points, time running out, the report, the stored record, the comparison and stats."""
import json
import random
from datetime import datetime, timedelta, timezone

from typer.testing import CliRunner

from quizkit import catalog
from quizkit.cli import app
from quizkit.cli.common import Context
from quizkit.mock import choose, mix
from quizkit.store import Store

from conftest import _Shared, write_bank

cli = CliRunner()
START = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)

BANK = """
bank: m
questions:
  - {id: c1, type: code, difficulty: 3, prompt: "inc", starter: "def f(x):\\n    pass\\n",
     solution: "def f(x):\\n    return x + 1\\n", tests: "assert f(1) == 2\\nassert f(5) == 6\\n"}
  - {id: m1, type: mcq, difficulty: 2, shuffle: false, prompt: "pick a", choices: ["a", "b"], answer: 0}
  - {id: m2, type: mcq, difficulty: 2, shuffle: false, prompt: "pick b", choices: ["a", "b"], answer: 1}
  - {id: s1, type: short, difficulty: 1, prompt: "say yes", accept: [yes], hint: [first, second, third]}
"""
ANSWERS = {"m/c1": "def f(x):\n    return x\n.\n", "m/m1": "a\n", "m/m2": "b\n", "m/s1": "?\nyes\n"}


class StepClock:
    """A fake clock: every reading is `step` seconds after the one before."""

    def __init__(self, step):
        self.now, self.step = START, timedelta(seconds=step)

    def __call__(self):
        self.now += self.step
        return self.now


def mock(tmp_path, runner, clock, *args, input="", text=BANK):
    ctx = Context(home=tmp_path / "home", clock=clock, runner_factory=lambda w=1, m=None: _Shared(runner))
    bank = write_bank(tmp_path, text, "m.yaml")
    return cli.invoke(app, ["mock", "--bank", str(bank), "--seed", "7", *args], input=input, obj=ctx,
                      env={"COLUMNS": "120"})


def order(tmp_path, minutes, seed=7):
    _, questions, _ = catalog.load([tmp_path / "m.yaml"])
    with Store(tmp_path / "home" / "quizkit.db") as s:
        progress = s.progress()
    return [q.full_id for q in choose(questions, minutes, None, progress, random.Random(seed))]


def test_the_mix_follows_the_45_minute_proportions():
    assert mix(45) == {"code": 2, "read": 6, "recall": 4}
    assert mix(90) == {"code": 4, "read": 12, "recall": 8}
    assert sum(mix(5).values()) >= 1
    # The questions' aims fill the time: never over it, and never so short that another question would fit
    # (a 5-minute mock was one 2.5-minute question).
    from quizkit.mock import KINDS
    for minutes in range(5, 181):
        aims = sum(n * KINDS[k][1] for k, n in mix(minutes).items())
        assert minutes - min(a for _p, a in KINDS.values()) < aims <= minutes, minutes
    assert mix(5) == {"code": 0, "read": 1, "recall": 1} and mix(20) == {"code": 1, "read": 2, "recall": 2}


def test_a_whole_mock_reports_scores_by_topic_and_level_and_is_stored(tmp_path, runner):
    write_bank(tmp_path, BANK, "m.yaml")
    ids = order(tmp_path, 30)
    assert sorted(ids) == ["m/c1", "m/m1", "m/m2", "m/s1"]  # 30 min: 1 code, 4 read, 3 recall wanted
    r = mock(tmp_path, runner, StepClock(10), "--minutes", "30", input="".join(ANSWERS[i] for i in ids))
    assert r.exit_code == 0, r.output
    out = r.output
    assert "⏱" in out and "left" in out and "aim 12:00" in out  # the countdown and the aim per question
    assert "retries" not in out  # one try: the failing code answer is not offered again
    assert "mock interview: 41%" in out  # (m1 3 + m2 3 + s1 2×(1 − 1/3)) of (3 + 3 + 2 + 10)
    assert "7.33 of 18 points" in out and "every question asked" in out
    assert "review next: m/c1, m/s1" in out
    with Store(tmp_path / "home" / "quizkit.db") as s:
        [stored] = s.mocks()
        assert stored["right"] == 3 and stored["wrong"] == 1 and stored["minutes"] == 30
        by_id = {q["id"]: q for q in stored["questions"]}
        assert by_id["m/s1"]["hints"] == 1 and by_id["m/s1"]["points"] == 1.33
        assert by_id["m/c1"]["result"] == "wrong" and by_id["m/c1"]["seconds"] > 0
        assert stored["topics"]["m"]["asked"] == 4 and stored["levels"]["2"]["right"] == 2
        attempts = s.attempts()
        assert {a["mode"] for a in attempts} == {"mock"} and len(attempts) == 4  # one try each
        assert {row[1] for row in s.reviews()} == set(ids)  # every answer went into review
        assert [row[2] for row in s.reviews() if row[1] == "m/s1"] == [2]  # a hint: hard


def test_time_running_out_ends_the_mock_and_a_late_answer_scores_nothing(tmp_path, runner):
    write_bank(tmp_path, BANK, "m.yaml")
    ids = order(tmp_path, 15)
    # each clock reading is 320 s on: the first question is shown in time, its answer comes in late
    r = mock(tmp_path, runner, StepClock(320), "--minutes", "15", input="".join(ANSWERS[i] for i in ids))
    assert r.exit_code == 0, r.output
    assert "time is up" in r.output and "late" in r.output and "not reached" in r.output
    with Store(tmp_path / "home" / "quizkit.db") as s:
        [stored] = s.mocks()
    assert stored["ended"] == "time" and stored["points"] == 0 and stored["asked"] == 1
    assert stored["seconds"] == 15 * 60  # the time used is capped at the time allowed


def test_the_next_mock_is_compared_with_the_last_and_stats_shows_them(tmp_path, runner):
    write_bank(tmp_path, BANK, "m.yaml")
    ids = order(tmp_path, 30)
    mock(tmp_path, runner, StepClock(10), "--minutes", "30", input="".join(ANSWERS[i] for i in ids))
    ids = order(tmp_path, 30)
    right = {**ANSWERS, "m/c1": "def f(x):\n    return x + 1\n.\n", "m/s1": "yes\n"}
    r = mock(tmp_path, runner, StepClock(10), "--minutes", "30", input="".join(right[i] for i in ids))
    assert "mock interview: 100%" in r.output
    assert "compared with your last mock: +59% (then 41%)" in r.output, r.output
    ctx = Context(home=tmp_path / "home", clock=StepClock(10), runner_factory=lambda w=1, m=None: None)
    r = cli.invoke(app, ["stats"], obj=ctx, env={"COLUMNS": "120"})
    assert "mock interviews" in r.output and "100%" in r.output
    r = cli.invoke(app, ["stats", "--json"], obj=ctx)
    assert [m["score"] for m in json.loads(r.output)["mocks"]] == [1.0, 0.4074]  # 7.333 of 18, not 7.33 of 18


def test_q_ends_a_mock_early_and_keeps_what_was_answered(tmp_path, runner):
    write_bank(tmp_path, BANK, "m.yaml")
    ids = order(tmp_path, 30)
    r = mock(tmp_path, runner, StepClock(10), "--minutes", "30", input=ANSWERS[ids[0]] + "q\n")
    assert r.exit_code == 0 and "you stopped" in r.output
    with Store(tmp_path / "home" / "quizkit.db") as s:
        [stored] = s.mocks()
        assert stored["ended"] == "quit" and stored["asked"] == 1 and len(s.attempts()) == 1


def test_a_mock_in_chinese_has_no_english_label(tmp_path, runner):
    from test_i18n import _english_shown

    write_bank(tmp_path, BANK, "m.yaml")
    ids = order(tmp_path, 30)
    r = mock(tmp_path, runner, StepClock(10), "--minutes", "30", "--lang", "zh",
             input="".join(ANSWERS[i] for i in ids))
    assert r.exit_code == 0, r.output
    assert "模拟面试" in r.output and "每题用时" in r.output and "接下来复习" in r.output
    content = ["inc", "pick a", "pick b", "say yes", "first", "second", "third", "def f(x):", "return x + 1", "pass",
               "assert f(1) == 2", "assert f(5) == 6", "return x"]
    assert _english_shown(r.output, content) == [], (_english_shown(r.output, content), r.output)


def test_a_bad_level_names_the_level_option(tmp_path):
    for level, words in (("9", "within 1-5"), ("3-1", "a range from low to high, like 1-3"), ("x", "a range like 2-4")):
        r = mock(tmp_path, None, StepClock(1), "--level", level)
        assert r.exit_code == 1 and r.output.startswith("error: --level ") and words in r.output, r.output
        assert len(r.output.splitlines()) == 1


def test_the_score_is_computed_from_exact_points(tmp_path, runner):
    """One hint leaves two thirds of a question's points: 67%, where rounding the points first said 66%."""
    ctx = Context(home=tmp_path / "home", clock=StepClock(10), runner_factory=lambda w=1, m=None: _Shared(runner))
    bank = write_bank(tmp_path, "questions:\n  - {id: s, type: short, prompt: yes?, accept: [yes], hint: [y]}\n")
    r = cli.invoke(app, ["mock", "--bank", str(bank), "--minutes", "30"], input="?\nyes\n", obj=ctx)
    assert "mock interview: 67%" in r.output and "1.33 of 2 points" in r.output, r.output


def test_a_five_minute_mock_of_one_question_says_one_question(tmp_path, runner):
    """A 5-minute mock of a bank with no short answer is one question: its first line said '1 questions in 5
    minutes'."""
    no_short = "\n".join(line for line in BANK.splitlines() if "id: s1" not in line)
    r = mock(tmp_path, runner, StepClock(10), "--minutes", "5", input="q\n", text=no_short)
    assert r.exit_code == 0, r.output
    assert "mock interview: 1 question in 5 minutes." in r.output, r.output
