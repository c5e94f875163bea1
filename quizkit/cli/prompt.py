"""The input loop shared by every study mode: read a key or a line, hand it to the engine, render."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import typer

from ..errors import QuizkitError, StoreError
from ..i18n import _

if TYPE_CHECKING:
    from datetime import datetime

    from ..engine import Session
    from ..model import Asked, Outcome
    from ..scheduler import ReviewResult


class _Quit(Exception):
    """The learner asked to end the session (q)."""


def _ask(ui: ModuleType, prompt: str) -> str:
    """One line from the learner, made safe where it enters: bad bytes become U+FFFD, never a crash.
    EOFError and KeyboardInterrupt reach the caller. From a pipe the line is echoed."""
    from ..text import safe_input

    ui.prompt(prompt)
    text = input()
    if not sys.stdin.isatty():
        ui.echo(text)
    return safe_input(text)


def _line(ui: ModuleType, prompt: str = "> ") -> str:
    return _ask(ui, prompt).strip()


def _command(ui: ModuleType, s: Session, text: str) -> str | None:
    """? (hint), s (skip), q (quit) at any prompt; None when `text` is an answer."""
    if text == "?":
        ui.hint(s.hint())
        return "hint"
    if text.lower() == "s":
        return "skip"
    if text.lower() == "q":
        raise _Quit
    return None


def _read_code(ui: ModuleType, s: Session, start: str | None) -> str | None:
    """The learner's code: from $EDITOR when set (falling back to typing if it cannot run), else typed or
    pasted up to a line holding only '.'. `start`: what the editor opens with (a retry starts from the
    last attempt). None means skip."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    while editor:
        text = _line(ui, _("Enter opens your editor (? hint, s skip, q quit) > "))
        cmd = _command(ui, s, text)
        if cmd == "skip":
            return None
        if cmd is not None:
            continue
        try:
            code = _edit(editor, s.current, start)
        except _NotAnAnswerFile as e:  # empty, or too large: not an answer; the editor again, or skip
            ui.note(str(e))
            continue
        except QuizkitError as e:
            ui.note(_("{error}; type or paste the code instead").format(error=e))
            break
        return code
    prefill = _prefill(ui, start)
    lines: list[str] = []
    while True:
        prefill(len(lines))
        text = _ask(ui, "... " if lines else _("code> "))
        if not lines:
            cmd = _command(ui, s, text.strip())
            if cmd == "skip":
                return None
            if cmd == "hint":
                continue
        if text.strip() == ".":
            if lines:
                prefill(10**9)  # no more prefilled text at later prompts
                return "\n".join(lines) + "\n"
            continue
        lines.append(text.rstrip("\n"))


def _prefill(ui: ModuleType, start: str | None) -> Callable[[int], None]:
    """A retry typed at a terminal starts from the last attempt: each of its lines is offered, already
    typed, at its prompt (Enter keeps it, or edit it); a line holding only '.' ends as always. From a pipe
    there is nothing to edit, so the new version is read whole."""
    import sys

    old = start.rstrip("\n").split("\n") if start else []
    if not old:
        return lambda i: None
    try:
        import readline
    except ImportError:  # Windows: no line editing to prefill
        ui.note(_("your last attempt is above; type or paste the new version"))
        return lambda i: None
    if not sys.stdin.isatty():
        ui.note(_("your last attempt is above; type or paste the new version"))
        return lambda i: None
    ui.note(_("your last attempt comes back line by line: Enter keeps a line, or edit it; '.' alone ends"))
    # (the '.' is not offered: typed after the last line, it would swallow a line added there)

    def offer(i: int) -> None:
        text = old[i] if i < len(old) else ""
        readline.set_startup_hook((lambda: readline.insert_text(text)) if text else None)

    return offer


MAX_ANSWER_BYTES = 1 << 20  # as `quizkit check` reads a file


class _NotAnAnswerFile(QuizkitError):
    """What the editor left is no answer (empty, or too large): it is not stored."""


def _edit(editor: str, asked: Asked | None, start: str | None) -> str:
    import shlex
    import subprocess
    import tempfile

    assert asked is not None  # only called while a question is asked
    q = asked.question
    with tempfile.NamedTemporaryFile("w+", suffix=".py", prefix=f"quizkit-{q.id}-", delete=False) as f:
        f.write(start or q.body.starter)
        path = f.name
    try:
        done = subprocess.run(shlex.split(editor) + [path], check=False)
        if done.returncode != 0:
            raise QuizkitError(
                _("the editor '{editor}' exited with status {status}").format(editor=editor, status=done.returncode)
            )
        if os.path.getsize(path) > MAX_ANSWER_BYTES:
            raise _NotAnAnswerFile(_("the file is larger than 1 MiB; an answer is a few lines"))
        code = Path(path).read_text(encoding="utf-8")
        if not code.strip():
            raise _NotAnAnswerFile(_("the file is empty: nothing to check (save your code in it, or s to skip)"))
        return code
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise QuizkitError(
            _("cannot use the editor '{editor}': {error}").format(
                editor=editor, error=getattr(e, "strerror", None) or e
            )
        ) from None
    finally:
        Path(path).unlink(missing_ok=True)


def _answer_one(
    ui: ModuleType, s: Session, asked: Asked, rate: Callable[[Outcome], None]
) -> Any:  # nothing: ui and rate return None
    """Ask one question until it is answered, skipped or given up. Every answer is stored by the engine
    the moment it is judged; `rate(outcome)` then lets review change the rating."""
    from ..engine import NotAnAnswer

    ui.question(asked, s.lang)
    if asked.input == "reveal":
        while True:
            cmd = _command(ui, s, _line(ui, _("Enter to reveal > ")))
            if cmd == "skip":
                return ui.skipped(s.skip())
            if cmd is None:
                break
        ui.reveal(s.reveal())
        while True:
            key = _line(ui, _("how well did you know it? 1 again · 2 hard · 3 good · 4 easy > "))
            if key in ("1", "2", "3", "4"):
                outcome = s.answer(key)
                ui.explain(outcome)
                return rate(outcome)
            if _command(ui, s, key) == "skip":
                return ui.skipped(s.skip())
            ui.note(_("press 1, 2, 3 or 4"))
    start = None
    while True:
        if asked.input == "code":
            reply = _read_code(ui, s, start)
            if reply is None:
                return ui.skipped(s.skip())
        else:
            reply = _line(ui, "> ")
            cmd = _command(ui, s, reply)
            if cmd == "skip":
                return ui.skipped(s.skip())
            if cmd == "hint" or not reply:
                continue
        try:
            outcome = s.answer(reply)
        except NotAnAnswer as e:
            ui.note(str(e))
            continue
        ui.verdict(outcome)
        if outcome.done:
            return rate(outcome)
        try:
            choice = _line(ui, _("r retries (from your last attempt) · Enter goes on · q quits > ")).lower()
        except (EOFError, KeyboardInterrupt):
            ui.plain("")  # the cursor is still on the prompt's line
            rate(s.give_up())
            raise
        if choice != "r":
            outcome = s.give_up()
            ui.explain(outcome)
            rate(outcome)
            if choice == "q":
                raise _Quit
            return
        start = reply


def _sitting(ui: ModuleType, s: Session) -> None:
    """The loop: next question, answer it, until the policy has none left, q, Ctrl-C or end of input.
    The summary is always shown; Ctrl-C exits 130."""
    rate = _rating(ui, s)
    saved, interrupted = True, False
    try:
        while True:
            asked = s.next()
            if asked is None:
                break
            ui.score_bar(s.score, asked.position)
            _answer_one(ui, s, asked, rate)
    except (_Quit, EOFError):
        pass
    except KeyboardInterrupt:
        interrupted = True
    except StoreError:
        saved = False  # the summary must not say "saved"; the error itself follows it
        raise
    finally:
        ui.summary(s.finish(saved))
    if interrupted:
        raise typer.Exit(130)


def _rating(ui: ModuleType, s: Session) -> Callable[[Outcome], None]:
    """After each answer, what the mode allows (the engine says which): show the next due time, and after
    a right answer in review, Enter keeps good (already stored), h/e re-rate, u undoes, q quits. End of
    input or Ctrl-C here keeps the stored rating."""

    def rate(outcome: Outcome) -> None:
        after = s.after(outcome)
        if after.unscheduled:
            ui.note(_("saved, but not scheduled: another review session used today's new cards"))
        result = after.schedule
        if after.rerate:
            keys = (
                _("Enter: hard (you used a hint) · u: undo · q: quit > ")
                if after.hinted
                else _("Enter: good · h: hard · e: easy · u: undo · q: quit > ")
            )
            while True:
                try:
                    choice = _line(ui, keys).lower()
                except (EOFError, KeyboardInterrupt):
                    ui.plain("")  # the cursor is still on the prompt's line
                    _scheduled(ui, result, s.clock())
                    raise
                if choice in ("", "g", "h", "e", "1", "2", "3", "4"):
                    choice = {"1": "again", "2": "h", "3": "", "4": "e"}.get(choice, choice)
                    if choice == "again":
                        ui.note(_("a right answer is rated hard at worst; press u to undo and answer again"))
                        continue
                    if choice in ("h", "e"):
                        result = s.rate(choice)
                    break
                if choice == "u" and after.undo:
                    s.undo()
                    ui.note(_("undone: the answer and its rating are taken back; it comes again now"))
                    return
                if choice == "q":
                    _scheduled(ui, result, s.clock())
                    raise _Quit
                ui.note(_("press Enter, h, e, u or q"))
        if result is not None:
            _scheduled(ui, result, s.clock())

    return rate


def _scheduled(ui: ModuleType, result: ReviewResult, now: datetime) -> None:
    from ..scheduler import LEECH_LAPSES, describe_interval

    rating = {1: _("again"), 2: _("hard"), 3: _("good"), 4: _("easy")}[int(result.log.rating)]
    ui.scheduled(
        rating,
        describe_interval(result.state.due, now),
        result.state.due,
        LEECH_LAPSES if result.became_leech else None,
    )
