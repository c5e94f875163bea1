"""A drill or review session: the score, the question, hints, the verdict, the summary."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from ..i18n import N_, _, shown
from ..model import Asked, Hint, Outcome, Summary, type_info
from .blocks import blocks, hint_label, markdown, question_panel
from .check import run_failure
from .console import out
from .mock import mock_report


def score_bar(score: Any, position: str = "") -> None:  # score: engine.Score (ui imports no engine)
    """The running score, shown above every question."""
    out.print()
    topics = "  ".join(f"{escape(t)} {r}/{r + w}" for t, (r, w, _) in score.topics.items() if r + w)
    out.print(
        f"[dim]{position}[/]  [green]✓ {score.right}[/]  [red]✗ {score.wrong}[/]  [yellow]↷ {score.skipped}[/]"
        + "  {} [bold]{}[/]".format(_("streak"), score.streak)
        + (f"   [dim]{topics}[/]" if topics else ""),
        soft_wrap=True,
    )


_KEYS = {
    "reveal": N_("Enter reveals the answer · ? hint · s skip · q quit"),
    "line": N_("type your answer · ? hint · s skip · q quit"),
    "choice": N_("letter(s), e.g. b or a,c · ? hint · s skip · q quit"),
    "code": N_("paste or type your code, end with a line holding only . · ? hint · s skip · q quit"),
}


def question(asked: Asked, lang: str) -> None:
    q = asked.question
    question_panel(q, asked.extra, lang, asked.position)
    own = type_info(q.type).keys
    keys = shown(own) if own else _(_KEYS[asked.input])
    for line in keys_lines(keys, out.width):
        out.print(f"[dim]{line}[/]")


def keys_lines(keys: str, width: int) -> list[str]:
    """The keys line broken between its ' · ' parts, never inside one ('q' above 'quit' at 80 columns)."""
    lines: list[str] = []
    for part in keys.split(" · "):
        if lines and cell_len(lines[-1] + " · " + part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


def hint(h: Hint) -> None:
    if not h.text:
        out.print("[dim]{}[/]".format(_("no hint for this one")))
        return
    label = hint_label(h.number, h.total)
    more = " [dim]{}[/]".format(_("(the last one)")) if h.total > 1 and h.number == h.total else ""
    out.print(f"[yellow]{label}[/] {escape(h.text)}{more}")


def reveal(items: list[Any]) -> None:
    out.print(Panel(Group(*blocks(items)), title=_("answer"), title_align="left", border_style="cyan"))


def _why(outcome: Outcome) -> None:
    if outcome.explanation:
        out.print(markdown("**{}** {}".format(_("Why:"), outcome.explanation)))
    if outcome.source:
        out.print("[dim]{} {}[/]".format(_("source:"), escape(outcome.source)), overflow="fold")


def skipped(outcome: Outcome) -> None:
    out.print("[yellow]↷ {}[/]".format(_("skipped")))
    for part in blocks(outcome.solution):
        out.print(part)
    _why(outcome)


def verdict(outcome: Outcome) -> None:
    """The verdict on one answer; the explanation only once the learner is done (not before a retry)."""
    v = outcome.verdict
    q = outcome.question
    info = type_info(q.type)
    if v.correct:
        out.print("[bold green]✓ {}[/]".format(_("right")) + (f" [dim]({escape(v.detail)})[/]" if v.detail else ""))
    else:
        out.print("[bold red]✗ {}[/]".format(_("wrong")))
        if info.shows_run:
            run_failure(v)
    if info.solution_on_verdict:
        for part in blocks(outcome.solution):
            out.print(part)
    for text in v.notes:
        out.print(f"[dim]  {escape(text)}[/]", soft_wrap=True)
    if info.shows_run and v.correct and v.run:
        out.print("[dim]  {}[/]".format(_("tests passed in {ms} ms").format(ms=f"{v.run.seconds * 1000:.0f}")))
    if v.correct and outcome.first_correct is False:
        out.print("[dim]{}[/]".format(_("passed on a retry; the score keeps the first try")))
    if outcome.done:
        _why(outcome)


def explain(outcome: Outcome) -> None:
    """The explanation and source, when the learner is done with a question."""
    _why(outcome)


def summary(summary: Summary) -> None:
    score, title, saved = summary.score, summary.title, summary.saved
    if summary.report is not None:
        mock_report(summary.report)
        return
    out.print()
    if not (score.answered or score.skipped):
        out.print("[dim]{}[/]".format(_("nothing answered this time")))
        return
    table = Table(title=_(title), title_justify="left")
    table.add_column(_("topic"))
    table.add_column(_("right"), justify="right", style="green")
    table.add_column(_("wrong"), justify="right", style="red")
    table.add_column(_("skipped"), justify="right", style="yellow")
    table.add_column(_("accuracy"), justify="right")
    for topic, (r, w, s) in sorted(score.topics.items()):
        table.add_row(escape(topic), str(r), str(w), str(s), f"{r / (r + w):.0%}" if r + w else "–")
    total = score.answered
    table.add_section()
    table.add_row(
        "[bold]{}[/]".format(_("all")),
        str(score.right),
        str(score.wrong),
        str(score.skipped),
        f"[bold]{score.right / total:.0%}[/]" if total else "–",
    )
    out.print(table)
    if saved:
        out.print(_("best streak {n}. Every answer is saved.").format(n=score.best_streak))
    else:
        out.print(
            _(
                "best streak {n}. {bold}The last answer could not be saved{end} (see below); those before it are."
            ).format(n=score.best_streak, bold="[bold red]", end="[/]")
        )


# ---- list and export ----
