"""What the room's screens share: translated key labels, times as m:ss, Markdown made safe."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..i18n import _


def translate_keys(node: Any) -> None:
    """Key labels in the footer in the interface's language: BINDINGS are made when the class is, before
    --lang is read, so each node's copy is translated when the node is made (English msgids, marked N_)."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [dataclasses.replace(b, description=_(b.description)) if b.description else b for b in bindings]


def mmss(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


def fence(text: str, lang: str = "") -> str:
    """`text` as a Markdown code block that nothing inside it can close."""
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def inline(text: str) -> str:
    """`text` as inline code."""
    ticks = "``" if "`" in text else "`"
    return f"{ticks} {text} {ticks}" if ticks == "``" else f"`{text}`"
