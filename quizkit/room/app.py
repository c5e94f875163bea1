"""The room's Textual app: three screens (interview, browser, progress) over one backend; a quit that loses
nothing (every answer was stored when it was judged; a running sitting is finished, a mock's report stored)."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding

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
        self.backend, self.sitting, self.note, self.first = backend, sitting, note, first
        self.interview: InterviewScreen | None = None

    def on_mount(self) -> None:
        for warning in self.backend.warnings:
            self.notify(warning, severity="warning")
        if self.sitting is not None:
            self.interview = InterviewScreen(self.backend, self.sitting, self.first)
            self.install_screen(self.interview, "interview")
            self.push_screen("interview")
        else:
            self._install("browser")
            self.push_screen("browser")
        if self.note:
            self.notify(self.note)
        self.call_after_refresh(self.backend.warm)  # torch loads in the worker while the first screen is read

    def action_show(self, name: str) -> None:
        if name == "interview":
            if self.interview is None:
                self.notify(_("no interview yet: Enter on a question in the browser starts one"))
                return
            self.switch_screen("interview")
            return
        self._install(name)
        self.switch_screen(name)

    def _install(self, name: str) -> None:
        """The browser and progress screens, made the first time they are shown (not before the first
        screen: start-up imports only what it shows)."""
        if self.is_screen_installed(name):
            return
        if name == "browser":
            from .browser import BrowserScreen

            self.install_screen(BrowserScreen(self.backend), name)
        else:
            from .progress import ProgressScreen

            self.install_screen(ProgressScreen(self.backend), name)

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
        if self.interview is not None:
            if self.screen is self.interview:
                await self.switch_screen("browser")
            self.uninstall_screen("interview")
        self.interview = InterviewScreen(self.backend, sitting)
        self.install_screen(self.interview, "interview")
        await self.switch_screen("interview")

    async def _end_sitting(self) -> None:
        if self.interview is not None and not self.interview.ended:
            await self.interview.finish()

    async def action_quit(self) -> None:
        await self._end_sitting()
        self.exit()
