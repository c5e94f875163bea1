"""Rendering with rich: the only module that prints. It decides nothing."""

from __future__ import annotations

import json
import os

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape

from .i18n import N_, _, ngettext, shown
from .model import pick, type_info

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def Table(*args, **kwargs):  # noqa: N802  (rich's class, imported on first use: 3.4 ms a `check` never needs)
    from rich.table import Table as RichTable

    return RichTable(*args, **kwargs)


STATUS_STYLE = {"pass": "green", "fail": "bold red", "skip": "yellow"}


def error(message: str):
    """One plain line on stderr: what and where. Never a traceback."""
    err.print("[bold red]{}[/] {}".format(_("error:"), escape(message)), soft_wrap=True)


def warn(message: str):
    err.print("[yellow]{}[/] {}".format(_("warning:"), escape(message)), soft_wrap=True)


def info(message: str):
    out.print(escape(message), soft_wrap=True)


def aside(message: str):
    """A line for the person beside output meant for a machine (stdout stays that output alone)."""
    err.print(escape(message), soft_wrap=True)


def plain(text: str):
    """Text exactly as given, for machines and pipes (no markup, no wrapping)."""
    out.file.write(text + "\n")
    out.file.flush()


def print_json(data):
    """Plain JSON on stdout for machines: no colour, no wrapping."""
    out.file.write(json.dumps(data, ensure_ascii=False, indent=None) + "\n")
    out.file.flush()


# ---- verify ----


PROGRESS_AFTER = 1.0  # seconds: a verify that ends sooner shows no bar


def verify_progress(total: int):
    """A progress bar on stderr while verify runs (only on a terminal), shown once the run has taken
    PROGRESS_AFTER seconds even while nothing has ended yet (torch importing, one long question) and
    refreshed on its own from then on; returns (update(result), stop())."""
    import threading

    if not err.is_terminal:
        return (lambda r: None), (lambda: None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn(_("verifying")), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True
    )
    task = progress.add_task("verify", total=total)
    lock = threading.Lock()
    state = {"shown": False, "stopped": False}

    def show():
        with lock:
            if not state["stopped"]:
                state["shown"] = True
                progress.start()

    timer = threading.Timer(PROGRESS_AFTER, show)
    timer.daemon = True
    timer.start()

    def update(_result):
        with lock:
            progress.advance(task)

    def stop():
        timer.cancel()
        with lock:
            state["stopped"] = True
            if state["shown"]:
                progress.stop()

    return update, stop


def verify_table(results, errors, links=0):
    table = Table(title="quizkit verify", title_justify="left", expand=False)
    table.add_column(_("question"), overflow="fold")
    table.add_column(_("type"))
    table.add_column(_("verdict"))
    table.add_column(_("reason"), overflow="fold", ratio=1)
    table.add_column(_("time"), justify="right")
    for r in results:
        style = STATUS_STYLE[r.status]
        reason = f"{os.path.basename(r.path)}:{r.line}: {r.reason}" if r.status == "fail" and r.path else r.reason
        took = _("remembered") if r.cached else f"{r.seconds:.2f}s"
        table.add_row(escape(r.id), _type(r.type), f"[{style}]{_status(r.status)}[/]", escape(reason), took)
    out.print(table)
    for e in errors:
        error(str(e))
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "skip")}
    line = _("{passed} passed, {failed} failed, {skipped} skipped").format(
        passed=counts["pass"], failed=counts["fail"], skipped=counts["skip"]
    )
    refused = len({getattr(e, "path", "") for e in errors[: len(errors) - links]})
    if refused:
        line += ngettext("; {n} bank refused", "; {n} banks refused", refused).format(n=refused)
    if links:
        line += ngettext("; {n} error across banks", "; {n} errors across banks", links).format(n=links)
    ok = not counts["fail"] and not errors
    out.print(f"[{'green' if ok else 'bold red'}]{line}[/]")
    cached = sum(r.cached for r in results)
    if cached:
        note(
            ngettext(
                "{n} pass is remembered: the question passed before and nothing it depends on has changed "
                "(verify --fresh runs it again)",
                "{n} passes are remembered: the questions passed before and nothing they depend on has changed "
                "(verify --fresh runs them again)",
                cached,
            ).format(n=cached)
        )


def _status(status: str) -> str:
    """A verdict of verify as shown: pass, fail or skip."""
    return {"pass": _("pass"), "fail": _("fail"), "skip": _("skip")}.get(status, status)


def _type(qtype: str) -> str:
    """A question type as shown."""
    return shown(type_info(qtype).label)


def isolation(info: dict):
    """How runs are contained, one line each (stderr, so --json output stays clean)."""
    for key, value in info.items():
        err.print(f"[dim]{escape(key)}:[/] {escape(str(value))}", soft_wrap=True)


def verify_json(results, errors) -> int:
    """One JSON document, written a result at a time as `results` yields them (a long verify shows its
    progress to a pipe, and holds no more than one result). Returns how many failed."""
    write = out.file.write
    write('{"results": [')
    counts = {"pass": 0, "fail": 0, "skip": 0}
    cached = 0
    sep = ""
    for r in results:
        row = {"id": r.id, "type": r.type, "status": r.status, "reason": r.reason, "seconds": r.seconds,
               "path": r.path, "line": r.line, "cached": r.cached}  # fmt: skip
        write(sep + json.dumps(row, ensure_ascii=False))
        out.file.flush()
        sep = ", "
        counts[r.status] += 1
        cached += r.cached
    problems = [{"path": getattr(e, "path", ""), "line": getattr(e, "line", 0), "message": str(e)} for e in errors]
    tail = {"passed": counts["pass"], "failed": counts["fail"], "skipped": counts["skip"], "cached": cached,
            "errors": problems}  # fmt: skip
    write("], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n")
    out.file.flush()
    return counts["fail"]


# ---- check ----


def check_result(q_id: str, path: str, verdict, watching=False):
    stamp = ""
    if watching:
        import datetime

        stamp = datetime.datetime.now().strftime("%H:%M:%S ")
    if verdict.correct:
        t = _("{id}: {path} passes the tests in {ms} ms") if verdict.run else _("{id}: {path} passes the tests")
        ms = f"{verdict.run.seconds * 1000:.0f}" if verdict.run else ""
        out.print(stamp + "[bold green]{}[/] ".format(_("PASS")) + t.format(id=escape(q_id), path=escape(path), ms=ms))
    else:
        out.print(stamp + "[bold red]{}[/] {}".format(_("FAIL"), escape(q_id)))
        run_failure(verdict)


def watching():
    out.print("[dim]{}[/]".format(_("watching for changes; Ctrl-C to stop")))


def run_failure(verdict):
    """The failing line of a code answer, then its error, then what it printed."""
    run = verdict.run
    if run is None or run.ok:
        out.print(f"  {escape(verdict.detail)}", soft_wrap=True)
        return
    if run.where:
        out.print(f"  [bold]{escape(_where(run.where))}[/]" + (f": [cyan]{escape(run.line)}[/]" if run.line else ""))
    out.print(f"  [red]{escape(_lines(run.error or run.status, 12))}[/]", soft_wrap=True)
    if run.stdout.strip():
        out.print("  [dim]{}[/]".format(_("it printed:")))
        out.print(escape(_lines(run.stdout.rstrip()[-2000:], 30, tail=True)), soft_wrap=True)


# The pieces of a code answer's run, as the worker names them in "tests line 3"
PIECES = {"setup": N_("setup"), "answer": N_("answer"), "tests": N_("tests")}


def _where(where: str) -> str:
    """Where a run failed ("tests line 3", from the worker) in the interface's language."""
    piece, sep, n = where.partition(" line ")
    if not sep or piece not in PIECES:
        return where
    # TRANSLATORS: where a code answer's run failed, e.g. "tests line 3"; {piece} is setup, answer or tests
    return _("{piece} line {n}").format(piece=_(PIECES[piece]), n=n)


def _lines(text: str, most: int, tail: bool = False) -> str:
    """At most `most` lines of `text` (the last ones with `tail`), saying how many were left out."""
    rows = text.split("\n")
    if len(rows) <= most:
        return text
    cut = len(rows) - most
    kept = rows[-most:] if tail else rows[:most]
    note = ngettext("… {n} more line", "… {n} more lines", cut).format(n=cut)
    return "\n".join([note, *kept] if tail else [*kept, note])


# ---- drill and review ----


_MARKDOWN = set("`*_#[]<>|~\\\n")


def _md(text: str):
    """Markdown, rendered; one plain line with none of its syntax is shown as it is (rich.markdown and its
    parser cost 30 ms to import, a sixth of a drill's start)."""
    if _MARKDOWN.isdisjoint(text) and not text.lstrip()[:1].isdigit() and not text.lstrip().startswith(("- ", "+ ")):
        from rich.text import Text

        return Text(text)
    from rich.markdown import Markdown

    return Markdown(text, code_theme="monokai", inline_code_theme="monokai")


def _inline(text: str) -> str:
    """Choices are one line: `code` spans get a colour instead of a Markdown block."""
    import re

    return re.sub(r"`([^`]+)`", r"[cyan]\1[/]", escape(text))


def _code(code: str):
    from rich.syntax import Syntax

    return Syntax(code.rstrip("\n"), "python", theme="monokai", line_numbers=False, word_wrap=True)


def score_bar(score, position: str = ""):
    """The running score, shown above every question."""
    out.print()
    topics = "  ".join(f"{escape(t)} {r}/{r + w}" for t, (r, w, _) in score.topics.items() if r + w)
    out.print(
        f"[dim]{position}[/]  [green]✓ {score.right}[/]  [red]✗ {score.wrong}[/]  [yellow]↷ {score.skipped}[/]"
        + "  {} [bold]{}[/]".format(_("streak"), score.streak)
        + (f"   [dim]{topics}[/]" if topics else ""),
        soft_wrap=True,
    )


def blocks(items):
    """Render the engine's display blocks: ("md", text), ("code", text), ("choices", [(letter, text)]),
    ("answer", text)."""
    parts = []
    for kind, value in items:
        if kind == "md":
            parts.append(_md(value))
        elif kind == "code":
            parts.append(_code(value))
        elif kind == "choices":
            parts.append("\n".join(f"[bold]{letter})[/] {_inline(text)}" for letter, text in value))
        elif kind == "answer":
            parts.append("  {} {}".format(_("answer:"), _inline(value)))
    return parts


_KEYS = {
    "reveal": N_("Enter reveals the answer · ? hint · s skip · q quit"),
    "line": N_("type your answer · ? hint · s skip · q quit"),
    "choice": N_("letter(s), e.g. b or a,c · ? hint · s skip · q quit"),
    "code": N_("paste or type your code, end with a line holding only . · ? hint · s skip · q quit"),
}


def _panel(q, extra, lang, position=""):
    """A question's prompt and blocks in a panel titled with its id, type and level (and position)."""
    from rich.console import Group
    from rich.panel import Panel

    parts = [_md(pick(q.prompt, lang)), *blocks(extra)]
    stars = "★" * q.difficulty + "☆" * (5 - q.difficulty)
    title = f"{escape(q.full_id)} · {_type(q.type)} · [yellow]{stars}[/]"
    if position:
        title = f"{escape(f'[{position}]')} {title}"
    out.print(Panel(Group(*parts), title=title, title_align="left", border_style="blue"))


def _hint_label(number: int, total: int) -> str:
    return _("hint {number}/{total}:").format(number=number, total=total) if total > 1 else _("hint:")


def question(asked, lang):
    q = asked.question
    _panel(q, asked.extra, lang, asked.position)
    own = type_info(q.type).keys
    keys = shown(own) if own else _(_KEYS[asked.input])
    out.print(f"[dim]{keys}[/]")


def ask(prompt: str = "> ") -> str:
    """One line from the learner. EOFError and KeyboardInterrupt reach the caller.
    From a pipe the line is echoed, so a scripted session reads like a typed one."""
    import sys

    text = out.input(f"[bold cyan]{escape(prompt)}[/]")
    if not sys.stdin.isatty():  # echoed, cut: a pasted megabyte is stored whole but not printed back whole
        out.print(escape(text if len(text) <= 300 else text[:300] + " …"), highlight=False)
    return text


def hint(h):
    if not h.text:
        out.print("[dim]{}[/]".format(_("no hint for this one")))
        return
    label = _hint_label(h.number, h.total)
    more = " [dim]{}[/]".format(_("(the last one)")) if h.total > 1 and h.number == h.total else ""
    out.print(f"[yellow]{label}[/] {escape(h.text)}{more}")


def note(text: str):
    out.print(f"[dim]{escape(text)}[/]")


def worker_status(info: dict | None, idle: float, where: str):
    """`quizkit worker status`: the warm worker's pid, age, runs and idle limit, or that there is none."""
    if idle <= 0:
        out.print(
            escape(
                _(
                    "the warm worker is off (QUIZKIT_WORKER_IDLE=0 or worker_idle_minutes: 0): every command starts its own"
                )
            )
        )
        return
    if info is None:
        out.print(escape(_("no warm worker running; the next check starts one ({socket})").format(socket=where)))
        return
    import time

    line = _(
        "warm worker: pid {pid}, up {minutes} min, runs served: {runs}, on torch {torch}, stops after {idle} min idle"
    ).format(
        pid=info.get("pid"),
        minutes=round((time.time() - float(info.get("started") or time.time())) / 60, 1),
        runs=info.get("runs"),
        torch=info.get("torch") or "-",
        idle=round(float(info.get("idle") or 0) / 60, 1),
    )
    out.print(escape(line), soft_wrap=True)
    out.print(escape(_("socket: {socket}").format(socket=info.get("socket") or where)), soft_wrap=True)


def worker_stopped(pid: int | None):
    if pid is None:
        out.print(escape(_("no warm worker running")))
    else:
        out.print(escape(_("stopped the warm worker (pid {pid})").format(pid=pid)))


def worker_refused(why: str):
    out.print(escape(_("the warm worker is not used: {why}; runs are local").format(why=why)), soft_wrap=True)


def reveal(items):
    from rich.console import Group
    from rich.panel import Panel

    out.print(Panel(Group(*blocks(items)), title=_("answer"), title_align="left", border_style="cyan"))


def _why(outcome):
    if outcome.explanation:
        out.print(_md("**{}** {}".format(_("Why:"), outcome.explanation)))
    if outcome.source:
        out.print("[dim]{} {}[/]".format(_("source:"), escape(outcome.source)), overflow="fold")


def skipped(outcome):
    out.print("[yellow]↷ {}[/]".format(_("skipped")))
    for part in blocks(outcome.solution):
        out.print(part)
    _why(outcome)


def verdict(outcome):
    """The verdict on one answer; the explanation only once the learner is done (not before a retry)."""
    v = outcome.verdict
    q = outcome.question
    info = type_info(q.type)
    if v.correct:
        out.print("[bold green]✓ {}[/]".format(_("right")) + (f" [dim]({escape(v.detail)})[/]" if v.detail else ""))
    else:
        out.print("[bold red]✗ {}[/]".format(_("wrong")))
        if info.shows_run:
            run_failure(v)
    if info.solution_on_verdict:
        for part in blocks(outcome.solution):
            out.print(part)
    for text in v.notes:
        out.print(f"[dim]  {escape(text)}[/]", soft_wrap=True)
    if info.shows_run and v.correct and v.run:
        out.print("[dim]  {}[/]".format(_("tests passed in {ms} ms").format(ms=f"{v.run.seconds * 1000:.0f}")))
    if v.correct and outcome.first_correct is False:
        out.print("[dim]{}[/]".format(_("passed on a retry; the score keeps the first try")))
    if outcome.done:
        _why(outcome)


def explain(outcome):
    """The explanation and source, when the learner is done with a question."""
    _why(outcome)


def summary(summary):
    score, title, saved = summary.score, summary.title, summary.saved
    if summary.report is not None:
        mock_report(summary.report)
        return
    out.print()
    if not (score.answered or score.skipped):
        out.print("[dim]{}[/]".format(_("nothing answered this time")))
        return
    table = Table(title=_(title), title_justify="left")
    table.add_column(_("topic"))
    table.add_column(_("right"), justify="right", style="green")
    table.add_column(_("wrong"), justify="right", style="red")
    table.add_column(_("skipped"), justify="right", style="yellow")
    table.add_column(_("accuracy"), justify="right")
    for topic, (r, w, s) in sorted(score.topics.items()):
        table.add_row(escape(topic), str(r), str(w), str(s), f"{r / (r + w):.0%}" if r + w else "–")
    total = score.answered
    table.add_section()
    table.add_row(
        "[bold]{}[/]".format(_("all")),
        str(score.right),
        str(score.wrong),
        str(score.skipped),
        f"[bold]{score.right / total:.0%}[/]" if total else "–",
    )
    out.print(table)
    if saved:
        out.print(_("best streak {n}. Every answer is saved.").format(n=score.best_streak))
    else:
        out.print(
            _(
                "best streak {n}. {bold}The last answer could not be saved{end} (see below); those before it are."
            ).format(n=score.best_streak, bold="[bold red]", end="[/]")
        )


# ---- list and export ----


def list_json(questions, topic_of, banks=()):
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


def list_tables(banks, questions, progress_rows, main_tags, TYPES):
    from collections import Counter

    def by_type(qs):
        counts = Counter(q.type for q in qs)
        return " · ".join(f"{counts[t]} {shown(type_info(t).short)}" for t in TYPES if counts[t])

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

    def counts(qs):
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


def export(chunks, fmt, fields, f=None) -> int:
    """Chunks of rows written as they come (constant memory at any size): JSON Lines (each chunk a list of
    whole lines) or CSV (each a list of tuples, after a header of `fields`), to the open text file `f` (the
    caller's temporary file, renamed into place once whole) or stdout. Returns the rows written."""
    import csv

    f = f or out.file
    n = 0
    if fmt == "jsonl":
        for lines in chunks:
            f.writelines(lines)
            n += len(lines)
    else:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(fields)
        for rows in chunks:
            w.writerows(rows)
            n += len(rows)
    f.flush()
    return n


def exported(n: int, path) -> None:
    err.print(
        ngettext("wrote {n} attempt to {path}", "wrote {n} attempts to {path}", n).format(n=n, path=escape(str(path)))
    )


def anki_written(notes: int, decks: int, path):
    in_decks = ngettext("{n} deck", "{n} decks", decks).format(n=decks)
    err.print(
        ngettext("wrote {n} note in {decks} to {path}", "wrote {n} notes in {decks} to {path}", notes).format(
            n=notes, decks=in_decks, path=escape(str(path))
        ),
        soft_wrap=True,
    )


# ---- review ----


def _local(when) -> str:
    # TRANSLATORS: a strftime format; the names of %a and %b are English whatever the language
    return when.astimezone().strftime(_("%a %d %b %H:%M"))


def review_plan(plan, settings, next_due_text):
    """`next_due_text`: when the next card is due, in words (the caller asks the scheduler)."""
    if not plan.due and not plan.new:
        line = "[green]{}[/]".format(_("Nothing is due now."))
        if plan.next_due:
            line += _(" The next card is due {when} ({date}).").format(when=next_due_text, date=_local(plan.next_due))
        if plan.new_done >= settings.new_per_day:
            line += _(" Today's {n} new questions are done.").format(n=settings.new_per_day)
        out.print(line)
        return
    out.print(
        _("{due} due · {new} new").format(due=f"[bold]{len(plan.due)}[/]", new=f"[bold]{len(plan.new)}[/]") + "  "
        "[dim]("
        + _("today so far: {new_done}/{new_limit} new, {reviews_done}/{review_limit} reviews").format(
            new_done=plan.new_done,
            new_limit=settings.new_per_day,
            reviews_done=plan.reviews_done,
            review_limit=settings.reviews_per_day,
        )
        + (
            ngettext("; {n} leech suspended", "; {n} leeches suspended", plan.leeches).format(n=plan.leeches)
            if plan.leeches
            else ""
        )
        + ")[/]"
    )


def scheduled(rating: str, interval: str, due, leech_after: int | None = None):
    """A review's rating and when the card comes back; `leech_after`: the lapses that made it a leech."""
    out.print(
        "[magenta]{}[/] → {}  [dim]({})[/]".format(_("rated {rating}").format(rating=rating), interval, _local(due))
    )
    if leech_after:
        out.print(
            "[bold yellow]{}[/] ".format(_("leech:"))
            + _(
                "forgotten {n} times; tagged leech and suspended from review "
                "(it stays in drill; rewrite the card in your own words, then drill it)"
            ).format(n=leech_after)
        )


# ---- stats ----


def stats(data):
    from datetime import date, timedelta

    from rich.columns import Columns
    from rich.panel import Panel

    t = data["today"]
    tot = data["total"]
    out.print(
        Panel(
            _("today ({date}): {answered} answered, {right} right · {reviews} reviews, {new} new").format(
                date=t["date"],
                answered=f"[bold]{t['attempts']}[/]",
                right=f"[green]{t['right']}[/]",
                reviews=t["reviews"],
                new=t["new"],
            )
            + "\n"
            + ngettext("streak: {n} day", "streak: {n} days", data["streak"]).format(n=f"[bold]{data['streak']}[/]")
            + " · "
            + _("all time: {answers} answers, {seen} questions seen, {cards} in review").format(
                answers=tot["attempts"], seen=tot["questions_seen"], cards=tot["cards"]
            )
            + (", [yellow]{}[/]".format(_("{n} leeches").format(n=tot["leeches"])) if tot["leeches"] else "")
            + ("\n" + fsrs_in_force(data["fsrs"]) if "fsrs" in data else ""),
            title="quizkit stats",
            title_align="left",
        )
    )

    topics = Table(title=_("accuracy by topic"), title_justify="left")
    for col, just in ((_("topic"), "left"), (_("answers"), "right"), (_("right"), "right"), (_("accuracy"), "right")):
        topics.add_column(col, justify=just)
    for name, row in data["topics"].items():
        topics.add_row(escape(name), str(row["attempts"]), str(row["right"]), _pct(row["accuracy"]))
    retention = Table(title=_("true retention by month"), title_justify="left")
    for col in (_("month"), _("reviews"), _("right"), _("retention")):
        retention.add_column(col, justify="left" if col == _("month") else "right")
    for month, row in data["retention"].items():
        retention.add_row(month, str(row["reviews"]), str(row["right"]), _pct(row["retention"]))
    if not data["retention"]:
        retention.add_row("[dim]{}[/]".format(_("none yet")), "", "", "")
    out.print(Columns([topics, retention], padding=(0, 4)))

    title = _("due in the next 14 days")
    # as wide as its title: with nothing due the bars are empty and a narrower table wrapped the title
    forecast = Table(title=title, title_justify="left", show_header=False, box=None, min_width=cell_len(title))
    forecast.add_column("day")
    forecast.add_column("bar")
    forecast.add_column("n", justify="right")
    peak = max((f["due"] for f in data["forecast"]), default=0) or 1
    for f in data["forecast"]:
        d = date.fromisoformat(f["date"])
        bar = "█" * round(30 * f["due"] / peak) if f["due"] else "[dim]·[/]"
        forecast.add_row(d.strftime(_("%a %d %b")), f"[cyan]{bar}[/]", str(f["due"]))
    out.print(forecast)

    start = date.fromisoformat(data["heatmap"]["start"])
    days = {date.fromisoformat(k): n for k, n in data["heatmap"]["days"].items()}
    top = max(days.values(), default=0) or 1
    # a glyph per level as well as a colour, so NO_COLOR terminals show it too
    shades = [("grey30", "·"), ("green4", "░"), ("green3", "▒"), ("green1", "▓"), ("bold bright_green", "█")]
    heat = Table(
        title=_("days studied (last 20 weeks)"), title_justify="left", show_header=False, box=None, padding=(0, 0)
    )
    heat.add_column("")
    for _week in range(20):
        heat.add_column("")
    today = date.fromisoformat(t["date"])
    names = (_("Mon"), "", _("Wed"), "", _("Fri"), "", _("Sun"))
    width = max(4, 1 + max(cell_len(n) for n in names))  # "Mon " as before; "周一 " (CJK is two cells wide)
    for weekday, name in enumerate(names):
        cells = []
        for week in range(20):
            d = start + timedelta(weeks=week, days=weekday)
            if d > today:
                cells.append(" ")
                continue
            n = days.get(d, 0)
            level = 0 if not n else 1 + min(3, int(3 * n / top))
            style, glyph = shades[level]
            cells.append(f"[{style}]{glyph}[/] ")
        heat.add_row(name + " " * (width - cell_len(name)), *cells)
    out.print(heat)
    out.print(
        "    "
        + "  ".join(f"[{style}]{glyph}[/]" for style, glyph in shades)
        + "  [dim]{}[/]".format(_("none → most answers in a day"))
    )


def fsrs_in_force(p: dict) -> str:
    """The FSRS parameters in force, in words (stats)."""
    if not p["fitted"]:
        return _("FSRS parameters: the defaults (quizkit optimize fits them to your reviews)")
    return _("FSRS parameters: fitted on {n} reviews on {date}").format(n=p["reviews"], date=p["fitted"][:10])


def optimize_report(r: dict):
    before = _("fitted before") if r["was"] == "fitted" else _("defaults")
    t = Table(
        title=_("{n} held-out reviews ({cards} cards kept out of the fit)").format(
            n=r["held_out"], cards=r["held_out_cards"]
        ),
        title_justify="left",
    )
    t.add_column(_("measure"))
    t.add_column(before, justify="right")
    t.add_column(_("fitted now"), justify="right")
    for key, name in (("log_loss", _("log loss")), ("rmse", _("RMSE (calibration, 20 bins)"))):
        a, b = r["before"][key], r["after"][key]
        t.add_row(name, "-" if a is None else f"{a:.4f}", "-" if b is None else f"[bold]{b:.4f}[/]")
    out.print(t)
    trade = Table(title=_("retention and workload (1000 new cards in a year, simulated)"), title_justify="left")
    for col in (
        _("retention"),
        _("reviews a day"),
        _("minutes a day"),
        _("cards remembered"),
        _("minutes per card remembered"),
    ):
        trade.add_column(col, justify="right")
    for row in r["tradeoff"]:
        mark = "[bold]{}[/]" if row["retention"] == r["suggested"] else "{}"
        trade.add_row(mark.format(f"{row['retention']:.2f}"), str(row["reviews_per_day"]), str(row["minutes_per_day"]),
                      str(row["remembered"]), str(row["minutes_per_remembered"]))  # fmt: skip
    out.print(trade)
    if r["suggested"] is not None:
        out.print(
            _("suggested retention: {r:.2f} (the least time per card remembered, as py-fsrs picks it); desired_retention in config.yaml sets it")
            .format(r=r["suggested"])
        )  # fmt: skip
    if r["stored"]:
        out.print("[green]{}[/]".format(
            _("saved: parameters fitted on {n} reviews; review uses them from now on (quizkit optimize --reset: the defaults)")
            .format(n=r["reviews"])
        ))  # fmt: skip
    else:
        out.print(
            "[yellow]{}[/]".format(
                _("not saved: the fit predicts held-out reviews no better than the parameters in force")
            )
        )


def optimize_reset(done: bool):
    out.print(_("FSRS parameters: back to the defaults") if done else _("FSRS parameters: the defaults already"))


def optimize_suggestion(reviews: int):
    out.print("[dim]{}[/]".format(
        _("{n} reviews since FSRS was last fitted to you: quizkit optimize may schedule you better").format(n=reviews)
    ))  # fmt: skip


def _pct(x):
    return f"{x:.0%}"


# ---- finding questions, learning paths, the workspace ----

STATE_STYLE = {
    "new": "dim",
    "learning": "yellow",
    "review": "cyan",
    "done": "green",
    "missed": "bold red",
    "next": "bold yellow",
    "locked": "dim",
}
# How a status (catalog.STATUSES) or a path step's state is shown; stored and --status values stay English.
STATE_NAMES = {
    "new": N_("new"),
    "learning": N_("learning"),
    "review": N_("review"),
    "done": N_("done"),
    "missed": N_("missed"),
    "next": N_("next"),
    "locked": N_("locked"),
}


def _state(state: str) -> str:
    """A status or a step's state as shown, in its colour."""
    return f"[{STATE_STYLE[state]}]{_(STATE_NAMES[state])}[/]"


def _first_line(text: str, width: int = 70) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def question_list(rows, lang, title):
    """rows: [(question, status)]."""

    # Fixed widths: rich would squeeze the short columns to nothing to fit long prompts.
    lvl = _("lvl")
    lw = max(3, cell_len(lvl))  # 难度 is four cells
    tw = max((cell_len(_type(q.type)) for q, _st in rows), default=4)
    sw = max(cell_len(_(name)) for name in STATE_NAMES.values())
    idw = min(max((len(q.full_id) for q, _ in rows), default=2), 40, max(10, out.width - 16 - tw - lw - sw - 16))
    qw = max(12, out.width - 16 - idw - tw - lw - sw)
    table = Table(title=title, title_justify="left")
    table.add_column(_("id"), width=idw, overflow="fold")
    table.add_column(_("type"), width=tw, no_wrap=True)
    table.add_column(lvl, justify="right", width=lw)
    table.add_column(_("status"), width=sw, no_wrap=True)
    table.add_column(_("question"), width=qw, no_wrap=True, overflow="ellipsis")
    for q, state in rows:
        table.add_row(
            escape(q.full_id),
            _type(q.type),
            str(q.difficulty),
            _state(state),
            escape(_first_line(pick(q.prompt, lang), qw)),
        )
    out.print(table)
    counts = {s: sum(1 for _, st in rows if st == s) for s in STATE_STYLE}
    # TRANSLATORS: a count of questions in one status, e.g. "2 new"
    shown = " · ".join(_("{n} {status}").format(n=n, status=_(STATE_NAMES[s])) for s, n in counts.items() if n)
    if rows:
        out.print(
            ngettext("{n} question: {counts}", "{n} questions: {counts}", len(rows)).format(n=len(rows), counts=shown)
        )
    else:
        out.print(_("no questions match"))


def path_list(rows, lang):
    """rows: [(path, done, total, next full id, or None when finished, or False when stuck)]."""

    table = Table(title=_("learning paths (quizkit path NAME)"), title_justify="left")
    table.add_column(_("path"), no_wrap=True)
    table.add_column(_("title"), ratio=1)
    table.add_column(_("done"), justify="right")
    table.add_column(_("next"), no_wrap=True)
    for p, done, total, nxt in rows:
        table.add_row(
            escape(p.id),
            escape(pick(p.title, lang)),
            f"{done}/{total}",
            escape(nxt)
            if nxt
            else "[red]{}[/]".format(_("stuck"))
            if nxt is False
            else "[green]{}[/]".format(_("finished")),
        )
    out.print(table)


def path_view(path, steps, lang, stuck=None):
    """steps: [(full id, question or None, state)]."""

    title = pick(path.title, lang) or path.id
    own = f"{path.bank}/"  # steps in the path's own bank are shown by their bare id

    def shown(qid):
        return qid[len(own) :] if qid.startswith(own) else qid

    idw = min(max((len(shown(s[0])) for s in steps), default=4), 40)
    qw = max(12, out.width - 13 - 2 - idw - 8)
    table = Table(title=f"{path.id}: {title}", title_justify="left")
    table.add_column("#", justify="right", width=2)
    table.add_column(_("step"), width=idw, overflow="fold")
    table.add_column("", width=8, no_wrap=True)
    table.add_column(_("question"), width=qw, no_wrap=True, overflow="ellipsis")
    for i, (qid, q, state) in enumerate(steps, 1):
        glyph = {"done": "✓", "next": "→", "locked": "·"}[state]
        table.add_row(
            str(i),
            escape(shown(qid)),
            f"[{STATE_STYLE[state]}]{glyph} {_(STATE_NAMES[state])}[/]",
            escape(_first_line(pick(q.prompt, lang), qw)) if q else "[red]{}[/]".format(_("(not in the banks loaded)")),
        )
    out.print(table)
    done = sum(1 for *_, st in steps if st == "done")
    if done == len(steps):
        out.print("[green]{}[/]".format(ngettext("all {n} step done", "all {n} steps done", done).format(n=done)))
    elif stuck:
        out.print(f"[red]{escape(stuck)}[/]")
    else:
        out.print(
            _("{done}/{total} done · quizkit drill --path {path} asks the next step").format(
                done=done, total=len(steps), path=escape(path.id)
            )
        )


def show(q, extra, hints, hint_total, state, progress, work_file, lang):
    """A question on its own (`quizkit show`): prompt, starter, the hints revealed so far, progress."""
    _panel(q, extra, lang)
    for i, text in enumerate(hints, 1):
        label = _hint_label(i, hint_total)
        out.print(f"[yellow]{label}[/] {escape(text)}")
    if hint_total > len(hints):
        left = hint_total - len(hints)
        text = ngettext("{n} hint left: {command}", "{n} hints left: {command}", left).format(
            n=left, command=f"quizkit show {escape(q.full_id)} --hint"
        )
        out.print(f"[dim]{text}[/]")
    line = _("status: {status}").format(status=_state(state))
    if progress:
        line += " · " + ngettext("{n} answer, {right} right", "{n} answers, {right} right", progress[0]).format(
            n=progress[0], right=progress[1]
        )
    out.print(line)
    if work_file is not None:
        where = (
            _("workspace: {file} · {command}")
            if work_file.exists()
            else _("workspace: {file} (not started) · {command}")
        )
        out.print(where.format(file=escape(str(work_file)), command=f"quizkit start {escape(q.full_id)}"))


# ---- doctor ----


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _banks_text(banks: int, questions: int) -> str:
    """Counts like "3 banks, 120 questions", in the interface's language."""
    return (
        ngettext("{n} bank", "{n} banks", banks).format(n=banks)
        + ", "
        + ngettext("{n} question", "{n} questions", questions).format(n=questions)
    )


def doctor(d: dict):
    """One screen: what quizkit finds here, and the problems, named."""
    t = d["torch"]
    if "error" in t:
        torch_text = f"[red]{escape(t['error'])}[/]"
    else:
        n = t["device_count"]
        gpu = (
            ngettext("CUDA seen: {n} device: {names}", "CUDA seen: {n} devices: {names}", n).format(
                n=n, names=", ".join(t["devices"])
            )
            if t["cuda_available"]
            else _("no CUDA device seen")
        )
        torch_text = _("{version} ({build} build); {gpu}").format(
            version=escape(t["version"]), build=escape(t["build"]), gpu=escape(gpu)
        )
    s = d["store"]
    if not s["exists"]:
        store_text = f"{escape(s['path'])}: {escape(s['integrity'])}"
    else:
        style = "green" if s["ok"] else "bold red"
        store_text = _("{path} ({size}); integrity: {integrity}").format(
            path=escape(s["path"]), size=_bytes(s["bytes"]), integrity=f"[{style}]{escape(s['integrity'])}[/]"
        )
    c = d["cache"]
    cache_text = (
        ngettext("{path} ({n} bank cached", "{path} ({n} banks cached", c["banks"]).format(
            path=escape(c["path"]), n=c["banks"]
        )
        + ngettext("; {n} verify pass remembered)", "; {n} verify passes remembered)", c["verified"]).format(
            n=c["verified"]
        )
        if c["enabled"]
        else _("off (QUIZKIT_CACHE=off)")
    )
    if c.get("damaged_now"):
        cache_text += " [bold red]{}[/]".format(
            ngettext("{n} entry damaged now", "{n} entries damaged now", c["damaged_now"]).format(n=c["damaged_now"])
        )
    if c.get("damaged_found"):
        cache_text += " [yellow]{}[/]".format(
            ngettext(
                "{n} damaged entry found and read again from its bank",
                "{n} damaged entries found and read again from their banks",
                c["damaged_found"],
            ).format(n=c["damaged_found"])
        )
    iso = d["isolation"]
    iso_text = "; ".join(f"{escape(str(k))}: {escape(str(v))}" for k, v in iso.items()) or "–"
    sh = d["shipped"]
    rows = [
        ("quizkit", f"{escape(d['quizkit']['version'])} ({escape(d['quizkit']['path'])})"),
        ("python", f"{escape(d['python']['version'])} ({escape(d['python']['executable'])})"),
        ("torch", torch_text),
        (_("data folder"), escape(d["data_dir"])),
        (_("store"), store_text),
        (_("bank cache"), cache_text),
        (_("isolation"), iso_text),
        (
            _("schema"),
            escape(d["schema"]["path"]) + ("" if d["schema"]["exists"] else " [bold red]{}[/]".format(_("(missing)"))),
        ),
        (_("shipped banks"), _banks_text(sh["banks"], sh["questions"]) + f" ({escape(sh['path'])})"),
    ]
    for p in d["packages"]:
        errors = len(p["errors"])
        state = (
            "[bold red]{}[/]".format(ngettext("{n} error", "{n} errors", errors).format(n=errors))
            if errors
            else _("ok")
        )
        rows.append(
            (
                _("bank package"),
                f"{escape(p['name'])} {escape(p['version'])}: {_banks_text(p['banks'], p['questions'])}; {state}",
            )
        )
    if not d["packages"]:
        rows.append((_("bank packages"), _("none installed (entry point group quizkit.banks)")))
    table = Table(title="quizkit doctor", title_justify="left", show_header=False)
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("found", overflow="fold")
    for what, found in rows:
        table.add_row(what, found)
    out.print(table)
    for problem in d["problems"]:
        error(problem)
    if d["ok"]:
        out.print("[green]{}[/]".format(_("all fine")))


# ---- mock interview ----

MOCK_RESULT_STYLE = {"right": "green", "wrong": "red", "late": "red", "skipped": "yellow", "not reached": "dim"}


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def mock_start(minutes: int, count: int):
    out.print(
        ngettext(
            "mock interview: {count} question in {minutes} minutes. One try each; ? shows a hint and costs a "
            "third of the question's points; the time left is shown above each question.",
            "mock interview: {count} questions in {minutes} minutes. One try each; ? shows a hint and costs a "
            "third of the question's points; the time left is shown above each question.",
            count,
        ).format(count=count, minutes=minutes)
    )


def mock_report(r: dict):
    """The end of a mock: the score, by topic and level, the time per question, what to review, and the
    mocks before it."""
    out.print()
    ended = {"time": _("time is up"), "done": _("every question asked"), "quit": _("you stopped")}[r["ended"]]
    out.print(
        "[bold]{}[/]  {}".format(
            _("mock interview: {score:.0%}").format(score=r["score"]),
            _("{points:g} of {possible:g} points · {right} right · {wrong} wrong · {skipped} skipped · {used} of "
              "{minutes} min used · {ended}").format(
                points=r["points"], possible=r["possible"], right=r["right"], wrong=r["wrong"],
                skipped=r["skipped"], used=_clock(r["seconds"]), minutes=r["minutes"], ended=ended,
            ),
        ),
    )  # fmt: skip
    for key, label in (("topics", _("topic")), ("levels", _("level"))):
        table = Table(title_justify="left")
        table.add_column(label)
        table.add_column(_("asked"), justify="right")
        table.add_column(_("right"), justify="right", style="green")
        table.add_column(_("points"), justify="right")
        for name, row in r[key].items():
            shown = "★" * int(name) if key == "levels" else escape(name)
            table.add_row(shown, str(row["asked"]), str(row["right"]), f"{row['points']:g}/{row['possible']:g}")
        out.print(table)
    table = Table(title=_("time per question"), title_justify="left")
    table.add_column("#", justify="right")
    table.add_column(_("question"), overflow="fold")
    table.add_column(_("result"))
    table.add_column(_("time / aim"), justify="right", no_wrap=True)
    table.add_column(_("hints"), justify="right")
    table.add_column(_("points"), justify="right")
    results = {
        "right": _("right"), "wrong": _("wrong"), "late": _("late"), "skipped": _("skipped"),
        "not reached": _("not reached"),
    }  # fmt: skip
    for i, q in enumerate(r["questions"], 1):
        style = MOCK_RESULT_STYLE[q["result"]]
        time_text = f"{_clock(q['seconds'])} / {_clock(q['aim'])}" if q["result"] != "not reached" else "–"
        over = q["result"] != "not reached" and q["seconds"] > q["aim"]
        table.add_row(
            str(i),
            escape(q["id"]),
            f"[{style}]{results[q['result']]}[/]",
            f"[yellow]{time_text}[/]" if over else time_text,
            str(q["hints"] or ""),
            f"{q['points']:g}/{q['possible']:g}",
        )
    out.print(table)
    if r["review_next"]:
        out.print("[bold]{}[/] {}".format(_("review next:"), escape(", ".join(r["review_next"]))))
        out.print("[dim]{}[/]".format(_("quizkit drill --missed asks the ones you got wrong")))
    if r.get("previous"):
        last = r["previous"][0]["score"]
        trend = r["score"] - last
        out.print(
            _("compared with your last mock: {change:+.0%} (then {then:.0%}); before: {older}").format(
                change=trend,
                then=last,
                older=", ".join(f"{m['score']:.0%}" for m in r["previous"][1:]) or "–",
            ),
        )
    else:
        out.print("[dim]{}[/]".format(_("your first mock: quizkit stats shows them all")))


def mock_history(mocks: list):
    """`stats`: the latest mock interviews."""
    if not mocks:
        return
    table = Table(title=_("mock interviews"), title_justify="left")
    table.add_column(_("date"))
    table.add_column(_("minutes"), justify="right")
    table.add_column(_("questions"), justify="right")
    table.add_column(_("right"), justify="right")
    table.add_column(_("score"), justify="right")
    for m in mocks:
        table.add_row(
            m["started"][:16].replace("T", " "), str(m["minutes"]), str(m["asked"]), str(m["right"]),
            f"{m['score']:.0%}",
        )  # fmt: skip
    out.print(table)
