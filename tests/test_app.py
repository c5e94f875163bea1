"""The app layer: the use cases a front end calls, without the CLI (quizkit/app)."""

from datetime import timedelta

import pytest

from quizkit.app import questions as qs
from quizkit.app.desk import Desk, DeskError
from quizkit.app.study import drill_plan, mock_plan, review_plan, session

RIGHT = """def softmax(x, dim=-1):
    z = x - x.amax(dim=dim, keepdim=True)
    return z.exp() / z.exp().sum(dim=dim, keepdim=True)
"""
WRONG = """def softmax(x, dim=-1):
    return x.exp() / x.exp().sum()
"""
HIDDEN = ("solution", "tests", "wrong", "right", "accept", "expected", "correct", "check", "examples", "reject")


def test_public_view_shows_the_prompt_starter_and_rules_never_the_answer(mini):
    _banks, questions = mini
    q = qs.find(questions, "mini/softmax")
    view = qs.public_view(q, "en", hints_shown=0)
    assert view["starter"] == q.body.starter
    assert view["rules"] == {"forbid": ["torch.softmax", "F.softmax"]}
    assert view["hints"] == []
    text = repr(view)
    assert q.body.solution.strip() not in text and q.body.tests.strip() not in text
    for q in questions:
        assert not set(qs.public_view(q)) & set(HIDDEN), q.full_id


def test_rows_filter_by_type_search_and_status(app, mini):
    _banks, questions = mini
    with app.store() as store:
        codes = qs.rows(questions, store, qtypes=["code"])
        assert [r.id for r in codes] == ["mini/softmax"] and codes[0].status == "new"
        assert [r.id for r in qs.rows(questions, store, search="softmax")] == ["mini/softmax"]
        assert qs.rows(questions, store, statuses=["missed"]) == []
        assert len(qs.rows(questions, store, limit=2)) == 2


def test_desk_wrong_then_right_stores_both_and_rates_once(app, mini, runner):
    _banks, questions = mini
    with app.store() as store:
        desk = Desk(app, questions, store, runner)
        with pytest.raises(DeskError):
            desk.reveal("mini/softmax")  # nothing tried yet
        bad = desk.check("mini/softmax", WRONG)
        assert bad["verdict"] == "fail" and bad["detail"] and bad["first_try"] and bad["rating"] == 1
        assert "explanation" not in bad  # not done: the learner may try again
        good = desk.check("mini/softmax", RIGHT)
        assert good["verdict"] == "pass" and not good["first_try"] and "rating" not in good
        answers = [(a["correct"], a["mode"]) for a in store.attempts() if a["question"] == "mini/softmax"]
        assert answers == [(False, "desk"), (True, "desk")]
        assert desk.reveal("mini/softmax")["answer"]


def test_desk_hint_is_stored_and_lowers_the_rating(app, mini, runner):
    _banks, questions = mini
    with app.store() as store:
        desk = Desk(app, questions, store, runner)
        assert desk.view("mini/dtype-short")["hints"] == []
        h = desk.hint("mini/dtype-short")
        assert (h["number"], h["total"], h["hint"]) == (1, 1, "Python ints.")
        assert store.workspace_hints("mini/dtype-short") == 1
        assert desk.view("mini/dtype-short")["hints"] == ["Python ints."]
        assert desk.check("mini/dtype-short", "torch.int64")["rating"] == 2  # hard: a hint was used


def test_desk_mock_runs_on_the_apps_clock(app, mini, runner):
    _banks, questions = mini
    with app.store() as store:
        desk = Desk(app, questions, store, runner)
        started = desk.mock_start(minutes=5)
        first = desk.mock_next(started["mock_id"])
        assert not first["done"] and first["seconds_left"] == 300
        app.clock.t += timedelta(seconds=90)
        qid = first["question"]["id"]
        # one try, whatever it is (the mock's mix is random): a flashcard's answer is the learner's own
        # grade (1-4), a choice question's a letter, any other type's a line
        desk.check(qid, {"flashcard": "3", "mcq": "a"}.get(first["question"]["type"], "x"))
        with pytest.raises(DeskError):
            desk.check(qid, "y")
        nxt = desk.mock_next(started["mock_id"])
        assert nxt["done"] or nxt["seconds_left"] == 210
        report = desk.mock_finish(started["mock_id"])["report"]
        assert report["asked"] >= 1 and store.mocks(1)


def test_plans_choose_what_the_cli_used_to(app, mini):
    banks, questions = mini
    with app.store() as store:
        plan = drill_plan(store, banks, questions, qtypes=["short"], count=5)
        assert [q.type for q in plan.questions] == ["short"]
        review = review_plan(app, store, questions, new_limit=2)
        assert len(review.questions) == 2 and review.policy.can.rerate
        mock = mock_plan(app, store, questions, minutes=5)
        assert not mock.policy.can.undo and not mock.policy.can.retries
        with session(app, plan, store) as s:
            asked = s.next()
            assert asked.question.type == "short"


def test_desk_shows_a_flashcards_back_before_the_grade_and_refuses_a_mock_out_of_range(app, mini, runner):
    _banks, questions = mini
    with app.store() as store:
        desk = Desk(app, questions, store, runner)
        assert desk.reveal("mini/card")["answer"] == "Records operations for autograd."  # nothing tried: a card
        assert desk.check("mini/card", "4")["rating"] == 4  # the learner's own grade is the rating
        for minutes in (4, 181):
            with pytest.raises(DeskError, match="5 to 180 minutes"):
                desk.mock_start(minutes=minutes)


def test_desk_names_the_failing_line_and_error_of_a_run(app, mini, runner):
    _banks, questions = mini
    with app.store() as store:
        out = Desk(app, questions, store, runner).check("mini/softmax", WRONG)
        assert out["failure"]["where"] == "tests line 2" and out["failure"]["status"] == "fail"
        assert out["failure"]["line"].startswith("torch.testing.assert_close(softmax(x, -1)")
        assert "AssertionError" in out["failure"]["error"]
        broken = Desk(app, questions, store, runner).check("mini/dtype-short", "torch.float32")
        assert "failure" not in broken  # nothing ran
