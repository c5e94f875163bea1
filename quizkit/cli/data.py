"""Your data: stats and export."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, List

import typer

from ..errors import QuizkitError
from ..i18n import _, ngettext, os_error
from .common import BankOpt, JsonOpt, LangOpt, TagOpt, TypeOpt, _load, _obj

if TYPE_CHECKING:
    from ..model import Bank
    from .common import Context


def stats(
    ctx: typer.Context,
    bank: List[str] | None = typer.Option(
        None, "--bank", metavar="PATH|NAME", help="Bank file, folder or name, for topic names (repeatable)."
    ),
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """Accuracy by topic, retention, streak, the due forecast and a heatmap of days studied."""
    from .. import catalog, ui
    from ..app import progress

    c = _obj(ctx)
    banks, _questions, _errors = catalog.load(bank)  # topics only: a broken bank must not hide the numbers
    with c.store() as store:
        data = progress.stats(c, store, banks)
    if as_json:
        ui.print_json(data)
        return
    ui.stats(data)
    ui.mock_history(data["mocks"])


def optimize(
    ctx: typer.Context,
    reset: bool = typer.Option(False, "--reset", help="Go back to FSRS's default parameters."),
    as_json: bool = JsonOpt,
    lang: str = LangOpt,
) -> None:
    """Fit FSRS's parameters to your own reviews: log loss and RMSE before and after on held-out reviews, the
    retention/workload trade-off, a suggested retention; reviews use the fitted parameters from then on."""
    from .. import ui
    from ..app import optimize as fit

    c = _obj(ctx)
    with c.store(check=True) as store:
        if reset:
            ui.optimize_reset(fit.reset(c, store))
            return
        work = fit.job(store)
        if not as_json:
            ui.note(_("fitting FSRS to your reviews…"))
        report = fit.optimize(c, store, work)
    (ui.print_json if as_json else ui.optimize_report)(report)


def export(
    ctx: typer.Context,
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv (your attempts), or anki (the questions)."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
    bank: List[str] | None = BankOpt,
    tag: List[str] | None = TagOpt,
    qtype: List[str] | None = TypeOpt,
    difficulty: str | None = typer.Option(None, metavar="LEVEL", help="anki: 3, or a range like 2-4."),
    lang: str | None = typer.Option(None, metavar="LANG", help="anki: en or zh (English where a text has no zh)."),
) -> None:
    """Every stored attempt (and its review), one per line, for your own analysis or the FSRS optimizer;
    or, with --format anki, the questions as an Anki package (one deck per bank)."""
    from .. import ui

    if fmt == "anki":
        from .. import i18n

        _export_anki(ctx, output, bank, tag, qtype, difficulty, i18n.use(lang))
        return
    if fmt not in ("jsonl", "csv"):
        raise QuizkitError(_("--format must be jsonl, csv or anki, not '{value}'").format(value=fmt))
    given = {"--bank": bank, "--tag": tag, "--type": qtype, "--difficulty": difficulty, "--lang": lang}
    if any(given.values()):
        names = ", ".join(k for k, v in given.items() if v)
        raise QuizkitError(
            _("{names}: only for --format anki (jsonl and csv export every attempt)").format(names=names)
        )
    from ..outfile import atomic, write_rows
    from ..stats import EXPORT_FIELDS, export_chunks

    c = _obj(ctx)
    if output is not None:
        _refuse_own(c, output)
    damaged: list[int] = []
    with c.store() as store:
        try:
            if output is None:
                write_rows(export_chunks(store, fmt, damaged), fmt, EXPORT_FIELDS, ui.stdout())
                _damaged(ui, damaged)
                return
            with atomic(output) as f:
                n = write_rows(export_chunks(store, fmt, damaged), fmt, EXPORT_FIELDS, f)
        except OSError as e:
            if isinstance(e, BrokenPipeError) and output is None:
                raise  # stdout's reader went away (export | head): QuizkitGroup ends quietly
            raise QuizkitError(
                _("{file}: cannot write: {error}").format(file=output or "stdout", error=os_error(e))
            ) from None
    ui.exported(n, output)
    _damaged(ui, damaged)


def _damaged(ui: ModuleType, damaged: list[int]) -> None:
    if damaged:
        ui.warn(
            ngettext(
                "{n} stored value was not UTF-8 text: exported with U+FFFD for its bad bytes (quizkit doctor "
                "names the row)",
                "{n} stored values were not UTF-8 text: exported with U+FFFD for their bad bytes (quizkit doctor "
                "names the rows)",
                len(damaged),
            ).format(n=len(damaged))
        )


def _refuse_own(c: Context, output: Path, banks: Iterable[Bank] = ()) -> None:
    """An output path that is quizkit's own (the database and its journals, the settings, the bank cache, a
    bank or a bank folder) is refused before anything is read or written."""
    from .. import packages
    from ..bank import shipped_dir
    from ..cache import cache_dir
    from ..outfile import refuse_own
    from ..store import Store

    own = [*Store.files(c.home / "quizkit.db"), c.home / "config.yaml"]
    folders = [cache_dir(), shipped_dir(), *(p.folder for p in packages.discover())]
    refuse_own(output, own, folders, [Path(b.path) for b in banks])


def _export_anki(
    ctx: typer.Context,
    output: Path | None,
    bank: list[str] | None,
    tag: list[str] | None,
    qtype: list[str] | None,
    difficulty: str | None,
    lang: str,
) -> None:
    """The questions that pass the filters (runnable here or not: a card needs no GPU) as an .apkg."""
    from .. import anki, catalog, ui

    if output is None:
        raise QuizkitError(_("--format anki writes a binary package: give a file with -o, e.g. -o quizkit.apkg"))
    banks, questions = _load(ui, bank)
    _refuse_own(_obj(ctx), output, banks)
    chosen = catalog.matching(questions, tag or (), qtype or (), difficulty, runnable=False)
    if not chosen:
        raise QuizkitError(_("no questions match those filters (quizkit list shows the tags and types)"))
    try:
        done = anki.write(banks, chosen, output, lang)
    except OSError as e:
        raise QuizkitError(_("{file}: cannot write: {error}").format(file=output, error=os_error(e))) from None
    ui.anki_written(done.notes, done.decks, output)


def doctor(
    ctx: typer.Context,
    as_json: bool = JsonOpt,
) -> None:
    """What quizkit finds here: versions, torch and CUDA, the store's integrity, bank packages. Exit 1 when
    something is broken."""
    from .. import i18n, ui
    from ..doctor import report

    if as_json:
        i18n.use("en")  # for machines: the problems in one language, whatever the interface's
    c = _obj(ctx)
    runner = c.runner_factory(1, None)
    try:
        data = report(c.home, runner)
    finally:
        runner.close()
    (ui.print_json if as_json else ui.doctor)(data)
    if not data["ok"]:
        raise typer.Exit(1)
