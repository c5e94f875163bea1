"""What every screen showing a question uses: its panel, Markdown, code and choices."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from ..i18n import _, shown
from ..model import Question, pick, type_info
from .console import out

_MARKDOWN = set("`*_#[]<>|~\\\n")


def markdown(text: str) -> RenderableType:
    """Markdown, rendered; one plain line with none of its syntax is shown as it is (rich.markdown and its
    parser cost 30 ms to import, a sixth of a drill's start)."""
    if _MARKDOWN.isdisjoint(text) and not text.lstrip()[:1].isdigit() and not text.lstrip().startswith(("- ", "+ ")):
        return Text(text)
    from rich.markdown import Markdown  # 30 ms of imports: only for text that has Markdown in it

    return Markdown(text, code_theme="monokai", inline_code_theme="monokai")


def inline(text: str) -> str:
    """Choices are one line: `code` spans get a colour instead of a Markdown block."""
    return re.sub(r"`([^`]+)`", r"[cyan]\1[/]", escape(text))


def _code(code: str) -> RenderableType:
    from rich.syntax import Syntax  # 8 ms (pygments): only for a question with code

    return Syntax(code.rstrip("\n"), "python", theme="monokai", line_numbers=False, word_wrap=True)


def blocks(items: Iterable[tuple[str, Any]]) -> list[RenderableType]:
    """Render the engine's display blocks: ("md", text), ("code", text), ("choices", [(letter, text)]),
    ("answer", text)."""
    parts: list[RenderableType] = []
    for kind, value in items:
        if kind == "md":
            parts.append(markdown(value))
        elif kind == "code":
            parts.append(_code(value))
        elif kind == "choices":
            parts.append("\n".join(f"[bold]{letter})[/] {inline(text)}" for letter, text in value))
        elif kind == "answer":
            parts.append("  {} {}".format(_("answer:"), inline(value)))
    return parts


def question_panel(q: Question, extra: list[Any], lang: str, position: str = "") -> None:
    """A question's prompt and blocks in a panel titled with its id, type and level (and position)."""
    parts = [markdown(pick(q.prompt, lang)), *blocks(extra)]
    stars = "★" * q.difficulty + "☆" * (5 - q.difficulty)
    title = f"{escape(q.full_id)} · {type_label(q.type)} · [yellow]{stars}[/]"
    placed = f"{escape(f'[{position}]')} {title}"
    # the score bar above already shows the position: drop it rather than let rich cut the stars off
    if position and Text.from_markup(placed).cell_len + 6 <= out.width:
        title = placed
    out.print(Panel(Group(*parts), title=title, title_align="left", border_style="blue"))


def hint_label(number: int, total: int) -> str:
    return _("hint {number}/{total}:").format(number=number, total=total) if total > 1 else _("hint:")


def type_label(qtype: str) -> str:
    """A question type as shown."""
    return shown(type_info(qtype).label)
