"""What a study session asks, chosen here for every front end: drill, a learning path, review, a mock.

Each `*_plan` returns a Plan (the policy and the questions it will ask); `session` opens the engine's
Session over it, with a runner made when a question runs code.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .. import catalog, types
from ..engine import Session
from ..errors import QuizkitError
from ..i18n import _
from ..mock import Mock, choose
from ..model import Question
from ..policies import Drill, PathPolicy, Policy, ReviewPolicy
from .context import App


@dataclass
class Plan:
    """A session to run: its policy and the questions it may ask. `review`: review's plan (what is due,
    what is new, the next due time as words) for the screen before it; `done`: a path all done."""

    policy: Policy | None
    questions: list[Question]
    review: Any = None
    settings: Any = None  # review: the settings the plan was made with (the limits as asked)
    next_due: str = ""
    done: str = ""


def drill_plan(
    store: Any,
    banks: Sequence[Any],
    questions: Sequence[Question],
    *,
    tags: Sequence[str] = (),
    qtypes: Sequence[str] = (),
    difficulty: str | None = None,
    count: int = 10,
    ids: Sequence[str] = (),
    missed: bool = False,
    path: str | None = None,
    cuda: bool = False,
    rng: random.Random | None = None,
) -> Plan:
    """drill: these ids, a learning path, or a choice among the questions matching the filters (never
    answered first, then missed); `missed` keeps only what was last answered wrong."""
    progress = store.progress()
    if path:
        return _path_plan(banks, questions, path, progress, count)
    if ids:
        chosen = [catalog.find(questions, qid) for qid in ids]
        return Plan(Drill(chosen), chosen)
    pool = catalog.matching(questions, tags, qtypes, difficulty, cuda)
    if missed:
        pool = [q for q in pool if q.full_id in progress and not progress[q.full_id][2]]
        if not pool:
            raise QuizkitError(_("nothing missed: no question matching those filters was last answered wrong"))
    chosen = catalog.select(pool, progress, count, rng or random.Random())
    if not chosen:
        raise QuizkitError(_("no questions match those filters (quizkit list shows the tags and types)"))
    return Plan(Drill(chosen), chosen)


def _path_plan(
    banks: Sequence[Any], questions: Sequence[Question], name: str, progress: dict[str, Any], count: int
) -> Plan:
    learning = catalog.find_path(banks, name)
    by_id = {q.full_id: q for q in questions}
    done = catalog.answered_right(progress)
    policy = PathPolicy(learning, by_id, done, count)
    chosen = [by_id[qid] for qid in learning.steps if qid in by_id]
    if not policy.total:
        return Plan(
            None, [], done=_("every step of '{path}' is done (quizkit path {path} shows them)").format(path=learning.id)
        )
    stuck = catalog.path_stuck(learning, catalog.path_steps(learning, by_id, done), done)
    if stuck:
        raise QuizkitError(stuck)
    return Plan(policy, chosen)


def review_plan(
    app: App,
    store: Any,
    questions: Sequence[Question],
    *,
    tags: Sequence[str] = (),
    qtypes: Sequence[str] = (),
    new_limit: int | None = None,
    review_limit: int | None = None,
    cuda: bool = False,
) -> Plan:
    """review: the cards due now (learning steps too), then new cards up to the daily limits, interleaved
    across topics and banks. `policy` is None when nothing is due and no new card is left today."""
    from .. import scheduler as sch

    settings = app.settings()
    if new_limit is not None:
        settings.new_per_day = new_limit
    if review_limit is not None:
        settings.reviews_per_day = review_limit
    scheduler = app.scheduler(settings, store)
    pool = catalog.interleave(catalog.matching(questions, tags, qtypes, None, cuda))
    now = app.clock()
    day = scheduler.study_day(now)
    start, tomorrow = scheduler.day_start(day), scheduler.day_start(day + timedelta(days=1))
    plan = sch.plan(
        store.due_cards(now),
        store.card_dues(),
        store.reviews(since=start, until=tomorrow),  # today's: not reviews dated later (the clock moved back)
        [q.full_id for q in pool],
        now,
        settings.new_per_day,
        settings.reviews_per_day,
    )
    text = sch.describe_interval(plan.next_due, now).replace("again ", "").replace("next ", "") if plan.next_due else ""
    if not plan.due and not plan.new:
        return Plan(None, [], review=plan, settings=settings, next_due=text)
    by_id = {q.full_id: q for q in pool}
    queue = [(by_id[qid], state) for qid, state in plan.due] + [(by_id[qid], None) for qid in plan.new]
    policy = ReviewPolicy(queue, scheduler, settings)
    return Plan(policy, [q for q, _ in queue], review=plan, settings=settings, next_due=text)


def mock_plan(
    app: App,
    store: Any,
    questions: Sequence[Question],
    *,
    minutes: int = 45,
    tags: Sequence[str] = (),
    level: str | None = None,
    cuda: bool = False,
    rng: random.Random | None = None,
) -> Plan:
    """A timed mock interview: code tasks, output and mcq, short answers, in proportion to its minutes."""
    pool = catalog.matching(questions, tags, (), None, cuda)
    chosen = choose(pool, minutes, level, store.progress(), rng or random.Random())
    if not chosen:
        raise QuizkitError(_("no questions match those filters (quizkit list shows the tags and types)"))
    settings = app.settings()
    return Plan(Mock(chosen, minutes, app.scheduler(settings, store), settings, app.clock()), chosen)


@contextmanager
def session(
    app: App,
    plan: Plan,
    store: Any,
    runner: Any = None,
    device: str = "cpu",
    lang: str = "en",
    rng: random.Random | None = None,
) -> Iterator[Session]:
    """The engine's Session over `plan`. When a question runs code and no runner was given, one is made
    here and starts importing torch in the background while the learner reads the first question; it is
    closed at the end (closing never waits for that import)."""
    if plan.policy is None:
        raise ValueError("this plan has nothing to ask")
    own = None
    if runner is None and any(types.of(q).RUNS for q in plan.questions):
        runner = own = app.runner_factory(1, None)
    if runner is not None:
        runner.warm()
    try:
        yield Session(plan.policy, store, runner, device, lang, clock=app.clock, rng=rng)
    finally:
        if own is not None:
            own.close()
