"""What `quizkit export` wrote (on stderr: stdout may be the export itself)."""

from __future__ import annotations

from rich.markup import escape

from ..i18n import ngettext
from .console import err


def exported(n: int, path: object) -> None:
    err.print(
        ngettext("wrote {n} attempt to {path}", "wrote {n} attempts to {path}", n).format(n=n, path=escape(str(path)))
    )


def anki_written(notes: int, decks: int, path: object) -> None:
    in_decks = ngettext("{n} deck", "{n} decks", decks).format(n=decks)
    err.print(
        ngettext("wrote {n} note in {decks} to {path}", "wrote {n} notes in {decks} to {path}", notes).format(
            n=notes, decks=in_decks, path=escape(str(path))
        ),
        soft_wrap=True,
    )
