"""The consoles, and the one-line messages every screen and command uses: errors, warnings, notes,
plain text and JSON for machines."""

from __future__ import annotations

import json
from typing import IO, Any

from rich.console import Console
from rich.markup import escape

from ..i18n import _

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def error(message: str) -> None:
    """One plain line on stderr: what and where. Never a traceback."""
    err.print("[bold red]{}[/] {}".format(_("error:"), escape(message)), soft_wrap=True)


def warn(message: str) -> None:
    err.print("[yellow]{}[/] {}".format(_("warning:"), escape(message)), soft_wrap=True)


def info(message: str) -> None:
    out.print(escape(message), soft_wrap=True)


def aside(message: str) -> None:
    """A line for the person beside output meant for a machine (stdout stays that output alone)."""
    err.print(escape(message), soft_wrap=True)


def plain(text: str) -> None:
    """Text exactly as given, for machines and pipes (no markup, no wrapping)."""
    out.file.write(text + "\n")
    out.file.flush()


def print_json(data: Any) -> None:
    """Plain JSON on stdout for machines: no colour, no wrapping."""
    out.file.write(json.dumps(data, ensure_ascii=False, indent=None) + "\n")
    out.file.flush()


def prompt(text: str) -> None:
    """The prompt before a line the learner types; the CLI's input loop reads the line."""
    out.print(f"[bold cyan]{escape(text)}[/]", end="")


def echo(text: str) -> None:
    """A line read from a pipe, shown back, so a scripted session reads like a typed one; cut: a pasted
    megabyte is stored whole but not printed back whole."""
    out.print(escape(text if len(text) <= 300 else text[:300] + " …"), highlight=False)


def stdout() -> IO[str]:
    """The stream machine output goes to (an export to stdout writes its rows there)."""
    return out.file


def note(text: str) -> None:
    out.print(f"[dim]{escape(text)}[/]")
