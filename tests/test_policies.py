"""Policies declare what they allow (quizkit/policies.py Capabilities); the engine keeps to it, and what may
follow an answer (Session.after) comes from that declaration, not from the mode's name."""

from datetime import datetime, timedelta, timezone

import pytest

from quizkit import catalog
from quizkit.engine import Session
from quizkit.mock import Mock
from quizkit.policies import Capabilities, Drill, Policy, ReviewPolicy, Workspace
from quizkit.scheduler import Scheduler
from quizkit.settings import Settings
from quizkit.store import Store

from conftest import BANKS

pytestmark = pytest.mark.torch_free
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def mini():
    return catalog.load([BANKS / "mini.yaml"])[1]


def one(qid):
    return catalog.find(mini(), qid)


def test_every_policy_declares_its_capabilities():
    assert Drill.can == Capabilities()
    assert ReviewPolicy.can.rerate and ReviewPolicy.can.limit_new and ReviewPolicy.can.tells_due
    assert not Mock.can.retries and not Mock.can.undo and not Mock.can.rerate and not Mock.can.limit_new
    assert not Workspace.can.undo and not Workspace.can.limit_new
    for policy in (Drill, ReviewPolicy, Mock, Workspace):
        assert isinstance(policy.can, Capabilities)
        assert all(hasattr(policy, name) for name in Policy.__annotations__ if name != "can")


def test_a_mock_refuses_undo_and_takes_one_try(tmp_path):
    q = one("mini/dtype-short")
    settings = Settings()
    with Store(tmp_path / "db") as store:
        s = Session(Mock([q], 5, Scheduler(), settings, NOW), store, clock=lambda: NOW)
        s.next()
        outcome = s.answer("float32")  # wrong
        assert outcome.done
        after = s.after(outcome)
        assert not after.undo and not after.rerate and after.schedule is None  # a mock tells no due time
        assert s.undo() is False  # declared, not raised: the answer stays
        assert len(store.attempts()) == 1


def test_review_offers_a_re_rate_only_after_a_right_answer(tmp_path):
    q = one("mini/dtype-short")
    with Store(tmp_path / "db") as store:
        s = Session(ReviewPolicy([(q, None)], Scheduler(), Settings()), store, clock=lambda: NOW)
        s.next()
        right = s.answer("int64")
        after = s.after(right)
        assert after.rerate and after.undo and not after.hinted and after.schedule is not None
        assert s.undo()
        s.next()
        wrong = s.answer("float32")
        after = s.after(wrong)
        assert not after.rerate and not after.undo and after.schedule is not None


def test_review_over_the_new_limit_says_unscheduled_but_a_chosen_question_is_never_held_back(tmp_path):
    q = one("mini/dtype-short")
    with Store(tmp_path / "db") as store:
        s = Session(ReviewPolicy([(q, None)], Scheduler(), Settings(new_per_day=0)), store, clock=lambda: NOW)
        s.next()
        after = s.after(s.answer("int64"))
        assert after.unscheduled and after.schedule is None and not after.rerate
    with Store(tmp_path / "db2") as store:
        s = Session(Workspace(q, Scheduler(), Settings(new_per_day=0)), store, clock=lambda: NOW + timedelta(1))
        s.next()
        after = s.after(s.answer("int64"))
        assert not after.unscheduled and after.schedule is not None  # the learner chose it


def test_a_hint_makes_after_say_hinted(tmp_path):
    q = one("mini/dtype-short")
    with Store(tmp_path / "db") as store:
        s = Session(ReviewPolicy([(q, None)], Scheduler(), Settings()), store, clock=lambda: NOW)
        s.next()
        s.hint()
        after = s.after(s.answer("int64"))
        assert after.hinted and int(after.schedule.log.rating) == 2  # hard at best with a hint


def test_drill_says_nothing_after_an_answer(tmp_path):
    with Store(tmp_path / "db") as store:
        s = Session(Drill([one("mini/dtype-short")]), store, clock=lambda: NOW)
        s.next()
        after = s.after(s.answer("int64"))
        assert not (after.rerate or after.undo or after.unscheduled) and after.schedule is None
