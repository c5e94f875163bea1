"""Finding questions and learning paths (`list --search`, `path`), and one question on its own (`show`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table

from ..i18n import N_, _, ngettext
from ..model import LearningPath, Question, pick
from .blocks import hint_label, question_panel, type_label
from .console import out


class Answered(Protocol):
    """A question's answers so far (store.Progress)."""

    @property
    def attempts(self) -> int: ...
    @property
    def right(self) -> int: ...


STATE_STYLE = {
    "new": "dim",
    "learning": "yellow",
    "review": "cyan",
    "done": "green",
    "missed": "bold red",
    "next": "bold yellow",
    "locked": "dim",
}
# How a status (catalog.STATUSES) or a path step's state is shown; stored and --status values stay English.
STATE_NAMES = {
    "new": N_("new"),
    "learning": N_("learning"),
    "review": N_("review"),
    "done": N_("done"),
    "missed": N_("missed"),
    "next": N_("next"),
    "locked": N_("locked"),
}


def _state(state: str) -> str:
    """A status or a step's state as shown, in its colour."""
    return f"[{STATE_STYLE[state]}]{_(STATE_NAMES[state])}[/]"


def _first_line(text: str, width: int = 70) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def question_list(rows: Sequence[tuple[Question, str]], lang: str, title: str) -> None:
    """rows: [(question, status)]."""

    # Fixed widths: rich would squeeze the short columns to nothing to fit long prompts.
    lvl = _("lvl")
    lw = max(3, cell_len(lvl))  # 难度 is four cells
    tw = max((cell_len(type_label(q.type)) for q, _st in rows), default=4)
    sw = max(cell_len(_(name)) for name in STATE_NAMES.values())
    idw = min(max((len(q.full_id) for q, _ in rows), default=2), 40, max(10, out.width - 16 - tw - lw - sw - 16))
    qw = max(12, out.width - 16 - idw - tw - lw - sw)
    table = Table(title=title, title_justify="left")
    table.add_column(_("id"), width=idw, overflow="fold")
    table.add_column(_("type"), width=tw, no_wrap=True)
    table.add_column(lvl, justify="right", width=lw)
    table.add_column(_("status"), width=sw, no_wrap=True)
    table.add_column(_("question"), width=qw, no_wrap=True, overflow="ellipsis")
    for q, state in rows:
        table.add_row(
            escape(q.full_id),
            type_label(q.type),
            str(q.difficulty),
            _state(state),
            escape(_first_line(pick(q.prompt, lang), qw)),
        )
    out.print(table)
    counts = {s: sum(1 for _, st in rows if st == s) for s in STATE_STYLE}
    # TRANSLATORS: a count of questions in one status, e.g. "2 new"
    shown = " · ".join(_("{n} {status}").format(n=n, status=_(STATE_NAMES[s])) for s, n in counts.items() if n)
    if rows:
        out.print(
            ngettext("{n} question: {counts}", "{n} questions: {counts}", len(rows)).format(n=len(rows), counts=shown)
        )
    else:
        out.print(_("no questions match"))


def path_list(rows: Sequence[tuple[LearningPath, int, int, str | Literal[False] | None]], lang: str) -> None:
    """rows: [(path, done, total, next full id, or None when finished, or False when stuck)]."""

    table = Table(title=_("learning paths (quizkit path NAME)"), title_justify="left")
    table.add_column(_("path"), no_wrap=True)
    table.add_column(_("title"), ratio=1)
    table.add_column(_("done"), justify="right")
    table.add_column(_("next"), no_wrap=True)
    for p, done, total, nxt in rows:
        table.add_row(
            escape(p.id),
            escape(pick(p.title, lang)),
            f"{done}/{total}",
            escape(nxt)
            if nxt
            else "[red]{}[/]".format(_("stuck"))
            if nxt is False
            else "[green]{}[/]".format(_("finished")),
        )
    out.print(table)


def path_view(
    path: LearningPath, steps: Sequence[tuple[str, Question | None, str]], lang: str, stuck: str | None = None
) -> None:
    """steps: [(full id, question or None, state)]."""

    title = pick(path.title, lang) or path.id
    own = f"{path.bank}/"  # steps in the path's own bank are shown by their bare id

    def shown(qid: str) -> str:
        return qid[len(own) :] if qid.startswith(own) else qid

    idw = min(max((len(shown(s[0])) for s in steps), default=4), 40)
    qw = max(12, out.width - 13 - 2 - idw - 8)
    table = Table(title=f"{path.id}: {title}", title_justify="left")
    table.add_column("#", justify="right", width=2)
    table.add_column(_("step"), width=idw, overflow="fold")
    table.add_column("", width=8, no_wrap=True)
    table.add_column(_("question"), width=qw, no_wrap=True, overflow="ellipsis")
    for i, (qid, q, state) in enumerate(steps, 1):
        glyph = {"done": "✓", "next": "→", "locked": "·"}[state]
        table.add_row(
            str(i),
            escape(shown(qid)),
            f"[{STATE_STYLE[state]}]{glyph} {_(STATE_NAMES[state])}[/]",
            escape(_first_line(pick(q.prompt, lang), qw)) if q else "[red]{}[/]".format(_("(not in the banks loaded)")),
        )
    out.print(table)
    done = sum(1 for *_, st in steps if st == "done")
    if done == len(steps):
        out.print("[green]{}[/]".format(ngettext("all {n} step done", "all {n} steps done", done).format(n=done)))
    elif stuck:
        out.print(f"[red]{escape(stuck)}[/]")
    else:
        out.print(
            _("{done}/{total} done · quizkit drill --path {path} asks the next step").format(
                done=done, total=len(steps), path=escape(path.id)
            )
        )


def show(
    q: Question,
    extra: list[Any],
    hints: list[str],
    hint_total: int,
    state: str,
    progress: Answered | None,
    work_file: Path | None,
    lang: str,
) -> None:
    """A question on its own (`quizkit show`): prompt, starter, the hints revealed so far, progress."""
    question_panel(q, extra, lang)
    for i, text in enumerate(hints, 1):
        label = hint_label(i, hint_total)
        out.print(f"[yellow]{label}[/] {escape(text)}")
    if hint_total > len(hints):
        left = hint_total - len(hints)
        text = ngettext("{n} hint left: {command}", "{n} hints left: {command}", left).format(
            n=left, command=f"quizkit show {escape(q.full_id)} --hint"
        )
        out.print(f"[dim]{text}[/]")
    line = _("status: {status}").format(status=_state(state))
    if progress:
        line += " · " + ngettext("{n} answer, {right} right", "{n} answers, {right} right", progress.attempts).format(
            n=progress.attempts, right=progress.right
        )
    out.print(line)
    if work_file is not None:
        where = (
            _("workspace: {file} · {command}")
            if work_file.exists()
            else _("workspace: {file} (not started) · {command}")
        )
        out.print(where.format(file=escape(str(work_file)), command=f"quizkit start {escape(q.full_id)}"))


# ---- doctor ----
