"""`quizkit worker status|stop`: the warm worker that one-shot commands share (quizkit/daemon.py)."""

from __future__ import annotations

import typer

from ..errors import QuizkitError
from ..i18n import _
from .common import LangOpt, _obj


def worker(
    ctx: typer.Context,
    action: str = typer.Argument("status", metavar="status|stop", help="Show the warm worker, or stop it."),
    lang: str = LangOpt,  # the interface's language (its callback installs it)
) -> None:
    """The warm worker that keeps torch loaded between commands: its state, or stop it now."""
    from .. import ui, warm

    if action not in ("status", "stop"):
        raise QuizkitError(_("quizkit worker: '{action}' is not status or stop").format(action=action))
    home = _obj(ctx).home
    daemon = warm.Daemon(home)
    if daemon.refused:
        ui.worker_refused(daemon.refused)
        return
    if action == "stop":
        ui.worker_stopped(daemon.stop())
        return
    ui.worker_status(daemon.status(), warm.idle_seconds(home), str(daemon.socket))
