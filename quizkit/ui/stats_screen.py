"""`quizkit stats`: today, accuracy and retention, the forecast and the heatmap."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich.cells import cell_len
from rich.columns import Columns
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from ..i18n import _, ngettext
from .console import out
from .optimize import fsrs_in_force


def stats(data: dict[str, Any]) -> None:
    """The whole screen, a part after another."""
    _today(data)
    _accuracy(data)
    _forecast(data)
    _heatmap(data)


def _today(data: dict[str, Any]) -> None:
    t = data["today"]
    tot = data["total"]
    out.print(
        Panel(
            _("today ({date}): {answered} answered, {right} right · {reviews} reviews, {new} new").format(
                date=t["date"],
                answered=f"[bold]{t['attempts']}[/]",
                right=f"[green]{t['right']}[/]",
                reviews=t["reviews"],
                new=t["new"],
            )
            + "\n"
            + ngettext("streak: {n} day", "streak: {n} days", data["streak"]).format(n=f"[bold]{data['streak']}[/]")
            + " · "
            + _("all time: {answers}, {seen}, {cards} in review").format(
                answers=ngettext("{n} answer", "{n} answers", tot["attempts"]).format(n=tot["attempts"]),
                seen=ngettext("{n} question seen", "{n} questions seen", tot["questions_seen"]).format(
                    n=tot["questions_seen"]
                ),
                cards=tot["cards"],
            )
            + (", [yellow]{}[/]".format(_("{n} leeches").format(n=tot["leeches"])) if tot["leeches"] else "")
            + ("\n" + fsrs_in_force(data["fsrs"]) if "fsrs" in data else ""),
            title="quizkit stats",
            title_align="left",
        )
    )


def _accuracy(data: dict[str, Any]) -> None:
    topics = Table(title=_("accuracy by topic"), title_justify="left")
    topics.add_column(_("topic"), justify="left")
    for col in (_("answers"), _("right"), _("accuracy")):
        topics.add_column(col, justify="right")
    for name, row in data["topics"].items():
        topics.add_row(escape(name), str(row["attempts"]), str(row["right"]), _pct(row["accuracy"]))
    retention = Table(title=_("true retention by month"), title_justify="left")
    for col in (_("month"), _("reviews"), _("right"), _("retention")):
        retention.add_column(col, justify="left" if col == _("month") else "right")
    for month, row in data["retention"].items():
        retention.add_row(month, str(row["reviews"]), str(row["right"]), _pct(row["retention"]))
    if not data["retention"]:
        retention.add_row("[dim]{}[/]".format(_("none yet")), "", "", "")
    out.print(Columns([topics, retention], padding=(0, 4)))


def _forecast(data: dict[str, Any]) -> None:
    title = _("due in the next 14 days")
    # as wide as its title: with nothing due the bars are empty and a narrower table wrapped the title
    forecast = Table(title=title, title_justify="left", show_header=False, box=None, min_width=cell_len(title))
    forecast.add_column("day")
    forecast.add_column("bar")
    forecast.add_column("n", justify="right")
    peak = max((f["due"] for f in data["forecast"]), default=0) or 1
    for f in data["forecast"]:
        d = date.fromisoformat(f["date"])
        bar = "█" * round(30 * f["due"] / peak) if f["due"] else "[dim]·[/]"
        forecast.add_row(d.strftime(_("%a %d %b")), f"[cyan]{bar}[/]", str(f["due"]))
    out.print(forecast)


def _heatmap(data: dict[str, Any]) -> None:
    start = date.fromisoformat(data["heatmap"]["start"])
    days = {date.fromisoformat(k): n for k, n in data["heatmap"]["days"].items()}
    top = max(days.values(), default=0) or 1
    # a glyph per level as well as a colour, so NO_COLOR terminals show it too
    shades = [("grey30", "·"), ("green4", "░"), ("green3", "▒"), ("green1", "▓"), ("bold bright_green", "█")]
    heat = Table(
        title=_("days studied (last 20 weeks)"), title_justify="left", show_header=False, box=None, padding=(0, 0)
    )
    heat.add_column("")
    for _week in range(20):
        heat.add_column("")
    today = date.fromisoformat(data["today"]["date"])
    names = (_("Mon"), "", _("Wed"), "", _("Fri"), "", _("Sun"))
    width = max(4, 1 + max(cell_len(n) for n in names))  # "Mon " as before; "周一 " (CJK is two cells wide)
    for weekday, name in enumerate(names):
        cells = []
        for week in range(20):
            d = start + timedelta(weeks=week, days=weekday)
            if d > today:
                cells.append(" ")
                continue
            n = days.get(d, 0)
            level = 0 if not n else 1 + min(3, int(3 * n / top))
            style, glyph = shades[level]
            cells.append(f"[{style}]{glyph}[/] ")
        heat.add_row(name + " " * (width - cell_len(name)), *cells)
    out.print(heat)
    out.print(
        "    "
        + "  ".join(f"[{style}]{glyph}[/]" for style, glyph in shades)
        + "  [dim]{}[/]".format(_("none → most answers in a day"))
    )


def _pct(x: float) -> str:
    return f"{x:.0%}"
