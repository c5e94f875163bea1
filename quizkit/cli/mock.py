"""`quizkit mock`: a timed mock interview, a policy (quizkit/mock.py) asked through the same loop."""

from __future__ import annotations

from typing import List

import typer

from ..errors import QuizkitError
from ..i18n import _
from .common import BankOpt, DeviceOpt, LangOpt, TagOpt, _load, _obj, _runner
from .prompt import _sitting
from .study import _session


def mock(
    ctx: typer.Context,
    minutes: int = typer.Option(45, "--minutes", "-m", min=5, max=180, help="Length of the interview."),
    tag: List[str] | None = TagOpt,
    level: str | None = typer.Option(None, metavar="LEVEL", help="A level 1-5, or a range like 2-4."),
    bank: List[str] | None = BankOpt,
    seed: int | None = typer.Option(None, metavar="N", help="Seed for the choice and order of questions."),
    device: str = DeviceOpt,
    lang: str = LangOpt,
):
    """A timed mock interview: code tasks, output and mcq, short answers; one try each, hints cost
    points; a report by topic and level, compared with your previous mocks."""
    import random

    from .. import catalog, ui
    from ..mock import Mock, choose
    from ..scheduler import Scheduler

    c = _obj(ctx)
    settings = c.settings()
    _banks, questions = _load(ui, bank)
    rng = random.Random(seed)
    with c.store() as store, _runner(c, device, lazy=True) as (runner, dev):
        pool = catalog.matching(questions, tag or (), (), None, dev == "cuda")
        chosen = choose(pool, minutes, level, store.progress(), rng)
        if not chosen:
            raise QuizkitError(_("no questions match those filters (quizkit list shows the tags and types)"))
        scheduler = Scheduler(settings.desired_retention, rollover_hour=settings.rollover_hour)
        policy = Mock(chosen, minutes, scheduler, settings, c.clock())
        ui.mock_start(minutes, len(chosen))
        with _session(c, policy, store, runner, dev, lang, rng, chosen) as s:
            _sitting(ui, s, lambda outcome: None)
