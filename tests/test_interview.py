"""The app layer's sitting for the room (quizkit/app/interview.py) and its card browser (app/browse.py)."""

from datetime import timedelta

import pytest

from quizkit.app import browse
from quizkit.app.interview import Countdown, Interview, markdown, plan, runs_code
from quizkit.errors import QuizkitError

WRONG = """def softmax(x, dim=-1):
    return x.exp() / x.exp().sum()
"""
RIGHT = """def softmax(x, dim=-1):
    z = x - x.amax(dim=dim, keepdim=True)
    return z.exp() / z.exp().sum(dim=dim, keepdim=True)
"""


def test_countdown_runs_low_in_the_last_fifth_or_past_the_aim():
    assert Countdown(600, 2700, 150, 10).level == "ok"
    assert Countdown(500, 2700, 150, 10).level == "low"  # under a fifth of 45 minutes
    assert Countdown(2000, 2700, 150, 151).level == "low"  # the question's aim passed
    assert Countdown(0, 2700, 150, 10).level == "out"


def test_markdown_fences_code_and_leaves_choices_to_the_screen():
    text = markdown([("md", "starter:"), ("code", "x = 1\n"), ("choices", [("a", "one")])])
    assert text == "starter:\n\n```python\nx = 1\n```"
    assert markdown([("md", "starter:"), ("code", "x\n")], skip=("md",)) == "```python\nx\n```"


def test_a_code_question_by_id_fails_with_its_line_then_passes_and_both_are_stored(app, mini, runner):
    banks, questions = mini
    with app.store() as store:
        p = plan(app, store, banks, questions, ids=["mini/softmax"])
        assert runs_code(p)
        iv = Interview(app, p, store, runner)
        shown = iv.next()
        assert shown.input == "code" and shown.view["starter"].startswith("def softmax")
        assert "Write a numerically stable" in shown.markdown and "def softmax" not in shown.markdown
        assert "may not use: `torch.softmax`, `F.softmax`" in shown.markdown
        assert iv.countdown() is None  # not a mock
        bad = iv.check(WRONG)
        assert bad.correct is False and not bad.done
        assert bad.where == "tests line 2" and "assert_close(softmax(x, -1)" in bad.line
        assert "Tensor-likes are not close" in bad.error
        good = iv.check(RIGHT)
        assert good.correct and good.done and good.first_correct is False and good.explanation
        with pytest.raises(QuizkitError):
            iv.check(RIGHT)  # done: the next key asks the next one
        assert iv.next() is None
        assert iv.finish().score.wrong == 1
        assert [a["correct"] for a in store.attempts()] == [False, True]


def test_a_mock_counts_down_on_the_apps_clock_and_its_report_is_stored(app, mini, runner):
    banks, questions = mini
    with app.store() as store:
        p = plan(app, store, banks, questions, minutes=5)
        iv = Interview(app, p, store, runner)
        shown = iv.next()
        assert iv.is_mock and shown.number == 1
        start = iv.countdown()
        assert start.left == 300 and start.spent == 0 and start.aim > 0
        app.clock.t += timedelta(seconds=40)
        later = iv.countdown()
        assert later.left == 260 and later.spent == 40
        answer = {"reveal": "3", "choice": "a"}.get(shown.input, "x")
        iv.check(answer)
        report = iv.finish().report
        assert report["asked"] >= 1 and store.mocks(1)[0]["asked"] == report["asked"]


def test_review_with_nothing_due_or_new_is_a_clear_error(app, mini):
    banks, questions = mini
    with app.store() as store:
        p = plan(app, store, banks, [])
        with pytest.raises(QuizkitError):
            Interview(app, p, store)


def test_the_browser_filters_sorts_and_shows_a_cards_history(app, mini, runner):
    banks, questions = mini
    with app.store() as store:
        iv = Interview(app, plan(app, store, banks, questions), store, runner)  # review: rates cards
        while (shown := iv.next()) is not None and shown.view["id"] != "mini/dtype-short":
            pass
        assert iv.check("float32").correct is False
        everything = browse.cards(questions, store)
        assert len(everything) == len(questions)
        missed = browse.cards(questions, store, statuses=["missed"])
        assert [c.row.id for c in missed] == ["mini/dtype-short"] and missed[0].last is False
        assert missed[0].due is not None and missed[0].attempts == 1
        assert [c.row.id for c in browse.cards(questions, store, search="softmax")] == ["mini/softmax"]
        assert {c.row.type for c in browse.cards(questions, store, qtypes=["mcq"])} == {"mcq"}
        assert [c.row.level for c in browse.cards(questions, store, sort="level")] == sorted(
            q.difficulty for q in questions
        )
        by_due = browse.cards(questions, store, sort="due")
        assert by_due[0].row.id == "mini/dtype-short"  # the only card scheduled comes first
        assert browse.cards(questions, store, sort="last")[0].last is False
        assert [c.row.id for c in browse.cards(questions, store, level="3")] == ["mini/softmax"]
        with pytest.raises(QuizkitError):
            browse.cards(questions, store, sort="colour")
        d = browse.detail(questions, store, "mini/dtype-short")
        assert [a["answer"] for a in d.attempts] == ["float32"] and d.attempts[0]["rating"] == 1
        assert d.card is not None and d.card["stability"] > 0 and d.card["due"] == missed[0].due
        assert browse.detail(questions, store, "mini/softmax").card is None


def test_review_re_rates_and_undoes_a_right_answer_and_nothing_else(app, mini, runner):
    banks, questions = mini
    with app.store() as store:
        iv = Interview(app, plan(app, store, banks, questions), store, runner)  # the review queue: new cards
        while (shown := iv.next()).view["id"] != "mini/dtype-short":
            pass
        right = iv.check("int64")
        assert right.rating == 3 and right.rerate and right.undo and right.due  # good, next due as words
        assert iv.rerate("e").rating == 4  # easy, recomputed from the card before the answer
        assert [r[2] for r in store.reviews() if r[1] == "mini/dtype-short"] == [4]
        with pytest.raises(QuizkitError):
            iv.rerate("again")  # hard or easy only, as review's h and e
        iv.undo()
        assert store.card("mini/dtype-short") is None and not store.attempts()
        with pytest.raises(QuizkitError):
            iv.undo()  # taken back already
        again = iv.next()
        assert again.view["id"] == "mini/dtype-short" and again.number == shown.number  # asked again at once
        wrong = iv.check("float32")
        assert wrong.rating == 1 and not wrong.rerate and not wrong.undo
        with pytest.raises(QuizkitError):
            iv.rerate("e")
        iv.finish()
        assert [(a["question"], a["correct"]) for a in store.attempts()] == [("mini/dtype-short", False)]


def test_a_chosen_question_is_neither_re_rated_nor_undone(app, mini, runner):
    banks, questions = mini
    with app.store() as store:
        iv = Interview(app, plan(app, store, banks, questions, ids=["mini/dtype-short"]), store, runner)
        iv.next()
        c = iv.check("int64")
        assert c.rating == 3 and not c.rerate and not c.undo  # asked by id: rated, no undo (as drill --id)
        with pytest.raises(QuizkitError):
            iv.undo()
