"""Rendering with rich: the only module that prints. It decides nothing."""
from __future__ import annotations

import json

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


def print_json(data):
    """Plain JSON on stdout for machines: no colour, no wrapping."""
    out.file.write(json.dumps(data, ensure_ascii=False, indent=None) + "\n")
    out.file.flush()


# ---- verify ----

def verify_progress():
    """A transient counter on stderr while verify runs; returns (update(result), stop())."""
    if not err.is_terminal:
        return (lambda r: None), (lambda: None)
    status = err.status("verifying…")
    status.start()
    count = [0]

    def update(_result):
        count[0] += 1
        status.update(f"verifying… {count[0]} done")

    return update, status.stop


def verify_table(results, errors):
    table = Table(title="quizkit verify", title_justify="left", expand=False)
    table.add_column("question", overflow="fold")
    table.add_column("type")
    table.add_column("verdict")
    table.add_column("reason", overflow="fold", ratio=1)
    table.add_column("time", justify="right")
    for r in results:
        style = STATUS_STYLE[r.status]
        table.add_row(escape(r.id), r.type, f"[{style}]{r.status}[/]", escape(r.reason), f"{r.seconds:.2f}s")
    out.print(table)
    for e in errors:
        error(str(e))
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "skip")}
    line = f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped"
    if errors:
        line += f"; {len(errors)} bank{'s' if len(errors) != 1 else ''} refused"
    ok = not counts["fail"] and not errors
    out.print(f"[{'green' if ok else 'bold red'}]{line}[/]")


def verify_json(results, errors):
    print_json({
        "results": [{"id": r.id, "type": r.type, "status": r.status, "reason": r.reason, "seconds": r.seconds}
                    for r in results],
        "passed": sum(r.status == "pass" for r in results),
        "failed": sum(r.status == "fail" for r in results),
        "skipped": sum(r.status == "skip" for r in results),
        "errors": [str(e) for e in errors],
    })


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
    out.print(f"  [red]{escape(run.error or run.status)}[/]", soft_wrap=True)
    if run.stdout.strip():
        out.print("  [dim]it printed:[/]")
        out.print(escape(run.stdout.rstrip()[-2000:]), soft_wrap=True)
