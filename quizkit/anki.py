"""The banks as an Anki package (.apkg): one deck per bank, one note per question. Prints nothing.

Ids are stable, so that importing a newer export updates the notes (and keeps their review history)
instead of adding copies:

- a note's GUID comes from the question's full id (`bank/id`) alone: not from its text, and not from the
  language, so an edited question, or the same bank exported with `--lang zh`, replaces the note's text;
- a deck's id comes from its name (`quizkit::BANK`), a note model's id from its name, through SHA-256
  (never Python's salted `hash()`).

Anki updates a note on import only when the file's copy is newer: the notes carry the export's time, so
each export is newer than the last. Change a model's fields or templates only together with its name (`v1`):
a new name is a new id, and Anki is never handed a different model under an id it already has.

Every text from a bank is untrusted: Markdown is rendered with raw HTML escaped (and no images, which would
be fetched from the network), code is highlighted by pygments (which escapes it) with inline styles, so the
cards need no CSS file, and control characters are dropped first (a 0x1f would split Anki's fields).
"""

from __future__ import annotations

import errno
import functools
import hashlib
import html
import os
import secrets
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from . import catalog, text, types
from .model import Bank, Question, pick

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from .types.contract import Block

DECK_PREFIX = "quizkit::"  # Anki nests `quizkit::tensors` under `quizkit`

_CSS = """\
.card { font-family: -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", sans-serif; font-size: 18px;
  text-align: left; max-width: 52em; margin: 0 auto; }
.qk-label { font-size: 0.8em; font-weight: bold; color: #8250df; margin-top: 0.8em; }
.qk-answer { font-weight: bold; }
.qk-explanation { margin-top: 1em; }
.qk-meta { margin-top: 1em; font-size: 0.75em; color: #6e7781; }
code { font-family: "SFMono-Regular", Menlo, Consolas, monospace; }
"""

_PRE = "color: #1f2328; padding: 0.4em 0.6em; line-height: 125%; white-space: pre-wrap; border-radius: 4px;"

_QA_FIELDS = ["Question", "Answer", "Explanation", "Source", "Id"]
_CODE_FIELDS = ["Task", "Reference solution", "Explanation", "Source", "Id"]
_BACK = """{{FrontSide}}<hr id="answer">{{ANSWER}}
{{#Explanation}}<div class="qk-explanation">{{Explanation}}</div>{{/Explanation}}
<div class="qk-meta">{{#Source}}{{Source}} · {{/Source}}{{Id}}</div>"""


@dataclass
class Exported:
    """What an export wrote."""

    notes: int = 0
    decks: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


def stable_id(name: str) -> int:
    """A deck or model id from its name: the same on every machine and run, in genanki's suggested range
    (1 << 30 .. 1 << 31) so that it never meets the ids Anki makes from the time."""
    digest = hashlib.sha256(f"quizkit:{name}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def note_guid(q: Question) -> str:
    """From the full id only: an edited question, or another language, updates the same note."""
    import genanki

    return cast(str, genanki.guid_for("quizkit", q.full_id))  # genanki has no types


def _models() -> tuple[Any, Any]:  # genanki.Model (genanki has no types)
    import genanki

    def model(name: str, fields: Sequence[str], answer_field: str) -> Any:
        return genanki.Model(
            stable_id(f"model:{name}"),
            name,
            fields=[{"name": f} for f in fields],
            templates=[
                {
                    "name": "Card 1",
                    "qfmt": "{{" + fields[0] + "}}",
                    "afmt": _BACK.replace("ANSWER", answer_field),
                }
            ],
            css=_CSS,
        )

    return model("quizkit question v1", _QA_FIELDS, "Answer"), model(
        "quizkit code v1", _CODE_FIELDS, "Reference solution"
    )


# ---- HTML from bank text ----


@functools.lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "highlight": lambda code, lang, attrs: _code(code, lang)})
    md.disable("image")  # an image from a bank would be fetched from the network when the card is shown
    return md


def _clean(s: str) -> str:
    return text.safe(s, line_limit=0)


def markdown(s: str) -> str:
    """Bank Markdown as HTML: raw HTML in it is escaped, links only to safe schemes (markdown-it's rule)."""
    return cast(str, _md().render(_clean(s))).strip()  # markdown-it types its renderers' output Any


def inline(s: str) -> str:
    """One line of Markdown (a choice, an answer) without a paragraph around it."""
    return cast(str, _md().renderInline(_clean(s)))


def _code(code: str, lang: str = "python") -> str:
    """A <pre> highlighted with inline styles (no CSS file needed), its colour and background both set so
    that it stays readable in Anki's night mode. pygments escapes the code."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer, TextLexer

    lexer = PythonLexer() if lang in ("", "python", "py", "python3") else TextLexer()
    formatter = HtmlFormatter(noclasses=True, nowrap=True, style="default")
    spans = highlight(_clean(code).rstrip("\n"), lexer, formatter).rstrip("\n")
    style = f"background: {formatter.style.background_color}; {_PRE}"
    return f'<pre style="{style}">{spans}</pre>'


def _blocks(items: Iterable[Block]) -> str:
    """The question types' display blocks (quizkit/types/__init__.py) as HTML."""
    parts = []
    for kind, value in items:
        if kind == "md":
            parts.append(markdown(value))
        elif kind == "code":
            parts.append(_code(value))
        elif kind == "choices":
            parts.append("".join(f"<div><b>{letter})</b> {inline(t)}</div>" for letter, t in value))
        elif kind == "answer":
            parts.append(f'<div class="qk-answer">{inline(value)}</div>')
    return "\n".join(parts)


def _source(source: str | None) -> str:
    if not source:
        return ""
    s = _clean(source).strip()
    if s.startswith(("https://", "http://")) and not any(c.isspace() for c in s):
        return f'<a href="{html.escape(s, quote=True)}">{html.escape(s)}</a>'
    return html.escape(s)


def tags_of(q: Question) -> list[str]:
    """The question's tags, its topic, its bank and its type; Anki tags hold no spaces."""
    raw = [*q.tags, catalog.topic_of(q), f"bank::{q.bank}", f"type::{q.type}"]
    out: list[str] = []
    for t in raw:
        t = "_".join(_clean(t).split())
        if t and t not in out:
            out.append(t)
    return out


def note_fields(q: Question, lang: str = "en") -> list[str]:
    """The note's fields (HTML), in the order of its model's fields."""
    kind = types.of(q)
    front = "\n".join(p for p in (markdown(pick(q.prompt, lang)), _blocks(kind.extra(q, lang, None))) if p)
    if kind.INPUT == "code":
        back = (
            '<div class="qk-label">reference solution — in quizkit this task is run against its tests: '
            f"<code>quizkit check {html.escape(q.full_id)} FILE</code></div>\n"
            + _blocks([b for b in kind.solution(q, lang, None) if b[0] != "md"])
        )
    else:
        back = _blocks(kind.solution(q, lang, None))
    explanation = markdown(pick(q.explanation, lang))
    return [front, back, explanation, _source(q.source), html.escape(q.full_id)]


def build(banks: Iterable[Bank], questions: Iterable[Question], lang: str = "en") -> tuple[Any, Exported]:
    """(genanki Package, Exported) for `questions`, one deck per bank that has any, in bank order."""
    import genanki

    qa, code = _models()
    wanted = {q.full_id for q in questions}
    decks, done = [], Exported()
    for b in banks:
        chosen = [q for q in b.questions if q.full_id in wanted]
        if not chosen:
            continue
        deck = genanki.Deck(
            stable_id(f"deck:{DECK_PREFIX}{b.id}"), f"{DECK_PREFIX}{b.id}", html.escape(pick(b.title, lang))
        )
        for q in chosen:
            model = code if types.of(q).INPUT == "code" else qa
            deck.add_note(genanki.Note(model=model, fields=note_fields(q, lang), tags=tags_of(q), guid=note_guid(q)))
            done.by_type[q.type] = done.by_type.get(q.type, 0) + 1
        decks.append(deck)
        done.notes += len(chosen)
    done.decks = len(decks)
    return genanki.Package(decks), done


def write(banks: Iterable[Bank], questions: Iterable[Question], path: str | Path, lang: str = "en") -> Exported:
    """Write the package to `path` through a temporary file beside it, renamed into place at the end: a
    failure leaves no half-written file. OSError where it cannot be written (found before any work)."""
    import zipfile

    target = Path(path)
    if target.is_dir():  # found now, not at the rename after all the work
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    with open(part, "xb") as f:  # made here (not by mkstemp) so that it gets the usual permissions
        try:
            package, done = build(banks, questions, lang)
            # genanki builds the collection in a file of its own under the temporary folder and never
            # removes it: point the temporary folder at one that is removed afterwards. Its zip is stored
            # uncompressed (2.4 MB for the shipped banks); deflated, as Anki's own exports are, it is a
            # ninth of that.
            with tempfile.TemporaryDirectory(prefix="quizkit-anki-") as scratch:
                raw = os.path.join(scratch, "raw.apkg")
                saved, tempfile.tempdir = tempfile.tempdir, scratch
                try:
                    package.write_to_file(raw)
                finally:
                    tempfile.tempdir = saved
                with zipfile.ZipFile(raw) as src, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as dst:
                    for member in src.infolist():
                        dst.writestr(member.filename, src.read(member), zipfile.ZIP_DEFLATED)
            f.flush()
            os.fsync(f.fileno())
            os.replace(part, target)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    return done
