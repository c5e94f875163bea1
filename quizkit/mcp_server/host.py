"""The server's desk and everything it holds (the store, the warm runner), kept on one thread of its own.

The SDK runs each request on a worker thread of its pool; SQLite refuses a connection used from another
thread than the one that opened it, and the desk answers one request at a time anyway. So every call goes
through `Host.call`, which runs it on the host's single thread: requests are judged in the order they came.
Nothing here knows the protocol: the server turns a QuizkitError into a tool error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ..app import App
from ..app.desk import Desk
from ..model import Question

T = TypeVar("T")


class Host:
    """One desk for the server's lifetime: opened on the host's thread, closed with `close`."""

    def __init__(
        self,
        app: App,
        banks: Sequence[Any],
        questions: list[Question],
        runner: Any,
        device: str = "cpu",
        lang: str = "en",
    ):
        self.app, self.banks, self.runner = app, list(banks), runner
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quizkit-desk")
        self._store: Any = None
        self._desk: Desk | None = None
        self._pool.submit(self._open, questions, device, lang).result()

    def _open(self, questions: list[Question], device: str, lang: str) -> None:
        self._store = self.app.store()
        self._desk = Desk(self.app, questions, self._store, self.runner, device, lang, self.banks)

    @property
    def desk(self) -> Desk:
        """The desk, for the host's own thread (what `call` and `run` hand it to)."""
        assert self._desk is not None, "the host is closed"
        return self._desk

    async def call(self, fn: Callable[[Desk], T]) -> T:
        """`fn(desk)` on the host's thread, awaited: the event loop goes on meanwhile (a run takes time)."""
        return await asyncio.wrap_future(self._pool.submit(fn, self.desk))

    def run(self, fn: Callable[[Desk], T]) -> T:
        """`fn(desk)` on the host's thread, waited for (outside the event loop: tests, start-up)."""
        return self._pool.submit(fn, self.desk).result()

    def close(self) -> None:
        """Close the store on its own thread, then the runner (its worker process goes with it)."""
        if self._store is not None:
            self._pool.submit(self._store.close).result()
            self._store = self._desk = None
        self._pool.shutdown(wait=True)
        if self.runner is not None:
            self.runner.close()
