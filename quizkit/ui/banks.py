"""`quizkit list`: the banks and topics as tables, or every question as JSON."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

from ..i18n import _, shown
from ..model import Bank, Question, type_info
from .console import out


def list_json(questions: Iterable[Question], topic_of: Callable[[Question], str], banks: Sequence[Bank] = ()) -> None:
    """Every bank with where it came from, and every question with its topic, type, tags and difficulty, as
    one JSON document, written a question at a time: 100,000 questions never sit in memory twice."""
    heads = [{"id": b.id, "from": b.origin or "path", "path": b.path, "questions": len(b.questions)} for b in banks]
    write = out.file.write
    write('{"banks": ' + json.dumps(heads, ensure_ascii=False) + ', "questions": [')
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    sep = ""
    for q in questions:
        row = {"id": q.full_id, "type": q.type, "topic": topic_of(q), "tags": list(q.tags), "difficulty": q.difficulty}
        write(sep + dumps(row))
        sep = ", "
    write("]}\n")
    out.file.flush()


def list_tables(
    banks: Sequence[Bank],
    questions: Sequence[Question],
    progress_rows: list[dict[str, Any]],
    main_tags: list[str],
    TYPES: Sequence[str],
) -> None:
    table = Table(title=_("banks (quizkit drill --bank NAME)"), title_justify="left")
    table.add_column(_("bank"), no_wrap=True)
    # Where each bank came from (shipped, an installed package's name, a path given), where that says
    # something: the shipped banks alone fit 80 columns without it. A terminal too narrow for the column
    # gets a line under the table instead.
    origins = {b.origin for b in banks}
    show_from = len(origins) > 1 or bool(origins - {"shipped", ""})
    from_line = show_from and out.width < 96
    show_from = show_from and not from_line
    if show_from:
        table.add_column(_("from"), overflow="ellipsis")
    for t in TYPES:
        table.add_column(shown(type_info(t).short), justify="right", no_wrap=True)
    table.add_column(_("total"), justify="right", no_wrap=True)
    table.add_column(_("seen"), justify="right", no_wrap=True)
    table.add_column(_("right"), justify="right", no_wrap=True)  # last answer right

    def counts(qs: Iterable[Question]) -> list[str]:
        c = Counter(q.type for q in qs)
        return [str(c[t] or "") for t in TYPES]

    for b, p in zip(banks, progress_rows):
        table.add_row(
            escape(b.id),
            *([escape(b.origin or "path")] if show_from else []),
            *counts(b.questions),
            str(len(b.questions)),
            f"{p['answered']}/{p['questions']}",
            f"{p['right_last']}/{p['answered']}" if p["answered"] else "–",
        )
    table.add_section()
    answered = sum(p["answered"] for p in progress_rows)
    table.add_row(
        "[bold]{}[/]".format(_("all")),
        *([""] if show_from else []),
        *counts(questions),
        str(len(questions)),
        f"{answered}/{len(questions)}",
        f"{sum(p['right_last'] for p in progress_rows)}/{answered}" if answered else "–",
    )
    out.print(table)
    if from_line:
        installed = [f"{escape(b.id)} ({escape(b.origin or 'path')})" for b in banks if b.origin != "shipped"]
        out.print("[bold]{}[/] ".format(_("not shipped:")) + ", ".join(installed))
    _topics(questions, main_tags, TYPES)


def _topics(questions: Sequence[Question], main_tags: list[str], TYPES: Sequence[str]) -> None:
    """The topics table (how many questions each, by type), then the other tags in a line."""

    def by_type(qs: Iterable[Question]) -> str:
        counts = Counter(q.type for q in qs)
        return " · ".join(f"{counts[t]} {shown(type_info(t).short)}" for t in TYPES if counts[t])

    tags = Counter(t for q in questions for t in q.tags)
    tt = Table(title=_("topics (quizkit drill --tag NAME)"), title_justify="left")
    tt.add_column(_("tag"))
    tt.add_column(_("questions"), justify="right")
    tt.add_column(_("by type"))
    for tag in main_tags:
        if tags[tag]:
            tt.add_row(escape(tag), str(tags[tag]), by_type([q for q in questions if tag in q.tags]))
    out.print(tt)
    rest = [f"{escape(t)} {n}" for t, n in tags.most_common() if t not in main_tags]
    if rest:
        out.print("[bold]{}[/] ".format(_("other tags:")) + ", ".join(rest), soft_wrap=False)
