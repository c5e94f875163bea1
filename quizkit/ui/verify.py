"""`quizkit verify`: the progress bar, the table of verdicts, and the JSON a result at a time."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

from ..i18n import _, ngettext
from ..model import VerifyResult
from .blocks import type_label
from .console import err, error, note, out

STATUS_STYLE = {"pass": "green", "fail": "bold red", "skip": "yellow"}
PROGRESS_AFTER = 1.0  # seconds: a verify that ends sooner shows no bar


def verify_progress(total: int) -> tuple[Callable[[Any], None], Callable[[], None]]:
    """A progress bar on stderr while verify runs (only on a terminal), shown once the run has taken
    PROGRESS_AFTER seconds even while nothing has ended yet (torch importing, one long question) and
    refreshed on its own from then on; returns (update(result), stop())."""
    if not err.is_terminal:
        return (lambda r: None), (lambda: None)
    from rich.progress import (  # 4 ms: a terminal's verify only
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(
        TextColumn(_("verifying")), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True
    )
    task = progress.add_task("verify", total=total)
    lock = threading.Lock()
    state = {"shown": False, "stopped": False}

    def show() -> None:
        with lock:
            if not state["stopped"]:
                state["shown"] = True
                progress.start()

    timer = threading.Timer(PROGRESS_AFTER, show)
    timer.daemon = True
    timer.start()

    def update(_result: Any) -> None:
        with lock:
            progress.advance(task)

    def stop() -> None:
        timer.cancel()
        with lock:
            state["stopped"] = True
            if state["shown"]:
                progress.stop()

    return update, stop


def verify_table(results: Sequence[VerifyResult], errors: Sequence[Exception], links: int = 0) -> None:
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
        table.add_row(escape(r.id), type_label(r.type), f"[{style}]{_status(r.status)}[/]", escape(reason), took)
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


def isolation(info: dict[str, Any]) -> None:
    """How runs are contained, one line each (stderr, so --json output stays clean)."""
    for key, value in info.items():
        err.print(f"[dim]{escape(key)}:[/] {escape(str(value))}", soft_wrap=True)


def verify_json(results: Iterable[VerifyResult], errors: Sequence[Exception]) -> int:
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
