"""The study modes: drill and review (each a policy on the engine, asked through the same loop)."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Literal

import typer

from ..errors import QuizkitError
from ..i18n import _
from . import complete
from .common import BankOpt, DeviceOpt, LangOpt, TagOpt, TypeOpt, _load, _obj, _runner
from .prompt import _sitting

if TYPE_CHECKING:
    from ..model import LearningPath


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
) -> None:
    """An interactive session: asks questions, runs code answers, keeps the score."""
    import random

    from .. import ui
    from ..app import study

    c = _obj(ctx)
    banks, questions = _load(ui, bank)
    rng = random.Random(seed)
    with c.store(check=True) as store, _runner(c, device, lazy=True) as (runner, dev):
        plan = study.drill_plan(
            store, banks, questions, tags=tag or (), qtypes=qtype or (), difficulty=difficulty, count=count,
            ids=ids or (), missed=missed, path=path, cuda=dev == "cuda", rng=rng,
        )  # fmt: skip
        if plan.done:
            ui.note(plan.done)
            return
        with study.session(c, plan, store, runner, dev, lang, rng) as s:
            _sitting(ui, s)


def path(
    ctx: typer.Context,
    name: str | None = typer.Argument(
        None, help="The path to show (default: every path).", autocompletion=complete.paths
    ),
    bank: List[str] | None = BankOpt,
    lang: str = LangOpt,
) -> None:
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
    rows: list[tuple[LearningPath, int, int, str | Literal[False] | None]] = []
    for p in catalog.paths(banks).values():
        steps = catalog.path_steps(p, by_id, done)
        nxt = next((qid for qid, _, st in steps if st == "next"), None)
        rows.append((p, sum(1 for *_, st in steps if st == "done"), len(steps), nxt))
        if nxt is None and catalog.path_stuck(p, steps, done):
            rows[-1] = (p, rows[-1][1], len(steps), False)
    if not rows:
        raise QuizkitError(_("the banks loaded declare no learning paths (docs/bank-format.md: paths)"))
    ui.path_list(rows, lang)


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
) -> None:
    """Spaced repetition: what is due today, then new questions up to the daily limit."""
    import random

    from .. import ui
    from ..app import optimize, study

    c = _obj(ctx)
    _banks, questions = _load(ui, bank)
    rng = random.Random(seed)
    with c.store(check=True) as store, _runner(c, device, lazy=True) as (runner, dev):
        plan = study.review_plan(
            c, store, questions, tags=tag or (), qtypes=qtype or (), new_limit=new_limit,
            review_limit=review_limit, cuda=dev == "cuda",
        )  # fmt: skip
        ui.review_plan(plan.review, plan.settings, plan.next_due)
        suggest = optimize.suggest(c, store)
        if suggest:
            ui.optimize_suggestion(suggest)
        if plan.policy is None:
            return
        with study.session(c, plan, store, runner, dev, lang, rng) as s:
            _sitting(ui, s)
