"""Your data: stats and export."""

from __future__ import annotations

from pathlib import Path
from typing import List

import typer

from ..errors import QuizkitError
from .common import JsonOpt, _obj


def stats(
    ctx: typer.Context,
    bank: List[Path] | None = typer.Option(
        None, "--bank", metavar="PATH", help="Bank file or folder, for topic names (repeatable)."
    ),
    as_json: bool = JsonOpt,
):
    """Accuracy by topic, retention, streak, the due forecast and a heatmap of days studied."""
    from .. import catalog, ui
    from .. import stats as numbers
    from ..scheduler import Scheduler

    c = _obj(ctx)
    settings = c.settings()
    scheduler = Scheduler(settings.desired_retention, rollover_hour=settings.rollover_hour)
    banks, _, _ = catalog.load(bank)  # topics only: a broken bank must not hide the numbers
    topic = {q.full_id: catalog.topic_of(q) for b in banks for q in b.questions}
    with c.store() as store:
        data = numbers.compute(store, lambda qid: topic.get(qid) or qid.split("/")[0], scheduler, c.clock())
    (ui.print_json if as_json else ui.stats)(data)


def export(
    ctx: typer.Context,
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
):
    """Every stored attempt (and its review), one per line, for your own analysis or the FSRS optimizer."""
    from .. import ui
    from ..stats import EXPORT_FIELDS, export_chunks

    if fmt not in ("jsonl", "csv"):
        raise QuizkitError(f"--format must be jsonl or csv, not '{fmt}'")
    with _obj(ctx).store() as store:
        try:
            ui.export(export_chunks(store, fmt), fmt, EXPORT_FIELDS, output)
        except OSError as e:
            raise QuizkitError(f"{output or 'stdout'}: cannot write: {e.strerror}") from None
