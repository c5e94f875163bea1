"""Rendering with rich: the only module that prints. It decides nothing."""

from __future__ import annotations

import json
import os

from rich.console import Console
from rich.markup import escape
from rich.table import Table

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

STATUS_STYLE = {"pass": "green", "fail": "bold red", "skip": "yellow"}


def error(message: str):
    """One plain line on stderr: what and where. Never a traceback."""
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


def warn(message: str):
    err.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)


def info(message: str):
    out.print(escape(message), soft_wrap=True)


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
        TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True
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


def verify_table(results, errors):
    table = Table(title="quizkit verify", title_justify="left", expand=False)
    table.add_column("question", overflow="fold")
    table.add_column("type")
    table.add_column("verdict")
    table.add_column("reason", overflow="fold", ratio=1)
    table.add_column("time", justify="right")
    for r in results:
        style = STATUS_STYLE[r.status]
        reason = f"{os.path.basename(r.path)}:{r.line}: {r.reason}" if r.status == "fail" and r.path else r.reason
        table.add_row(escape(r.id), r.type, f"[{style}]{r.status}[/]", escape(reason), f"{r.seconds:.2f}s")
    out.print(table)
    for e in errors:
        error(str(e))
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "skip")}
    line = f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped"
    if errors:
        line += f"; {len(errors)} bank{'s' if len(errors) != 1 else ''} refused"
    ok = not counts["fail"] and not errors
    out.print(f"[{'green' if ok else 'bold red'}]{line}[/]")


def isolation(info: dict):
    """How runs are contained, one line each (stderr, so --json output stays clean)."""
    for key, value in info.items():
        err.print(f"[dim]{escape(key)}:[/] {escape(str(value))}", soft_wrap=True)


def verify_json(results, errors):
    print_json(
        {
            "results": [
                {
                    "id": r.id,
                    "type": r.type,
                    "status": r.status,
                    "reason": r.reason,
                    "seconds": r.seconds,
                    "path": r.path,
                    "line": r.line,
                }
                for r in results
            ],
            "passed": sum(r.status == "pass" for r in results),
            "failed": sum(r.status == "fail" for r in results),
            "skipped": sum(r.status == "skip" for r in results),
            "errors": [
                {"path": getattr(e, "path", ""), "line": getattr(e, "line", 0), "message": str(e)} for e in errors
            ],
        }
    )


# ---- check ----


def check_result(q_id: str, path: str, verdict, watching=False):
    stamp = ""
    if watching:
        import datetime

        stamp = datetime.datetime.now().strftime("%H:%M:%S ")
    if verdict.correct:
        t = f" in {verdict.run.seconds * 1000:.0f} ms" if verdict.run else ""
        out.print(f"{stamp}[bold green]PASS[/] {escape(q_id)}: {escape(path)} passes the tests{t}")
    else:
        out.print(f"{stamp}[bold red]FAIL[/] {escape(q_id)}")
        run_failure(verdict)
    if watching:
        out.print("[dim]watching for changes; Ctrl-C to stop[/]")


def run_failure(verdict):
    """The failing line of a code answer, then its error, then what it printed."""
    run = verdict.run
    if run is None or run.ok:
        out.print(f"  {escape(verdict.detail)}", soft_wrap=True)
        return
    if run.where:
        out.print(f"  [bold]{escape(run.where)}[/]" + (f": [cyan]{escape(run.line)}[/]" if run.line else ""))
    out.print(f"  [red]{escape(_lines(run.error or run.status, 12))}[/]", soft_wrap=True)
    if run.stdout.strip():
        out.print("  [dim]it printed:[/]")
        out.print(escape(_lines(run.stdout.rstrip()[-2000:], 30, tail=True)), soft_wrap=True)


def _lines(text: str, most: int, tail: bool = False) -> str:
    """At most `most` lines of `text` (the last ones with `tail`), saying how many were left out."""
    rows = text.split("\n")
    if len(rows) <= most:
        return text
    cut = len(rows) - most
    kept = rows[-most:] if tail else rows[:most]
    note = f"… {cut} more line{'s' if cut != 1 else ''}"
    return "\n".join([note, *kept] if tail else [*kept, note])


# ---- drill and review ----


def _md(text: str):
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
        f"  streak [bold]{score.streak}[/]" + (f"   [dim]{topics}[/]" if topics else ""),
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
            parts.append(f"  answer: {_inline(value)}")
    return parts


_KEYS = {
    "reveal": "Enter reveals the answer · ? hint · s skip · q quit",
    "line": "type your answer · ? hint · s skip · q quit",
    "choice": "letter(s), e.g. b or a,c · ? hint · s skip · q quit",
    "code": "paste or type your code, end with a line holding only . · ? hint · s skip · q quit",
}


def question(asked, lang):
    from rich.console import Group
    from rich.panel import Panel

    from .model import pick

    q = asked.question
    parts = [_md(pick(q.prompt, lang)), *blocks(asked.extra)]
    stars = "★" * q.difficulty + "☆" * (5 - q.difficulty)
    title = f"{escape(f'[{asked.position}]')} {escape(q.full_id)} · {q.type} · [yellow]{stars}[/]"
    out.print(Panel(Group(*parts), title=title, title_align="left", border_style="blue"))
    keys = _KEYS[asked.input]
    if q.type == "output":
        keys = "type what it prints (one line) · ? hint · s skip · q quit"
    out.print(f"[dim]{keys}[/]")


def ask(prompt: str = "> ") -> str:
    """One line from the learner. EOFError and KeyboardInterrupt reach the caller.
    From a pipe the line is echoed, so a scripted session reads like a typed one."""
    import sys

    text = out.input(f"[bold cyan]{escape(prompt)}[/]")
    if not sys.stdin.isatty():  # echoed, cut: a pasted megabyte is stored whole but not printed back whole
        out.print(escape(text if len(text) <= 300 else text[:300] + " …"), highlight=False)
    return text


def hint(text: str):
    out.print(f"[yellow]hint:[/] {escape(text)}" if text else "[dim]no hint for this one[/]", soft_wrap=True)


def note(text: str):
    out.print(f"[dim]{escape(text)}[/]", soft_wrap=True)


def reveal(items):
    from rich.console import Group
    from rich.panel import Panel

    out.print(Panel(Group(*blocks(items)), title="answer", title_align="left", border_style="cyan"))


def _why(outcome):
    if outcome.explanation:
        out.print(_md(f"**Why:** {outcome.explanation}"))
    if outcome.source:
        out.print(f"[dim]source: {escape(outcome.source)}[/]", overflow="fold")


def skipped(outcome):
    out.print("[yellow]↷ skipped[/]")
    for part in blocks(outcome.solution):
        out.print(part)
    _why(outcome)


def verdict(outcome):
    """The verdict on one answer; the explanation only once the learner is done (not before a retry)."""
    v = outcome.verdict
    q = outcome.question
    if v.correct:
        out.print("[bold green]✓ right[/]" + (f" [dim]({escape(v.detail)})[/]" if v.detail else ""))
    else:
        out.print("[bold red]✗ wrong[/]")
        if q.type == "code":
            run_failure(v)
    if q.type != "flashcard":
        for part in blocks(outcome.solution):
            out.print(part)
    for text in v.notes:
        out.print(f"[dim]  {escape(text)}[/]", soft_wrap=True)
    if q.type == "code" and v.correct and v.run:
        out.print(f"[dim]  tests passed in {v.run.seconds * 1000:.0f} ms[/]")
    if v.correct and outcome.first_correct is False:
        out.print("[dim]passed on a retry; the score keeps the first try[/]")
    if outcome.done:
        _why(outcome)


def explain(outcome):
    """The explanation and source, when the learner is done with a question."""
    _why(outcome)


def summary(summary):
    score, title, saved = summary.score, summary.title, summary.saved
    out.print()
    if not (score.answered or score.skipped):
        out.print("[dim]nothing answered this time[/]")
        return
    table = Table(title=title, title_justify="left")
    table.add_column("topic")
    table.add_column("right", justify="right", style="green")
    table.add_column("wrong", justify="right", style="red")
    table.add_column("skipped", justify="right", style="yellow")
    table.add_column("accuracy", justify="right")
    for topic, (r, w, s) in sorted(score.topics.items()):
        table.add_row(escape(topic), str(r), str(w), str(s), f"{r / (r + w):.0%}" if r + w else "–")
    total = score.answered
    table.add_section()
    table.add_row(
        "[bold]all[/]",
        str(score.right),
        str(score.wrong),
        str(score.skipped),
        f"[bold]{score.right / total:.0%}[/]" if total else "–",
    )
    out.print(table)
    if saved:
        out.print(f"best streak {score.best_streak}. Every answer is saved.")
    else:
        out.print(
            f"best streak {score.best_streak}. [bold red]The last answer could not be saved[/] (see below);"
            " those before it are."
        )


# ---- list and export ----


def list_json(questions, topic_of):
    """Every question with its topic, type, tags and difficulty, as one JSON document."""
    print_json(
        {
            "questions": [
                {
                    "id": q.full_id,
                    "type": q.type,
                    "topic": topic_of(q),
                    "tags": list(q.tags),
                    "difficulty": q.difficulty,
                }
                for q in questions
            ]
        }
    )


def list_tables(banks, questions, progress_rows, main_tags, TYPES):
    from collections import Counter

    short = {"flashcard": "card", "short": "short", "mcq": "mcq", "output": "output", "code": "code"}  # headers

    def by_type(qs):
        counts = Counter(q.type for q in qs)
        return " · ".join(f"{counts[t]} {short[t]}" for t in TYPES if counts[t])

    table = Table(title="banks (quizkit drill --bank FILE)", title_justify="left")
    table.add_column("bank", no_wrap=True)
    for t in TYPES:
        table.add_column(short[t], justify="right")
    table.add_column("total", justify="right")
    table.add_column("seen", justify="right")
    table.add_column("right", justify="right")  # last answer right

    def counts(qs):
        c = Counter(q.type for q in qs)
        return [str(c[t] or "") for t in TYPES]

    for b, p in zip(banks, progress_rows):
        table.add_row(
            escape(b.id),
            *counts(b.questions),
            str(len(b.questions)),
            f"{p['answered']}/{p['questions']}",
            f"{p['right_last']}/{p['answered']}" if p["answered"] else "–",
        )
    table.add_section()
    answered = sum(p["answered"] for p in progress_rows)
    table.add_row(
        "[bold]all[/]",
        *counts(questions),
        str(len(questions)),
        f"{answered}/{len(questions)}",
        f"{sum(p['right_last'] for p in progress_rows)}/{answered}" if answered else "–",
    )
    out.print(table)
    tags = Counter(t for q in questions for t in q.tags)
    tt = Table(title="topics (quizkit drill --tag NAME)", title_justify="left")
    tt.add_column("tag")
    tt.add_column("questions", justify="right")
    tt.add_column("by type")
    for tag in main_tags:
        if tags[tag]:
            tt.add_row(escape(tag), str(tags[tag]), by_type([q for q in questions if tag in q.tags]))
    out.print(tt)
    rest = [f"{escape(t)} {n}" for t, n in tags.most_common() if t not in main_tags]
    if rest:
        out.print("[bold]other tags:[/] " + ", ".join(rest), soft_wrap=False)


def export(chunks, fmt, fields, path=None):
    """Chunks of rows written as they come (constant memory at any size): JSON Lines (each chunk a list of
    whole lines) or CSV (each a list of tuples, after a header of `fields`), to a file or stdout."""
    import csv

    f = open(path, "w", encoding="utf-8", newline="") if path else out.file
    n = 0
    try:
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
    finally:
        if path:
            f.close()
    if path:
        err.print(f"wrote {n} attempts to {escape(str(path))}")


# ---- review ----


def _local(when) -> str:
    return when.astimezone().strftime("%a %d %b %H:%M")


def review_plan(plan, settings, next_due_text):
    """`next_due_text`: when the next card is due, in words (the caller asks the scheduler)."""
    if not plan.due and not plan.new:
        line = "[green]Nothing is due now.[/]"
        if plan.next_due:
            line += f" The next card is due {next_due_text} ({_local(plan.next_due)})."
        if plan.new_done >= settings.new_per_day:
            line += f" Today's {settings.new_per_day} new questions are done."
        out.print(line)
        return
    out.print(
        f"[bold]{len(plan.due)}[/] due · [bold]{len(plan.new)}[/] new  "
        f"[dim](today so far: {plan.new_done}/{settings.new_per_day} new, "
        f"{plan.reviews_done}/{settings.reviews_per_day} reviews"
        + (f"; {plan.leeches} leech{'es' if plan.leeches != 1 else ''} suspended" if plan.leeches else "")
        + ")[/]"
    )


def scheduled(rating: str, interval: str, due, leech_after: int | None = None):
    """A review's rating and when the card comes back; `leech_after`: the lapses that made it a leech."""
    out.print(f"[magenta]rated {rating}[/] → {interval}  [dim]({_local(due)})[/]")
    if leech_after:
        out.print(
            f"[bold yellow]leech:[/] forgotten {leech_after} times; tagged leech and suspended from review "
            "(it stays in drill; rewrite the card in your own words, then drill it)"
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
            f"today ({t['date']}): [bold]{t['attempts']}[/] answered, [green]{t['right']} right[/] · "
            f"{t['reviews']} reviews, {t['new']} new\n"
            f"streak: [bold]{data['streak']}[/] day{'s' if data['streak'] != 1 else ''} · all time: {tot['attempts']} answers, "
            f"{tot['questions_seen']} questions seen, {tot['cards']} in review"
            + (f", [yellow]{tot['leeches']} leeches[/]" if tot["leeches"] else ""),
            title="quizkit stats",
            title_align="left",
        )
    )

    topics = Table(title="accuracy by topic", title_justify="left")
    for col, just in (("topic", "left"), ("answers", "right"), ("right", "right"), ("accuracy", "right")):
        topics.add_column(col, justify=just)
    for name, row in data["topics"].items():
        topics.add_row(escape(name), str(row["attempts"]), str(row["right"]), _pct(row["accuracy"]))
    retention = Table(title="true retention by month", title_justify="left")
    for col in ("month", "reviews", "right", "retention"):
        retention.add_column(col, justify="left" if col == "month" else "right")
    for month, row in data["retention"].items():
        retention.add_row(month, str(row["reviews"]), str(row["right"]), _pct(row["retention"]))
    if not data["retention"]:
        retention.add_row("[dim]none yet[/]", "", "", "")
    out.print(Columns([topics, retention], padding=(0, 4)))

    forecast = Table(title="due in the next 14 days", title_justify="left", show_header=False, box=None)
    forecast.add_column("day")
    forecast.add_column("bar")
    forecast.add_column("n", justify="right")
    peak = max((f["due"] for f in data["forecast"]), default=0) or 1
    for f in data["forecast"]:
        d = date.fromisoformat(f["date"])
        bar = "█" * round(30 * f["due"] / peak) if f["due"] else "[dim]·[/]"
        forecast.add_row(d.strftime("%a %d %b"), f"[cyan]{bar}[/]", str(f["due"]))
    out.print(forecast)

    start = date.fromisoformat(data["heatmap"]["start"])
    days = {date.fromisoformat(k): n for k, n in data["heatmap"]["days"].items()}
    top = max(days.values(), default=0) or 1
    # a glyph per level as well as a colour, so NO_COLOR terminals show it too
    shades = [("grey30", "·"), ("green4", "░"), ("green3", "▒"), ("green1", "▓"), ("bold bright_green", "█")]
    heat = Table(
        title="days studied (last 20 weeks)", title_justify="left", show_header=False, box=None, padding=(0, 0)
    )
    heat.add_column("")
    for _ in range(20):
        heat.add_column("")
    today = date.fromisoformat(t["date"])
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
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
        heat.add_row(f"{name:4}", *cells)
    out.print(heat)
    out.print(
        "    " + "  ".join(f"[{style}]{glyph}[/]" for style, glyph in shades) + "  [dim]none → most answers in a day[/]"
    )


def _pct(x):
    return f"{x:.0%}"
