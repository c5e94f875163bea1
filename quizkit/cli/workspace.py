"""The workspace for code questions, as in rustlings: `show` a question, `start` it in a file that is
checked on every save, `check` a file once, `reset` it to the starter. A passing check is a right answer:
it is stored and rates the question's card in review."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, List

import typer

from ..errors import QuizkitError
from ..i18n import _, os_error
from . import complete
from .common import BankOpt, DeviceOpt, LangOpt, _load, _obj, _runner

if TYPE_CHECKING:
    from ..model import Question

WORK_DIR = Path("quizkit-work")


def show(
    ctx: typer.Context,
    question_id: str = typer.Argument(
        ..., metavar="ID", help="The question, e.g. attention/rope-apply.", autocompletion=complete.ids
    ),
    hint: bool = typer.Option(False, "--hint", help="Reveal the next hint (it lowers the rating of a pass)."),
    bank: List[str] | None = BankOpt,
    lang: str = LangOpt,
) -> None:
    """A question: its prompt, starter, the hints shown so far and your progress on it."""
    _show(ctx, question_id, hint, bank, lang, WORK_DIR)


def _show(ctx: typer.Context, question_id: str, hint: int, bank: list[str] | None, lang: str, folder: Path) -> None:
    """`show`, with the workspace file in `folder` (start shows the one it watches)."""
    from .. import catalog, types, ui
    from ..model import pick

    _banks, questions = _load(ui, bank)
    q = catalog.find(questions, question_id)
    with _obj(ctx).store() as store:
        shown = store.workspace_hints(q.full_id)
        if hint:
            if shown >= len(q.hint):
                ui.note(_("no more hints for this one") if q.hint else _("no hint for this one"))
            else:
                shown += 1
                store.set_workspace_hints(q.full_id, shown)
        everything = store.progress()  # one query serves both: this question's counts and its status
        progress = everything.get(q.full_id)
        state = catalog.status(q.full_id, everything, store.phases())
    kind = types.of(q)
    ui.show(
        q,
        kind.extra(q, lang, None),  # choices in the bank's order
        [pick(h, lang) for h in q.hint[:shown]],
        len(q.hint),
        state,
        progress,
        _work_file(folder, q) if kind.INPUT == "code" else None,
        lang,
    )


def start(
    ctx: typer.Context,
    question_id: str = typer.Argument(
        ..., metavar="ID", help="A code question, e.g. attention/rope-apply.", autocompletion=complete.ids
    ),
    folder: Path = typer.Argument(WORK_DIR, metavar="[DIR]", help="Where the file goes (./quizkit-work)."),
    bank: List[str] | None = BankOpt,
    device: str = DeviceOpt,
    lang: str = LangOpt,
) -> None:
    """Write a code question's starter to DIR/<bank>/<id>.py (kept if it is there) and check it on every
    save until Ctrl-C; a pass is stored as a right answer."""
    from .. import catalog, ui

    _banks, questions = _load(ui, bank)
    q = catalog.code_question(questions, question_id, "start")
    file = _work_file(folder, q)
    if file.exists():
        ui.note(
            _("{file}: already there, kept (quizkit reset {id} puts the starter back)").format(file=file, id=q.full_id)
        )
    else:
        _write(file, q.body.starter)
        ui.note(_("wrote the starter to {file}").format(file=file))
    _show(ctx, q.full_id, False, bank, lang, folder)
    ui.note(_("edit {file} in your editor; it is checked on every save").format(file=file))
    _check(ctx, q, file, True, device)


def reset(
    ctx: typer.Context,
    question_id: str = typer.Argument(..., metavar="ID", help="The code question.", autocompletion=complete.ids),
    folder: Path = typer.Argument(WORK_DIR, metavar="[DIR]", help="The workspace folder (./quizkit-work)."),
    bank: List[str] | None = BankOpt,
    lang: str = LangOpt,  # the interface's language (its callback installs it)
) -> None:
    """Put the starter back in the question's workspace file (the old file is kept as .bak) and hide its
    hints again."""
    from .. import catalog, ui

    _banks, questions = _load(ui, bank)
    q = catalog.code_question(questions, question_id, "reset")
    file = _work_file(folder, q)
    if file.exists():
        try:
            file.replace(file.with_suffix(".py.bak"))
        except OSError as e:
            raise QuizkitError(
                _("{file}: cannot keep a backup: {error}").format(file=file, error=os_error(e))
            ) from None
    _write(file, q.body.starter)
    with _obj(ctx).store() as store:
        store.set_workspace_hints(q.full_id, 0)
    ui.note(
        (
            _("{file}: the starter is back (your version is in .py.bak)")
            if file.with_suffix(".py.bak").exists()
            else _("{file}: the starter is back")
        ).format(file=file)
    )


def check(
    ctx: typer.Context,
    question_id: str = typer.Argument(
        ..., metavar="ID", help="The question, e.g. nn/stable-softmax.", autocompletion=complete.ids
    ),
    file: Path = typer.Argument(..., help="Your answer, a Python file."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Run again on every save, until Ctrl-C."),
    bank: List[str] | None = BankOpt,
    device: str = DeviceOpt,
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Say where the run happened (the warm worker or not)."),
    lang: str = LangOpt,  # the interface's language (its callback installs it)
) -> None:
    """Run your own file against a code question's tests; a pass is stored as a right answer."""
    from .. import catalog, ui
    from ..bank import warnings_of

    one = None if bank else catalog.load_one_for_authoring(question_id)
    if one is not None:  # the question's own bank alone, where that is sure to be what loading all would give
        for note in one[2]:
            ui.warn(note)
        q = catalog.code_question([one[1]], question_id)
    else:
        _banks, questions = _load(ui, bank, local=True)
        q = catalog.code_question(questions, question_id)
    for line in warnings_of([q]):
        ui.warn(line)
    passed = _check(ctx, q, file, watch, device, verbose)
    raise typer.Exit(0 if passed else 1)


def _check(ctx: typer.Context, q: Question, file: Path, watch: bool, device: str, verbose: bool = False) -> bool:
    """Check `file` once, or on every change until Ctrl-C; each pass goes through the engine, whose
    Workspace policy stores it. True when the last check passed."""
    from .. import ui
    from ..app.check import Checker
    from .prompt import _scheduled

    c = _obj(ctx)
    with c.store(check=True) as store, _runner(c, device, warm=not watch) as (runner, dev):
        checker = Checker(c, q, store, runner, dev)

        last = [False]  # set before anything is printed: a Ctrl-C while printing keeps the verdict

        def once(code: str) -> bool:
            outcome = checker.check(code)
            last[0] = bool(outcome.verdict.correct)
            ui.check_result(q.full_id, str(file), outcome.verdict, watch)
            if outcome.scheduled is not None:
                _scheduled(ui, outcome.scheduled, c.clock())
            if verbose:
                ui.note(_("runs: {where}").format(where=getattr(runner, "used", "local")))
            if watch:
                ui.watching()
            return last[0]

        if not watch:
            return once(_read(file))
        seen = None
        try:
            while True:
                stamp = _stamp(file)
                if stamp != seen:
                    seen = stamp
                    if stamp is None:
                        ui.warn(_("{file}: not there (yet); waiting").format(file=file))
                    else:
                        try:  # a file mid-save (unreadable, half-written UTF-8) is read again on its next change
                            code = _read(file)
                        except QuizkitError as e:
                            ui.warn(_("{error}; waiting for the next save").format(error=e))
                        else:
                            once(code)
                time.sleep(0.3)
        except KeyboardInterrupt:
            return last[0]


def _work_file(folder: Path, q: Question) -> Path:
    return folder / q.bank / f"{q.id}.py"


def _write(file: Path, text: str) -> None:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    except OSError as e:
        raise QuizkitError(_("{file}: cannot write: {error}").format(file=file, error=os_error(e))) from None


def _stamp(file: Path) -> tuple[int, int, int] | None:
    """What identifies a version of the file: an editor that writes a new file and renames it over the
    old one changes the inode even when size and mtime are the same."""
    try:
        st = file.stat()
        return (st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        return None


MAX_ANSWER_BYTES = 1 << 20


def _read(file: Path) -> str:
    """An answer file: a regular file (a FIFO or /dev/zero would never end) of at most 1 MiB."""
    import stat

    try:
        st = file.stat()
        if not stat.S_ISREG(st.st_mode):
            raise QuizkitError(_("{file}: not a regular file").format(file=file))
        if st.st_size > MAX_ANSWER_BYTES:
            raise QuizkitError(_("{file}: larger than 1 MiB; an answer is a few lines").format(file=file))
        with open(file, encoding="utf-8") as f:
            return f.read(MAX_ANSWER_BYTES + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise QuizkitError(_("{file}: cannot read: {error}").format(file=file, error=os_error(e))) from None
