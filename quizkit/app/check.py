"""Checking a learner's own code against a question, as `quizkit check`, the workspace and the room do:
a pass is stored as a right answer and rates the card (hard with hints); a failing version is work in
progress and is not stored; the same passing version checked again is not a new answer."""

from __future__ import annotations

from typing import Any

from ..catalog import missing_requirement
from ..engine import Session
from ..errors import QuizkitError
from ..model import Outcome, Question
from ..policies import Workspace
from .context import App


class Checker:
    """Checks versions of one answer file for `q` (each call is one version)."""

    def __init__(self, app: App, q: Question, store: Any, runner: Any, device: str = "cpu"):
        why = missing_requirement(q, runner.cuda_available() if "cuda" in q.requires else False)
        if why:
            raise QuizkitError(f"{q.full_id} {why}")
        settings = app.settings()
        policy = Workspace(q, app.scheduler(settings, store), settings, store.workspace_hints(q.full_id))
        self.question = q
        self.session = Session(policy, store, runner, device, clock=app.clock)

    def check(self, code: str) -> Outcome:
        self.session.next()
        return self.session.answer(code)
