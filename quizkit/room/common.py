"""What the room's screens share: translated key labels, the keys line, times as m:ss, Markdown made safe."""

from __future__ import annotations

import dataclasses
from typing import Any

from textual.widgets import Static

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


def keys_line(screen: Any) -> Any:
    """The keys a screen takes now (its own, then the app's), as one line of Content: what Textual's Footer
    shows, without a widget per key (the Footer cost a sixth of the room's start-up)."""
    from textual.content import Content

    parts = []
    seen = set()
    for key, active in screen.active_bindings.items():
        b = active.binding
        if not b.show or not b.description or key in seen:
            continue
        seen.add(key)
        parts.append(Content.assemble((screen.app.get_key_display(b), "bold $accent"), " ", b.description))
    return Content(" ").join(parts)


class Keys(Static):
    """The footer: the keys of the screen it is on, redrawn when the screen is shown."""

    DEFAULT_CSS = "Keys { dock: bottom; height: 1; padding: 0 1; background: $panel; }"

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        self.update(keys_line(self.screen))
