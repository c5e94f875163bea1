"""What every command shares: the context made in the callback, the common options, loading banks, the runner."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

import typer

from ..app.context import App
from . import complete

if TYPE_CHECKING:
    from ..model import Bank, Question

Context = App  # what every command shares, made once in the callback (the app layer's App)


# ---- shared options ----

DEVICE_HELP = "cpu, cuda or auto (cuda where torch sees one)"
BankOpt = typer.Option(
    None,
    "--bank",
    metavar="PATH|NAME",
    help="A bank file or folder, or a bank's name (autograd); repeatable.",
    autocompletion=complete.banks,
)
TagOpt = typer.Option(
    None,
    "--tag",
    "--topic",
    metavar="TAG",
    help="Only questions with this tag (repeatable).",
    autocompletion=complete.tags,
)
TypeOpt = typer.Option(
    None, "--type", metavar="TYPE", help="flashcard, short, mcq, output or code (repeatable).",
    autocompletion=complete.qtypes,
)  # fmt: skip
DeviceOpt = typer.Option("cpu", metavar="DEVICE", help=DEVICE_HELP)
LangOpt = typer.Option(
    None,
    metavar="LANG",
    help="Language of questions and the interface: en, zh or auto (default: QUIZKIT_LANG, else the locale).",
    callback=lambda value: _lang(value),
)
JsonOpt = typer.Option(False, "--json", help="Print JSON for machines.")


def _lang(value: str | None) -> str:
    """--lang resolved (explicit > QUIZKIT_LANG > locale > en) and installed for the interface: en or zh."""
    from .. import i18n

    return i18n.use(value)


def _obj(ctx: typer.Context) -> Context:
    app: Context = ctx.obj
    return app


def _load(ui: ModuleType, paths: Sequence[str] | None, local: bool = False) -> tuple[list[Bank], list[Question]]:
    """Banks for a command that goes on without the broken ones: each broken bank is a warning, and
    nothing loaded at all is the error (exit 1). `local` (check): an installed bank with an edited copy
    here is loaded from the copy, and a warning says so (catalog.load_for_authoring)."""
    from .. import catalog

    if local:
        banks, questions, errors, notes = catalog.load_for_authoring(paths)
        for note in notes:
            ui.warn(note)
    else:
        banks, questions, errors = catalog.load(paths)
    if errors and not banks:
        for e in errors[:-1]:
            ui.warn(str(e))
        raise errors[-1]
    for e in errors:
        ui.warn(str(e))
    return banks, questions


@contextmanager
def _runner(
    c: Context,
    device: str = "cpu",
    workers: int = 1,
    memory_mb: int | None = None,
    lazy: bool = False,
    warm: bool = False,
) -> Iterator[tuple[Any, str]]:  # (the runner, untyped until runner.py is, or None; the device)
    """(runner, device): the device resolved once (cuda without a GPU is the user's error), the runner
    always closed. `lazy`: no runner until one is asked for (a flashcard drill never starts torch). `warm`: a
    one-shot command, whose runs may go to the warm worker that outlives it (closing it leaves that up)."""
    factory = c.warm_factory if warm and c.warm_factory is not None else c.runner_factory
    runner = None if lazy and device == "cpu" else factory(workers, memory_mb)
    try:
        dev = runner.resolve_device(device) if runner is not None and device != "cpu" else "cpu"
        yield runner, dev
    finally:
        if runner is not None:
            runner.close()
