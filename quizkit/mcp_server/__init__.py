"""`quizkit mcp`: the Model Context Protocol server, a front end over the app layer like the CLI.

An assistant (Claude, Cursor, VS Code, any MCP client) talks; quizkit judges: every verdict is a real run in
the same sandbox as `check`, every answer is stored and rates its card as review does. The server speaks
over stdio (stdout is the protocol: nothing else is written there) and keeps one warm torch worker and one
desk (quizkit/app/desk.py) for its lifetime. The `mcp` SDK is an extra (pip install 'quizkit[mcp]'):
`config` (the client snippets) needs none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..app import App
from ..model import Question


def serve(app: App, banks: Sequence[Any], questions: list[Question], runner: Any, device: str, lang: str) -> None:
    """Serve over stdio until the client closes the connection; the runner is warmed now and closed after."""
    from .host import Host
    from .server import build

    if runner is not None:
        runner.warm()  # import torch while the client says hello: the first answer does not wait for it
    host = Host(app, banks, questions, runner, device, lang)
    try:
        build(host).run("stdio")
    finally:
        host.close()
