"""Progress: the numbers of `quizkit stats` as widgets: today and the streak, the due forecast (a bar per
day), the heatmap of days studied, accuracy by topic, true retention by month, and the last mocks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ..app import progress
from ..i18n import _, ngettext
from .common import Keys, translate_keys


def cell_len(text: str) -> int:
    return Content(text).cell_length


SHADES = ("·", "░", "▒", "▓", "█")  # a glyph per level as well as a colour: NO_COLOR terminals show it too


class ProgressScreen(Screen[None]):
    DEFAULT_CSS = """
    ProgressScreen #today { height: auto; border: round $primary; padding: 0 1; }
    ProgressScreen #grid { grid-size: 2; grid-columns: 1fr 1fr; height: auto; }
    ProgressScreen .box { height: auto; border: round $secondary; padding: 0 1; }
    ProgressScreen DataTable { height: auto; max-height: 10; }
    """

    def __init__(self, backend: Any, name: str | None = None):
        super().__init__(name=name)
        translate_keys(self)
        self.backend = backend

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="today")
            with Grid(id="grid"):
                yield Static("", id="forecast", classes="box")
                yield Static("", id="heatmap", classes="box")
                yield DataTable(id="topics", classes="box", show_cursor=False)
                yield DataTable(id="retention", classes="box", show_cursor=False)
            yield DataTable(id="mocks", classes="box", show_cursor=False)
        yield Keys()

    async def on_mount(self) -> None:
        titles = {"today": _("today"), "forecast": _("due in the next 14 days"),
                  "heatmap": _("days studied (last 20 weeks)"), "topics": _("accuracy by topic"),
                  "retention": _("true retention by month"), "mocks": _("mock interviews")}  # fmt: skip
        for wid, title in titles.items():
            self.query_one(f"#{wid}").border_title = title
        await self.refill()

    async def on_screen_resume(self) -> None:
        if self.is_mounted:
            await self.refill()

    async def refill(self) -> None:
        b = self.backend
        data = await b.call(progress.stats, b.app, b.store, b.banks)
        self.query_one("#today", Static).update(today(data))
        self.query_one("#forecast", Static).update(forecast(data["forecast"]))
        self.query_one("#heatmap", Static).update(heatmap(data["heatmap"], data["today"]["date"]))
        self._table("topics", [_("topic"), _("answers"), _("accuracy")],
                    [[n, str(r["attempts"]), f"{r['accuracy']:.0%}"] for n, r in data["topics"].items()])  # fmt: skip
        self._table("retention", [_("month"), _("reviews"), _("retention")],
                    [[m, str(r["reviews"]), f"{r['retention']:.0%}"] for m, r in data["retention"].items()])  # fmt: skip
        self._table("mocks", [_("date"), _("minutes"), _("questions"), _("right"), _("score")],
                    [[m["started"][:16].replace("T", " "), str(m["minutes"]), str(m["asked"]), str(m["right"]),
                      f"{m['score']:.0%}"] for m in data["mocks"]])  # fmt: skip

    def _table(self, wid: str, head: list[str], rows: list[list[str]]) -> None:
        table = self.query_one(f"#{wid}", DataTable)
        table.clear(columns=True)
        rows = rows or [[_("none yet"), *([""] * (len(head) - 1))]]
        for i, label in enumerate(head):
            table.add_column(label, width=max(cell_len(r[i]) for r in [head, *rows]))
        for row in rows:
            table.add_row(*row)


def today(data: dict[str, Any]) -> str:
    t, tot = data["today"], data["total"]
    return "\n".join(
        (
            _("today ({date}): {answered} answered, {right} right · {reviews} reviews, {new} new").format(
                date=t["date"], answered=t["attempts"], right=t["right"], reviews=t["reviews"], new=t["new"]
            ),
            ngettext("streak: {n} day", "streak: {n} days", data["streak"]).format(n=data["streak"])
            + " · "
            + _("all time: {answers} answers, {seen} questions seen, {cards} in review").format(
                answers=tot["attempts"], seen=tot["questions_seen"], cards=tot["cards"]
            ),
        )
    )


def forecast(days: list[dict[str, Any]], width: int = 20) -> str:
    peak = max((f["due"] for f in days), default=0) or 1
    rows = []
    for f in days:
        d = date.fromisoformat(f["date"])
        bar = "█" * round(width * f["due"] / peak) if f["due"] else "·"
        rows.append(f"{d.strftime('%m-%d')} {bar} {f['due']}")
    return "\n".join(rows)


def heatmap(heat: dict[str, Any], today_iso: str) -> str:
    """Weeks as columns, weekdays as rows, a shade for how many answers that day."""
    start = date.fromisoformat(heat["start"])
    days = {date.fromisoformat(k): n for k, n in heat["days"].items()}
    top = max(days.values(), default=0) or 1
    end = date.fromisoformat(today_iso)
    rows = []
    for weekday in range(7):
        cells = []
        for week in range(20):
            d = start + timedelta(weeks=week, days=weekday)
            n = days.get(d, 0)
            cells.append(" " if d > end else SHADES[0 if not n else 1 + min(3, int(3 * n / top))])
        rows.append("".join(cells))
    return "\n".join(rows) + "\n" + " ".join(SHADES) + " " + _("none → most answers in a day")
