"""Commands about banks and answers in files: verify, check, schema, list."""

from __future__ import annotations

from pathlib import Path
from typing import List

import typer

from ..errors import QuizkitError
from ..i18n import _
from . import complete
from .common import BankOpt, DeviceOpt, JsonOpt, LangOpt, TagOpt, TypeOpt, _load, _obj, _runner


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
    fresh: bool = typer.Option(
        False, "--fresh", help="Run every question, also those that passed before and have not changed since."
    ),
    lang: str = LangOpt,
) -> None:
    """Check banks as CI would: schema, outputs, checks, solutions pass, starters and wrong answers fail."""
    from .. import catalog, ui
    from .. import verify as checker
    from ..bank import warnings_of
    from ..runner import max_workers
    from ..verifycache import Verified

    banks, questions, errors, notes = catalog.load_for_authoring(paths)
    for note in notes:  # an installed bank's edited copy here is what is verified
        ui.warn(note)
    links = catalog.link_errors(banks)  # the banks load; their references across banks are broken
    errors += links
    for line in warnings_of(questions):  # each also fails its question below
        ui.warn(line)
    known = Verified("cpu", memory_mb, fresh=fresh) if device == "cpu" else None
    if jobs is None:  # in parallel by default; a few questions to run need one worker
        to_run = len(questions) if known is None else checker.pending(questions, known)
        jobs = max(1, min(max_workers(), to_run // 20 or 1))
    elif jobs > max_workers():
        ui.warn(_("-j {jobs}: this machine has {cpus} CPUs; using {cpus}").format(jobs=jobs, cpus=max_workers()))
        jobs = max_workers()
    with _runner(_obj(ctx), device, jobs, memory_mb, warm=True) as (runner, dev):
        if verbose:
            ui.isolation(runner.isolation())
        known = known or Verified(dev, memory_mb, fresh=fresh)
        try:
            if as_json:  # streamed: each result is written as soon as it and those before it are in
                failed = ui.verify_json(checker.iter_verify(questions, runner, dev, jobs, None, strict, known), errors)
                if errors or failed:
                    raise typer.Exit(1)
                return
            update, stop = ui.verify_progress(len(questions))
            try:
                results = checker.verify(questions, runner, dev, jobs, update, strict, known)
            finally:
                stop()
        finally:
            known.save()  # every pass found is real, also those before a Ctrl-C
    ui.verify_table(results, errors, len(links))
    if errors or any(r.status == "fail" for r in results):
        raise typer.Exit(1)


def schema(
    path_only: bool = typer.Option(False, "--path", help="Print where the installed schema file is."),
) -> None:
    """The JSON Schema of a bank, for editors (yaml-language-server): print it, or its path."""
    from .. import schema as bank_schema
    from .. import ui

    ui.plain(str(bank_schema.PATH) if path_only else bank_schema.text().rstrip("\n"))


LIST_ALL = 200  # `list --bank X` lists X's questions too when there are at most this many


def list_(
    ctx: typer.Context,
    bank: List[str] | None = BankOpt,
    search: str | None = typer.Option(None, "--search", "-s", metavar="TEXT", help="Ids, tags or prompts with TEXT."),
    tag: List[str] | None = TagOpt,
    qtype: List[str] | None = TypeOpt,
    status: List[str] | None = typer.Option(
        None,
        "--status",
        metavar="STATUS",
        help="new, learning, review, done or missed (repeatable).",
        autocompletion=complete.statuses,
    ),
    every: bool = typer.Option(False, "--all", "-a", help="List every question, with your status."),
    lang: str = LangOpt,
    as_json: bool = JsonOpt,
) -> None:
    """The banks and their questions with your status; --search, --tag, --type, --status, --all list
    questions."""
    from .. import catalog, types, ui

    for st in status or ():
        if st not in catalog.STATUSES:
            raise QuizkitError(
                _("--status must be one of {names}, not '{value}'").format(names=", ".join(catalog.STATUSES), value=st)
            )
    banks, questions = _load(ui, bank)
    if as_json:
        ui.list_json(questions, catalog.topic_of, banks)
        return
    with _obj(ctx).store() as store:
        progress, phases = store.progress(), store.phases()
    if not (search or tag or qtype or status or every):
        ui.list_tables(
            banks, questions, catalog.progress_by_bank(banks, progress), catalog.main_tags(banks), types.NAMES
        )
        if not bank or len(questions) > LIST_ALL:
            ui.note(_("quizkit list --all (or --search TEXT, --tag, --type, --status) lists the questions"))
            return  # every question would be hundreds of lines
    chosen = catalog.matching(questions, tag or (), qtype or (), runnable=False)
    if search:
        chosen = catalog.search(chosen, search)
    rows = [(q, catalog.status(q.full_id, progress, phases)) for q in chosen]
    if status:
        rows = [(q, st) for q, st in rows if st in status]
    ui.question_list(rows, lang, _("questions (quizkit show ID · quizkit drill --id ID)"))


def new(
    bank: str = typer.Argument(..., metavar="BANK", help="The new bank's name: BANK.yaml is written."),
    folder: Path = typer.Option(Path("."), "--dir", help="The folder to write it in."),
) -> None:
    """Start a bank: BANK.yaml with one question of each type, commented, that verify passes as it is."""
    from .. import ui
    from ..scaffold import new_bank

    path = new_bank(bank, folder)
    ui.info(
        _("wrote {path}: one question of each type, to edit (docs/bank-format.md is the reference)").format(path=path)
    )
    ui.info(_("next: {command}").format(command=f"quizkit verify {path}"))
