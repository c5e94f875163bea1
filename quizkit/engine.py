"""The study engine: one answer lifecycle under every mode. It never prints or reads input.

A Session asks what its policy (drill, review, ...) chooses: `next()` gives the question to show,
`answer()` judges a reply and stores it the moment it is judged, `skip()`, `hint()`, `reveal()` for
flashcards, `rate()` changes the rating of the answer just given, `undo()` takes it back, and `finish()`
gives the summary. Each returns a plain value (model.Asked, Outcome, Summary) for the CLI to render.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import types
from .catalog import topic_of
from .model import After, Asked, Hint, Outcome, Question, Summary, Verdict, pick

if TYPE_CHECKING:
    import random

    from .policies import Policy, Record
    from .store import Store
    from .types.contract import Block, Runs


@dataclass
class Score:
    right: int = 0
    wrong: int = 0
    skipped: int = 0
    streak: int = 0
    best_streak: int = 0
    topics: dict[str, list[int]] = field(default_factory=dict)  # topic -> [right, wrong, skipped]
    _history: list[tuple[str, bool | None, int, int]] = field(default_factory=list)

    def add(self, q: Question, correct: bool | None) -> None:
        self._history.append((topic_of(q), correct, self.streak, self.best_streak))
        row = self.topics.setdefault(topic_of(q), [0, 0, 0])
        if correct is None:
            self.skipped += 1
            row[2] += 1
        elif correct:
            self.right += 1
            row[0] += 1
            self.streak += 1
            self.best_streak = max(self.best_streak, self.streak)
        else:
            self.wrong += 1
            row[1] += 1
            self.streak = 0

    def take_back(self) -> None:
        """Undo the last `add`."""
        if not self._history:
            return
        topic, correct, self.streak, self.best_streak = self._history.pop()
        row = self.topics[topic]
        if correct is None:
            self.skipped -= 1
            row[2] -= 1
        elif correct:
            self.right -= 1
            row[0] -= 1
        else:
            self.wrong -= 1
            row[1] -= 1

    @property
    def answered(self) -> int:
        return self.right + self.wrong


class NotAnAnswer(ValueError):
    """A reply that is not an answer to this question (a letter out of range): the message says why."""


class Session:
    def __init__(
        self,
        policy: Policy,
        store: Store,
        runner: Runs | None = None,
        device: str = "cpu",
        lang: str = "en",
        clock: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        import random

        from .settings import now

        self.policy = policy
        self.store = store
        self.runner = runner
        self.device = device
        self.lang = lang
        self.clock = clock or now
        self.rng = rng or random.Random()
        self.id = uuid.uuid4().hex[:12]
        self.score = Score()
        self.asked = 0
        self.current: Asked | None = None
        self.last: Record | None = None  # the policy's record of the answer just stored: what rate() and undo() act on

    @property
    def mode(self) -> str:
        return self.policy.mode

    def ctx(self) -> types.Ctx:
        return types.Ctx(self.runner, self.device, self.lang)

    # ---- the lifecycle ----

    def next(self) -> Asked | None:
        """The next question, or None when the policy has no more."""
        item = self.policy.next(self)
        if item is None:
            self.current = None
            return None
        q, state = item
        self.asked += 1
        kind = types.of(q)
        order = kind.order(q, self.rng)
        self.current = Asked(
            question=q,
            state=state,
            order=order,
            input=kind.INPUT,
            position=self.policy.position(self),
            extra=kind.extra(q, self.lang, order),
            started=time.monotonic(),
        )
        self.last = None
        return self.current

    def hint(self) -> Hint:
        """The next hint (progressive: each call shows one more, and the last one again once all are
        shown). How many were used is stored with the answer and lowers a review's rating."""
        a = self._asking()
        hints = a.question.hint
        if not hints:
            return Hint("", 0, 0)
        a.hints = min(a.hints + 1, len(hints))
        return Hint(pick(hints[a.hints - 1], self.lang), a.hints, len(hints))

    def reveal(self) -> list[Block]:
        """A flashcard's answer, before the learner grades themself."""
        a = self._asking()
        return types.of(a.question).solution(a.question, self.lang, a.order)

    def answer(self, reply: str) -> Outcome:
        """Judge a reply, store it now, and say what happened. A code answer that fails may be retried
        (`outcome.done` False): the first try is what is scored and rated."""
        a = self._asking()
        q = a.question
        kind = types.of(q)
        try:
            verdict = kind.judge(q, reply, self.ctx(), a.order)
        except ValueError as e:
            raise NotAnAnswer(str(e)) from None
        seconds = time.monotonic() - a.started
        first = a.tries == 0
        a.tries += 1
        a.last_answer = reply
        key = reply if kind.INPUT == "reveal" else None  # a self-grade (1-4) is the rating
        if first:
            a.first_correct = verdict.correct
            self.last = self.policy.record(self, a, bool(verdict.correct), reply, seconds, key)
            self.score.add(q, verdict.correct)
        else:
            self.policy.record_retry(self, a, bool(verdict.correct), reply, seconds)
        done = kind.INPUT != "code" or bool(verdict.correct) or not self.policy.can.retries
        return self._outcome(a, verdict, done)

    def give_up(self) -> Outcome:
        """The learner stops retrying a code answer: the question is done."""
        a = self._asking()
        from .model import Verdict

        return self._outcome(a, Verdict(a.first_correct), True)

    def skip(self) -> Outcome:
        a = self._asking()
        from .model import Verdict

        self.policy.skip(self, a)
        if a.tries == 0:
            self.score.add(a.question, None)
        return self._outcome(a, Verdict(None), True)

    def rate(self, choice: str) -> Any:
        """In review, change the rating of the answer just stored: 'h' hard, 'e' easy, 'g' good.
        Returns what the scheduler made of it (None where the mode does not rate)."""
        if self.last is None:
            return None
        return self.policy.rerate(self, self.last, choice)

    def after(self, outcome: Outcome | None) -> After:
        """What the learner may do once an answer is done: re-rate it (a right answer the learner did not
        grade themself, in a mode that rates), undo it, and whether it was stored without a schedule."""
        if outcome is None or outcome.verdict.correct is None:
            return After()
        graded = types.of(outcome.question).INPUT == "reveal"  # a self-grade (1-4) is already the rating
        scheduled = outcome.scheduled is not None
        can = self.policy.can
        return After(
            rerate=can.rerate and scheduled and bool(outcome.verdict.correct) and not graded,
            undo=can.undo and scheduled and bool(outcome.verdict.correct) and not graded,
            hinted=self.current is not None and self.current.hints > 0,
            unscheduled=can.limit_new and not scheduled,
            schedule=outcome.scheduled if can.tells_due else None,
        )

    def undo(self) -> bool:
        """Take back the answer just stored (attempt, review, card): the question will be asked again."""
        if self.last is None or not self.policy.can.undo:
            return False
        self.policy.undo(self, self.last)
        self.score.take_back()
        self.last = None
        self.asked -= 1
        return True

    def finish(self, saved: bool = True) -> Summary:
        return Summary(self.score, self.policy.title, saved, self.policy.finish(self) if saved else None)

    # ---- helpers ----

    def _asking(self) -> Asked:
        if self.current is None:
            raise RuntimeError("no question is being asked: call next() first")
        return self.current

    def _outcome(self, a: Asked, verdict: Verdict, done: bool) -> Outcome:
        q = a.question
        show_solution = verdict.correct is not True and (done or types.of(q).INPUT != "code")
        return Outcome(
            question=q,
            verdict=verdict,
            done=done,
            first_correct=a.first_correct,
            solution=types.of(q).solution(q, self.lang, a.order) if show_solution else [],
            explanation=pick(q.explanation, self.lang) if done else "",
            source=q.source if done else None,
            scheduled=getattr(self.last, "result", None) if done else None,
            retry=not done,
        )
