"""`quizkit worker status|stop`: the warm worker that outlives one command."""

from __future__ import annotations

import time
from typing import Any

from rich.markup import escape

from ..i18n import _
from .console import out


def worker_status(info: dict[str, Any] | None, idle: float, where: str) -> None:
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


def worker_stopped(pid: int | None) -> None:
    if pid is None:
        out.print(escape(_("no warm worker running")))
    else:
        out.print(escape(_("stopped the warm worker (pid {pid})").format(pid=pid)))


def worker_refused(why: str) -> None:
    out.print(escape(_("the warm worker is not used: {why}; runs are local").format(why=why)), soft_wrap=True)
