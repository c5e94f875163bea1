"""What to paste into an MCP client's configuration to start `quizkit mcp` (no SDK needed to print it).

The command is this Python running quizkit (`python -m quizkit mcp`): a desktop app does not see the shell's
PATH or its virtual environment, but it can always start this interpreter.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from ..i18n import _

CLIENTS = ("claude", "cursor", "vscode")


def where(client: str) -> str:
    """Where the client reads its configuration: said on stderr beside the snippet."""
    return {
        "claude": _("Claude Desktop: add it to claude_desktop_config.json (Settings > Developer > Edit Config); "
                    "Claude Code: claude mcp add quizkit -- {command}"),
        "cursor": _("Cursor: add it to ~/.cursor/mcp.json, or .cursor/mcp.json in a project"),
        "vscode": _("VS Code: add it to .vscode/mcp.json in the workspace"),
    }[client].format(command=" ".join(_command()))  # fmt: skip


def _command(args: Sequence[str] = ()) -> list[str]:
    return [sys.executable, "-m", "quizkit", "mcp", *args]


def snippet(client: str, args: Sequence[str] = ()) -> dict[str, Any]:
    """The client's configuration entry for quizkit; `args`: options passed on to `quizkit mcp`."""
    command = _command(args)
    server: dict[str, Any] = {"command": command[0], "args": command[1:]}
    home = os.environ.get("QUIZKIT_HOME")
    if home:
        server["env"] = {"QUIZKIT_HOME": os.path.abspath(home)}
    if client == "vscode":
        return {"servers": {"quizkit": {"type": "stdio", **server}}}
    return {"mcpServers": {"quizkit": server}}
