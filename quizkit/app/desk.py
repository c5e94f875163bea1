"""An interviewer's desk: questions asked by id, one at a time, and mocks driven step by step.

What the MCP server (and the room's `--id`) call. Each question has a sitting: its first answer is stored
and rates the card as review does (wrong is again, right is good, hard with hints), later tries are stored
as retries; a pass, or a reveal after a failed try (giving up), ends it. Hints are the ones `show --hint`
reveals: stored per question, each one lowers the rating of a pass. A mock is the same policy, clock and
report as `quizkit mock`: its questions come with `mock_next`, one try each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..engine import NotAnAnswer, Session
from ..errors import QuizkitError
from ..i18n import _
from ..model import Asked, Outcome, Question, pick
from ..policies import Capabilities, ReviewPolicy
from . import questions as qs
from . import study
from .context import App


class Asking(ReviewPolicy):
    """One question the learner (or their interviewer) chose: rated as in review, never held back by the
    new-cards limit, no undo."""

    mode: ClassVar[str] = "desk"
    can: ClassVar[Capabilities] = Capabilities(undo=False, tells_due=True)

    def __init__(self, question: Question, scheduler: Any, settings: Any):
        super().__init__([], scheduler, settings)
        self.question = question

    def next(self, s: Any) -> tuple[Question, Any]:
        return self.question, None

    def position(self, s: Any) -> str:
        return self.question.full_id


@dataclass
class _Sitting:
    session: Session
    asked: Asked
    passed: bool = False


@dataclass
class _Mock:
    session: Session
    started: bool = False
    answered: set[str] = field(default_factory=set)


MOCK_MINUTES = (5, 180)  # what `quizkit mock --minutes` takes


class DeskError(QuizkitError):
    """A request the desk refuses (an unknown id, a reveal before any try): one line for the caller."""


class Desk:
    """The use cases by id, over one store and one (warm) runner for the desk's lifetime."""

    def __init__(
        self,
        app: App,
        questions: list[Question],
        store: Any,
        runner: Any,
        device: str = "cpu",
        lang: str = "en",
        banks: list[Any] | None = None,
    ):
        self.app, self.questions, self.store, self.runner = app, questions, store, runner
        self.device, self.lang, self.banks = device, lang, banks or []
        self.settings = app.settings()
        self.scheduler = app.scheduler(self.settings, store)
        self._sittings: dict[str, _Sitting] = {}
        self._done: dict[str, Outcome] = {}  # the last finished sitting of each question: reveal shows it
        self._mocks: dict[str, _Mock] = {}
        self.rng = random.Random()

    # ---- one question ----

    def find(self, qid: str) -> Question:
        try:
            return qs.find(self.questions, qid)
        except QuizkitError as e:
            raise DeskError(str(e)) from None

    def view(self, qid: str, lang: str | None = None) -> dict[str, Any]:
        """The question's public view, with its hints revealed so far and its choices in the order judged."""
        mock = self._mock_asking(qid)
        sitting = mock or self._sitting(qid)
        q = sitting.asked.question
        view = qs.public_view(q, lang or self.lang, sitting.asked.hints, sitting.asked.order)
        view["status"] = self._status(q)
        return view

    def check(self, qid: str, answer: str, lang: str | None = None) -> dict[str, Any]:
        """Judge `answer` (run it, for code), store it; the first try of a sitting rates the card."""
        if not answer.strip():
            raise DeskError(_("the answer is empty"))
        mock = self._mock_asking(qid)
        sitting = mock or self._sitting(qid)
        s = sitting.session
        if lang:
            s.lang = lang
        first = sitting.asked.tries == 0
        try:
            outcome = s.answer(answer)
        except NotAnAnswer as e:
            raise DeskError(str(e)) from None
        if mock is not None:
            self._mock_answered(mock, qid)
        elif outcome.done:  # a pass, or a wrong answer of a type that has one try
            self._end(sitting.asked.question.full_id, outcome)
        stored = getattr(s.last, "result", None) if first else None  # the rating, also before a retry
        return _result(outcome, first, sitting.asked, mock is not None, stored)

    def hint(self, qid: str) -> dict[str, Any]:
        """The next hint, recorded: how many were used is stored with the answer and lowers its rating."""
        mock = self._mock_asking(qid)
        sitting = mock or self._sitting(qid)
        h = sitting.session.hint()
        if mock is None:
            self.store.set_workspace_hints(sitting.asked.question.full_id, sitting.asked.hints)
        return {"id": sitting.asked.question.full_id, "hint": h.text, "number": h.number, "total": h.total}

    def reveal(self, qid: str, lang: str | None = None) -> dict[str, Any]:
        """The reference answer and the explanation, once the learner passed or tried and gave up (the
        question is then done; its first try already rated the card). A flashcard's answer is its back,
        shown before the learner grades themself (in a mock too)."""
        from ..types import of

        q = self.find(qid)
        mock = self._mock_asking(q.full_id)
        if of(q).INPUT == "reveal":
            card = mock or self._sitting(q.full_id)
            return {"id": q.full_id, "answer": _text(card.session.reveal()), "explanation": ""}
        if mock is not None:
            raise DeskError(_("{id}: a mock question's answer is shown in the report").format(id=q.full_id))
        sitting = self._sittings.get(q.full_id)
        if sitting is not None and sitting.asked.tries:
            outcome = sitting.session.give_up()
            self._end(q.full_id, outcome)
        done = self._done.get(q.full_id)
        if done is None:
            raise DeskError(
                _("{id}: answer it first (check_answer); the answer is shown once you have tried").format(id=q.full_id)
            )
        lang = lang or self.lang
        return {
            "id": q.full_id,
            "answer": _text(of(q).solution(q, lang, None)),
            "explanation": pick(q.explanation, lang),
            "source": q.source,
        }

    # ---- a mock, step by step ----

    def mock_start(self, minutes: int = 45, tags: tuple[str, ...] = (), level: str | None = None) -> dict[str, Any]:
        """A mock of `minutes` (5-180, as `quizkit mock --minutes`), started now on the app's clock."""
        if not MOCK_MINUTES[0] <= minutes <= MOCK_MINUTES[1]:
            raise DeskError(
                _("a mock lasts {low} to {high} minutes, not {value}").format(
                    low=MOCK_MINUTES[0], high=MOCK_MINUTES[1], value=minutes
                )
            )
        plan = study.mock_plan(self.app, self.store, self.questions, minutes=minutes, tags=tags, level=level,
                               cuda=self.device == "cuda", rng=self.rng)  # fmt: skip
        assert plan.policy is not None  # a mock plan always has its policy
        s = Session(plan.policy, self.store, self.runner, self.device, self.lang, self.app.clock, self.rng)
        self._mocks[s.id] = _Mock(s)
        return {"mock_id": s.id, "minutes": minutes, "questions": len(plan.questions)}

    def mock_next(self, mock_id: str, lang: str | None = None) -> dict[str, Any]:
        """The mock's next question (a question shown but not answered counts as skipped), or its end."""
        m = self._mock(mock_id)
        s = m.session
        if s.current is not None and s.current.question.full_id not in m.answered:
            s.skip()
        asked = s.next()
        policy: Any = s.policy
        left = int(policy.left(self.app.clock()))
        if asked is None:
            return {"mock_id": mock_id, "done": True, "seconds_left": left}
        view = qs.public_view(asked.question, lang or self.lang, 0, asked.order)
        entry = policy.entries[policy.index]
        return {"mock_id": mock_id, "done": False, "position": asked.position, "number": policy.index + 1,
                "of": len(policy.entries), "seconds_left": left, "aim_seconds": int(entry.aim),
                "question": view}  # fmt: skip

    def mock_finish(self, mock_id: str) -> dict[str, Any]:
        m = self._mock(mock_id)
        s = m.session
        if s.current is not None and s.current.question.full_id not in m.answered:
            s.skip()
        summary = s.finish()
        del self._mocks[mock_id]
        return {"mock_id": mock_id, "report": summary.report}

    # ---- helpers ----

    def _sitting(self, qid: str) -> _Sitting:
        q = self.find(qid)
        sitting = self._sittings.get(q.full_id)
        if sitting is None:
            s = Session(Asking(q, self.scheduler, self.settings), self.store, self.runner, self.device, self.lang,
                        self.app.clock, self.rng)  # fmt: skip
            asked = s.next()
            assert asked is not None
            asked.hints = self.store.workspace_hints(q.full_id)
            sitting = self._sittings[q.full_id] = _Sitting(s, asked)
        return sitting

    def _end(self, qid: str, outcome: Outcome) -> None:
        self._sittings.pop(qid, None)
        self._done[qid] = outcome

    def _mock(self, mock_id: str) -> _Mock:
        m = self._mocks.get(mock_id)
        if m is None:
            raise DeskError(_("no mock interview '{id}' is running (start_mock starts one)").format(id=mock_id))
        return m

    def _mock_asking(self, qid: str) -> _Sitting | None:
        """The running mock whose current question is `qid`, as a sitting (its answers go to the mock)."""
        for m in self._mocks.values():
            a = m.session.current
            if a is not None and qid in (a.question.full_id, a.question.id):
                if a.question.full_id in m.answered:
                    raise DeskError(
                        _("{id}: one try each in a mock; mock_next asks the next question").format(
                            id=a.question.full_id
                        )
                    )
                return _Sitting(m.session, a)
        return None

    def _mock_answered(self, sitting: _Sitting, qid: str) -> None:
        for m in self._mocks.values():
            if m.session is sitting.session:
                m.answered.add(sitting.asked.question.full_id)

    def _status(self, q: Question) -> str:
        from .. import catalog

        return catalog.status(q.full_id, self.store.progress(), self.store.phases())


def _text(blocks: list[tuple[str, Any]]) -> str:
    """Blocks (md, code, answer) as one text."""
    return "\n\n".join(str(v) for _k, v in blocks if isinstance(v, str) and v)


def _result(outcome: Outcome, first: bool, asked: Asked, in_mock: bool, sched: Any) -> dict[str, Any]:
    v = outcome.verdict
    run = v.run
    out: dict[str, Any] = {
        "id": outcome.question.full_id,
        "verdict": "pass" if v.correct else "fail",
        "detail": v.detail,
        "notes": list(v.notes),
        "first_try": first,
        "tries": asked.tries,
        "hints_used": asked.hints,
        "stored": True,
        "seconds": round(getattr(run, "seconds", 0.0) or 0.0, 3) if run is not None else None,
    }
    if run is not None and not v.correct and run.status != "pass":
        # where it failed, the failing line and the error (an assert's error holds both values)
        out["failure"] = {"status": run.status, "where": run.where, "line": run.line, "error": run.error,
                          "seed": run.seed}  # fmt: skip
    if sched is not None and not in_mock:
        out["rating"] = int(sched.log.rating)
        out["due"] = sched.state.due.isoformat(timespec="seconds")
    if outcome.done and not in_mock:
        out["explanation"] = outcome.explanation
    return out
