"""The command line: parses options, calls session and ui. Each command is a few lines."""
from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import List, Optional

import typer

from .errors import QuizkitError

# session and ui (yaml, rich tables) are imported inside the commands: `quizkit --help` stays fast.

app = typer.Typer(
    help="PyTorch interview drills whose code answers are run for real with torch.",
    no_args_is_help=True, add_completion=True, pretty_exceptions_enable=False,
)

DEVICE_HELP = "cpu, cuda or auto (cuda where torch sees one)"


def friendly(fn):
    """A QuizkitError becomes one line on stderr and exit status 1."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except QuizkitError as e:
            from . import ui
            ui.error(str(e))
            raise typer.Exit(1) from None
    return wrapper


def _runner(workers=1, memory_mb=None):
    from .runner import DEFAULT_MEMORY_MB, Runner
    return Runner(workers=workers, memory_mb=memory_mb or DEFAULT_MEMORY_MB)


@app.command()
@friendly
def verify(
    paths: Optional[List[Path]] = typer.Argument(None, help="Bank files or folders (default: the shipped banks)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
    jobs: int = typer.Option(1, "-j", "--jobs", min=1, help="Runs in parallel."),
    device: str = typer.Option("cpu", help=DEVICE_HELP),
    memory_mb: int = typer.Option(4096, help="Memory limit of each run, in MiB."),
):
    """Check banks as CI would: schema, outputs, checks, solutions pass and starters fail."""
    from . import session, ui
    banks, questions, errors = session.load(paths)
    with _runner(jobs, memory_mb) as runner:
        dev = runner.resolve_device(device) if device != "cpu" else "cpu"
        update, stop = ui.verify_progress() if not as_json else ((lambda r: None), (lambda: None))
        try:
            results = session.verify(questions, runner, dev, jobs, update)
        finally:
            stop()
    (ui.verify_json if as_json else ui.verify_table)(results, errors)
    if errors or any(r.status == "fail" for r in results):
        raise typer.Exit(1)


@app.command()
@friendly
def check(
    question_id: str = typer.Argument(..., metavar="ID", help="The question, e.g. nn/stable-softmax."),
    file: Path = typer.Argument(..., help="Your answer, a Python file."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Run again on every save, until Ctrl-C."),
    bank: Optional[List[Path]] = typer.Option(None, "--bank", help="Bank file or folder (repeatable)."),
    device: str = typer.Option("cpu", help=DEVICE_HELP),
):
    """Run your own file against a code question's tests."""
    from . import session, ui
    _, questions, errors = session.load(bank)
    for e in errors:
        ui.warn(str(e))
    q = session.code_question(questions, question_id)
    with _runner() as runner:
        dev = runner.resolve_device(device)
        if not watch:
            verdict = session.check_answer(q, _read(file), runner, dev)
            ui.check_result(q.full_id, str(file), verdict)
            raise typer.Exit(0 if verdict.correct else 1)
        seen = None
        try:
            while True:
                stamp = _stamp(file)
                if stamp != seen:
                    seen = stamp
                    if stamp is None:
                        ui.warn(f"{file}: not there (yet); waiting")
                    else:
                        ui.check_result(q.full_id, str(file), session.check_answer(q, _read(file), runner, dev), True)
                time.sleep(0.3)
        except KeyboardInterrupt:
            pass


def _stamp(file: Path):
    try:
        st = file.stat()
        return (st.st_mtime_ns, st.st_size)
    except OSError:
        return None


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise QuizkitError(f"{file}: cannot read: {getattr(e, 'strerror', None) or e}") from None


def main():
    app()
