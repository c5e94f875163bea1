"""The room's Textual app: three screens (interview, browser, progress) over one backend; a quit that loses
nothing (every answer was stored when it was judged; a running sitting is finished, a mock's report stored)."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from ..app.interview import Interview, Shown
from ..errors import QuizkitError
from ..i18n import N_, _
from .common import translate_keys
from .interview import InterviewScreen


class Room(App[None]):
    TITLE = "quizkit room"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("f2", "show('interview')", N_("interview"), priority=True),
        Binding("f3", "show('browser')", N_("browser"), priority=True),
        Binding("f4", "show('progress')", N_("progress"), priority=True),
        Binding("ctrl+q", "quit", N_("quit"), priority=True),
    ]

    def __init__(self, backend: Any, sitting: Interview | None = None, note: str = "", first: Shown | None = None):
        super().__init__()
        translate_keys(self)
        self.backend, self.note = backend, note
        self.interview = InterviewScreen(backend, sitting, first) if sitting is not None else None
        self.sittings = 0
        # Each screen has a mode (a stack of its own). The first screen is Textual's default one: pushed over
        # that blank screen, or made a mode's, it cost a layout, or a stylesheet pass, more before the first
        # paint. A sitting started from the browser gets a mode of its own.
        self.modes = {"interview": "", "browser": "_default", "progress": "progress"}
        if self.interview is not None:
            self.modes.update(interview="_default", browser="browser")
            self.add_mode("browser", self._browser)
        self.add_mode("progress", self._progress)

    def get_default_screen(self) -> Screen[None]:
        return self.interview if self.interview is not None else self._browser()

    def _browser(self) -> Screen[None]:
        from .browser import BrowserScreen  # made the first time it is shown: start-up imports only what it shows

        return BrowserScreen(self.backend)

    def _progress(self) -> Screen[None]:
        from .progress import ProgressScreen

        return ProgressScreen(self.backend)

    def on_mount(self) -> None:
        for warning in self.backend.warnings:
            self.notify(warning, severity="warning")
        if self.note:
            self.notify(self.note)
        self.call_after_refresh(self.backend.warm)  # torch loads in the worker while the first screen is read

    def action_show(self, name: str) -> None:
        if name == "interview" and self.interview is None:
            self.notify(_("no interview yet: Enter on a question in the browser starts one"))
            return
        self.switch_mode(self.modes[name])

    def start_question(self, qid: str) -> None:
        """From the browser: ask `qid` (as `drill --id`), in place of the interview there was."""
        self.run_worker(self._start(qid), exclusive=True, group="start")

    async def _start(self, qid: str) -> None:
        try:
            sitting = await self.backend.call(self.backend.interview, ids=[qid])
        except QuizkitError as e:
            self.notify(str(e), severity="error")
            return
        await self._end_sitting()
        self.interview = screen = InterviewScreen(self.backend, sitting)
        self.sittings += 1
        before, self.modes["interview"] = self.modes["interview"], f"interview-{self.sittings}"
        self.add_mode(self.modes["interview"], lambda: screen)
        await self.switch_mode(self.modes["interview"])
        if before not in ("", "_default"):  # the default mode stays (the first sitting's screen, ended, in it)
            await self.remove_mode(before)

    async def _end_sitting(self) -> None:
        if self.interview is not None and not self.interview.ended:
            await self.interview.finish()

    async def action_quit(self) -> None:
        await self._end_sitting()
        self.exit()
