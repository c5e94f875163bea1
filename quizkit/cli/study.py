"""The study modes: drill and review (each a policy on the engine, asked through the same loop)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import List

import typer

from ..errors import QuizkitError
from ..i18n import _
from . import complete
from .common import BankOpt, DeviceOpt, LangOpt, TagOpt, TypeOpt, _load, _obj, _runner
from .prompt import _review_rating, _sitting


def drill(
    ctx: typer.Context,
    bank: List[str] | None = BankOpt,
    tag: List[str] | None = TagOpt,
    qtype: List[str] | None = TypeOpt,
    difficulty: str | None = typer.Option(None, metavar="LEVEL", help="A level 1-5, or a range like 2-4."),
    count: int = typer.Option(10, "-n", "--count", min=1, metavar="N", help="How many questions."),
    seed: int | None = typer.Option(None, metavar="N", help="Seed for the choice and order of questions."),
    ids: List[str] | None = typer.Option(
        None, "--id", metavar="ID", help="Ask this question (repeatable).", autocompletion=complete.ids
    ),
    missed: bool = typer.Option(False, "--missed", help="Only questions you last answered wrong."),
    path: str | None = typer.Option(
        None, "--path", metavar="NAME", help="Follow a learning path (quizkit path).", autocompletion=complete.paths
    ),
    device: str = DeviceOpt,
    lang: str = LangOpt,
):
    """An interactive session: asks questions, runs code answers, keeps the score."""
    import random

    from .. import catalog, ui
    from ..policies import Drill, PathPolicy

    c = _obj(ctx)
    banks, questions = _load(ui, bank)
    rng = random.Random(seed)
    with c.store() as store, _runner(c, device, lazy=True) as (runner, dev):
        progress = store.progress()
        if path:
            learning = catalog.find_path(banks, path)
            by_id = {q.full_id: q for q in questions}
            done = catalog.answered_right(progress)
            policy: Drill = PathPolicy(learning, by_id, done, count)
            chosen = [by_id[qid] for qid in learning.steps if qid in by_id]
            if not policy.total:
                ui.note(_("every step of '{path}' is done (quizkit path {path} shows them)").format(path=learning.id))
                return
            stuck = catalog.path_stuck(learning, catalog.path_steps(learning, by_id, done), done)
            if stuck:
                raise QuizkitError(stuck)
        elif ids:
            chosen = [catalog.find(questions, qid) for qid in ids]
            policy = Drill(chosen)
        else:
            pool = catalog.matching(questions, tag or (), qtype or (), difficulty, dev == "cuda")
            if missed:
                pool = [q for q in pool if q.full_id in progress and not progress[q.full_id][2]]
                if not pool:
                    raise QuizkitError(_("nothing missed: no question matching those filters was last answered wrong"))
            chosen = catalog.select(pool, progress, count, rng)
            if not chosen:
                raise QuizkitError(_("no questions match those filters (quizkit list shows the tags and types)"))
            policy = Drill(chosen)
        with _session(c, policy, store, runner, dev, lang, rng, chosen) as s:
            _sitting(ui, s, lambda outcome: None)


def path(
    ctx: typer.Context,
    name: str | None = typer.Argument(
        None, help="The path to show (default: every path).", autocompletion=complete.paths
    ),
    bank: List[str] | None = BankOpt,
    lang: str = LangOpt,
):
    """Learning paths: each step done, next or locked (a step opens once the steps before it are done)."""
    from .. import catalog, ui

    banks, questions = _load(ui, bank)
    by_id = {q.full_id: q for q in questions}
    with _obj(ctx).store() as store:
        done = catalog.answered_right(store.progress())
    if name:
        learning = catalog.find_path(banks, name)
        steps = catalog.path_steps(learning, by_id, done)
        ui.path_view(learning, steps, lang, catalog.path_stuck(learning, steps, done))
        return
    rows = []
    for p in catalog.paths(banks).values():
        steps = catalog.path_steps(p, by_id, done)
        nxt = next((qid for qid, _, st in steps if st == "next"), None)
        rows.append((p, sum(1 for *_, st in steps if st == "done"), len(steps), nxt))
        if nxt is None and catalog.path_stuck(p, steps, done):
            rows[-1] = (p, rows[-1][1], len(steps), False)
    if not rows:
        raise QuizkitError(_("the banks loaded declare no learning paths (docs/bank-format.md: paths)"))
    ui.path_list(rows, lang)


@contextmanager
def _session(c, policy, store, runner, dev, lang, rng, questions):
    """A session over `questions`. When any of them runs code and no runner was made for the device, one
    is made here and starts importing torch in the background while the learner reads the first question;
    it is closed at the end (closing never waits for that import)."""
    from .. import types
    from ..engine import Session

    own = None
    if runner is None and any(types.of(q).RUNS for q in questions):
        runner = own = c.runner_factory(1, None)
    if runner is not None:
        runner.warm()
    try:
        yield Session(policy, store, runner, dev, lang, clock=c.clock, rng=rng)
    finally:
        if own is not None:
            own.close()


def review(
    ctx: typer.Context,
    bank: List[str] | None = BankOpt,
    tag: List[str] | None = TagOpt,
    qtype: List[str] | None = TypeOpt,
    new_limit: int | None = typer.Option(
        None, "--new", min=0, help="New questions a day (default 20, or config.yaml)."
    ),
    review_limit: int | None = typer.Option(
        None, "--reviews", min=0, help="Reviews a day (default 200, or config.yaml)."
    ),
    seed: int | None = typer.Option(None, metavar="N", help="Seed for the order of mcq choices."),
    device: str = DeviceOpt,
    lang: str = LangOpt,
):
    """Spaced repetition: what is due today, then new questions up to the daily limit."""
    import random

    from .. import catalog, ui
    from .. import scheduler as sch
    from ..policies import ReviewPolicy

    c = _obj(ctx)
    settings = c.settings()
    if new_limit is not None:
        settings.new_per_day = new_limit
    if review_limit is not None:
        settings.reviews_per_day = review_limit
    _banks, questions = _load(ui, bank)
    scheduler = sch.Scheduler(settings.desired_retention, rollover_hour=settings.rollover_hour)
    rng = random.Random(seed)
    with c.store() as store, _runner(c, device, lazy=True) as (runner, dev):
        pool = catalog.interleave(catalog.matching(questions, tag or (), qtype or (), None, dev == "cuda"))
        now = c.clock()
        start = scheduler.day_start(scheduler.study_day(now))
        plan = sch.plan(
            store.due_cards(now),
            store.card_dues(),
            store.reviews(since=start),
            [q.full_id for q in pool],
            now,
            settings.new_per_day,
            settings.reviews_per_day,
        )
        text = (
            sch.describe_interval(plan.next_due, now).replace("again ", "").replace("next ", "")
            if plan.next_due
            else ""
        )
        ui.review_plan(plan, settings, text)
        if not plan.due and not plan.new:
            return
        by_id = {q.full_id: q for q in pool}
        queue = [(by_id[qid], state) for qid, state in plan.due] + [(by_id[qid], None) for qid in plan.new]
        policy = ReviewPolicy(queue, scheduler, settings)
        with _session(c, policy, store, runner, dev, lang, rng, [q for q, _ in queue]) as s:
            _sitting(ui, s, _review_rating(ui, s, scheduler))
