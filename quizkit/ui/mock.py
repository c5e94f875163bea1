"""A mock interview: the rules at its start, its report, and the mocks before it (`stats`)."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from ..i18n import _, ngettext
from .console import out

MOCK_RESULT_STYLE = {"right": "green", "wrong": "red", "late": "red", "skipped": "yellow", "not reached": "dim"}


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def mock_start(minutes: int, count: int) -> None:
    out.print(
        ngettext(
            "mock interview: {count} question in {minutes} minutes. One try each; ? shows a hint and costs a "
            "third of the question's points; the time left is shown above each question.",
            "mock interview: {count} questions in {minutes} minutes. One try each; ? shows a hint and costs a "
            "third of the question's points; the time left is shown above each question.",
            count,
        ).format(count=count, minutes=minutes)
    )


def mock_report(r: dict[str, Any]) -> None:
    """The end of a mock: the score, by topic and level, the time per question, what to review, and the
    mocks before it."""
    out.print()
    ended = {"time": _("time is up"), "done": _("every question asked"), "quit": _("you stopped")}[r["ended"]]
    out.print(
        "[bold]{}[/]  {}".format(
            _("mock interview: {score:.0%}").format(score=r["score"]),
            _("{points:g} of {possible:g} points · {right} right · {wrong} wrong · {skipped} skipped · {used} of "
              "{minutes} min used · {ended}").format(
                points=r["points"], possible=r["possible"], right=r["right"], wrong=r["wrong"],
                skipped=r["skipped"], used=_clock(r["seconds"]), minutes=r["minutes"], ended=ended,
            ),
        ),
    )  # fmt: skip
    for key, label in (("topics", _("topic")), ("levels", _("level"))):
        table = Table(title_justify="left")
        table.add_column(label)
        table.add_column(_("asked"), justify="right")
        table.add_column(_("right"), justify="right", style="green")
        table.add_column(_("points"), justify="right")
        for name, row in r[key].items():
            shown = "★" * int(name) if key == "levels" else escape(name)
            table.add_row(shown, str(row["asked"]), str(row["right"]), f"{row['points']:g}/{row['possible']:g}")
        out.print(table)
    _times(r)
    if r["review_next"]:
        out.print("[bold]{}[/] {}".format(_("review next:"), escape(", ".join(r["review_next"]))))
        out.print("[dim]{}[/]".format(_("quizkit drill --missed asks the ones you got wrong")))
    if r.get("previous"):
        last = r["previous"][0]["score"]
        trend = r["score"] - last
        out.print(
            _("compared with your last mock: {change:+.0%} (then {then:.0%}); before: {older}").format(
                change=trend,
                then=last,
                older=", ".join(f"{m['score']:.0%}" for m in r["previous"][1:]) or "–",
            ),
        )
    else:
        out.print("[dim]{}[/]".format(_("your first mock: quizkit stats shows them all")))


def mock_history(mocks: list[dict[str, Any]]) -> None:
    """`stats`: the latest mock interviews."""
    if not mocks:
        return
    table = Table(title=_("mock interviews"), title_justify="left")
    table.add_column(_("date"))
    table.add_column(_("minutes"), justify="right")
    table.add_column(_("questions"), justify="right")
    table.add_column(_("right"), justify="right")
    table.add_column(_("score"), justify="right")
    for m in mocks:
        table.add_row(
            m["started"][:16].replace("T", " "), str(m["minutes"]), str(m["asked"]), str(m["right"]),
            f"{m['score']:.0%}",
        )  # fmt: skip
    out.print(table)


def _times(r: dict[str, Any]) -> None:
    """The time per question against its aim, with its result, hints and points."""
    table = Table(title=_("time per question"), title_justify="left")
    table.add_column("#", justify="right")
    table.add_column(_("question"), overflow="fold")
    table.add_column(_("result"))
    table.add_column(_("time / aim"), justify="right", no_wrap=True)
    table.add_column(_("hints"), justify="right")
    table.add_column(_("points"), justify="right")
    results = {
        "right": _("right"), "wrong": _("wrong"), "late": _("late"), "skipped": _("skipped"),
        "not reached": _("not reached"),
    }  # fmt: skip
    for i, q in enumerate(r["questions"], 1):
        style = MOCK_RESULT_STYLE[q["result"]]
        time_text = f"{_clock(q['seconds'])} / {_clock(q['aim'])}" if q["result"] != "not reached" else "–"
        over = q["result"] != "not reached" and q["seconds"] > q["aim"]
        table.add_row(
            str(i),
            escape(q["id"]),
            f"[{style}]{results[q['result']]}[/]",
            f"[yellow]{time_text}[/]" if over else time_text,
            str(q["hints"] or ""),
            f"{q['points']:g}/{q['possible']:g}",
        )
    out.print(table)
