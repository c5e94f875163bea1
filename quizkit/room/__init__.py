"""`quizkit room`: a full-screen interview room in the terminal, on Textual (the `room` extra).

A second front end over the app layer, as the CLI is: it asks quizkit/app for everything it shows and
stores nothing itself. Screens: the interview (interview.py), the browser (browser.py), progress
(progress.py); backend.py runs the app layer's calls on the store's own thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..app import App
from ..errors import QuizkitError
from ..i18n import _


def run(
    app: App,
    *,
    minutes: int | None = None,
    ids: Sequence[str] = (),
    tags: Sequence[str] = (),
    level: str | None = None,
    banks: Sequence[str] = (),
    device: str = "cpu",
    lang: str = "en",
    seed: int | None = None,
) -> None:
    """Open the room on a mock (`minutes`), these ids, or the review queue (nothing due: the browser)."""
    room, backend = make(app, minutes=minutes, ids=ids, tags=tags, level=level, banks=banks, device=device,
                         lang=lang, seed=seed)  # fmt: skip
    try:
        room.run()
    finally:
        backend.close()


def make(
    app: App,
    *,
    minutes: int | None = None,
    ids: Sequence[str] = (),
    tags: Sequence[str] = (),
    level: str | None = None,
    banks: Sequence[str] = (),
    device: str = "cpu",
    lang: str = "en",
    seed: int | None = None,
) -> tuple[Any, Any]:
    """(the Textual app, its backend): what `run` runs, and what the tests drive with Pilot. A mock or an id
    that cannot be asked is a QuizkitError (one line, before the screen opens); nothing to review opens the
    browser with a note."""
    try:
        from .app import Room
    except ImportError as e:
        raise QuizkitError(_("the room needs Textual: pip install 'quizkit[room]' ({error})").format(error=e)) from None
    from .backend import Backend

    backend = Backend(app, banks, device, lang, seed)
    try:
        if device != "cpu":
            backend.device = backend.sync(lambda: backend.runner().resolve_device(device))
        try:
            sitting = backend.sync(backend.interview, minutes=minutes, ids=ids, tags=tags, level=level)
            note = ""
        except QuizkitError as e:
            if minutes is not None or ids:
                raise
            sitting, note = None, str(e)
        first = backend.sync(sitting.next) if sitting is not None else None  # in the first frame
        return Room(backend, sitting, note, first), backend
    except BaseException:
        backend.close()
        raise
