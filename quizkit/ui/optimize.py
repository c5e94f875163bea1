"""`quizkit optimize`: the fit's held-out figures, the retention trade-off, and the parameters in force."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from ..i18n import _
from .console import out


def fsrs_in_force(p: dict[str, Any]) -> str:
    """The FSRS parameters in force, in words (stats)."""
    if not p["fitted"]:
        return _("FSRS parameters: the defaults (quizkit optimize fits them to your reviews)")
    return _("FSRS parameters: fitted on {n} reviews on {date}").format(n=p["reviews"], date=p["fitted"][:10])


def optimize_report(r: dict[str, Any]) -> None:
    before = _("fitted before") if r["was"] == "fitted" else _("defaults")
    t = Table(
        title=_("{n} held-out reviews ({cards} cards kept out of the fit)").format(
            n=r["held_out"], cards=r["held_out_cards"]
        ),
        title_justify="left",
    )
    t.add_column(_("measure"))
    t.add_column(before, justify="right")
    t.add_column(_("fitted now"), justify="right")
    for key, name in (("log_loss", _("log loss")), ("rmse", _("RMSE (calibration, 20 bins)"))):
        a, b = r["before"][key], r["after"][key]
        t.add_row(name, "-" if a is None else f"{a:.4f}", "-" if b is None else f"[bold]{b:.4f}[/]")
    out.print(t)
    trade = Table(title=_("retention and workload (1000 new cards in a year, simulated)"), title_justify="left")
    for col in (
        _("retention"),
        _("reviews a day"),
        _("minutes a day"),
        _("cards remembered"),
        _("minutes per card remembered"),
    ):
        trade.add_column(col, justify="right")
    for row in r["tradeoff"]:
        mark = "[bold]{}[/]" if row["retention"] == r["suggested"] else "{}"
        trade.add_row(mark.format(f"{row['retention']:.2f}"), str(row["reviews_per_day"]), str(row["minutes_per_day"]),
                      str(row["remembered"]), str(row["minutes_per_remembered"]))  # fmt: skip
    out.print(trade)
    if r["suggested"] is not None:
        out.print(
            _("suggested retention: {r:.2f} (the least time per card remembered, as py-fsrs picks it); desired_retention in config.yaml sets it")
            .format(r=r["suggested"])
        )  # fmt: skip
    if r["stored"]:
        out.print("[green]{}[/]".format(
            _("saved: parameters fitted on {n} reviews; review uses them from now on (quizkit optimize --reset: the defaults)")
            .format(n=r["reviews"])
        ))  # fmt: skip
    else:
        out.print(
            "[yellow]{}[/]".format(
                _("not saved: the fit predicts held-out reviews no better than the parameters in force")
            )
        )


def optimize_reset(done: bool) -> None:
    out.print(_("FSRS parameters: back to the defaults") if done else _("FSRS parameters: the defaults already"))


def optimize_suggestion(reviews: int) -> None:
    out.print("[dim]{}[/]".format(
        _("{n} reviews since FSRS was last fitted to you: quizkit optimize may schedule you better").format(n=reviews)
    ))  # fmt: skip
