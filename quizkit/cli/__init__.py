"""The command line: options, the input loop (read a key or a line, hand it to the engine), rendering calls.

It decides nothing about scoring or storage: the engine (quizkit/engine.py) and its policies do. Errors a
user can cause are caught in one place (QuizkitGroup): one line, exit 1; Ctrl-C exits 130.
"""

from __future__ import annotations

import errno
import io
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from pathlib import Path

    from typer import _click

try:  # typer 0.2x carries its own click; before, it used the click package
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover
    from click.exceptions import UsageError  # type: ignore[no-redef,assignment,unused-ignore]

from ..app.context import default_runner as _default_runner  # tests replace it here
from ..errors import QuizkitError
from ..version import __version__
from .banks import list_, new, schema, verify
from .common import Context
from .data import doctor, export, optimize, stats
from .mcp import mcp
from .mock import mock
from .prompt import _prefill  # noqa: F401  (tests reach it here)
from .room import room
from .study import drill, path, review
from .worker import worker
from .workspace import check, reset, show, start

# engine, ui (rich), yaml and the rest are imported inside the commands: `quizkit --help` stays fast.


class QuizkitGroup(TyperGroup):
    """Every command runs through here: a QuizkitError or a usage error is one line on stderr and exit 1,
    Ctrl-C is 130."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(self.commands)  # in the order registered: what a learner uses first comes first

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QuizkitError as e:
            from .. import ui

            ui.error(str(e))
            raise typer.Exit(1) from None
        except UsageError as e:  # a bad option, value or command of a command
            _usage(e, ctx.command_path)
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader of stdout went away (quizkit ... | head): nothing to say to anyone. stdout goes to
            # /dev/null so that Python's own flush at exit does not complain either.
            import os
            import sys

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(1) from None

    def make_context(
        self, info_name: str | None, args: list[str], parent: _click.Context | None = None, **extra: Any
    ) -> _click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except UsageError as e:  # a bad option of quizkit itself
            _usage(e, info_name or "quizkit")


def _usage(e: UsageError, command: str) -> NoReturn:
    """A usage error as every error a user can make: one line saying what and where, exit 1 (click printed
    three lines and exited 2)."""
    import sys

    from .. import i18n, ui
    from ..i18n import _

    args = sys.argv[1:]  # the error may come before --lang was read: its value still says the language
    for arg, after in zip(args, [*args[1:], ""]):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else after if arg == "--lang" else ""
        if value in ("en", "zh", "auto"):
            i18n.use(value)
    where = e.ctx.command_path if e.ctx else command
    problem = _click_problem(" ".join(e.format_message().split()).rstrip("."))
    ui.error(_("{command}: {problem} ({command} --help shows what it takes)").format(command=where, problem=problem))
    raise typer.Exit(1) from None


def _click_problem(problem: str) -> str:
    """click's usage messages (English whatever the locale), the common ones in the interface's language;
    any other as click wrote it."""
    import re

    from ..i18n import N_, _

    known = (
        (r"No such option: (\S+?)(?: Did you mean (\S+?)\?)?", N_("no such option: {0}")),
        (r"No such command '(.+)'", N_("no such command: {0}")),
        (r"Missing argument '(.+)'", N_("missing argument: {0}")),
        (r"Missing option '(.+)'", N_("missing option: {0}")),
        (r"Option '(.+)' requires an argument", N_("option {0} needs a value")),
        (r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)", N_("unexpected extra argument: {0}")),
        (r"Invalid value for (.+?): (.+)", N_("invalid value for {0}: {1}")),
    )
    for pattern, message in known:
        m = re.fullmatch(pattern, problem)
        if m:
            said = _(message).format(*(g for g in m.groups() if g is not None))
            if pattern.startswith("No such option") and m.group(2):
                said += _(" (did you mean {name}?)").format(name=m.group(2))
            return said
    return problem


def _typer() -> typer.Typer:
    return typer.Typer(
        cls=QuizkitGroup,
        help="PyTorch interview drills whose code answers are run for real with torch.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # plain click help: rendering it with rich imports 60 ms of Markdown machinery
    )


app = _typer()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"quizkit {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    from ..settings import data_dir, now

    if not isinstance(ctx.obj, Context):  # tests pass their own (a shared warm runner)
        home = data_dir()
        ctx.obj = Context(
            home=home, clock=now, runner_factory=_default_runner, warm_factory=lambda w=1, m=None: _warm(home, w, m)
        )


def _warm(home: Path, workers: int, memory_mb: int | None) -> Any:  # a runner (runner.py is untyped yet)
    """The warm worker where it may serve, else `_default_runner` looked up now (tests replace it)."""
    from ..app.context import warm_runner

    return warm_runner(home, workers, memory_mb, lambda w, m: _default_runner(w, m))


# Registered here, in the order `quizkit --help` lists them: what a learner uses first comes first.
_COMMANDS = (
    (drill, "drill"),
    (review, "review"),
    (mock, "mock"),
    (room, "room"),
    (show, "show"),
    (start, "start"),
    (check, "check"),
    (reset, "reset"),
    (verify, "verify"),
    (list_, "list"),
    (path, "path"),
    (stats, "stats"),
    (optimize, "optimize"),
    (export, "export"),
    (schema, "schema"),
    (new, "new"),
    (doctor, "doctor"),
    (mcp, "mcp"),
    (worker, "worker"),
)
for _fn, _name in _COMMANDS:
    app.command(_name)(_fn)


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command that `args` name, where that is all a start needs: typer builds every
    registered command's options from its signature at each start (16 ms of a 150 ms warm `check`, cProfile).
    `quizkit --help`, completion, an unknown command or an option first: the whole app."""
    import os

    if not args or os.environ.get("_QUIZKIT_COMPLETE"):
        return app
    for fn, name in _COMMANDS:
        if name == args[0]:
            one = _typer()
            one.callback()(_main)
            one.command(name)(fn)
            return one
    return app


class _ClosedStdout(io.TextIOBase):
    """sys.stdout when quizkit was started with it closed (>&-): every write is EBADF, as the closed descriptor
    would be, so a command that prints says so in one line instead of printing nowhere."""

    def write(self, s: str) -> int:
        raise OSError(errno.EBADF, "stdout is closed")

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False


_STDOUT_ERRORS = (errno.ENOSPC, errno.EBADF, errno.EIO, errno.EFBIG, errno.EDQUOT)


def main() -> None:
    import os
    import sys

    for fd, stream in ((0, sys.stdin), (1, sys.stdout)):
        if stream is None:  # started with it closed: /dev/null holds the descriptor, so that no file opened
            null = os.open(os.devnull, os.O_RDWR)  # later (an export, a worker's pipe) becomes stdin or stdout
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdin is None:  # stdin closed (<&-): nothing can be typed, as at the end of input
        sys.stdin = open(os.devnull, encoding="utf-8")
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:  # bad bytes typed or printed are replaced later, never a UnicodeError
            stream.reconfigure(errors="surrogateescape" if stream is sys.stdin else "replace")  # type: ignore[union-attr]  # caught
        except (AttributeError, ValueError):
            pass
    try:
        _app_for(sys.argv[1:])()
    except OSError as e:  # stdout cannot be written (/dev/full, closed): one line, exit 1, never a traceback
        if e.errno not in _STDOUT_ERRORS:
            raise
        from .. import ui
        from ..i18n import _, os_error

        ui.error(_("stdout: cannot write: {error}").format(error=os_error(e)))
        try:  # what is still buffered for stdout goes nowhere: Python's flush at exit must not fail again
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        except OSError:
            pass
        sys.stdout = open(os.devnull, "w")
        raise SystemExit(1) from None
