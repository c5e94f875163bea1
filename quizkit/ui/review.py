"""`quizkit review`: the plan before it, and each rating's next due time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from ..i18n import _, ngettext
from .console import out


class PlanView(Protocol):
    """What the review plan screen reads of scheduler.Plan."""

    due: list[Any]
    new: list[Any]
    new_done: int
    reviews_done: int
    next_due: datetime | None
    leeches: int


class Limits(Protocol):
    """What it reads of settings.Settings."""

    new_per_day: int
    reviews_per_day: int


def _local(when: datetime) -> str:
    # TRANSLATORS: a strftime format; the names of %a and %b are English whatever the language
    return when.astimezone().strftime(_("%a %d %b %H:%M"))


def review_plan(plan: PlanView, settings: Limits, next_due_text: str) -> None:
    """`next_due_text`: when the next card is due, in words (the caller asks the scheduler)."""
    if not plan.due and not plan.new:
        line = "[green]{}[/]".format(_("Nothing is due now."))
        if plan.next_due:
            line += _(" The next card is due {when} ({date}).").format(when=next_due_text, date=_local(plan.next_due))
        if plan.new_done >= settings.new_per_day:
            line += _(" Today's {n} new questions are done.").format(n=settings.new_per_day)
        out.print(line)
        return
    out.print(
        _("{due} due · {new} new").format(due=f"[bold]{len(plan.due)}[/]", new=f"[bold]{len(plan.new)}[/]") + "  "
        "[dim]("
        + _("today so far: {new_done}/{new_limit} new, {reviews_done}/{review_limit} reviews").format(
            new_done=plan.new_done,
            new_limit=settings.new_per_day,
            reviews_done=plan.reviews_done,
            review_limit=settings.reviews_per_day,
        )
        + (
            ngettext("; {n} leech suspended", "; {n} leeches suspended", plan.leeches).format(n=plan.leeches)
            if plan.leeches
            else ""
        )
        + ")[/]"
    )


def scheduled(rating: str, interval: str, due: datetime, leech_after: int | None = None) -> None:
    """A review's rating and when the card comes back; `leech_after`: the lapses that made it a leech."""
    out.print(
        "[magenta]{}[/] → {}  [dim]({})[/]".format(_("rated {rating}").format(rating=rating), interval, _local(due))
    )
    if leech_after:
        out.print(
            "[bold yellow]{}[/] ".format(_("leech:"))
            + _(
                "forgotten {n} times; tagged leech and suspended from review "
                "(it stays in drill; rewrite the card in your own words, then drill it)"
            ).format(n=leech_after)
        )


# ---- stats ----
