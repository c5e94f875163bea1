"""Text from outside (a run's output and errors, what the learner types) made safe once, where it enters.

Invalid code points are replaced, terminal control and escape sequences removed (newlines and tabs kept),
and over-long lines and totals cut with a marker, so nothing a snippet prints can redraw the screen, fake a
verdict, or crash an encoder.
"""

from __future__ import annotations

import re

# CSI/OSC/other escape sequences first (so their parameters go too), then any other control character.
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")

LINE_LIMIT = 2000
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def needs_cleaning(text: str) -> bool:
    """Whether `safe` would change more than line lengths: one scan, for the common clean case."""
    return _UNSAFE.search(text) is not None


def safe(text: object, limit: int | None = None, line_limit: int = LINE_LIMIT) -> str:
    """Printable text: no surrogates, no escapes or control characters but newline and tab; long lines
    and the whole cut to their limits with a marker."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = _SURROGATES.sub("\ufffd", str(text))
    text = _CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    if line_limit and len(text) > line_limit:
        lines = [ln if len(ln) <= line_limit else ln[:line_limit] + " … [line cut]" for ln in text.split("\n")]
        text = "\n".join(lines)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "\n… [cut]"
    return text


def safe_input(raw: str | bytes) -> str:
    """A line the learner typed: bytes decoded with replacement, surrogates (from a terminal's bad
    bytes under surrogateescape) replaced, control characters removed."""
    return safe(raw, line_limit=0)
