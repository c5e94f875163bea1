"""`quizkit mcp`: the MCP server over stdio (quizkit/mcp_server), or the snippet a client's config needs."""

from __future__ import annotations

from types import ModuleType
from typing import List

import typer

from ..errors import QuizkitError
from ..i18n import _
from .common import BankOpt, DeviceOpt, LangOpt, _load, _obj, _runner


def mcp(
    ctx: typer.Context,
    print_config: str | None = typer.Option(
        None, "--print-config", metavar="CLIENT", help="Print the config snippet for claude, cursor or vscode."
    ),
    bank: List[str] | None = BankOpt,
    device: str = DeviceOpt,
    lang: str = LangOpt,
) -> None:
    """Serve quizkit to an AI assistant (Model Context Protocol, over stdio): it asks and talks, quizkit
    runs every answer and decides. Needs the extra: pip install 'quizkit[mcp]'."""
    from .. import ui

    if print_config is not None:
        _print_config(ui, print_config, bank or [], device)
        return
    try:
        import mcp.server  # noqa: F401  (the SDK is an extra)
    except ImportError:
        raise QuizkitError(_("quizkit mcp needs the MCP SDK: pip install 'quizkit[mcp]'")) from None
    from ..mcp_server import serve

    c = _obj(ctx)
    banks, questions = _load(ui, bank)
    with _runner(c, device) as (runner, dev):
        serve(c, banks, questions, runner, dev, lang)


def _print_config(ui: ModuleType, client: str, bank: List[str], device: str) -> None:
    import json

    from ..mcp_server import config

    if client not in config.CLIENTS:
        raise QuizkitError(
            _("--print-config must be one of {names}, not '{value}'").format(
                names=", ".join(config.CLIENTS), value=client
            )
        )
    args = [a for b in bank for a in ("--bank", b)] + (["--device", device] if device != "cpu" else [])
    ui.plain(json.dumps(config.snippet(client, args), indent=2))
    ui.aside(config.where(client))
