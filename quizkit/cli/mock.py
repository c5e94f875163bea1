"""`quizkit mock`: a timed mock interview, a policy (quizkit/mock.py) asked through the same loop."""

from __future__ import annotations

from typing import List

import typer

from .common import BankOpt, DeviceOpt, LangOpt, TagOpt, _load, _obj, _runner
from .prompt import _sitting


def mock(
    ctx: typer.Context,
    minutes: int = typer.Option(45, "--minutes", "-m", min=5, max=180, help="Length of the interview."),
    tag: List[str] | None = TagOpt,
    level: str | None = typer.Option(None, metavar="LEVEL", help="A level 1-5, or a range like 2-4."),
    bank: List[str] | None = BankOpt,
    seed: int | None = typer.Option(None, metavar="N", help="Seed for the choice and order of questions."),
    device: str = DeviceOpt,
    lang: str = LangOpt,
) -> None:
    """A timed mock interview: code tasks, output and mcq, short answers; one try each, hints cost
    points; a report by topic and level, compared with your previous mocks."""
    import random

    from .. import ui
    from ..app import study

    c = _obj(ctx)
    _banks, questions = _load(ui, bank)
    rng = random.Random(seed)
    with c.store(check=True) as store, _runner(c, device, lazy=True) as (runner, dev):
        plan = study.mock_plan(
            c, store, questions, minutes=minutes, tags=tag or (), level=level, cuda=dev == "cuda", rng=rng
        )
        ui.mock_start(minutes, len(plan.questions))
        with study.session(c, plan, store, runner, dev, lang, rng) as s:
            _sitting(ui, s)
