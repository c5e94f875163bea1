"""`quizkit room`: the full-screen interview room (quizkit/room, on Textual)."""

from __future__ import annotations

from typing import List

import typer

from . import complete
from .common import BankOpt, DeviceOpt, LangOpt, TagOpt, _obj


def room(
    ctx: typer.Context,
    minutes: int | None = typer.Option(
        None, "--mock", min=5, max=180, metavar="MINUTES", help="A timed mock interview of this length."
    ),
    ids: List[str] | None = typer.Option(
        None, "--id", metavar="ID", help="Ask this question (repeatable).", autocompletion=complete.ids
    ),
    tag: List[str] | None = TagOpt,
    level: str | None = typer.Option(None, metavar="LEVEL", help="A mock's level 1-5, or a range like 2-4."),
    bank: List[str] | None = BankOpt,
    seed: int | None = typer.Option(None, metavar="N", help="Seed for the choice and order of questions."),
    device: str = DeviceOpt,
    lang: str = LangOpt,
) -> None:
    """A full-screen interview room: a live countdown, an editor beside the prompt, runs in the warm
    worker; a browser of every card and your progress. --mock MINUTES, --id ID, or the review queue."""
    from ..room import run

    run(_obj(ctx), minutes=minutes, ids=ids or (), tags=tag or (), level=level, banks=bank or (), device=device,
        lang=lang, seed=seed)  # fmt: skip
