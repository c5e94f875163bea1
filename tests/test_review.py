"""review, stats and the review export with a fixed clock (QUIZKIT_NOW) and a fixed zone (UTC)."""
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit import catalog
from quizkit import scheduler as sch
from quizkit.cli import app
from quizkit.engine import Session
from quizkit.policies import ReviewPolicy
from quizkit.scheduler import CardState, Phase, Scheduler
from quizkit.settings import Settings
from quizkit.store import Store

pytestmark = pytest.mark.torch_free  # runs without the torch worker: pytest -m torch_free

DECK = str(Path(__file__).parent / "data" / "deck")
cli = CliRunner()
DAY1 = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def review(when, answers, *extra):
    return cli.invoke(app, ["review", "--bank", DECK, *extra], input=answers,
                      env={"QUIZKIT_NOW": when.isoformat()})


def cards():
    with Store() as s:
        return {q: CardState.from_json(j) for q, j in s.cards()}


def test_new_card_right_is_due_in_10_min_then_days():
    r = review(DAY1, "yes\n\nyes\n\n", "--type", "short", "--new", "1")
    assert r.exit_code == 0, r.output
    assert "rated good → again in 10 min" in r.output
    assert "rated good → next in" in r.output and "days" in r.output.split("rated good → next in")[1].split("\n")[0]
    state = cards()["deck/s1"]
    assert state.phase is Phase.REVIEW and state.due - DAY1 >= timedelta(days=1)


def test_hard_and_easy_after_a_right_answer():
    r = review(DAY1, "yes\ne\n", "--type", "short", "--new", "1")
    assert "rated easy → next in" in r.output  # easy graduates a new card at once
    r = review(DAY1, "no\nh\n", "--type", "short", "--new", "2")
    assert "rated hard → again in" in r.output


def test_again_sends_a_review_card_to_relearning():
    review(DAY1, "yes\n\nyes\n\n", "--type", "short", "--new", "1")
    due = cards()["deck/s1"].card.due
    r = review(due + timedelta(hours=1), "nope\n", "--type", "short", "--new", "0")
    assert "✗ wrong" in r.output and "rated again → again in 10 min" in r.output
    state = cards()["deck/s1"]
    assert state.phase is Phase.RELEARNING and state.lapses == 1


def test_daily_new_limit_across_sessions_and_rollover():
    r = review(DAY1, "\n3\n" * 8, "--type", "flashcard", "--new", "2")
    assert len(cards()) == 2
    r = review(DAY1 + timedelta(hours=2), "\n3\n" * 8, "--type", "flashcard", "--new", "2")
    assert "Nothing is due now" in r.output and "Today's 2 new questions are done" in r.output
    assert len(cards()) == 2
    # 03:59 next morning is still the same study day (rollover at 4 AM)
    r = review(datetime(2026, 11, 27, 3, 59, tzinfo=timezone.utc), "\n3\n" * 8, "--type", "flashcard", "--new", "2")
    assert len(cards()) == 2
    r = review(datetime(2026, 11, 27, 4, 0, tzinfo=timezone.utc), "\n3\n" * 20, "--type", "flashcard", "--new", "2")
    assert len(cards()) == 4 and "2 new" in r.output


def test_daily_new_limit_from_config_file(tmp_path):
    import os
    home = Path(os.environ["QUIZKIT_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text("new_per_day: 1\n")
    review(DAY1, "\n3\n" * 8, "--type", "flashcard")
    assert len(cards()) == 1
    (home / "config.yaml").write_text("new_per_dya: 1\n")
    r = review(DAY1, "")
    assert r.exit_code == 1 and "unknown setting 'new_per_dya'" in r.output


def test_nothing_due_says_when_next():
    r = review(DAY1, "", "--new", "0")
    assert r.exit_code == 0 and "Nothing is due now." in r.output
    review(DAY1, "yes\n\nyes\n\n", "--type", "short", "--new", "1")
    r = review(DAY1 + timedelta(minutes=30), "", "--new", "0")
    assert r.exit_code == 0 and "Nothing is due now. The next card is due in" in r.output


def test_leech_after_8_lapses_is_suspended_but_stays_in_drill():
    sched = Scheduler(enable_fuzzing=False, tz=timezone.utc)
    banks, questions, _ = catalog.load([DECK])
    q = catalog.find(questions, "deck/c1")
    clock = [DAY1]
    with Store() as store:
        policy = ReviewPolicy([], sched, Settings())
        s = Session(policy, store, clock=lambda: clock[0])
        state = None
        leech_at = None
        for _ in range(40):
            wrong = state is not None and state.phase is Phase.REVIEW  # fail every time it reaches review
            policy.queue = [(q, state)]
            s.next()
            result = s.answer("1" if wrong else "4").scheduled
            state = result.state
            if result.became_leech:
                leech_at = state.lapses
                break
            clock[0] = state.due + timedelta(minutes=1)
        assert leech_at == 8 and state.leech
        plan = sch.plan(store.due_cards(clock[0]), store.card_dues(), [], [q.full_id], clock[0], 20, 200)
        assert not plan.due and not plan.new and plan.leeches == 1
    assert q in catalog.matching(questions, types=["flashcard"])  # drill still asks it


def test_thirty_day_walk_every_card_comes_back():
    """5 flashcards, a review every morning for 30 days: each card is asked again and again, none lost."""
    import random
    random.seed(0)  # fsrs fuzzes intervals with the module-level random
    days_seen: dict = {}
    for day in range(30):
        when = DAY1 + timedelta(days=day)
        answers = "".join("\n1\n" if (day + i) % 7 == 0 else "\n3\n" for i in range(40))
        r = review(when, answers, "--type", "flashcard")
        assert r.exit_code == 0, r.output
        with Store() as s:
            for _t, q, *_ in s.reviews(since=when - timedelta(hours=1)):
                days_seen.setdefault(q, set()).add(day)
            assert not s.due_cards(when), f"day {day}: cards left due"  # every due card was asked
    assert sorted(days_seen) == [f"deck/c{i}" for i in range(1, 6)]
    for q, days in days_seen.items():
        assert len(days) >= 3, (q, sorted(days))  # came back on later days, not once
    assert sum(len(d) for d in days_seen.values()) >= 15
    assert all(not c.leech for c in cards().values())


def test_export_carries_the_review_log():
    review(DAY1, "yes\ne\n", "--type", "short", "--new", "1")
    cli.invoke(app, ["drill", "--bank", DECK, "--type", "short", "-n", "1", "--seed", "0"], input="no\n",
               env={"QUIZKIT_NOW": DAY1.isoformat()})
    rows = [json.loads(x) for x in cli.invoke(app, ["export"]).stdout.splitlines()]
    rev = rows[0]
    assert rev["mode"] == "review" and rev["rating"] == 4 and rev["card_id"] > 0
    assert rev["state"] == 2 and rev["stability"] > 0 and rev["difficulty"] > 0 and rev["duration_ms"] >= 0
    assert rev["due"] > rev["time"]
    assert rows[1]["mode"] == "drill" and rows[1]["rating"] is None
    csv_out = cli.invoke(app, ["export", "--format", "csv"]).stdout.splitlines()
    assert csv_out[0].startswith("question,time,answer,correct,seconds") and "card_id" in csv_out[0]


def test_stats_numbers():
    review(DAY1, "yes\n\nyes\n\n", "--type", "short", "--new", "1")
    due = cards()["deck/s1"].card.due
    review(due, "yes\n\n", "--type", "short", "--new", "0")  # a passed review of a review card
    r = cli.invoke(app, ["stats", "--bank", DECK, "--json"], env={"QUIZKIT_NOW": due.isoformat()})
    data = json.loads(r.stdout)
    assert data["total"]["attempts"] == 3 and data["total"]["reviews"] == 3
    assert data["retention"] == {due.strftime("%Y-%m"): {"reviews": 1, "right": 1, "retention": 1.0}}
    assert data["topics"] == {"deck": {"attempts": 3, "right": 3, "accuracy": 1.0}}
    assert data["today"]["reviews"] == 1 and data["today"]["new"] == 0
    assert sum(f["due"] for f in data["forecast"]) <= 1 and len(data["forecast"]) == 14
    assert sum(data["heatmap"]["days"].values()) == 3
    assert data["streak"] == 1  # day 1 and the due day are not consecutive
    r = cli.invoke(app, ["stats", "--bank", DECK], env={"QUIZKIT_NOW": due.isoformat(), "NO_COLOR": "1"})
    assert r.exit_code == 0 and "true retention by month" in r.output and "days studied" in r.output


def test_the_forecast_title_is_one_line_when_nothing_is_due():
    """A new learner's forecast is all zeros, a narrow table: its title wrapped to 'due in the next 14' and 'days'."""
    r = cli.invoke(app, ["stats"], env={"QUIZKIT_NOW": DAY1.isoformat(), "NO_COLOR": "1", "COLUMNS": "80"})
    assert r.exit_code == 0 and "\ndue in the next 14 days\n" in r.output, r.output


def test_streak_counts_consecutive_days():
    for day in range(3):
        cli.invoke(app, ["drill", "--bank", DECK, "--type", "short", "-n", "1"], input="yes\n",
                   env={"QUIZKIT_NOW": (DAY1 + timedelta(days=day)).isoformat()})
    r = cli.invoke(app, ["stats", "--json"], env={"QUIZKIT_NOW": (DAY1 + timedelta(days=2, hours=5)).isoformat()})
    assert json.loads(r.stdout)["streak"] == 3
    r = cli.invoke(app, ["stats", "--json"], env={"QUIZKIT_NOW": (DAY1 + timedelta(days=4)).isoformat()})
    assert json.loads(r.stdout)["streak"] == 0


def test_bad_quizkit_now_is_one_line():
    r = cli.invoke(app, ["review", "--bank", DECK], env={"QUIZKIT_NOW": "yesterday"})
    assert r.exit_code == 1 and "QUIZKIT_NOW must be an ISO 8601 time" in r.output
