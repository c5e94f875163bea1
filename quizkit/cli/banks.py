"""Commands about banks and answers in files: verify, check, schema, list."""

from __future__ import annotations

import time
from pathlib import Path
from typing import List

import typer

from ..errors import QuizkitError
from .common import BankOpt, DeviceOpt, JsonOpt, _load, _obj, _runner


def verify(
    ctx: typer.Context,
    paths: List[str] | None = typer.Argument(
        None,
        metavar="[PATH|NAME]...",
        help="Bank files, folders or bank names (default: the shipped banks and installed bank packages).",
    ),
    as_json: bool = JsonOpt,
    jobs: int | None = typer.Option(None, "-j", "--jobs", min=1, help="Runs in parallel (default: one per CPU)."),
    device: str = DeviceOpt,
    memory_mb: int = typer.Option(4096, help="Memory limit of each run, in MiB."),
    strict: bool = typer.Option(False, "--strict", help="A question skipped here (no GPU, a missing module) fails."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Say how runs are isolated here."),
):
    """Check banks as CI would: schema, outputs, checks, solutions pass, starters and wrong answers fail."""
    from .. import catalog, ui
    from .. import verify as checker
    from ..runner import max_workers

    banks, questions, errors = catalog.load(paths)
    if jobs is None:  # in parallel by default; a bank of a few questions needs one worker
        jobs = max(1, min(max_workers(), len(questions) // 20 or 1))
    elif jobs > max_workers():
        ui.warn(f"-j {jobs}: this machine has {max_workers()} CPUs; using {max_workers()}")
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
    bank: List[str] | None = BankOpt,
    device: str = DeviceOpt,
):
    """Run your own file against a code question's tests."""
    from .. import catalog, ui
    from ..verify import check_answer

    _, questions = _load(ui, bank)
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
                        ui.warn(f"{file}: not there (yet); waiting")
                    else:
                        try:  # a file mid-save (unreadable, half-written UTF-8) is read again on its next change
                            code = _read(file)
                        except QuizkitError as e:
                            ui.warn(f"{e}; waiting for the next save")
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
            raise QuizkitError(f"{file}: not a regular file")
        if st.st_size > MAX_ANSWER_BYTES:
            raise QuizkitError(f"{file}: larger than 1 MiB; an answer is a few lines")
        with open(file, encoding="utf-8") as f:
            return f.read(MAX_ANSWER_BYTES + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise QuizkitError(f"{file}: cannot read: {getattr(e, 'strerror', None) or e}") from None


def schema(
    path_only: bool = typer.Option(False, "--path", help="Print where the installed schema file is."),
):
    """The JSON Schema of a bank, for editors (yaml-language-server): print it, or its path."""
    from .. import schema as bank_schema
    from .. import ui

    ui.plain(str(bank_schema.PATH) if path_only else bank_schema.text().rstrip("\n"))


def list_(
    ctx: typer.Context,
    bank: List[str] | None = BankOpt,
    as_json: bool = JsonOpt,
):
    """The banks and questions: counts by type and tag, and your progress."""
    from .. import catalog, types, ui

    banks, questions = _load(ui, bank)
    if as_json:
        ui.list_json(questions, catalog.topic_of, banks)
        return
    with _obj(ctx).store() as store:
        progress = store.progress()
    ui.list_tables(banks, questions, catalog.progress_by_bank(banks, progress), catalog.main_tags(banks), types.NAMES)


def new(
    bank: str = typer.Argument(..., metavar="BANK", help="The new bank's name: BANK.yaml is written."),
    folder: Path = typer.Option(Path("."), "--dir", help="The folder to write it in."),
):
    """Start a bank: BANK.yaml with one question of each type, commented, that verify passes as it is."""
    from .. import ui
    from ..scaffold import new_bank

    path = new_bank(bank, folder)
    ui.info(f"wrote {path}: one question of each type, to edit (docs/bank-format.md is the reference)")
    ui.info(f"next: quizkit verify {path}")
