"""The end of a sitting as Markdown: a mock's report (as `quizkit mock` prints it), or a session's score."""

from __future__ import annotations

from typing import Any

from ..i18n import _
from ..model import Summary
from .common import mmss


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def markdown(summary: Summary) -> str:
    if summary.report is not None:
        return mock(summary.report)
    score = summary.score
    if not (score.answered or score.skipped):
        return _("nothing answered this time")
    rows = [[t, str(r), str(w), str(s)] for t, (r, w, s) in sorted(score.topics.items())]
    rows.append(["**" + _("all") + "**", str(score.right), str(score.wrong), str(score.skipped)])
    return "\n\n".join(
        [
            "## " + _(summary.title),
            _table([_("topic"), _("right"), _("wrong"), _("skipped")], rows),
            _("best streak {n}. Every answer is saved.").format(n=score.best_streak),
        ]
    )


def mock(r: dict[str, Any]) -> str:
    ended = {"time": _("time is up"), "done": _("every question asked"), "quit": _("you stopped")}[r["ended"]]
    parts = [
        "## " + _("mock interview: {score:.0%}").format(score=r["score"]),
        _("{points:g} of {possible:g} points · {right} right · {wrong} wrong · {skipped} skipped · {used} of "
          "{minutes} min used · {ended}").format(
            points=r["points"], possible=r["possible"], right=r["right"], wrong=r["wrong"], skipped=r["skipped"],
            used=mmss(r["seconds"]), minutes=r["minutes"], ended=ended,
        ),
    ]  # fmt: skip
    for key, label in (("topics", _("topic")), ("levels", _("level"))):
        rows = [
            ["★" * int(name) if key == "levels" else name, str(row["asked"]), str(row["right"]),
             f"{row['points']:g}/{row['possible']:g}"]
            for name, row in r[key].items()
        ]  # fmt: skip
        parts.append(_table([label, _("asked"), _("right"), _("points")], rows))
    results = {"right": _("right"), "wrong": _("wrong"), "late": _("late"), "skipped": _("skipped"),
               "not reached": _("not reached")}  # fmt: skip
    rows = []
    for i, q in enumerate(r["questions"], 1):
        spent = f"{mmss(q['seconds'])} / {mmss(q['aim'])}" if q["result"] != "not reached" else "–"
        rows.append([str(i), q["id"], results[q["result"]], spent, str(q["hints"] or ""),
                     f"{q['points']:g}/{q['possible']:g}"])  # fmt: skip
    parts.append("### " + _("time per question"))
    parts.append(_table(["#", _("question"), _("result"), _("time / aim"), _("hints"), _("points")], rows))
    if r["review_next"]:
        parts.append("**" + _("review next:") + "** " + ", ".join(r["review_next"]))
    if r.get("previous"):
        last = r["previous"][0]["score"]
        parts.append(
            _("compared with your last mock: {change:+.0%} (then {then:.0%}); before: {older}").format(
                change=r["score"] - last, then=last,
                older=", ".join(f"{m['score']:.0%}" for m in r["previous"][1:]) or "–",
            )
        )  # fmt: skip
    else:
        parts.append(_("your first mock: quizkit stats shows them all"))
    return "\n\n".join(parts)
