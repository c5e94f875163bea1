"""The room's way into the app layer: every call runs on one thread that owns the store (an SQLite
connection belongs to the thread that opened it), so a run in the worker never freezes the screen and the
countdown keeps ticking while the answer is judged."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ..app import App
from ..app import interview as iv
from ..app import questions as qs
from ..errors import QuizkitError
from ..i18n import _

T = TypeVar("T")


class Backend:
    """The store, the banks and one warm runner for the room's lifetime, used from one thread."""

    def __init__(self, app: App, banks: Sequence[str] = (), device: str = "cpu", lang: str = "en",
                 seed: int | None = None):  # fmt: skip
        self.app, self.device, self.lang = app, device, lang
        self.rng = random.Random(seed)
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="quizkit-room")
        self.runner, self._close_runner = iv.opener(app)
        self.store: Any = None
        self.warnings: list[str] = []
        self.warmed = False
        self._waiting: list[iv.Interview] = []  # sittings made before the runner: `warm` gives it to them
        self.banks, self.questions = self.sync(self._open, list(banks))

    def _open(self, paths: list[str]) -> tuple[list[Any], list[Any]]:
        banks, questions, errors = qs.load(paths or None)
        if errors and not banks:
            raise errors[-1]
        self.warnings = [str(e) for e in errors]
        self.store = self.app.store()
        return banks, questions

    def sync(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """`fn` on the store's thread, waited for (before the screen is up, and in tests)."""
        return self.pool.submit(fn, *args, **kw).result()

    async def call(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """`fn` on the store's thread, awaited: the screen stays live meanwhile."""
        return await asyncio.wrap_future(self.pool.submit(fn, *args, **kw))

    def interview(self, *, minutes: int | None = None, ids: Sequence[str] = (), tags: Sequence[str] = (),
                  level: str | None = None) -> iv.Interview:  # fmt: skip
        """A sitting (on the store's thread): a mock, these ids, or the review queue. QuizkitError where
        there is nothing to ask."""
        cuda = self.device == "cuda"
        p = iv.plan(self.app, self.store, self.banks, self.questions, minutes=minutes, ids=ids, tags=tags,
                    level=level, cuda=cuda, rng=self.rng)  # fmt: skip
        if p.policy is None and p.review is not None:
            raise QuizkitError(
                _("nothing is due for review now; the next card is due {when}").format(when=p.next_due)
                if p.next_due
                else _("nothing is due for review now, and no new card is left today")
            )
        runs = iv.runs_code(p)
        sitting = iv.Interview(self.app, p, self.store, self.runner() if runs and self.warmed else None,
                               self.device, self.lang, self.rng)  # fmt: skip
        if runs and not self.warmed:
            self._waiting.append(sitting)
        return sitting

    def warm(self) -> None:
        """Make the runner and start the worker's torch import (the room calls it once its first screen is
        up). On the store's thread, as every call: an answer sent after it finds the runner there."""

        def start() -> None:
            runner = self.runner()
            self.warmed = True
            for sitting in self._waiting:
                sitting.use_runner(runner)
            self._waiting.clear()

        self.pool.submit(start)

    def close(self) -> None:
        def shut() -> None:
            try:
                if self.store is not None:
                    self.store.close()
            finally:
                self._close_runner()

        self.pool.submit(shut).result()
        self.pool.shutdown()
