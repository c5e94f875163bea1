"""Commands about banks and answers in files: verify, check, schema, list."""

from __future__ import annotations

import time
from pathlib import Path
from typing import List

import typer

from ..errors import QuizkitError
from ..i18n import _
from .common import BankOpt, DeviceOpt, JsonOpt, LangOpt, _load, _obj, _runner


def verify(
    ctx: typer.Context,
    paths: List[Path] | None = typer.Argument(None, help="Bank files or folders (default: the shipped banks)."),
    as_json: bool = JsonOpt,
    jobs: int | None = typer.Option(None, "-j", "--jobs", min=1, help="Runs in parallel (default: one per CPU)."),
    device: str = DeviceOpt,
    memory_mb: int = typer.Option(4096, help="Memory limit of each run, in MiB."),
    strict: bool = typer.Option(False, "--strict", help="A question skipped here (no GPU, a missing module) fails."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Say how runs are isolated here."),
    lang: str = LangOpt,
):
    """Check banks as CI would: schema, outputs, checks, solutions pass, starters and wrong answers fail."""
    from .. import catalog, ui
    from .. import verify as checker
    from ..runner import max_workers

    banks, questions, errors = catalog.load(paths)
    if jobs is None:  # in parallel by default; a bank of a few questions needs one worker
        jobs = max(1, min(max_workers(), len(questions) // 20 or 1))
    elif jobs > max_workers():
        ui.warn(_("-j {jobs}: this machine has {cpus} CPUs; using {cpus}").format(jobs=jobs, cpus=max_workers()))
        jobs = max_workers()
    with _runner(_obj(ctx), device, jobs, memory_mb) as (runner, dev):
        if verbose:
            ui.isolation(runner.isolation())
        update, stop = ui.verify_progress(len(questions)) if not as_json else ((lambda r: None), (lambda: None))
        try:
            results = checker.verify(questions, runner, dev, jobs, update, strict)
        finally:
            stop()
    (ui.verify_json if as_json else ui.verify_table)(results, errors)
    if errors or any(r.status == "fail" for r in results):
        raise typer.Exit(1)


def check(
    ctx: typer.Context,
    question_id: str = typer.Argument(..., metavar="ID", help="The question, e.g. nn/stable-softmax."),
    file: Path = typer.Argument(..., help="Your answer, a Python file."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Run again on every save, until Ctrl-C."),
    bank: List[Path] | None = BankOpt,
    device: str = DeviceOpt,
    lang: str = LangOpt,
):
    """Run your own file against a code question's tests."""
    from .. import catalog, ui
    from ..verify import check_answer

    _banks, questions = _load(ui, bank)
    q = catalog.code_question(questions, question_id)
    with _runner(_obj(ctx), device) as (runner, dev):
        if not watch:
            verdict = check_answer(q, _read(file), runner, dev)
            ui.check_result(q.full_id, str(file), verdict)
            raise typer.Exit(0 if verdict.correct else 1)
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
                            ui.check_result(q.full_id, str(file), check_answer(q, code, runner, dev), True)
                time.sleep(0.3)
        except KeyboardInterrupt:
            pass


def _stamp(file: Path):
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
        raise QuizkitError(
            _("{file}: cannot read: {error}").format(file=file, error=getattr(e, "strerror", None) or e)
        ) from None


def schema(
    path_only: bool = typer.Option(False, "--path", help="Print where the installed schema file is."),
):
    """The JSON Schema of a bank, for editors (yaml-language-server): print it, or its path."""
    from .. import schema as bank_schema
    from .. import ui

    ui.plain(str(bank_schema.PATH) if path_only else bank_schema.text().rstrip("\n"))


def list_(
    ctx: typer.Context,
    bank: List[Path] | None = BankOpt,
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
):
    """The banks and questions: counts by type and tag, and your progress."""
    from .. import catalog, types, ui

    banks, questions = _load(ui, bank)
    if as_json:
        ui.list_json(questions, catalog.topic_of)
        return
    with _obj(ctx).store() as store:
        progress = store.progress()
    ui.list_tables(banks, questions, catalog.progress_by_bank(banks, progress), catalog.main_tags(banks), types.NAMES)
