"""`quizkit check`: a workspace file's verdict, and a failed run (also shown by a drill)."""

from __future__ import annotations

import datetime

from rich.markup import escape

from ..i18n import N_, _, ngettext
from ..model import Verdict
from .console import out


def check_result(q_id: str, path: str, verdict: Verdict, watching: bool = False) -> None:
    stamp = ""
    if watching:
        stamp = datetime.datetime.now().strftime("%H:%M:%S ")
    if verdict.correct:
        t = _("{id}: {path} passes the tests in {ms} ms") if verdict.run else _("{id}: {path} passes the tests")
        ms = f"{verdict.run.seconds * 1000:.0f}" if verdict.run else ""
        out.print(stamp + "[bold green]{}[/] ".format(_("PASS")) + t.format(id=escape(q_id), path=escape(path), ms=ms))
    else:
        out.print(stamp + "[bold red]{}[/] {}".format(_("FAIL"), escape(q_id)))
        run_failure(verdict)


def watching() -> None:
    out.print("[dim]{}[/]".format(_("watching for changes; Ctrl-C to stop")))


def run_failure(verdict: Verdict) -> None:
    """The failing line of a code answer, then its error, then what it printed."""
    run = verdict.run
    if run is None or run.ok:
        out.print(f"  {escape(verdict.detail)}", soft_wrap=True)
        return
    if run.where:
        out.print(f"  [bold]{escape(_where(run.where))}[/]" + (f": [cyan]{escape(run.line)}[/]" if run.line else ""))
    out.print(f"  [red]{escape(_lines(run.error or run.status, 12))}[/]", soft_wrap=True)
    if run.stdout.strip():
        out.print("  [dim]{}[/]".format(_("it printed:")))
        out.print(escape(_lines(run.stdout.rstrip()[-2000:], 30, tail=True)), soft_wrap=True)


# The pieces of a code answer's run, as the worker names them in "tests line 3"
PIECES = {"setup": N_("setup"), "answer": N_("answer"), "tests": N_("tests")}


def _where(where: str) -> str:
    """Where a run failed ("tests line 3", from the worker) in the interface's language."""
    piece, sep, n = where.partition(" line ")
    if not sep or piece not in PIECES:
        return where
    # TRANSLATORS: where a code answer's run failed, e.g. "tests line 3"; {piece} is setup, answer or tests
    return _("{piece} line {n}").format(piece=_(PIECES[piece]), n=n)


def _lines(text: str, most: int, tail: bool = False) -> str:
    """At most `most` lines of `text` (the last ones with `tail`), saying how many were left out."""
    rows = text.split("\n")
    if len(rows) <= most:
        return text
    cut = len(rows) - most
    kept = rows[-most:] if tail else rows[:most]
    note = ngettext("… {n} more line", "… {n} more lines", cut).format(n=cut)
    return "\n".join([note, *kept] if tail else [*kept, note])


# ---- drill and review ----
